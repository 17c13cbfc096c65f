/** RedisSessionMemoryService: ADK sessions on Redis Agent Memory or the Agent Memory Server. */
import { randomUUID } from 'node:crypto';
import {
  BaseSessionService,
  State,
  type AppendEventRequest,
  type CreateSessionRequest,
  type DeleteSessionRequest,
  type Event,
  type GetSessionRequest,
  type ListSessionsRequest,
  type ListSessionsResponse,
  type Session,
} from '@google/adk';
import { InvalidArgumentError } from '../clients/index.js';
import { withDeadline } from '../clients/deadline.js';
import { checkConnection, type ConnectionReport } from '../shared/check.js';
import { createConnection, type Connection } from '../shared/connection.js';
import { conversationRole, visibleText } from '../shared/content.js';
import { fieldPath, hasLoneSurrogate, hasOwn, jsonClone, setOwn } from '../shared/json.js';
import { runSerially } from '../shared/serial.js';
import { createSessionStore } from './backends.js';
import {
  REDIS_AGENT_MEMORY_BACKEND,
  resolveSessionServiceConfig,
  type RedisSessionMemoryServiceConfig,
  type SessionBackendName,
} from './config.js';
import type { SessionKey } from './errors.js';
import { toStoredEvent } from './events.js';
import { orderSessions, paginate, validatePaging } from './paging.js';
import { assertStorable, emptyState, mergeScopes, splitState, type StateMap } from './state.js';
import type { AppendChange, SessionStore, StoredSession } from './store.js';
import { recordRetention } from './retention.js';
import { track, trackedRevision } from './tracking.js';

/**
 * Largest app name, user id or session id, in bytes of UTF-8 with JSON's escapes counted (a NUL
 * takes 6): larger ids throw InvalidArgumentError before anything is sent. On AMS, ids that are not
 * plain ASCII travel hex-encoded (twice their UTF-8 size) as RediSearch TAG values, which stop
 * matching past 4096 characters, so listing would silently miss them; on the managed service every
 * event's metadata carries all three ids.
 */
export const MAX_ID_BYTES = 2000;

/**
 * An ADK session service that keeps sessions, events and app/user state in Redis Agent Memory
 * (`backend: 'redis-agent-memory'`) or a self-hosted Agent Memory Server
 * (`backend: 'opensource-agent-memory'`). Callers keep their own session ids on both.
 *
 * Behaviour follows the session contract in the README: `getSession` of a missing session is
 * `undefined`; creating an existing id throws {@link SessionAlreadyExistsError}; appending from a
 * live session that storage has moved past throws {@link StaleSessionError}; every failure is a
 * typed error and nothing is reported done that was not stored.
 *
 * @example
 * const sessions = new RedisSessionMemoryService({
 *   backend: 'opensource-agent-memory',
 *   apiBaseUrl: 'http://localhost:8000',
 * });
 * const runner = new Runner({ appName: 'my-app', agent, sessionService: sessions });
 * @category Services
 */
export class RedisSessionMemoryService extends BaseSessionService {
  /** The backend this service stores sessions in. */
  readonly backend: SessionBackendName;
  private readonly store: SessionStore;
  /** Largest id accepted (see {@link MAX_ID_BYTES}). */
  private readonly maxIdBytes: number;
  /** The overall deadline of one call, in milliseconds (config `deadline`). */
  private readonly deadlineMs: number;
  /** What {@link checkConnection} needs: a client of its own, the base URL and store. */
  private readonly checkTarget: { connection: Connection; baseUrl: string; storeId?: string };

