/**
 * Long-term memories on Redis Agent Memory (managed). Records, ids and namespaces are the Python
 * adk-redis's (see ids.ts and records.ts), so both packages find, and do not duplicate, each
 * other's memories.
 *
 * The namespace rule is lossy and the API matches namespaces without case, so apps such as
 * `my_app`, `My-App` and `my:app` can share one. Apps are kept apart by an `adkApp` attribute on
 * every record written here (and, for records the Python package wrote, by the app name it adds to
 * `topics`); every record the API returns is checked against the exact namespace, owner and app.
 * Explicit memories of apps whose namespace is sanitised hash the app into their ids too, and a
 * create whose id is already taken by another app's record is written again under an id that
 * also hashes the app.
 */
import {
  BackendError,
  REDIS_AGENT_MEMORY_ID_PATTERN,
  retrySafe,
  unwrap,
  type RedisAgentMemoryClient,
} from '../../clients/index.js';
import { mapWithConcurrency } from '../../shared/concurrency.js';
import { scopeOf } from '../../shared/namespace.js';
import type {
  ManagedCreateRecord as CreateRecord,
  ManagedFilter as Filter,
  ManagedRecord,
  ManagedSearchRequest as SearchRequest,
  ManagedUpdate,
} from '../api-types.js';
import type { FailedMemoryWrite } from '../errors.js';
import {
  isoTime,
  passesFilters,
  splitAuthor,
  stableMemoryId,
  type MemoryFilters,
  type MemoryRecord,
  type NewMemory,
} from '../records.js';
import {
  chunk,
  ScopeCache,
  type MemoryPatch,
  type MemoryStore,
  type StoreSearch,
  type Tenant,
  type WriteOutcome,
} from '../store.js';
import { memoryNamespace, memoryOwner } from './ids.js';

const MEMORIES = '/v1/stores/{storeId}/long-term-memory';
const SEARCH = '/v1/stores/{storeId}/long-term-memory/search';
const MEMORY = '/v1/stores/{storeId}/long-term-memory/{memoryId}';
/** The API's bulk limit (create and delete). */
export const MANAGED_BATCH = 100;
const MAX_TOPIC_LENGTH = 100;

/** Attribute names of the markers this library writes. */
export const ATTRIBUTES = {
  app: 'adkApp',
  session: 'adkSessionId',
  author: 'adkAuthor',
  time: 'adkTime',
} as const;

export interface ManagedMemoryStoreOptions {
  client: RedisAgentMemoryClient;
  defaultNamespace: string | undefined;
  source: string;
  similarityThreshold: number | undefined;
  concurrency: number;
}

interface Scope {
  namespace: string;
  owner: string;
  appName: string;
  /** The app when the namespace is shared on purpose (a `defaultNamespace`): hashed into ids. */
  appQualifier: string | undefined;
  /** The app topic (the Python package's marker), when the API can hold it. */
  appTopic: string | undefined;
  /** Whether the namespace is not the app's own name as written (sanitised or hashed). */
  lossy: boolean;
  /** The filter of a search without filters, built once (never mutated: frozen). */
  baseFilter: Readonly<Filter>;
}

export class ManagedMemoryStore implements MemoryStore {
  private readonly scopes = new ScopeCache((tenant) => this.scopeOf(tenant));

  constructor(private readonly options: ManagedMemoryStoreOptions) {}

  private scope(tenant: Tenant): Scope {
    return this.scopes.of(tenant);
  }

  private scopeOf(tenant: Tenant): Scope {
    const { namespace, appQualifier } = scopeOf(tenant.appName, this.options.defaultNamespace);
    const mapped = memoryNamespace(namespace);
    const owner = memoryOwner(tenant.userId);
    const appTopic = tenant.appName.length <= MAX_TOPIC_LENGTH ? tenant.appName : undefined;
    const baseFilter = deepFreeze(filterOf(owner, mapped, appTopic, undefined));
    return {
      namespace: mapped,
      owner,
      appName: tenant.appName,
      appQualifier,
      appTopic,
      lossy: mapped !== namespace,
      baseFilter,
    };
  }

  idOf(tenant: Tenant, memory: NewMemory): string {
    return this.idIn(this.scope(tenant), tenant, memory, false);
  }

  private idIn(scope: Scope, tenant: Tenant, memory: NewMemory, qualified: boolean): string {
    const parts = [this.options.source, memory.kind, scope.namespace, tenant.userId];
    parts.push(...memory.idParts);
    // Explicit memories of an app whose namespace the Python rule changes (`my_app` -> `my-app`)
    // hash the app too: the same text in `my_app`, `my:app` and `my-app` would otherwise share an
    // id, and an API that keeps or replaces existing ids would not say so.
    const lossy = memory.kind === 'memory' && scope.lossy;
    if (scope.appQualifier !== undefined || qualified || lossy) parts.push('app', tenant.appName);
    return stableMemoryId(parts);
  }

