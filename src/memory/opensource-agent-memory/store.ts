/**
 * Long-term memories on the Agent Memory Server: records are written directly to long-term memory
 * (never through a session's working memory), under the same namespace, user and session ids the
 * session service uses.
 *
 * AMS traps handled here (see the shared notes): ids are global Redis keys, so every id hashes the
 * namespace and user; creates go out with `deduplicate: false` (same id = our own record, and no
 * LLM merge that gives records new ids); a create is acknowledged before it is indexed and can be
 * dropped, so written ids are read back until readable (`confirmWrites`); tag filters match
 * without case and a search that finds nothing strictly is retried without its namespace filter,
 * so every record returned is checked against the exact namespace and user (and app, when a
 * `defaultNamespace` is shared by several apps: records carry an app topic then).
 */
import {
  BackendError,
  InvalidArgumentError,
  retrySafe,
  unwrap,
  type AgentMemoryServerClient,
} from '../../clients/index.js';
import { currentDeadline } from '../../clients/deadline.js';
import { mapWithConcurrency } from '../../shared/concurrency.js';
import { encodeSessionId, hex } from '../../shared/opensource-agent-memory/ids.js';
import type {
  AmsCreateRecord,
  AmsMemoryType,
  AmsRecord,
  AmsSearch,
  AmsUpdate,
} from '../api-types.js';
import type { FailedMemoryWrite } from '../errors.js';
import { passesFilters, stableMemoryId, type MemoryRecord, type NewMemory } from '../records.js';
import {
  chunk,
  ScopeCache,
  type MemoryPatch,
  type MemoryStore,
  type StoreSearch,
  type Tenant,
  type WriteOutcome,
} from '../store.js';
import { amsScopeOf, owns, toRecord, visibleTopics, type Scope } from './scope.js';

const CREATE = '/v1/long-term-memory/';
const SEARCH = '/v1/long-term-memory/search';
const DELETE = '/v1/long-term-memory';
const MEMORY = '/v1/long-term-memory/{memory_id}';
const BATCH = 100;
/** Past this many records to confirm, list them (100 a request) rather than read each. */
const LIST_CONFIRM_FROM = 8;
/** Listing pages read beyond the records' own count (older records of the same session). */
const LIST_CONFIRM_EXTRA_PAGES = 3;
/** The memory types AMS accepts. */
export const AMS_MEMORY_TYPES: readonly string[] = ['semantic', 'episodic', 'message'];

export interface AmsMemoryStoreOptions {
  client: AgentMemoryServerClient;
  defaultNamespace: string | undefined;
  source: string;
  similarityThreshold: number | undefined;
  concurrency: number;
  /** Read written ids back until readable, for at most this long (ms); undefined skips it. */
  confirmWithinMs: number | undefined;
  recency:
    | false
    | {
        semanticWeight: number;
        recencyWeight: number;
        freshnessWeight: number;
        noveltyWeight: number;
        halfLifeLastAccessDays: number;
        halfLifeCreatedDays: number;
      };
}

/** Throws when AMS cannot hold the memory type. */
export function checkAmsMemoryType(memoryType: string, field: string): AmsMemoryType {
  if (!AMS_MEMORY_TYPES.includes(memoryType)) {
    throw new InvalidArgumentError(
      field,
      `The Agent Memory Server stores only the memory types ${AMS_MEMORY_TYPES.join(', ')}; custom types need the managed backend.`,
    );
  }
  return memoryType as AmsMemoryType;
}

export class AmsMemoryStore implements MemoryStore {
  private readonly scopes = new ScopeCache((tenant) =>
    amsScopeOf(tenant, this.options.defaultNamespace),
  );

  /** The recency fields of a ranked search, built once (undefined: recency boost off). */
  private readonly recencyFields: Partial<AmsSearch> | undefined;

  constructor(private readonly options: AmsMemoryStoreOptions) {
    const recency = options.recency;
    this.recencyFields = recency
      ? {
          recency_boost: true,
          recency_semantic_weight: recency.semanticWeight,
          recency_recency_weight: recency.recencyWeight,
          recency_freshness_weight: recency.freshnessWeight,
          recency_novelty_weight: recency.noveltyWeight,
          recency_half_life_last_access_days: recency.halfLifeLastAccessDays,
          recency_half_life_created_days: recency.halfLifeCreatedDays,
        }
      : undefined;
  }

  private scope(tenant: Tenant): Scope {
    return this.scopes.of(tenant);
  }

  idOf(tenant: Tenant, memory: NewMemory): string {
    const scope = this.scope(tenant);
    // Ids are global keys on AMS: the tenant is in the hash, with separator-free (encoded) ids.
    const parts = [this.options.source, memory.kind, scope.namespace, scope.user];
    if (memory.kind === 'event') {
      const [session = '', ...rest] = memory.idParts;
      parts.push(session === '' ? '' : encodeSessionId(session, scope.appQualifier), ...rest);
    } else parts.push(...memory.idParts);
    if (scope.appQualifier !== undefined) parts.push('app', hex(scope.appQualifier));
    return stableMemoryId(parts);
  }

