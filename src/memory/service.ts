/**
 * RedisLongTermMemoryService: ADK's BaseMemoryService on Redis Agent Memory (managed) or the Agent
 * Memory Server, plus the methods ADK's own memory bank service and the Python package have
 * (add events or memories, search with filters, get, update, delete).
 */
import type {
  BaseMemoryService,
  Event,
  MemoryEntry,
  SearchMemoryRequest,
  SearchMemoryResponse,
  Session,
} from '@google/adk';
import { InvalidArgumentError } from '../clients/index.js';
import { OPENSOURCE_AGENT_MEMORY_BACKEND } from '../shared/backend.js';
import { withDeadline } from '../clients/deadline.js';
import { unwrap } from '../clients/unwrap.js';
import { checkConnection, type ConnectionReport } from '../shared/check.js';
import { createConnection, type Connection } from '../shared/connection.js';
import { visibleText } from '../shared/content.js';
import {
  resolveMemoryServiceConfig,
  type MemoryType,
  type RedisLongTermMemoryServiceConfig,
  type ResolvedMemoryServiceConfig,
} from './config.js';
import { MemoryWriteError } from './errors.js';
import { AmsMemoryStore } from './opensource-agent-memory/store.js';
import type { AddMemoriesResult, MemoryFilters, MemoryRecord, NewMemory } from './records.js';
import { ManagedMemoryStore } from './redis-agent-memory/store.js';
import type { MemoryStore, StoreSearch, Tenant } from './store.js';
import { WrittenEvents } from './written.js';

/** A request naming whose memories. */
export interface MemoryOwnerRequest {
  /** The ADK app name. */
  appName: string;
  /** The ADK user id. */
  userId: string;
}

/** The request of {@link RedisLongTermMemoryService.addEventsToMemory}. */
export interface AddEventsToMemoryRequest extends MemoryOwnerRequest {
  /** The events; each with visible text becomes one `message` memory. */
  events: Event[];
  /** The ADK session the events belong to (part of each record and of its stable id). */
  sessionId?: string;
  /** `topics` (string[]) are added to each record's topics; `memoryType` replaces `message`. */
  customMetadata?: Record<string, unknown>;
}

/** The request of {@link RedisLongTermMemoryService.addMemory}. */
export interface AddMemoryRequest extends MemoryOwnerRequest {
  /** The memories: text, or ADK memory entries (their text parts are stored). */
  memories: (MemoryEntry | string)[];
  /** Type, extra topics and session of every memory; other keys are ignored. */
  customMetadata?: {
    /** The memories' type (default: the config's `defaultMemoryType`). */
    memoryType?: MemoryType;
    /** Topics added to the config's `defaultTopics`. */
    topics?: string[];
    /** The ADK session the memories belong to. */
    sessionId?: string;
  } & Record<string, unknown>;
}

/** The request of {@link RedisLongTermMemoryService.search}. */
export interface MemorySearchRequest extends MemoryOwnerRequest {
  /** The text to search for; empty lists memories without ranking. */
  query: string;
  /** How many memories at most (1–100; default the config's `searchTopK`). */
  limit?: number;
  /** Only memories that match every filter given. */
  filters?: MemoryFilters;
}

/** A request about one memory. */
export interface MemoryIdRequest extends MemoryOwnerRequest {
  /** The memory's id. */
  memoryId: string;
}

/** The request of {@link RedisLongTermMemoryService.updateMemory}. */
export interface UpdateMemoryRequest extends MemoryIdRequest {
  /** The new text (for message records, without the author: it is kept). */
  text?: string;
  /** The new topics (replacing the old ones). */
  topics?: string[];
  /** The new memory type. */
  memoryType?: MemoryType;
}

/** What {@link RedisLongTermMemoryService.deleteMemories} deleted. */
export interface DeleteMemoriesResult {
  /** The ids deleted (all of them this app's and user's). */
  deleted: string[];
}

/** The request of {@link RedisLongTermMemoryService.deleteMemories}. */
export interface DeleteMemoriesRequest extends MemoryOwnerRequest {
  /** These memories (those of this app and user only). */
  memoryIds?: string[];
  /** Every memory of this session. */
  sessionId?: string;
}

