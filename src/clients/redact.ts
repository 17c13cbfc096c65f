/** Removes known secret values (API keys, tokens, secret header values) from text. */
export type Redactor = (text: string) => string;

export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are not searched for: they would redact ordinary words. */
const MIN_SECRET_LENGTH = 4;

export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const values = [
    ...new Set(
      secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH),
    ),
  ]
    // Longest first, so a secret that contains another is removed whole.
    .sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const value of values) out = out.split(value).join(REDACTED);
    return out;
  };
}

/**
 * Whether a known secret appears in a value: a string, or an object's own properties (an error's
 * message, stack, cause, ...), a few levels deep. Used to keep such a value out of an error.
 */
export function containsSecret(value: unknown, redact: Redactor, depth = 0): boolean {
  if (typeof value === 'string') return redact(value) !== value;
  if (typeof value !== 'object' || value === null || depth > 4) return false;
  return Object.getOwnPropertyNames(value).some((key) => {
    let property: unknown;
    try {
      property = (value as Record<string, unknown>)[key];
    } catch {
      return false;
    }
    return containsSecret(property, redact, depth + 1);
  });
}
