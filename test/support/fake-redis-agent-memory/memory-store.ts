/**
 * The fake's long-term memory records, kept apart from sessions. Ids are unique within the store
 * (not per owner or namespace), so a create with a foreign record's id meets that record. Knows the
 * record rules (owner required, namespace optional and stored as given) but nothing about HTTP.
 */
import type { components } from '../../../src/generated/redis-agent-memory.js';
import type { MemoryRecord } from './memory-filter.js';
import { acceptsMemoryType, type ResolvedLongTermMemoryOptions } from './memory-options.js';

type Schemas = components['schemas'];
export type CreateMemoryRecord = Schemas['CreateMemoryRecord'];
export type BulkOperationError = Schemas['BulkOperationError'];
export type FieldsUpdate = Schemas['UpdateLongTermMemoryFieldsRequestContent'];

/** A checked UpdateLongTermMemory: `null` clears an optional field. */
export interface MemoryChanges {
  text?: string;
  memoryType?: string;
  topics?: string[];
  ownerId?: string;
  namespace?: string | null;
  sessionId?: string | null;
}

/** What UpdateLongTermMemoryFields found. */
export type FieldsOutcome = 'updated' | 'missing' | 'type-mismatch' | 'namespace-mismatch';

export class MemoryStore {
  private readonly records = new Map<string, MemoryRecord>();

  constructor(readonly options: ResolvedLongTermMemoryOptions) {}

  /** BulkCreate: records in request order; a record that cannot be created lands in `errors`. */
  create(records: readonly CreateMemoryRecord[]): {
    created: string[];
    errors: BulkOperationError[];
  } {
    const created: string[] = [];
    const errors: BulkOperationError[] = [];
    for (const input of records) {
      if (input.memoryType !== undefined && !acceptsMemoryType(this.options, input.memoryType)) {
        errors.push({
          id: input.id,
          error: `memoryType ${input.memoryType} is neither built in nor registered on the store.`,
        });
        continue;
      }
      const existing = this.records.get(input.id);
      if (existing && this.options.existingId === 'reject') {
        errors.push({ id: input.id, error: `A memory with id ${input.id} already exists.` });
        continue;
      }
      if (!existing || this.options.existingId === 'replace') {
        const now = this.now();
        this.records.set(input.id, recordOf(input, existing?.createdAt ?? now, now));
      }
      created.push(input.id);
    }
    return { created, errors };
  }

  get(id: string): MemoryRecord | undefined {
    const record = this.records.get(id);
    return record && structuredClone(record);
  }

  /** Every record, as copies, in no particular order. */
  all(): MemoryRecord[] {
    return [...this.records.values()].map((record) => structuredClone(record));
  }

  /** UpdateLongTermMemory; undefined when the record does not exist. No change, no new updatedAt. */
  update(id: string, changes: MemoryChanges): MemoryRecord | undefined {
    const record = this.records.get(id);
    if (!record) return undefined;
    const entries = Object.entries(changes).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return structuredClone(record);
    const next: Record<string, unknown> = { ...record };
    for (const [key, value] of entries) {
      if (value === null) delete next[key];
      else next[key] = value;
    }
    next.updatedAt = this.now();
    const updated = ordered(next as unknown as MemoryRecord);
    this.records.set(id, updated);
    return structuredClone(updated);
  }

  /**
   * UpdateLongTermMemoryFields: applies text and merges attributes only when the stored
   * memoryType equals `memoryType` and the stored namespace equals `namespace` (absent only
   * when absent), both compared exactly, as one step.
   */
  updateFields(id: string, fields: FieldsUpdate): FieldsOutcome {
    const record = this.records.get(id);
    if (!record) return 'missing';
    if (record.memoryType !== fields.memoryType) return 'type-mismatch';
    if (record.namespace !== fields.namespace) return 'namespace-mismatch';
    if (fields.text === undefined && fields.attributes === undefined) return 'updated';
    this.records.set(
      id,
      ordered({
        ...record,
        ...(fields.text === undefined ? {} : { text: fields.text }),
        ...(fields.attributes === undefined
          ? {}
          : { attributes: { ...record.attributes, ...structuredClone(fields.attributes) } }),
        updatedAt: this.now(),
      }),
    );
    return 'updated';
  }

  /** BulkDelete in request order; a missing id is an error or skipped, as configured. */
  delete(ids: readonly string[]): { deleted: string[]; errors: BulkOperationError[] } {
    const deleted: string[] = [];
    const errors: BulkOperationError[] = [];
    for (const id of ids) {
      if (this.records.delete(id)) deleted.push(id);
      else if (this.options.missingOnDelete === 'error') {
        errors.push({ id, error: `Memory ${id} was not found.` });
      }
    }
    return { deleted, errors };
  }

  clear(): void {
    this.records.clear();
  }

  private now(): string {
    return this.options.clock().toISOString();
  }
}

function recordOf(input: CreateMemoryRecord, createdAt: string, updatedAt: string): MemoryRecord {
  const copy = structuredClone(input);
  return ordered({ ...copy, createdAt, updatedAt });
}

/** The record with the schema's field order and nothing it does not define. */
function ordered(record: MemoryRecord): MemoryRecord {
  const keys = [
    'id',
    'text',
    'memoryType',
    'sessionId',
    'ownerId',
    'namespace',
    'topics',
    'attributes',
    'createdAt',
    'updatedAt',
  ] as const;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (record[key] !== undefined) out[key] = record[key];
  return out as unknown as MemoryRecord;
}