// Memory type names the Python package accepts as aliases.
const TYPE_ALIASES: Record<string, MemoryType> = {
  preference: 'semantic',
  fact: 'semantic',
  event: 'episodic',
  experience: 'episodic',
  conversation: 'message',
};
const SESSIONS_REMEMBERED = 1_000;
// Listing passes of a delete by session or owner (see deleteListed).
const DELETE_ROUNDS = 8;

/**
 * Long-term memory for ADK agents on Redis: `addSessionToMemory` stores each event with visible
 * text as a `message` memory (stable ids: re-adding a session never duplicates), and
 * `searchMemory` returns the closest memories of the app and user, ready for ADK's
 * `PreloadMemoryTool` and `LoadMemoryTool`.
 *
 * Failures are thrown, never swallowed: the clients' typed errors (`BackendError`,
 * `TimeoutError`, ...), `InvalidArgumentError` for bad input (nothing sent), and
 * `MemoryWriteError` when only some records of a write were stored.
 *
 * @example
 * const memoryService = new RedisLongTermMemoryService({ backend: 'opensource-agent-memory' });
 * const runner = new Runner({ appName, agent, sessionService, memoryService });
 */
export class RedisLongTermMemoryService implements BaseMemoryService {
  private readonly config: ResolvedMemoryServiceConfig;
  private readonly store: MemoryStore;
  private readonly written = new WrittenEvents(SESSIONS_REMEMBERED);
  private readonly connection: Connection;

  /** @throws {ConfigurationError} when an option is invalid. */
  constructor(config?: RedisLongTermMemoryServiceConfig) {
    this.config = resolveMemoryServiceConfig(config);
    const connection = createConnection(this.config);
    this.connection = connection;
    const shared = {
      defaultNamespace: this.config.defaultNamespace,
      source: this.config.source,
      similarityThreshold: this.config.similarityThreshold,
      concurrency: this.config.concurrency,
    };
    const c = this.config;
    this.store =
      connection.backend === OPENSOURCE_AGENT_MEMORY_BACKEND
        ? new AmsMemoryStore({
            ...shared,
            client: connection.client,
            confirmWithinMs: c.confirmWrites ? c.timeoutMs : undefined,
            recency: c.recencyBoost && {
              semanticWeight: c.semanticWeight,
              recencyWeight: c.recencyWeight,
              freshnessWeight: c.freshnessWeight,
              noveltyWeight: c.noveltyWeight,
              halfLifeLastAccessDays: c.halfLifeLastAccessDays,
              halfLifeCreatedDays: c.halfLifeCreatedDays,
            },
          })
        : new ManagedMemoryStore({ ...shared, client: connection.client });
  }

  /**
   * Checks, cheaply, that the backend is reachable, is the API this service expects, knows the
   * store (managed) and accepts the credentials, and that its long-term memory answers (AMS runs
   * with it off unless `LONG_TERM_MEMORY=true`): one filter-only search that matches nothing.
   * Call it once at start-up, so a misconfiguration fails loudly instead of looking like an empty
   * memory.
   * @throws {BackendError} (and its subclasses `StoreNotFoundError`, `EndpointNotFoundError`,
   *   `WrongApiError`, `AuthenticationError`) saying what to check.
   */
  async checkConnection(): Promise<ConnectionReport> {
    const { connection, config } = this;
    const storeId =
      connection.backend === OPENSOURCE_AGENT_MEMORY_BACKEND ? undefined : config.storeId;
    return withDeadline(config.deadlineMs, async () => {
      const report = await checkConnection(connection, config.apiBaseUrl, storeId);
      const nobody = 'adk-redis-connection-check';
      if (connection.backend === OPENSOURCE_AGENT_MEMORY_BACKEND) {
        await unwrap(
          connection.client.POST('/v1/long-term-memory/search', {
            body: { user_id: { eq: nobody }, limit: 1 },
          }),
        );
      } else {
        await unwrap(
          connection.client.POST('/v1/stores/{storeId}/long-term-memory/search', {
            body: { filter: { ownerId: { eq: nobody } }, limit: 1 },
          }),
        );
      }
      return report;
    });
  }