  /** @throws {ConfigurationError} naming the first invalid config field. */
  constructor(config?: RedisSessionMemoryServiceConfig) {
    super();
    const resolved = resolveSessionServiceConfig(config);
    this.backend = resolved.backend;
    // Managed: the creation marker holds the three ids, so with a small maxEventBytes smaller ids
    // are refused up front rather than by EventTooLargeError after the create has begun writing.
    this.maxIdBytes =
      resolved.backend === REDIS_AGENT_MEMORY_BACKEND
        ? Math.min(MAX_ID_BYTES, Math.floor(resolved.maxEventBytes / 8))
        : MAX_ID_BYTES;
    this.store = createSessionStore(resolved);
    this.deadlineMs = resolved.deadlineMs;
    this.checkTarget = {
      connection: createConnection(resolved),
      baseUrl: resolved.apiBaseUrl,
      ...(resolved.storeId !== undefined && resolved.backend === REDIS_AGENT_MEMORY_BACKEND
        ? { storeId: resolved.storeId }
        : {}),
    };
  }

  /**
   * Checks, with a few cheap calls, that the backend is reachable, is the API the config names,
   * knows the store (managed) and accepts the credentials. Call it first, at startup: a wrong
   * `apiBaseUrl`, `storeId`, `backend` or key then fails here with a typed error that says what to
   * check, instead of later as a missing session.
   * @returns the backend, base URL, store, server version (AMS) or store status (managed), latency.
   * @throws {EndpointNotFoundError} when no route of the API is at `apiBaseUrl` (an extra `/v1`).
   * @throws {WrongApiError} when the server is not the configured backend's API.
   * @throws {StoreNotFoundError} when the managed API does not know `storeId`.
   * @throws {AuthenticationError} when the key or token is refused.
   * @throws {NetworkError} when the server cannot be reached.
   * @throws {TimeoutError} when it does not answer within the timeout or the overall deadline.
   */
  async checkConnection(): Promise<ConnectionReport> {
    const { connection, baseUrl, storeId } = this.checkTarget;
    return withDeadline(this.deadlineMs, () => checkConnection(connection, baseUrl, storeId));
  }

  /** Runs one call under the overall deadline (config `deadline`), across all its requests. */
  private timed<T>(call: () => Promise<T>): Promise<T> {
    return withDeadline(this.deadlineMs, call);
  }

  /**
   * Stores a new session. The id is used as given (surrounding whitespace trimmed), or a random
   * UUID when none is given. Initial `app:`/`user:` keys go to their scopes, `temp:` keys are
   * dropped; the returned session shows the merged state.
   * @throws {SessionAlreadyExistsError} when the app and user already have a session with that id.
   */
  override async createSession(request: CreateSessionRequest): Promise<Session> {
    const appName = this.requireId(request?.appName, 'appName');
    const userId = this.requireId(request.userId, 'userId');
    if (request.sessionId !== undefined && request.sessionId !== null) {
      this.requireId(requireString(request.sessionId, 'sessionId').trim(), 'sessionId');
    }
    if (request.state !== undefined && request.state !== null) {
      requireObject(request.state, 'state');
      // `temp:` keys are dropped, never stored: they may hold anything.
      assertStorable(request.state, 'state', { skip: isTempKey });
    }
    const trimmed = request.sessionId?.trim();
    const key: SessionKey = { appName, userId, sessionId: trimmed ? trimmed : randomUUID() };
    const location = this.store.locationOf(key);
    const stored = await this.timed(() =>
      runSerially(location, () =>
        this.store.create(key, { state: splitState(request.state ?? undefined), now: Date.now() }),
      ),
    );
    return this.toLiveSession(key, stored, location);
  }

