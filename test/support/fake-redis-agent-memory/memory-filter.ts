/**
 * SearchLongTermMemory's `filter` and `filterOp`. A condition is one key of `filter` (for
 * `attributes`, one per attribute name); the operators inside a condition all apply, and
 * `filterOp` (`all`, the default, or `any`) combines the conditions. An empty filter matches
 * every record. Case rules follow the document: `sessionId` and `ownerId` compare exactly;
 * `namespace`, `memoryType` and `topics` ignore case. Positive operators (`eq`, `in`, `all`) need
 * the field present; `ne` is plain negation, so it matches records without the field.
 */
import type { components } from '../../../src/generated/redis-agent-memory.js';
import type { FieldError } from './problems.js';

type Schemas = components['schemas'];
export type LongTermMemoryFilter = Schemas['LongTermMemoryFilter'];
export type FilterConjunction = Schemas['FilterConjunction'];
export type MemoryRecord = Schemas['MemoryRecord'];

interface ValueClause {
  eq?: string;
  ne?: string;
  in?: string[];
  all?: string[];
}

type Condition = (record: MemoryRecord) => boolean;

/** The filter's fields compared as sets of strings, and whether they ignore case. */
const VALUE_FIELDS = {
  sessionId: { ignoreCase: false, values: (r: MemoryRecord) => optional(r.sessionId) },
  ownerId: { ignoreCase: false, values: (r: MemoryRecord) => optional(r.ownerId) },
  namespace: { ignoreCase: true, values: (r: MemoryRecord) => optional(r.namespace) },
  memoryType: { ignoreCase: true, values: (r: MemoryRecord) => optional(r.memoryType) },
  topics: { ignoreCase: true, values: (r: MemoryRecord) => r.topics ?? [] },
} as const;

const VALUE_OPERATORS = ['eq', 'ne', 'in', 'all'] as const;
const TIME_OPERATORS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;

function optional(value: string | undefined): string[] {
  return value === undefined ? [] : [value];
}

/**
 * What the schema cannot say about a filter but the fake refuses (400): a condition without any
 * operator, and an empty `in`/`all` list (it would match everything or nothing by accident).
 */
export function filterProblems(filter: LongTermMemoryFilter | undefined): FieldError[] {
  if (!filter) return [];
  const errors: FieldError[] = [];
  const needsOperator = (field: string, clause: object) => {
    if (Object.keys(clause).length === 0) {
      errors.push({
        field,
        rule: 'minProperties',
        message: `${field} needs at least one operator`,
      });
    }
  };
  for (const name of Object.keys(VALUE_FIELDS) as (keyof typeof VALUE_FIELDS)[]) {
    const clause = filter[name];
    if (!clause) continue;
    needsOperator(`filter.${name}`, clause);
    for (const op of ['in', 'all'] as const) {
      if (clause[op]?.length === 0) {
        const field = `filter.${name}.${op}`;
        errors.push({ field, rule: 'minItems', message: `${field} needs at least one value` });
      }
    }
  }
  if (filter.createdAt) needsOperator('filter.createdAt', filter.createdAt);
  if (filter.attributes) needsOperator('filter.attributes', filter.attributes);
  return errors;
}

/** Whether `record` passes `filter` combined with `op`. Assumes `filterProblems` found none. */
export function matchesFilter(
  record: MemoryRecord,
  filter: LongTermMemoryFilter | undefined,
  op: FilterConjunction = 'all',
): boolean {
  const conditions = filter ? conditionsOf(filter) : [];
  if (conditions.length === 0) return true;
  return op === 'any' ? conditions.some((c) => c(record)) : conditions.every((c) => c(record));
}

function conditionsOf(filter: LongTermMemoryFilter): Condition[] {
  const conditions: Condition[] = [];
  for (const [name, field] of Object.entries(VALUE_FIELDS)) {
    const clause = filter[name as keyof typeof VALUE_FIELDS];
    if (clause) conditions.push(valueCondition(clause, field.ignoreCase, field.values));
  }
  const createdAt = filter.createdAt;
  if (createdAt) conditions.push((record) => timeMatches(createdAt, Date.parse(record.createdAt)));
  for (const [name, clause] of Object.entries(filter.attributes ?? {})) {
    conditions.push((record) => attributeMatches(clause, record.attributes?.[name]));
  }
  return conditions;
}

function valueCondition(
  clause: ValueClause,
  ignoreCase: boolean,
  values: (record: MemoryRecord) => string[],
): Condition {
  const fold = (value: string) => (ignoreCase ? value.toLowerCase() : value);
  return (record) => {
    const present = new Set(values(record).map(fold));
    const has = (value: string) => present.has(fold(value));
    return VALUE_OPERATORS.every((op) => {
      const operand = clause[op];
      if (operand === undefined) return true;
      switch (op) {
        case 'eq':
          return has(operand as string);
        case 'ne':
          return !has(operand as string);
        case 'in':
          return (operand as string[]).some(has);
        case 'all':
          return (operand as string[]).every(has);
      }
    });
  };
}

function timeMatches(clause: Schemas['CreatedAtFilter'], at: number): boolean {
  return TIME_OPERATORS.every((op) => {
    const operand = clause[op];
    if (operand === undefined) return true;
    const bound = Date.parse(operand);
    switch (op) {
      case 'gt':
        return at > bound;
      case 'gte':
        return at >= bound;
      case 'lt':
        return at < bound;
      case 'lte':
        return at <= bound;
      case 'eq':
        return at === bound;
    }
  });
}

/** Exact comparison; a clause of another type than the stored value never matches. */
function attributeMatches(clause: Schemas['AttributeFilterClause'], value: unknown): boolean {
  if ('string' in clause) return value === clause.string;
  if ('number' in clause) return value === clause.number;
  if ('boolean' in clause) return value === clause.boolean;
  return Array.isArray(value) && clause.list.every((item) => value.includes(item));
}