  async create(tenant: Tenant, memories: readonly NewMemory[]): Promise<WriteOutcome> {
    const scope = this.scope(tenant);
    const byId = new Map<string, AmsCreateRecord>();
    const writtenAt = Date.now();
    for (const memory of memories) {
      const id = this.idOf(tenant, memory);
      byId.set(id, {
        id,
        text: memory.storedText,
        namespace: scope.namespace,
        user_id: scope.user,
        ...(memory.sessionId !== undefined
          ? { session_id: encodeSessionId(memory.sessionId, scope.appQualifier) }
          : {}),
        topics: [...memory.topics, ...(scope.appTopic ? [scope.appTopic] : [])],
        memory_type: checkAmsMemoryType(memory.memoryType, 'memoryType'),
        // Explicit memories are stamped here too, so confirmation can list them by creation time.
        created_at: new Date(
          memory.eventTime !== undefined && Number.isFinite(memory.eventTime)
            ? memory.eventTime
            : writtenAt,
        ).toISOString(),
      });
    }
    await mapWithConcurrency(chunk([...byId.values()], BATCH), this.options.concurrency, (batch) =>
      unwrap(
        this.options.client.POST(CREATE, {
          body: { memories: batch, deduplicate: false },
          headers: retrySafe,
        }),
      ),
    );
    if (this.options.confirmWithinMs === undefined) return { stored: [...byId.keys()], failed: [] };
    return this.confirm(scope, [...byId.values()], this.options.confirmWithinMs);
  }

  /**
   * Reads written records back until each is readable as this tenant's, or time is up. Many
   * records are found by filter listings (100 a request: namespace, user, session and creation
   * time), a few by id.
   */
  private async confirm(
    scope: Scope,
    records: readonly AmsCreateRecord[],
    withinMs: number,
  ): Promise<WriteOutcome> {
    // Within the call's overall deadline too: records still unread then are reported as failed.
    const started = Date.now();
    const deadline = Math.min(started + withinMs, currentDeadline()?.at ?? Infinity);
    const pending = new Map(records.map((record) => [record.id, record]));
    const stored: string[] = [];
    let pause = 20;
    // A listing that finds nothing new (records beyond the pages it reads) gives way to reads by id.
    let listing = true;
    for (;;) {
      const found: string[] =
        listing && pending.size > LIST_CONFIRM_FROM
          ? await this.listPresent(scope, [...pending.values()])
          : await this.readPresent(scope, [...pending.keys()]);
      listing = found.length > 0;
      for (const id of found) {
        if (pending.delete(id)) stored.push(id);
      }
      if (pending.size === 0 || Date.now() + pause > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 500);
    }
    const failed: FailedMemoryWrite[] = [...pending.keys()].map((id) => ({
      id,
      reason: `acknowledged but not readable after ${Date.now() - started} ms (AMS indexes in the background and can drop a record; see its log)`,
    }));
    return { stored, failed };
  }

  /** Which of the ids are readable as this tenant's records (one GET each). */
  private async readPresent(scope: Scope, ids: string[]): Promise<string[]> {
    const found = await mapWithConcurrency(ids, this.options.concurrency * 2, (id) =>
      this.read(id),
    );
    return ids.filter((_, i) => {
      const record = found[i];
      return record !== undefined && owns(scope, record);
    });
  }

  /** Which of the records are listed as this tenant's, per session, created since the oldest. */
  private async listPresent(scope: Scope, records: AmsCreateRecord[]): Promise<string[]> {
    const bySession = new Map<string | null | undefined, AmsCreateRecord[]>();
    for (const record of records) {
      const group = bySession.get(record.session_id) ?? [];
      group.push(record);
      bySession.set(record.session_id, group);
    }
    const present: string[] = [];
    for (const [session, group] of bySession) {
      const wanted = new Set(group.map((record) => record.id));
      const oldest = group.map((record) => record.created_at ?? '').sort()[0];
      const filter: AmsSearch = {
        namespace: { eq: scope.namespace },
        user_id: { eq: scope.user },
        ...(session != null ? { session_id: { eq: session } } : {}),
        ...(oldest ? { created_at: { gte: oldest } } : {}),
      };
      const maxPages = Math.ceil(wanted.size / BATCH) + LIST_CONFIRM_EXTRA_PAGES;
      for (let page = 0; page < maxPages && wanted.size > 0; page++) {
        const listed = await unwrap(
          this.options.client.POST(SEARCH, {
            body: { ...filter, limit: BATCH, offset: page * BATCH },
            headers: retrySafe,
          }),
        );
        for (const item of listed.memories) {
          if (wanted.has(item.id) && owns(scope, item)) {
            wanted.delete(item.id);
            present.push(item.id);
          }
        }
        if (listed.memories.length < BATCH) break;
      }
    }
    return present;
  }