  /**
   * The stored session with its events and merged state, or `undefined` when there is none.
   * `config.numRecentEvents` keeps the last n events (0 gives none); `config.afterTimestamp` keeps
   * events at or after that time (ms); both together give the intersection.
   */
  override async getSession(request: GetSessionRequest): Promise<Session | undefined> {
    const key = this.requireKey(request);
    const config = request.config;
    if (config?.numRecentEvents !== undefined && config.numRecentEvents !== null) {
      const n = config.numRecentEvents;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
        throw new InvalidArgumentError(
          'config.numRecentEvents',
          `getSession: "numRecentEvents" must be an integer >= 0, got ${String(n)}.`,
        );
      }
    }
    if (config?.afterTimestamp !== undefined && config.afterTimestamp !== null) {
      if (typeof config.afterTimestamp !== 'number' || Number.isNaN(config.afterTimestamp)) {
        throw new InvalidArgumentError(
          'config.afterTimestamp',
          'getSession: "afterTimestamp" must be a number of epoch milliseconds.',
        );
      }
    }
    const location = this.store.locationOf(key);
    const stored = await this.timed(() => this.store.read(key, config));
    if (!stored) return undefined;
    let events = stored.events;
    if (config?.numRecentEvents !== undefined && config.numRecentEvents !== null) {
      events = config.numRecentEvents === 0 ? [] : events.slice(-config.numRecentEvents);
    }
    if (config?.afterTimestamp !== undefined && config.afterTimestamp !== null) {
      const after = config.afterTimestamp;
      events = events.filter((event) => event.timestamp >= after);
    }
    return this.toLiveSession(key, { ...stored, events }, location);
  }

  /**
   * Sessions of an app (of one user when `userId` is given) with `events: []` and `state: {}`,
   * ordered and paged exactly as ADK's InMemorySessionService does.
   */
  override async listSessions(request: ListSessionsRequest): Promise<ListSessionsResponse> {
    const appName = this.requireId(request?.appName, 'appName');
    if (request.userId !== undefined && request.userId !== null) {
      this.requireId(request.userId, 'userId');
    }
    validatePaging(request);
    const listed = await this.timed(() => this.store.list(appName, request.userId ?? undefined));
    const page = paginate(orderSessions(listed, request.order), request);
    return {
      sessions: page.items.map((entry) => ({
        id: entry.sessionId,
        appName,
        userId: entry.userId,
        state: {},
        events: [],
        lastUpdateTime: entry.lastUpdateTime,
      })),
      page: page.page,
      limit: page.limit,
      totalItems: page.totalItems,
      totalPages: page.totalPages,
    };
  }

  /** Deletes the session; deleting a missing session does nothing. App and user state stay. */
  override async deleteSession(request: DeleteSessionRequest): Promise<void> {
    const key = this.requireKey(request);
    await this.timed(() => runSerially(this.store.locationOf(key), () => this.store.delete(key)));
  }

  /**
   * Appends an event: ADK's own `appendEvent` updates the live session (temp keys trimmed, state
   * applied, event upserted by id), then the event, the session state and any app/user keys are
   * stored and `lastUpdateTime` becomes the event's timestamp. Partial events are returned
   * untouched and not stored. On any failure the live session is left as it was.
   * @throws {InvalidArgumentError} naming the field, before anything is sent or changed, for an
   *   event or state that cannot be stored (a BigInt, function, symbol, cycle, Map or Set, a lone
   *   surrogate, nesting deeper than 100 levels; `temp:` keys are exempt).
   * @throws {SessionNotFoundError} when the session is not stored.
   * @throws {StaleSessionError} when storage changed since this live session was loaded or last
   *   appended through; reload it with `getSession`.
   */
  override async appendEvent({ session, event }: AppendEventRequest): Promise<Event> {
    if (event?.partial) return event;
    this.validateLiveSession(session);
    validateEvent(event);
    const key: SessionKey = {
      appName: session.appName,
      userId: session.userId,
      sessionId: session.id,
    };
    const location = this.store.locationOf(key);
    return this.timed(() =>
      runSerially(location, async () => {
        const prepared = await this.store.prepareAppend(key, trackedRevision(session, location));
        const restore = snapshot(session);
        try {
          const appended = await super.appendEvent({ session, event });
          session.lastUpdateTime = appended.timestamp;
          const revision = await this.store.commitAppend(
            key,
            prepared,
            changeOf(session, appended),
          );
          track(session, location, revision);
          return appended;
        } catch (error) {
          restore();
          throw error;
        }
      }),
    );
  }

  /** A string id within the size limit (see {@link MAX_ID_BYTES}). */
  private requireId(value: unknown, field: string): string {
    const id = requireString(value, field);
    // No UTF-16 unit takes more than 6 bytes JSON-escaped: short ids need no count.
    if (id.length * 6 <= this.maxIdBytes) return id;
    // JSON's escaped form bounds the UTF-8 size as well; cheap enough for ids of any length.
    const bytes = Buffer.byteLength(JSON.stringify(id), 'utf8') - 2;
    if (bytes > this.maxIdBytes) {
      throw new InvalidArgumentError(
        field,
        `"${field}" is too long: ${bytes} bytes (UTF-8, JSON-escaped), at most ${this.maxIdBytes}.`,
      );
    }
    return id;
  }

  private requireKey(request: { appName: string; userId: string; sessionId: string }): SessionKey {
    return {
      appName: this.requireId(request?.appName, 'appName'),
      userId: this.requireId(request.userId, 'userId'),
      sessionId: this.requireId(requireString(request.sessionId, 'sessionId').trim(), 'sessionId'),
    };
  }

  private validateLiveSession(session: Session): void {
    if (typeof session !== 'object' || session === null) {
      throw new InvalidArgumentError('session', 'appendEvent: "session" must be a Session.');
    }
    this.requireId(session.id, 'session.id');
    this.requireId(session.appName, 'session.appName');
    this.requireId(session.userId, 'session.userId');
    if (!Array.isArray(session.events)) {
      throw new InvalidArgumentError(
        'session.events',
        'appendEvent: "session.events" must be an array.',
      );
    }
    session.events.forEach((stored, index) => {
      if (typeof stored !== 'object' || stored === null) {
        throw new InvalidArgumentError(
          `session.events[${index}]`,
          `appendEvent: "session.events[${index}]" must be an Event.`,
        );
      }
    });
    requireObject(session.state, 'session.state');
    // Every stored key of the live state is written with the append.
    assertStorable(session.state, 'session.state', { skip: isTempKey });
  }

  private toLiveSession(key: SessionKey, stored: StoredSession, location: string): Session {
    const session: Session = {
      id: key.sessionId,
      appName: key.appName,
      userId: key.userId,
      state: mergeScopes(stored.state),
      events: stored.events,
      lastUpdateTime: stored.lastUpdateTime,
    };
    track(session, location, stored.revision);
    recordRetention(session, stored.retention);
    return session;
  }
}

