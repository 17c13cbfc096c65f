/** What the service needs of a backend: write, search, read, update and delete memory records. */
import type { FailedMemoryWrite } from './errors.js';
import type { MemoryFilters, MemoryRecord, NewMemory } from './records.js';

/** Whose memories: the caller's own ids. */
export interface Tenant {
  appName: string;
  userId: string;
}

/** What a bulk write stored and what it did not. */
export interface WriteOutcome {
  /** Ids stored, or already present as this tenant's. */
  stored: string[];
  failed: FailedMemoryWrite[];
}

/** A search, validated. An empty query lists records without ranking. */
export interface StoreSearch {
  query: string;
  limit: number;
  filters?: MemoryFilters;
}

/** Fields to change in a record. */
export interface MemoryPatch {
  text?: string;
  topics?: string[];
  memoryType?: string;
}

/**
 * A backend's memory records for one service. Every method checks ownership: a record of another
 * app or user is never returned, changed or deleted, whatever the backend answered.
 */
export interface MemoryStore {
  /** The stable id the backend gives this new record for this tenant (before any collision fallback). */
  idOf(tenant: Tenant, memory: NewMemory): string;
  /** Writes the records (idempotent by id). */
  create(tenant: Tenant, memories: readonly NewMemory[]): Promise<WriteOutcome>;
  search(tenant: Tenant, search: StoreSearch): Promise<MemoryRecord[]>;
  /** The tenant's record, or undefined when it is missing or someone else's. */
  get(tenant: Tenant, id: string): Promise<MemoryRecord | undefined>;
  update(tenant: Tenant, id: string, patch: MemoryPatch): Promise<MemoryRecord | undefined>;
  /** Ids of every record of the tenant (of one session, when given). */
  listIds(tenant: Tenant, sessionId?: string): Promise<string[]>;
  /** Deletes records already checked to be the tenant's; returns the ids deleted. */
  deleteOwned(tenant: Tenant, ids: readonly string[]): Promise<string[]>;
}

/** Splits `items` into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/**
 * A tenant's backend scope (namespace and owner ids, app markers), computed once per app and user:
 * the mapping runs several regular expressions and may hash, on every call otherwise. Bounded:
 * past `limit` tenants it starts again.
 */
export class ScopeCache<S> {
  // Per app, then per user: the lookups hash the caller's own strings (V8 keeps a string's hash),
  // where one joined key would be a new string to build and hash on every call.
  private readonly scopes = new Map<string, Map<string, S>>();
  private size = 0;

  constructor(
    private readonly compute: (tenant: Tenant) => S,
    private readonly limit = 1_000,
  ) {}

  of(tenant: Tenant): S {
    let users = this.scopes.get(tenant.appName);
    let scope = users?.get(tenant.userId);
    if (scope === undefined) {
      if (this.size >= this.limit) {
        this.scopes.clear();
        this.size = 0;
        users = undefined;
      }
      scope = this.compute(tenant);
      if (users === undefined) {
        users = new Map();
        this.scopes.set(tenant.appName, users);
      }
      users.set(tenant.userId, scope);
      this.size += 1;
    }
    return scope;
  }
}