  async search(tenant: Tenant, search: StoreSearch): Promise<MemoryRecord[]> {
    const scope = this.scope(tenant);
    const ranked = search.query.trim() !== '';
    const threshold = this.options.similarityThreshold;
    // Fields in the order the request always had: filter, limit, text, threshold, recency.
    const body = this.filter(scope, search);
    body.limit = search.limit;
    if (ranked) {
      body.text = search.query;
      if (threshold !== undefined) body.distance_threshold = 1 - threshold;
    }
    if (ranked && this.recencyFields) Object.assign(body, this.recencyFields);
    else body.recency_boost = false;
    const found = await unwrap(this.options.client.POST(SEARCH, { body, headers: retrySafe }));
    // One pass: only this tenant's records, converted, checked against the filters, up to the limit.
    const records: MemoryRecord[] = [];
    for (const item of found.memories) {
      if (records.length >= search.limit) break;
      const topics = visibleTopics(scope, item);
      if (topics === undefined) continue;
      const record = toRecord(scope, item, topics);
      if (ranked) record.score = Math.min(1, Math.max(0, 1 - item.dist));
      if (passesFilters(record, search.filters)) records.push(record);
    }
    return records;
  }

  /** The search filter of the tenant (a new object: the caller adds the request's other fields). */
  private filter(scope: Scope, search: Pick<StoreSearch, 'filters'>): AmsSearch {
    const filters = search.filters;
    const body: AmsSearch = { namespace: scope.namespaceClause, user_id: scope.userClause };
    if (filters === undefined) {
      if (scope.appTopicClause) body.topics = scope.appTopicClause as AmsSearch['topics'];
      return body;
    }
    const types = filters.memoryTypes?.map((t) => checkAmsMemoryType(t, 'filters.memoryTypes'));
    const topics = filters.topics?.length ? filters.topics : scope.appTopic ? [scope.appTopic] : [];
    if (filters.sessionId !== undefined) {
      body.session_id = { eq: encodeSessionId(filters.sessionId, scope.appQualifier) };
    }
    if (types?.length) body.memory_type = types.length === 1 ? { eq: types[0]! } : { any: types };
    // AMS's `all` matches like `any`: ask for any, and check every topic here.
    if (topics.length > 0) body.topics = { any: topics };
    return body;
  }

  async get(tenant: Tenant, id: string): Promise<MemoryRecord | undefined> {
    const scope = this.scope(tenant);
    const found = await this.read(id);
    return found && owns(scope, found) ? toRecord(scope, found) : undefined;
  }

  async update(tenant: Tenant, id: string, patch: MemoryPatch): Promise<MemoryRecord | undefined> {
    const scope = this.scope(tenant);
    const found = await this.read(id);
    if (!found || !owns(scope, found)) return undefined;
    const current = toRecord(scope, found);
    const memoryType = patch.memoryType ?? current.memoryType;
    const body: AmsUpdate = {};
    if (patch.text !== undefined) {
      body.text =
        memoryType === 'message' && current.author !== undefined
          ? `${current.author}: ${patch.text}`
          : patch.text;
    }
    if (patch.topics !== undefined) {
      body.topics = [...patch.topics, ...(scope.appTopic ? [scope.appTopic] : [])];
    }
    if (patch.memoryType !== undefined) {
      body.memory_type = checkAmsMemoryType(patch.memoryType, 'memoryType');
    }
    const updated = await unwrap(
      this.options.client.PATCH(MEMORY, { params: { path: { memory_id: id } }, body }),
    );
    return owns(scope, updated) ? toRecord(scope, updated) : undefined;
  }

  async listIds(tenant: Tenant, sessionId?: string): Promise<string[]> {
    const scope = this.scope(tenant);
    const filter = this.filter(scope, sessionId !== undefined ? { filters: { sessionId } } : {});
    const ids = new Set<string>();
    // AMS's next_offset is always null: page until a short page.
    for (let offset = 0; ; offset += BATCH) {
      const page = await unwrap(
        this.options.client.POST(SEARCH, {
          body: { ...filter, limit: BATCH, offset },
          headers: retrySafe,
        }),
      );
      for (const item of page.memories) {
        if (!owns(scope, item)) continue;
        if (sessionId !== undefined && toRecord(scope, item).sessionId !== sessionId) continue;
        ids.add(item.id);
      }
      if (page.memories.length < BATCH) break;
    }
    return [...ids];
  }

  async deleteOwned(_tenant: Tenant, ids: readonly string[]): Promise<string[]> {
    await mapWithConcurrency(chunk(ids, BATCH), this.options.concurrency, (batch) =>
      unwrap(
        this.options.client.DELETE(DELETE, {
          params: { query: { memory_ids: batch } },
          headers: retrySafe,
        }),
      ),
    );
    // AMS answers a count only; every id was checked to exist and be the tenant's just before.
    return [...ids];
  }

  private async read(id: string): Promise<AmsRecord | undefined> {
    if (id === '' || id === '.' || id === '..') return undefined;
    try {
      return await unwrap(this.options.client.GET(MEMORY, { params: { path: { memory_id: id } } }));
    } catch (error) {
      if (error instanceof BackendError && error.status === 404) return undefined;
      throw error;
    }
  }
}
