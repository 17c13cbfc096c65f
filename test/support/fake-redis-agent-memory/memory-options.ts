/**
 * The long-term memory switches: behaviour the OpenAPI document leaves open, chosen per fake so a
 * client can be tested against every plausible answer of the real service.
 */

/** Memory types the service defines itself (Redis Cloud docs); custom types may not reuse them. */
export const BUILT_IN_MEMORY_TYPES: readonly string[] = [
  'semantic',
  'episodic',
  'message',
  'session_summary_view',
];

/** Long-term memory behaviour where the document is silent. */
export interface LongTermMemoryOptions {
  /**
   * BulkCreate with an id the store already holds (or that appears earlier in the same request):
   * `reject` (default) reports it in `errors` and leaves the record alone; `keep` reports it as
   * created without changing the record (idempotent creation); `replace` overwrites the record's
   * fields (an upsert that keeps `createdAt`).
   */
  existingId?: 'reject' | 'keep' | 'replace';
  /**
   * BulkDelete of an id the store does not hold: `error` (default) reports it in `errors`; `skip`
   * leaves it out of both `deleted` and `errors`.
   */
  missingOnDelete?: 'error' | 'skip';
  /**
   * UpdateLongTermMemoryFields when the record's memoryType or namespace does not match: `conflict`
   * (default) answers 409 as the namespace description says (a status the operation does not
   * declare); `not-found` answers the declared 404.
   */
  fieldsScopeMismatch?: 'conflict' | 'not-found';
  /**
   * The store's registered custom memory types (at most 3, none a built-in type). When given, a
   * memoryType outside built-ins and these is refused (a per-record error on create, a 400 on
   * update); when absent (default) any type that fits the schema's pattern is accepted.
   */
  customMemoryTypes?: readonly string[];
  /** The clock for `createdAt`/`updatedAt` (default: the system clock). */
  clock?: () => Date;
}

export type ResolvedLongTermMemoryOptions = Required<
  Omit<LongTermMemoryOptions, 'customMemoryTypes'>
> & {
  /** Every accepted memoryType, lower-cased, or undefined when any is accepted. */
  memoryTypes?: ReadonlySet<string>;
};

const MEMORY_TYPE_PATTERN = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;

/** The options with defaults filled in; throws on a custom type list the service would refuse. */
export function resolveLongTermMemoryOptions(
  options: LongTermMemoryOptions = {},
): ResolvedLongTermMemoryOptions {
  const choice = <T extends string>(name: string, value: T | undefined, allowed: T[]): T => {
    if (value === undefined) return allowed[0]!;
    if (!allowed.includes(value)) {
      throw new Error(`longTermMemory.${name} must be one of ${allowed.join(', ')}, got ${value}`);
    }
    return value;
  };
  const resolved: ResolvedLongTermMemoryOptions = {
    existingId: choice('existingId', options.existingId, ['reject', 'keep', 'replace']),
    missingOnDelete: choice('missingOnDelete', options.missingOnDelete, ['error', 'skip']),
    fieldsScopeMismatch: choice('fieldsScopeMismatch', options.fieldsScopeMismatch, [
      'conflict',
      'not-found',
    ]),
    clock: options.clock ?? (() => new Date()),
  };
  const custom = options.customMemoryTypes;
  if (custom === undefined) return resolved;
  if (custom.length > 3) {
    throw new Error(`longTermMemory.customMemoryTypes: at most 3, got ${custom.length}`);
  }
  for (const type of custom) {
    // Types compare without case, as the memoryType filter does.
    if (!MEMORY_TYPE_PATTERN.test(type) || BUILT_IN_MEMORY_TYPES.includes(type.toLowerCase())) {
      throw new Error(`longTermMemory.customMemoryTypes: "${type}" is not a usable custom type`);
    }
  }
  const all = [...BUILT_IN_MEMORY_TYPES, ...custom].map((type) => type.toLowerCase());
  return { ...resolved, memoryTypes: new Set(all) };
}

/** Whether the store accepts `memoryType` (always, unless custom types were configured). */
export function acceptsMemoryType(options: ResolvedLongTermMemoryOptions, type: string): boolean {
  return options.memoryTypes?.has(type.toLowerCase()) ?? true;
}