  private record(scope: Scope, tenant: Tenant, memory: NewMemory, id: string): CreateRecord {
    const attributes: Record<string, string> = { [ATTRIBUTES.app]: scope.appName };
    if (memory.sessionId !== undefined) attributes[ATTRIBUTES.session] = memory.sessionId;
    if (memory.author !== undefined) attributes[ATTRIBUTES.author] = memory.author;
    if (memory.eventTime !== undefined && Number.isFinite(memory.eventTime)) {
      attributes[ATTRIBUTES.time] = new Date(memory.eventTime).toISOString();
    }
    const topics = [...memory.topics];
    if (scope.appTopic !== undefined) topics.push(scope.appTopic);
    return {
      id,
      text: memory.storedText,
      ownerId: scope.owner,
      namespace: scope.namespace,
      ...(memory.sessionId !== undefined ? { sessionId: memoryOwner(memory.sessionId) } : {}),
      topics,
      memoryType: memory.memoryType,
      attributes,
    };
  }

  async create(tenant: Tenant, memories: readonly NewMemory[]): Promise<WriteOutcome> {
    const scope = this.scope(tenant);
    const stored: string[] = [];
    const failed: FailedMemoryWrite[] = [];
    let pending = memories.map((memory) => ({ memory, qualified: false }));
    // At most two rounds: an id another app's record holds is retried once under a qualified id.
    for (let round = 0; round < 2 && pending.length > 0; round++) {
      const retry: typeof pending = [];
      const byId = new Map(
        pending.map((p) => [this.idIn(scope, tenant, p.memory, p.qualified), p] as const),
      );
      const records = [...byId].map(([id, p]) => this.record(scope, tenant, p.memory, id));
      const answers = await mapWithConcurrency(
        chunk(records, MANAGED_BATCH),
        this.options.concurrency,
        (batch) =>
          unwrap(
            this.options.client.POST(MEMORIES, { body: { memories: batch }, headers: retrySafe }),
          ),
      );
      const errors = new Map<string, string>();
      for (const answer of answers) {
        stored.push(...answer.created.filter((id) => byId.has(id)));
        for (const error of answer.errors ?? []) errors.set(error.id, error.error);
      }
      // A refused id may be our own record from an earlier write (idempotent), or another app's.
      const checks = await mapWithConcurrency([...errors], this.options.concurrency, ([id]) =>
        this.read(id),
      );
      [...errors].forEach(([id, reason], i) => {
        const existing = checks[i];
        const entry = byId.get(id);
        if (existing && this.owns(scope, existing)) stored.push(id);
        else if (existing && entry && !entry.qualified) retry.push({ ...entry, qualified: true });
        else failed.push({ id, reason });
      });
      const answered = new Set([...stored, ...errors.keys()]);
      for (const id of byId.keys()) {
        if (!answered.has(id)) failed.push({ id, reason: 'not reported as created' });
      }
      pending = retry;
    }
    return { stored, failed };
  }

  async search(tenant: Tenant, search: StoreSearch): Promise<MemoryRecord[]> {
    const scope = this.scope(tenant);
    const threshold = this.options.similarityThreshold;
    const ranked = search.query.trim() !== '';
    // Fields in the order the request always had.
    const body: SearchRequest = ranked ? { text: search.query, limit: search.limit } : {};
    if (!ranked) body.limit = search.limit;
    body.filter = this.filter(scope, search);
    body.filterOp = 'all';
    if (threshold !== undefined && ranked) body.similarityThreshold = threshold;
    const page = await unwrap(this.options.client.POST(SEARCH, { body, headers: retrySafe }));
    // One pass: only this tenant's records, converted, checked against the filters, up to the limit.
    const records: MemoryRecord[] = [];
    for (const item of page.items) {
      if (records.length >= search.limit) break;
      if (!this.owns(scope, item)) continue;
      const record = this.toRecord(scope, item);
      if (passesFilters(record, search.filters)) records.push(record);
    }
    return records;
  }

  private filter(scope: Scope, search: Pick<StoreSearch, 'filters'>): Filter {
    const filters = search.filters;
    return filters === undefined
      ? scope.baseFilter
      : filterOf(scope.owner, scope.namespace, scope.appTopic, filters);
  }

  async get(tenant: Tenant, id: string): Promise<MemoryRecord | undefined> {
    const scope = this.scope(tenant);
    const found = await this.read(id);
    return found && this.owns(scope, found) ? this.toRecord(scope, found) : undefined;
  }