  /**
   * Runs one public call under the overall deadline (config `deadline`/`deadlineMs`, default twice
   * the timeout): every request it makes, with retries, backoff and write confirmation, ends by
   * then, or the call fails with a `TimeoutError` whose `deadlineMs` is set.
   */
  private timed<T>(call: () => Promise<T>): Promise<T> {
    return withDeadline(this.config.deadlineMs, call);
  }

  /**
   * Stores the session's events as memories: the events this process has not written yet (a
   * session may be added after every turn; stable ids make repeats from other processes harmless).
   * @throws {MemoryWriteError} when some records were not stored (the next call sends them again).
   * @throws {TimeoutError} when the call does not end within the overall deadline.
   */
  async addSessionToMemory(session: Session): Promise<void> {
    const tenant = checkOwner(session);
    if (!this.config.storeEventsAsMessages) return;
    const key = sessionKey(tenant, session.id);
    const memories = this.eventMemories(session.events, session.id, undefined);
    const known = this.written.of(key);
    const ids = memories.map((memory) => this.store.idOf(tenant, memory));
    const fresh = memories.filter((_, i) => !known?.has(ids[i]!));
    if (fresh.length === 0) return;
    await this.timed(() => this.write(tenant, fresh));
    this.written.add(key, ids);
  }

  /**
   * Stores events as `message` memories (`author: text`, as the Python package does), one per
   * event with visible text; nothing when `storeEventsAsMessages` is false.
   * @throws {MemoryWriteError} when some records were not stored.
   */
  async addEventsToMemory(request: AddEventsToMemoryRequest): Promise<AddMemoriesResult> {
    const tenant = checkOwner(request);
    if (request.sessionId !== undefined) checkText(request.sessionId, 'sessionId');
    if (!this.config.storeEventsAsMessages) return { stored: [] };
    const memories = this.eventMemories(request.events, request.sessionId, request.customMetadata);
    if (memories.length === 0) return { stored: [] };
    const stored = await this.timed(() => this.write(tenant, memories));
    if (request.sessionId !== undefined) {
      this.written.add(
        sessionKey(tenant, request.sessionId),
        memories.map((memory) => this.store.idOf(tenant, memory)),
      );
    }
    return { stored };
  }

  /**
   * Stores explicit memories with the configured type (or `customMetadata.memoryType`). Ids hash
   * the text: adding the same memory again stores nothing new.
   * @throws {InvalidArgumentError} for a memory without text (nothing is sent).
   * @throws {MemoryWriteError} when some records were not stored.
   */
  async addMemory(request: AddMemoryRequest): Promise<AddMemoriesResult> {
    const tenant = checkOwner(request);
    const meta = request.customMetadata ?? {};
    const memoryType = memoryTypeOf(meta.memoryType, this.config.defaultMemoryType);
    const topics = [
      ...this.config.defaultTopics,
      ...stringList(meta.topics ?? [], 'customMetadata.topics'),
    ];
    if (meta.sessionId !== undefined) checkText(meta.sessionId, 'customMetadata.sessionId');
    if (!Array.isArray(request.memories)) {
      throw new InvalidArgumentError('memories', 'memories must be an array.');
    }
    const memories = request.memories.map((entry, i): NewMemory => {
      const text = typeof entry === 'string' ? entry : entryText(entry);
      if (text.trim() === '') {
        throw new InvalidArgumentError(`memories.${i}`, `memories[${i}] has no text.`);
      }
      const author = typeof entry === 'string' ? undefined : entry.author;
      const prefixed = memoryType === 'message' && author !== undefined;
      return {
        kind: 'memory',
        idParts: [text],
        storedText: prefixed ? `${author}: ${text}` : text,
        ...(prefixed ? { author } : {}),
        memoryType,
        topics,
        ...(meta.sessionId !== undefined ? { sessionId: meta.sessionId } : {}),
      };
    });
    if (memories.length === 0) return { stored: [] };
    return { stored: await this.timed(() => this.write(tenant, memories)) };
  }

