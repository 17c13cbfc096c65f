/**
 * A minimal in-process session service that follows the contract to the letter. It exists only to
 * check the suite itself: every case must pass on it, so a case that no backend could pass (a bug
 * in the test) cannot hide behind a divergence declared for ADK's InMemorySessionService.
 * Not a product: no persistence, no performance, no backend-native records.
 */
import { randomUUID } from 'node:crypto';
import {
  BaseSessionService,
  createSession,
  type AppendEventRequest,
  type CreateSessionRequest,
  type DeleteSessionRequest,
  type Event,
  type GetSessionRequest,
  type ListSessionsRequest,
  type ListSessionsResponse,
  type Session,
} from '@google/adk';
import {
  SessionAlreadyExistsError,
  SessionNotFoundError,
  StaleSessionError,
  type SessionKey,
} from '../../src/sessions/errors.js';

type Dict = Record<string, unknown>;

interface StoredSession {
  key: SessionKey;
  state: Dict;
  events: Event[];
  lastUpdateTime: number;
  /** Bumped by every stored append; a live copy remembers the revision it saw. */
  revision: number;
}

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
/** Null-prototype maps with defineProperty writes: `__proto__` stays an ordinary own key. */
const dict = (): Dict => Object.create(null) as Dict;
const put = (target: Dict, key: string, value: unknown) =>
  Object.defineProperty(target, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
const storageKey = (...parts: string[]) => JSON.stringify(parts);

/** What every service made over one storage shares. */
export class ReferenceStorage {
  readonly sessions = new Map<string, StoredSession>();
  readonly appState = new Map<string, Dict>();
  readonly userState = new Map<string, Dict>();
  readonly seenRevision = new WeakMap<Session, number>();
}

export class ReferenceSessionService extends BaseSessionService {
  constructor(private readonly storage: ReferenceStorage) {
    super();
  }

  createSession({ appName, userId, state, sessionId }: CreateSessionRequest): Promise<Session> {
    const id = sessionId?.trim() || randomUUID();
    const key = { appName, userId, sessionId: id };
    const at = storageKey(appName, userId, id);
    if (this.storage.sessions.has(at)) {
      return Promise.reject(new SessionAlreadyExistsError(key));
    }
    const stored: StoredSession = {
      key,
      state: dict(),
      events: [],
      lastUpdateTime: Date.now(),
      revision: 1,
    };
    this.applyDelta(stored, state ?? {});
    this.storage.sessions.set(at, stored);
    return Promise.resolve(this.live(stored, []));
  }

  getSession({
    appName,
    userId,
    sessionId,
    config,
  }: GetSessionRequest): Promise<Session | undefined> {
    const stored = this.storage.sessions.get(storageKey(appName, userId, sessionId));
    if (!stored) return Promise.resolve(undefined);
    let events = stored.events;
    const n = config?.numRecentEvents;
    if (n !== undefined) events = n <= 0 ? [] : events.slice(-n);
    const after = config?.afterTimestamp;
    if (after !== undefined) events = events.filter((e) => e.timestamp >= after);
    return Promise.resolve(this.live(stored, events));
  }

  listSessions(request: ListSessionsRequest): Promise<ListSessionsResponse> {
    const { appName, userId, limit, offset, page, order } = request;
    const all = [...this.storage.sessions.values()]
      .filter((s) => s.key.appName === appName && (userId === undefined || s.key.userId === userId))
      .map((s) =>
        createSession({
          id: s.key.sessionId,
          appName,
          userId: s.key.userId,
          lastUpdateTime: s.lastUpdateTime,
        }),
      );
    const byTime = (a: Session, b: Session) => a.lastUpdateTime - b.lastUpdateTime;
    if (order === 'asc') all.sort((a, b) => byTime(a, b) || a.id.localeCompare(b.id));
    if (order === 'desc') all.sort((a, b) => byTime(b, a) || a.id.localeCompare(b.id));
    const totalItems = all.length;
    if (limit === undefined) {
      return Promise.resolve({
        sessions: offset ? all.slice(offset) : all,
        page: 1,
        limit: totalItems,
        totalItems,
        totalPages: totalItems === 0 ? 0 : 1,
      });
    }
    const start = page !== undefined ? (page - 1) * limit : (offset ?? 0);
    return Promise.resolve({
      sessions: all.slice(start, start + limit),
      page: page ?? (limit === 0 ? 1 : Math.floor(start / limit) + 1),
      limit,
      totalItems,
      totalPages: limit === 0 ? 0 : Math.ceil(totalItems / limit),
    });
  }

  deleteSession({ appName, userId, sessionId }: DeleteSessionRequest): Promise<void> {
    this.storage.sessions.delete(storageKey(appName, userId, sessionId));
    return Promise.resolve();
  }

  override async appendEvent({ session, event }: AppendEventRequest): Promise<Event> {
    if (event.partial) return event;
    this.check(session);
    const appended = await super.appendEvent({ session, event });
    // Checked again after the await: a concurrent append may have landed in between.
    const stored = this.check(session);
    session.lastUpdateTime = appended.timestamp;
    this.applyDelta(stored, appended.actions?.stateDelta ?? {});
    const saved = copy(appended);
    const index = stored.events.findIndex((e) => e.id === saved.id);
    if (index >= 0) stored.events[index] = saved;
    else stored.events.push(saved);
    stored.lastUpdateTime = appended.timestamp;
    stored.revision += 1;
    this.storage.seenRevision.set(session, stored.revision);
    return appended;
  }

  private check(session: Session): StoredSession {
    const key = { appName: session.appName, userId: session.userId, sessionId: session.id };
    const stored = this.storage.sessions.get(storageKey(key.appName, key.userId, key.sessionId));
    if (!stored) throw new SessionNotFoundError(key);
    if (this.storage.seenRevision.get(session) !== stored.revision) {
      throw new StaleSessionError(key, this.storage.seenRevision.get(session), stored.revision);
    }
    return stored;
  }

  /** Splits a delta into app, user and session scopes; temp: keys go nowhere. */
  private applyDelta(stored: StoredSession, delta: Dict): void {
    const { appName, userId } = stored.key;
    for (const [key, value] of Object.entries(delta)) {
      if (key.startsWith('temp:')) continue;
      if (key.startsWith('app:')) {
        const scope = this.storage.appState.get(appName) ?? dict();
        put(scope, key.slice('app:'.length), copy(value));
        this.storage.appState.set(appName, scope);
      } else if (key.startsWith('user:')) {
        const at = storageKey(appName, userId);
        const scope = this.storage.userState.get(at) ?? dict();
        put(scope, key.slice('user:'.length), copy(value));
        this.storage.userState.set(at, scope);
      } else {
        put(stored.state, key, copy(value));
      }
    }
  }

  /** A fresh live copy with merged state, remembered at the stored revision. */
  private live(stored: StoredSession, events: Event[]): Session {
    const { appName, userId, sessionId } = stored.key;
    const state = dict();
    const scopes: Array<[string, Dict | undefined]> = [
      ['', stored.state],
      ['app:', this.storage.appState.get(appName)],
      ['user:', this.storage.userState.get(storageKey(appName, userId))],
    ];
    for (const [prefix, scope] of scopes) {
      for (const [key, value] of Object.entries(scope ?? {})) put(state, prefix + key, copy(value));
    }
    const session = createSession({
      id: sessionId,
      appName,
      userId,
      state,
      events: copy(events),
      lastUpdateTime: stored.lastUpdateTime,
    });
    this.storage.seenRevision.set(session, stored.revision);
    return session;
  }
}