  async update(tenant: Tenant, id: string, patch: MemoryPatch): Promise<MemoryRecord | undefined> {
    const scope = this.scope(tenant);
    const found = await this.read(id);
    if (!found || !this.owns(scope, found)) return undefined;
    const current = this.toRecord(scope, found);
    const memoryType = patch.memoryType ?? current.memoryType;
    const body: ManagedUpdate = {};
    if (patch.text !== undefined) {
      body.text =
        memoryType === 'message' && current.author !== undefined
          ? `${current.author}: ${patch.text}`
          : patch.text;
    }
    if (patch.topics !== undefined) {
      body.topics = [...patch.topics, ...(scope.appTopic !== undefined ? [scope.appTopic] : [])];
    }
    if (patch.memoryType !== undefined) body.memoryType = patch.memoryType;
    const updated = await unwrap(
      this.options.client.PATCH(MEMORY, { params: { path: { memoryId: id } }, body }),
    );
    return this.owns(scope, updated) ? this.toRecord(scope, updated) : undefined;
  }

  async listIds(tenant: Tenant, sessionId?: string): Promise<string[]> {
    const scope = this.scope(tenant);
    const filter = this.filter(scope, sessionId !== undefined ? { filters: { sessionId } } : {});
    const ids: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await unwrap(
        this.options.client.POST(SEARCH, {
          body: { filter, filterOp: 'all', limit: 100, ...(pageToken ? { pageToken } : {}) },
          headers: retrySafe,
        }),
      );
      for (const item of page.items) {
        if (!this.owns(scope, item)) continue;
        if (sessionId !== undefined && this.toRecord(scope, item).sessionId !== sessionId) continue;
        ids.push(item.id);
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    return [...new Set(ids)];
  }

  async deleteOwned(_tenant: Tenant, ids: readonly string[]): Promise<string[]> {
    const answers = await mapWithConcurrency(
      chunk(ids, MANAGED_BATCH),
      this.options.concurrency,
      (batch) =>
        unwrap(
          this.options.client.DELETE(MEMORIES, { body: { memoryIds: batch }, headers: retrySafe }),
        ),
    );
    return answers.flatMap((answer) => answer.deleted);
  }

  /** A record by id, or undefined when missing (or when no record can have that id). */
  private async read(id: string): Promise<ManagedRecord | undefined> {
    if (!REDIS_AGENT_MEMORY_ID_PATTERN.test(id)) return undefined;
    try {
      return await unwrap(this.options.client.GET(MEMORY, { params: { path: { memoryId: id } } }));
    } catch (error) {
      if (error instanceof BackendError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Whether a record is this tenant's: exact namespace and owner, and this app's marker. */
  private owns(scope: Scope, record: ManagedRecord): boolean {
    if (record.ownerId !== scope.owner || record.namespace !== scope.namespace) return false;
    const app = record.attributes?.[ATTRIBUTES.app];
    if (app !== undefined) return app === scope.appName;
    // Written by the Python package: it adds the app name to the topics.
    return scope.appTopic !== undefined && (record.topics ?? []).includes(scope.appTopic);
  }

  private toRecord(scope: Scope, record: ManagedRecord): MemoryRecord {
    const attributes = record.attributes ?? {};
    const text = attributeString(attributes[ATTRIBUTES.author]);
    const memoryType = record.memoryType ?? 'semantic';
    const split =
      text !== undefined && memoryType === 'message' && record.text.startsWith(`${text}: `)
        ? { author: text, text: record.text.slice(text.length + 2) }
        : splitAuthor(memoryType, record.text);
    const topics = [...(record.topics ?? [])];
    const appTopic = scope.appTopic === undefined ? -1 : topics.lastIndexOf(scope.appTopic);
    if (appTopic >= 0) topics.splice(appTopic, 1);
    const sessionId = attributeString(attributes[ATTRIBUTES.session]) ?? record.sessionId;
    const converted: MemoryRecord = {
      id: record.id,
      text: split.text,
      memoryType,
      topics,
      createdAt: isoTime(
        attributeString(attributes[ATTRIBUTES.time]) ?? record.createdAt,
        record.createdAt,
      ),
      updatedAt: isoTime(record.updatedAt, record.updatedAt),
    };
    if (split.author !== undefined) converted.author = split.author;
    if (sessionId !== undefined) converted.sessionId = sessionId;
    return converted;
  }
}

const attributeString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** The search filter of an owner, namespace and app topic, with the caller's filters. */
function filterOf(
  owner: string,
  namespace: string,
  appTopic: string | undefined,
  filters: MemoryFilters | undefined,
): Filter {
  const topics = appTopic !== undefined ? [appTopic] : [];
  if (filters?.topics) topics.push(...filters.topics);
  const filter: Filter = { ownerId: { eq: owner }, namespace: { eq: namespace } };
  if (topics.length > 0) filter.topics = { all: topics };
  if (filters?.memoryTypes?.length) filter.memoryType = { in: filters.memoryTypes };
  if (filters?.sessionId !== undefined) filter.sessionId = { eq: memoryOwner(filters.sessionId) };
  return filter;
}

/** Freezes a JSON value and everything in it. */
function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