  /**
   * The memories closest to `query`, as ADK memory entries: `author` set for message records
   * (never repeated in the text), `timestamp` ISO 8601.
   */
  async searchMemory(request: SearchMemoryRequest): Promise<SearchMemoryResponse> {
    // A request with its query is checked as it is (no copy), and searched without going through
    // search(): one promise layer less, which showed in the per-call overhead.
    const query = request.query as string | null | undefined;
    const { tenant, search } = this.checkedSearch(
      query === undefined || query === null ? { ...request, query: '' } : request,
    );
    const records = await withDeadline(this.config.deadlineMs, () =>
      this.store.search(tenant, search),
    );
    const memories = new Array<MemoryEntry>(records.length);
    for (let i = 0; i < records.length; i++) memories[i] = toMemoryEntry(records[i]!);
    return { memories };
  }

  /** The memories closest to `query` (all of them by recency when it is empty), filtered. */
  async search(request: MemorySearchRequest): Promise<MemoryRecord[]> {
    const { tenant, search } = this.checkedSearch(request);
    return this.timed(() => this.store.search(tenant, search));
  }

  /** The owner and the store search of a search request, every field checked. */
  private checkedSearch(request: MemorySearchRequest): { tenant: Tenant; search: StoreSearch } {
    const tenant = checkOwner(request);
    if (typeof request.query !== 'string') {
      throw new InvalidArgumentError('query', 'query must be a string.');
    }
    const limit = request.limit ?? this.config.searchTopK;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new InvalidArgumentError('limit', 'limit must be an integer from 1 to 100.');
    }
    const filters = request.filters;
    if (filters?.sessionId !== undefined) checkText(filters.sessionId, 'filters.sessionId');
    const search: StoreSearch = { query: request.query, limit };
    if (filters) search.filters = filters;
    return { tenant, search };
  }

  /** One memory by id; undefined when it is missing or belongs to another app or user. */
  async getMemory(request: MemoryIdRequest): Promise<MemoryRecord | undefined> {
    const tenant = checkOwner(request);
    const id = checkText(request.memoryId, 'memoryId');
    return this.timed(() => this.store.get(tenant, id));
  }

  /** Changes a memory; undefined (nothing changed) when it is missing or not this app's and user's. */
  async updateMemory(request: UpdateMemoryRequest): Promise<MemoryRecord | undefined> {
    const tenant = checkOwner(request);
    const id = checkText(request.memoryId, 'memoryId');
    if (request.text !== undefined) checkText(request.text, 'text');
    const topics = request.topics === undefined ? undefined : stringList(request.topics, 'topics');
    const memoryType =
      request.memoryType === undefined ? undefined : memoryTypeOf(request.memoryType, 'semantic');
    if (request.text === undefined && topics === undefined && memoryType === undefined) {
      return this.timed(() => this.store.get(tenant, id));
    }
    const patch = {
      ...(request.text !== undefined ? { text: request.text } : {}),
      ...(topics !== undefined ? { topics } : {}),
      ...(memoryType !== undefined ? { memoryType } : {}),
    };
    return this.timed(() => this.store.update(tenant, id, patch));
  }

  /** Deletes one memory; false (a no-op) when it is missing or not this app's and user's. */
  async deleteMemory(request: MemoryIdRequest): Promise<boolean> {
    const { deleted } = await this.deleteMemories({
      appName: request.appName,
      userId: request.userId,
      memoryIds: [checkText(request.memoryId, 'memoryId')],
    });
    return deleted.length > 0;
  }

  /**
   * Deletes memories of this app and user: the ids given (others' ids are skipped), every memory of
   * one session, or, with neither, every memory of the user in the app (erasure).
   */
  async deleteMemories(request: DeleteMemoriesRequest): Promise<DeleteMemoriesResult> {
    const tenant = checkOwner(request);
    const wanted =
      request.memoryIds !== undefined
        ? [...new Set(stringList(request.memoryIds, 'memoryIds'))]
        : undefined;
    if (wanted === undefined && request.sessionId !== undefined) {
      checkText(request.sessionId, 'sessionId');
    }
    return this.timed(async () => {
      // Forget what this process wrote, so that adding the session again writes it again.
      this.written.forget(
        request.sessionId !== undefined && request.memoryIds === undefined
          ? sessionKey(tenant, request.sessionId)
          : ownerPrefix(tenant),
      );
      if (wanted !== undefined) {
        const found = await Promise.all(wanted.map((id) => this.store.get(tenant, id)));
        const ids = wanted.filter(
          (_, i) =>
            found[i] !== undefined &&
            (request.sessionId === undefined || found[i].sessionId === request.sessionId),
        );
        return { deleted: ids.length === 0 ? [] : await this.store.deleteOwned(tenant, ids) };
      }
      return { deleted: await this.deleteListed(tenant, request.sessionId) };
    });
  }

  /**
   * Deletes every memory a listing finds, listing again until it finds none it has not deleted:
   * AMS pages a search by offset over an order that can change between pages, so one pass can
   * miss records (measured: 200 of 250). Bounded, so a record that keeps reappearing cannot loop.
   */
  private async deleteListed(tenant: Tenant, sessionId: string | undefined): Promise<string[]> {
    const deleted = new Set<string>();
    for (let round = 0; round < DELETE_ROUNDS; round++) {
      const ids = (await this.store.listIds(tenant, sessionId)).filter((id) => !deleted.has(id));
      if (ids.length === 0) break;
      for (const id of await this.store.deleteOwned(tenant, ids)) deleted.add(id);
    }
    return [...deleted];
  }

  private eventMemories(
    events: readonly Event[],
    sessionId: string | undefined,
    meta: Record<string, unknown> | undefined,
  ): NewMemory[] {
    if (!isList(events)) throw new InvalidArgumentError('events', 'events must be an array.');
    const memoryType = memoryTypeOf(meta?.memoryType, 'message');
    const topics = [
      ...this.config.defaultTopics,
      ...stringList(meta?.topics ?? [], 'customMetadata.topics'),
    ];
    const memories: NewMemory[] = [];
    for (const event of events) {
      const text = visibleText(event);
      if (text === '') continue;
      const author = event.author || (event.content?.role === 'user' ? 'user' : 'model');
      memories.push({
        kind: 'event',
        idParts: [sessionId ?? '', event.id || String(event.timestamp), text],
        storedText: `${author}: ${text}`,
        author,
        memoryType,
        topics,
        ...(sessionId !== undefined ? { sessionId } : {}),
        eventTime: event.timestamp,
      });
    }
    return memories;
  }

  /** Writes records; throws a MemoryWriteError naming the ones that were not stored. */
  private async write(tenant: Tenant, memories: NewMemory[]): Promise<string[]> {
    const outcome = await this.store.create(tenant, memories);
    if (outcome.failed.length > 0) {
      this.written.forget(ownerPrefix(tenant));
      throw new MemoryWriteError(tenant, outcome.stored, outcome.failed);
    }
    return outcome.stored;
  }
}

