/**
 * Ids on Redis Agent Memory: 1–64 of `[A-Za-z0-9-]` everywhere ({@link REDIS_AGENT_MEMORY_ID_PATTERN},
 * the one copy of that rule).
 *
 * - Storage session ids follow the Python adk-redis: the first 64 hex characters of SHA-256 of
 *   `namespace \0 user \0 session`, with its lossy namespace sanitising (every other character
 *   becomes `-`), so both packages address the same session. Collisions that sanitising causes
 *   (`my_app` and `my-app`) are caught from the stored metadata. When a `defaultNamespace` other
 *   than the app name is shared by several apps, the app is hashed in too.
 * - `namespace` and `actorId` values: the id itself when valid, else `h-` + 62 hex characters of
 *   its SHA-256 (ids that look like that form are hashed too, so the mapping stays injective).
 *
 * Every service maps ids through here, so memories made from a session carry the same session,
 * owner and namespace ids the session does. Ids the session layer reserves for itself live in
 * sessions/redis-agent-memory/ids.ts.
 */
import { createHash } from 'node:crypto';
import { REDIS_AGENT_MEMORY_ID_PATTERN } from '../../clients/index.js';

const HASHED = /^h-[0-9a-f]{62}$/;

/** Lowercase hex SHA-256 of a string's UTF-8 bytes. */
export const sha256 = (text: string): string =>
  createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * Exactly what Python's `str.strip()` removes: the characters for which `str.isspace()` holds
 * (JavaScript's `trim()` differs: it keeps U+001C–U+001F and U+0085, and strips U+FEFF).
 */
const PYTHON_SPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PYTHON_STRIP = new RegExp(`^[${PYTHON_SPACE}]+|[${PYTHON_SPACE}]+$`, 'g');

/**
 * The Python adk-redis's managed-id sanitising, character for character:
 * `re.sub(r"[^A-Za-z0-9-]+", "-", value.strip()).strip("-")`. Lossy (`my_app` and `my-app` meet)
 * and not truncated: the result can be empty or longer than 64 characters, which Python then sends
 * as it is (see {@link pythonActorId}). A run of other characters (a surrogate pair included) is
 * one `-`, as in Python, where the pattern matches code points.
 */
export function pythonSanitize(value: string): string {
  return value
    .replace(PYTHON_STRIP, '')
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The owner (`actorId`) the Python package gives a user's sessions, when the managed API can hold
 * it (1–64 of `[A-Za-z0-9-]`); undefined when the sanitised id is empty or too long (Python's write
 * then fails, so no Python session has it).
 */
export function pythonActorId(userId: string): string | undefined {
  const sanitized = pythonSanitize(userId);
  return REDIS_AGENT_MEMORY_ID_PATTERN.test(sanitized) ? sanitized : undefined;
}

// Hashed identifiers recently computed: an agent's name is hashed on every event it authors.
const hashedIds = new Map<string, string>();
const HASHED_IDS_KEPT = 1024;

/** A valid `namespace`/`actorId` for any string, injective. */
export function managedIdentifier(value: string): string {
  if (REDIS_AGENT_MEMORY_ID_PATTERN.test(value) && !HASHED.test(value)) return value;
  let hashed = hashedIds.get(value);
  if (hashed === undefined) {
    hashed = `h-${sha256(value).slice(0, 62)}`;
    if (hashedIds.size >= HASHED_IDS_KEPT) hashedIds.clear();
    hashedIds.set(value, hashed);
  }
  return hashed;
}

/** The storage session id of an ADK session. */
export function storageSessionId(
  namespace: string,
  userId: string,
  sessionId: string,
  appQualifier: string | undefined,
): string {
  const input = `${pythonSanitize(namespace)}\0${userId}\0${sessionId}`;
  return sha256(appQualifier === undefined ? input : `${input}\0${appQualifier}`).slice(0, 64);
}