/** What an appended event changes in storage. */
function changeOf(session: Session, event: Event): AppendChange {
  const appDelta = emptyState();
  const userDelta = emptyState();
  // The live value wins over the delta's: ADK's write-order guard may have kept a newer write.
  const liveValue = (key: string, fallback: unknown): unknown =>
    jsonClone(hasOwn(session.state, key) ? session.state[key] : fallback);
  for (const [key, value] of Object.entries(event.actions?.stateDelta ?? {})) {
    if (value === undefined) continue;
    if (key.startsWith(State.APP_PREFIX)) {
      setOwn(appDelta, key.slice(State.APP_PREFIX.length), liveValue(key, value));
    } else if (key.startsWith(State.USER_PREFIX)) {
      setOwn(userDelta, key.slice(State.USER_PREFIX.length), liveValue(key, value));
    }
  }
  const kept: StateMap = emptyState();
  for (const [key, value] of Object.entries(session.state)) {
    if (value === undefined) continue;
    if (key.startsWith(State.APP_PREFIX) || key.startsWith(State.USER_PREFIX)) continue;
    if (key.startsWith(State.TEMP_PREFIX)) continue;
    setOwn(kept, key, value);
  }
  // One copy of the whole map (JSON.parse keeps `__proto__` an own key, as setOwn does).
  const sessionState: StateMap = jsonClone(kept);
  const text = visibleText(event);
  return {
    event: toStoredEvent(event),
    ...(text ? { text: { content: text, role: conversationRole(event) } } : {}),
    sessionState,
    appDelta,
    userDelta,
    lastUpdateTime: event.timestamp,
  };
}