const isList = (value: unknown): boolean => Array.isArray(value);

function toMemoryEntry(record: MemoryRecord): MemoryEntry {
  const author = record.author;
  const content = {
    role: author === undefined || author === 'user' ? 'user' : 'model',
    parts: [{ text: record.text }],
  };
  return author !== undefined
    ? { content, author, timestamp: record.createdAt }
    : { content, timestamp: record.createdAt };
}

function entryText(entry: MemoryEntry): string {
  const parts = entry?.content?.parts ?? [];
  return parts
    .map((part) => (typeof part.text === 'string' && part.thought !== true ? part.text : ''))
    .filter((text) => text !== '')
    .join(' ');
}

function checkText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidArgumentError(field, `${field} must be a non-empty string.`);
  }
  return value;
}

function checkOwner(request: { appName: unknown; userId: unknown }): Tenant {
  if (request === null || typeof request !== 'object') {
    throw new InvalidArgumentError('(request)', 'The request must be an object.');
  }
  return {
    appName: checkText(request.appName, 'appName'),
    userId: checkText(request.userId, 'userId'),
  };
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw new InvalidArgumentError(field, `${field} must be a list of non-empty strings.`);
  }
  return value as string[];
}

function memoryTypeOf(value: unknown, fallback: MemoryType): MemoryType {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/.test(value)) {
    throw new InvalidArgumentError(
      'memoryType',
      'memoryType must be a letter followed by letters, digits, "_" or "-".',
    );
  }
  return TYPE_ALIASES[value] ?? value;
}

const sessionKey = (tenant: Tenant, sessionId: string): string =>
  JSON.stringify([tenant.appName, tenant.userId, sessionId]);
const ownerPrefix = (tenant: Tenant): string =>
  `${JSON.stringify([tenant.appName, tenant.userId]).slice(0, -1)},`;