/** Captures a live session so a failed append can put it back as it was. */
function snapshot(session: Session): () => void {
  const events = [...session.events];
  const state = Object.getOwnPropertyDescriptors(session.state);
  const lastUpdateTime = session.lastUpdateTime;
  return () => {
    session.events.splice(0, session.events.length, ...events);
    for (const key of Object.keys(session.state)) {
      if (!hasOwn(state, key)) Reflect.deleteProperty(session.state, key);
    }
    Object.defineProperties(session.state, state);
    session.lastUpdateTime = lastUpdateTime;
  };
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(field, `"${field}" must be a string, got ${typeof value}.`);
  }
  // A lone UTF-16 surrogate: not text, and UTF-8 (hashes, JSON on the wire) would turn it into
  // U+FFFD, making two different ids one.
  if (hasLoneSurrogate(value)) {
    throw new InvalidArgumentError(field, `"${field}" contains a lone UTF-16 surrogate.`);
  }
  return value;
}

function requireObject(value: unknown, field: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(field, `"${field}" must be a plain object.`);
  }
}

/** Top-level `temp:` keys of a state map or delta: live only, never stored, so never checked. */
const isTempKey = (keys: readonly (string | number)[]): boolean =>
  keys.length === 1 && String(keys[0]).startsWith(State.TEMP_PREFIX);

// Event times every backend can write: years 0001-9999 (RFC 3339 on the managed API, Python
// datetimes on AMS; JavaScript Dates end before the top of the range anyway).
const MIN_EVENT_TIME = -62135596800000; // 0001-01-01T00:00:00.000Z
const MAX_EVENT_TIME = 253402300799999; // 9999-12-31T23:59:59.999Z

/**
 * Checks an event before anything is sent or the live session changes: the shapes ADK's
 * `appendEvent` and our writers rely on, and that every stored field can be JSON (the event's
 * `temp:` state keys excepted: ADK removes them before it is stored).
 */
function validateEvent(event: Event): void {
  if (typeof event !== 'object' || event === null) {
    throw new InvalidArgumentError('event', 'appendEvent: "event" must be an Event.');
  }
  if (typeof event.id !== 'string' || event.id === '') {
    throw new InvalidArgumentError('event.id', 'appendEvent: the event needs a non-empty id.');
  }
  const timestamp: unknown = event.timestamp;
  if (
    typeof timestamp !== 'number' ||
    !Number.isFinite(timestamp) ||
    timestamp < MIN_EVENT_TIME ||
    timestamp > MAX_EVENT_TIME
  ) {
    throw new InvalidArgumentError(
      'event.timestamp',
      'appendEvent: "event.timestamp" must be a finite number of epoch milliseconds (years 1-9999).',
    );
  }
  const actions: unknown = event.actions;
  if (actions !== undefined && actions !== null) {
    requireObject(actions, 'event.actions');
    const delta = (actions as { stateDelta?: unknown }).stateDelta;
    if (delta !== undefined && delta !== null) requireObject(delta, 'event.actions.stateDelta');
  }
  const content: unknown = event.content;
  if (content !== undefined && content !== null) {
    requireObject(content, 'event.content');
    const parts = (content as { parts?: unknown }).parts;
    if (parts !== undefined && parts !== null) {
      if (!Array.isArray(parts)) {
        throw new InvalidArgumentError(
          'event.content.parts',
          'appendEvent: "event.content.parts" must be an array of parts.',
        );
      }
      parts.forEach((part: unknown, index) => {
        const field = fieldPath('event.content.parts', index);
        if (typeof part !== 'object' || part === null || Array.isArray(part)) {
          throw new InvalidArgumentError(field, `appendEvent: "${field}" must be a part object.`);
        }
      });
    }
  }
  assertStorable(event, 'event', {
    skip: (keys) =>
      keys.length === 3 &&
      keys[0] === 'actions' &&
      keys[1] === 'stateDelta' &&
      String(keys[2]).startsWith(State.TEMP_PREFIX),
  });
}
