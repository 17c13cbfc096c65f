/**
 * Sessions on Redis Agent Memory (managed Data Plane API). A session is its list of events (see
 * records.ts; read back by reading.ts); app and user state, and the app's users, live in reserved
 * sessions owned by a reserved actor so no user's listing shows them. App and user state is also kept in long-term
 * records (state-records.ts), which outlive the short-term TTL and summarisation of those
 * sessions: a read takes the records, then the changes the reserved session still holds.
 *
 * The API has no conditional writes, so an append reads the session first and compares its last
 * record id with the one the live session was based on (`singleWriter` skips that read). The event
 * POST is retried on transient failures: a retry can store the event twice, and readers keep one
 * copy per ADK event id. An event over the per-event metadata limit goes as part records first
 * (parts.ts), so an append is then several POSTs; its record, sent last, makes it visible.
 */
import {
  BackendError,
  MalformedResponseError,
  backendErrorFrom,
  retrySafe,
  unwrap,
  type RamAddSessionEvent,
  type RamSessionMemory,
  type RedisAgentMemoryClient,
} from '../../clients/index.js';
import { REDIS_AGENT_MEMORY_BACKEND } from '../../shared/backend.js';
import { mapWithConcurrency } from '../../shared/concurrency.js';
import { hasOwn, setOwn } from '../../shared/json.js';
import { scopeOf } from '../../shared/namespace.js';
import {
  managedIdentifier,
  pythonActorId,
  pythonSanitize,
  storageSessionId,
} from '../../shared/redis-agent-memory/ids.js';
import { RecentMap } from '../../shared/recent.js';
import { runSerially } from '../../shared/serial.js';
import {
  EventTooLargeError,
  SessionAlreadyExistsError,
  SessionIdCollisionError,
  SessionNotFoundError,
  StaleSessionError,
  type SessionKey,
} from '../errors.js';
import type { ListedSession } from '../paging.js';
import { applyDelta, emptyState, hasKeys, type ScopedState, type StateMap } from '../state.js';
import type {
  AppendChange,
  PreparedAppend,
  Revision,
  SessionStore,
  StoreOptions,
  StoredSession,
} from '../store.js';
import { RESERVED_OWNER, reservedSessionIds } from './ids.js';
import { StateRecords } from './state-records.js';
import { PART_CONCURRENCY, RECORD_METADATA_BUDGET } from './parts.js';
import { foldScope, parseSession, registeredUsers, type ParsedSession } from './reading.js';
import {
  checkSessionResponse,
  creationRecord,
  eventRecord,
  fitRecord,
  encodeRecord,
  namesAnotherKey,
  revisionAfter,
  revisionMark,
  scopeRecord,
  storedKeyOf,
  UnreadableRecordError,
  type EventAddress,
} from './records.js';

export interface RedisAgentMemoryStoreOptions extends StoreOptions {
  /** Largest event metadata, in bytes, before any split into part records. */
  maxEventBytes: number;
}

/** A record checked and encoded: its part records (none when it fits one event), then itself. */
interface OutgoingRecord {
  parts: RamAddSessionEvent[];
  record: RamAddSessionEvent;
  /** The record's JSON when already encoded. */
  text?: string;
}

interface PreparedManagedAppend extends PreparedAppend {
  readonly revision: string;
  readonly state: StateMap;
}

const SESSION = '/v1/stores/{storeId}/session-memory/{sessionId}';
const EVENTS = '/v1/stores/{storeId}/session-memory/events';
const LIST = '/v1/stores/{storeId}/session-memory';
const LIST_PAGE = 1000;
const CACHE_LIMIT = 1000;
const ABSENT_LOG_REUSE_MS = 60_000;

const jsonEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export class RedisAgentMemoryStore implements SessionStore {
  /** Single-writer mode: the state and revision this service last read or wrote, per session. */
  private readonly lastSeen = new RecentMap<string, { state: StateMap; revision: string }>(
    CACHE_LIMIT,
  );
  /**
   * App and user records as last read, per scope, with the first event of the scope's session
   * then (null: there was none) and when they were read. While that session still starts with
   * that event and has no summary, it holds every change made since, so the records need no new
   * read; a session that was missing then and is missing now had no change in between, if the
   * read was under {@link ABSENT_LOG_REUSE_MS} ago (no store's short-term TTL is that short).
   */
  private readonly scopeRecords = new RecentMap<
    string,
    { first: string | null; records: StateMap; at: number }
  >(CACHE_LIMIT);
  /** Users this process has registered in their app's registry. */
  private readonly registered = new Set<string>();
  private readonly stateRecords: StateRecords;

  constructor(
    private readonly client: RedisAgentMemoryClient,
    private readonly options: RedisAgentMemoryStoreOptions,
  ) {
    this.stateRecords = new StateRecords(client);
  }

  locationOf(key: SessionKey): string {
    return JSON.stringify([this.options.serverId, this.sessionAddress(key).sessionId]);
  }

  async create(key: SessionKey, init: { state: ScopedState; now: number }): Promise<StoredSession> {
    const address = this.sessionAddress(key);
    const record = this.outgoing(
      key,
      '(session created)',
      creationRecord(key, address, init.state.session, init.now),
    );
    const appRecord = this.scopeChange(key, 'app-state', init.state.app, '(session created)');
    const userRecord = this.scopeChange(key, 'user-state', init.state.user, '(session created)');
    // Two waves: the three reads at once, then every write at once.
    const [existing, appBefore, userBefore] = await Promise.all([
      this.getStored(address.sessionId),
      this.readScope(key, 'app-state'),
      this.readScope(key, 'user-state'),
    ]);
    if (existing) {
      const owner = storedKeyOf(existing);
      if (namesAnotherKey(owner, key)) throw new SessionIdCollisionError(key, owner);
      throw new SessionAlreadyExistsError(key);
    }
    const [marker, ...scopes] = await Promise.allSettled([
      this.postRecord(record),
      appRecord && this.updateScope(key, 'app-state', appRecord, init.state.app),
      userRecord && this.updateScope(key, 'user-state', userRecord, init.state.user),
      this.register(key),
    ]);
    const failed = scopes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // The session must not exist without its scopes: undo it, so a retried create starts over.
      if (marker.status === 'fulfilled') await this.deleteStored(address.sessionId).catch(() => {});
      throw failed.reason as Error;
    }
    if (marker.status === 'rejected') {
      // Parts may have landed without their marker: undo them too, so a retried create works.
      if (record.parts.length) await this.deleteStored(address.sessionId).catch(() => {});
      throw marker.reason as Error;
    }
    const created = revisionMark(marker.value.count, marker.value.id);
    const app = emptyState();
    applyDelta(app, appBefore);
    applyDelta(app, init.state.app);
    const user = emptyState();
    applyDelta(user, userBefore);
    applyDelta(user, init.state.user);
    this.remember(key, init.state.session, created);
    return {
      events: [],
      state: { app, user, session: init.state.session },
      lastUpdateTime: init.now,
      revision: created,
    };
  }

  async read(key: SessionKey): Promise<StoredSession | undefined> {
    // All three at once; the session decides: when it is missing (or its read failed), what the
    // scope reads met does not matter.
    const [found, appRead, userRead] = await Promise.allSettled([
      this.findSession(key),
      this.readScope(key, 'app-state'),
      this.readScope(key, 'user-state'),
    ]);
    if (found.status === 'rejected') throw found.reason as Error;
    const parsed = found.value;
    if (!parsed) return undefined;
    if (appRead.status === 'rejected') throw appRead.reason as Error;
    if (userRead.status === 'rejected') throw userRead.reason as Error;
    const [app, user] = [appRead.value, userRead.value];
    this.remember(key, parsed.state, parsed.revision);
    return {
      events: parsed.events,
      state: { app, user, session: parsed.state },
      lastUpdateTime: parsed.lastUpdateTime,
      revision: parsed.revision,
      ...(parsed.retention ? { retention: parsed.retention } : {}),
    };
  }

  async list(appName: string, userId: string | undefined): Promise<ListedSession[]> {
    const users = userId !== undefined ? [userId] : await this.registeredUsers(appName);
    const perUser = await mapWithConcurrency(users, this.options.listConcurrency, async (user) => {
      // Owners: our actor id for the user, and the Python package's (lossy) one when it differs.
      const owners = [
        ...new Set([managedIdentifier(user), pythonActorId(user)].filter((o) => o !== undefined)),
      ];
      const ids = new Set<string>();
      for (const owner of owners) for (const id of await this.listStored(owner)) ids.add(id);
      return [...ids].map((storageId) => ({ user, storageId }));
    });
    const listed = await mapWithConcurrency(
      perUser.flat(),
      this.options.listConcurrency,
      async ({ user, storageId }): Promise<ListedSession | undefined> => {
        const data = await this.getStored(storageId);
        const owner = data && storedKeyOf(data);
        if (
          !data ||
          owner?.appName !== appName ||
          owner.userId !== user ||
          owner.sessionId === undefined
        ) {
          return undefined;
        }
        const key = { appName, userId: user, sessionId: owner.sessionId };
        // Only sessions at the address this key maps to (another namespace setting is another store).
        if (this.sessionAddress(key).sessionId !== storageId) return undefined;
        const parsed = this.parse(data, key, { events: false });
        return {
          userId: user,
          sessionId: owner.sessionId,
          lastUpdateTime: parsed.lastUpdateTime,
          createdAt: parsed.createdAt,
        };
      },
    );
    return listed.filter((entry): entry is ListedSession => entry !== undefined);
  }

  async delete(key: SessionKey): Promise<void> {
    const address = this.sessionAddress(key);
    this.lastSeen.delete(this.locationOf(key));
    const data = await this.getStored(address.sessionId);
    if (!data) return;
    // Another key's data at this address (a sanitising collision): not ours to delete.
    if (namesAnotherKey(storedKeyOf(data), key)) return;
    await this.deleteStored(address.sessionId);
  }

  /** DELETEs a stored session; a missing one is fine. */
  private async deleteStored(storageId: string): Promise<void> {
    const { response, error } = await this.client.DELETE(SESSION, {
      params: { path: { sessionId: storageId } },
    });
    if (!response.ok && response.status !== 404) throw backendErrorFrom(response, error);
  }

  async prepareAppend(
    key: SessionKey,
    expectedRevision: Revision | undefined,
  ): Promise<PreparedManagedAppend> {
    const cached = this.options.singleWriter ? this.lastSeen.get(this.locationOf(key)) : undefined;
    // The stale check needs the revision and the state, not the events.
    const current = cached ?? (await this.findSession(key, { events: false }));
    if (!current) throw new SessionNotFoundError(key);
    if (expectedRevision !== undefined && expectedRevision !== current.revision) {
      throw new StaleSessionError(key, expectedRevision, current.revision);
    }
    return { revision: current.revision, state: current.state };
  }

  async commitAppend(
    key: SessionKey,
    prepared: PreparedAppend,
    change: AppendChange,
  ): Promise<Revision> {
    const { state: before } = prepared as PreparedManagedAppend;
    const sessionDelta = emptyState();
    for (const [k, value] of Object.entries(change.sessionState)) {
      if (!hasOwn(before, k) || !jsonEqual(before[k], value)) {
        setOwn(sessionDelta, k, value);
      }
    }
    const pythonDelta = emptyState();
    for (const [k, v] of Object.entries(sessionDelta)) setOwn(pythonDelta, k, v);
    for (const [k, v] of Object.entries(change.appDelta)) setOwn(pythonDelta, `app:${k}`, v);
    for (const [k, v] of Object.entries(change.userDelta)) setOwn(pythonDelta, `user:${k}`, v);
    // Session keys the live state no longer has (an `undefined` value); prefixed keys that another
    // writer left in the session's own state are not the live session's to remove.
    const removed = Object.keys(before).filter(
      (k) => !/^(app|user|temp):/.test(k) && !hasOwn(change.sessionState, k),
    );
    // The stored state after this event, as a reader folding the records would find it.
    const checkpoint = emptyState();
    for (const [k, v] of Object.entries(before)) setOwn(checkpoint, k, v);
    for (const [k, v] of Object.entries(sessionDelta)) setOwn(checkpoint, k, v);
    for (const k of removed) Reflect.deleteProperty(checkpoint, k);
    const record = this.outgoing(
      key,
      change.event.id,
      eventRecord(key, this.sessionAddress(key), change.event, {
        sessionDelta,
        removed,
        pythonDelta,
        checkpoint,
      }),
    );
    const appRecord = this.scopeChange(key, 'app-state', change.appDelta, change.event.id);
    const userRecord = this.scopeChange(key, 'user-state', change.userDelta, change.event.id);
    // One wave: the event and any app/user changes are independent appends. The call settles only
    // when all have, so nothing this append sends lands after it has returned.
    const [posted, ...scopes] = await Promise.allSettled([
      this.postRecord(record),
      appRecord && this.updateScope(key, 'app-state', appRecord, change.appDelta),
      userRecord && this.updateScope(key, 'user-state', userRecord, change.userDelta),
    ]);
    if (posted.status === 'rejected') throw posted.reason as Error;
    const revision = revisionAfter(
      prepared.revision as string,
      posted.value.id,
      posted.value.count,
    );
    this.remember(key, change.sessionState, revision);
    const failed = scopes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason as Error;
    return revision;
  }

  // ---- addresses ----------------------------------------------------------------------------

  /** Addresses of recently used sessions: a storage id is a SHA-256, needed several times a call. */
  private readonly addresses = new Map<string, EventAddress>();

  private sessionAddress(key: SessionKey): EventAddress {
    const id = `${key.appName}\u0000${key.userId}\u0000${key.sessionId}`;
    let address = this.addresses.get(id);
    if (!address) {
      address = this.computeAddress(key);
      if (this.addresses.size >= CACHE_LIMIT) this.addresses.clear();
      this.addresses.set(id, address);
    }
    return address;
  }

  private computeAddress(key: SessionKey): EventAddress {
    const { namespace, appQualifier } = scopeOf(key.appName, this.options.defaultNamespace);
    return {
      sessionId: storageSessionId(namespace, key.userId, key.sessionId, appQualifier),
      namespace: managedIdentifier(namespace),
      userActor: managedIdentifier(key.userId),
      actorOf: managedIdentifier,
      pythonNamespace: pythonSanitize(namespace),
    };
  }

  private namespaceOf(appName: string): string {
    return managedIdentifier(scopeOf(appName, this.options.defaultNamespace).namespace);
  }

  // ---- sessions -----------------------------------------------------------------------------

  private async findSession(
    key: SessionKey,
    options?: { events?: boolean },
  ): Promise<ParsedSession | undefined> {
    const data = await this.getStored(this.sessionAddress(key).sessionId);
    return data ? this.parse(data, key, options) : undefined;
  }

  private parse(
    data: RamSessionMemory,
    key: SessionKey,
    options?: { events?: boolean },
  ): ParsedSession {
    try {
      return parseSession(data, key, options);
    } catch (error) {
      if (!(error instanceof UnreadableRecordError)) throw error;
      throw new MalformedResponseError(
        REDIS_AGENT_MEMORY_BACKEND,
        'GET',
        SESSION,
        `session ${JSON.stringify(key.sessionId)} holds an ${error.message} this version cannot read`,
      );
    }
  }

  /** GETs a session's events, or undefined on 404. */
  private async getStored(storageId: string): Promise<RamSessionMemory | undefined> {
    const { data, error, response } = await this.client.GET(SESSION, {
      params: { path: { sessionId: storageId } },
    });
    if (response.status === 404) return undefined;
    if (!response.ok) throw backendErrorFrom(response, error);
    const problem = checkSessionResponse(data);
    if (problem) {
      throw new MalformedResponseError(
        REDIS_AGENT_MEMORY_BACKEND,
        'GET',
        SESSION,
        `unexpected session (${problem})`,
      );
    }
    return data;
  }

  /**
   * POSTs one record (retry-safe: readers deduplicate by ADK event id); returns its record id.
   * `text` is the record's JSON when it is already encoded (see {@link encodeRecord}).
   */
  private async postEvent(record: RamAddSessionEvent, text?: string): Promise<string> {
    const written: unknown = await unwrap(
      this.client.POST(EVENTS, {
        body: record,
        headers: retrySafe,
        ...(text === undefined ? {} : { bodySerializer: () => text }),
      }),
    );
    const eventId = (written as { event?: { eventId?: unknown } } | null)?.event?.eventId;
    if (typeof eventId !== 'string') {
      throw new MalformedResponseError(
        REDIS_AGENT_MEMORY_BACKEND,
        'POST',
        EVENTS,
        'no event.eventId in the answer',
      );
    }
    return eventId;
  }

  /**
   * The record as it will be sent, once its metadata is known to be within `maxEventBytes`
   * (checked before anything is sent, so a refused event leaves no partial write behind): as it
   * is when it fits one event, else split into part records and itself.
   */
  private outgoing(key: SessionKey, eventId: string, record: RamAddSessionEvent): OutgoingRecord {
    const { text, metadataBytes } = encodeRecord(record);
    if (metadataBytes > this.options.maxEventBytes) {
      throw new EventTooLargeError(key, eventId, metadataBytes, this.options.maxEventBytes);
    }
    if (metadataBytes <= RECORD_METADATA_BUDGET) return { parts: [], record, text };
    try {
      return fitRecord(record, eventId);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      // Only ids or an author of kilobytes leave no room: refused like an event over the limit.
      throw new EventTooLargeError(key, eventId, metadataBytes, RECORD_METADATA_BUDGET);
    }
  }

  /**
   * POSTs a record's parts (several at once; their order does not matter), then the record, whose
   * arrival makes them readable; returns its id and how many records were sent.
   */
  private async postRecord(outgoing: OutgoingRecord): Promise<{ id: string; count: number }> {
    let failure: { error: unknown } | undefined;
    let next = 0;
    // Like mapWithConcurrency, but after a failure no new part starts and the call settles only
    // when the parts in flight have, so nothing of a failed append lands after it returned.
    const worker = async (): Promise<void> => {
      while (!failure && next < outgoing.parts.length) {
        const part = outgoing.parts[next++]!;
        await this.postEvent(part).catch((error: unknown) => {
          failure ??= { error };
        });
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(PART_CONCURRENCY, outgoing.parts.length) }, worker),
    );
    if (failure) throw failure.error;
    const id = await this.postEvent(outgoing.record, outgoing.text);
    return { id, count: outgoing.parts.length + 1 };
  }

  /** Every session id the owner has, following page tokens. */
  private async listStored(owner: string): Promise<string[]> {
    const ids: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await unwrap(
        this.client.GET(LIST, {
          params: {
            query: { filterOwnerId: owner, limit: LIST_PAGE, ...(pageToken ? { pageToken } : {}) },
          },
        }),
      );
      if (
        typeof page !== 'object' ||
        page === null ||
        !Array.isArray(page.items) ||
        !page.items.every((id) => typeof id === 'string')
      ) {
        throw new MalformedResponseError(
          REDIS_AGENT_MEMORY_BACKEND,
          'GET',
          LIST,
          'unexpected session list',
        );
      }
      ids.push(...page.items);
      if (page.nextPageToken !== undefined && page.nextPageToken === pageToken) {
        throw new BackendError({
          backend: REDIS_AGENT_MEMORY_BACKEND,
          status: 200,
          method: 'GET',
          path: LIST,
          detail: 'the service returned the same page token twice',
        });
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    return ids;
  }

  // ---- app and user state -------------------------------------------------------------------

  private scopeSessionId(key: SessionKey, kind: 'app-state' | 'user-state'): string {
    return kind === 'app-state'
      ? reservedSessionIds.appState(key.appName)
      : reservedSessionIds.userState(key.appName, key.userId);
  }

  /**
   * The scope's state: its long-term records, then the changes its reserved session still holds
   * (a suffix of every change made, in order, so where both hold a key the session's is newer).
   */
  private async readScope(key: SessionKey, kind: 'app-state' | 'user-state'): Promise<StateMap> {
    const scopeId = this.scopeSessionId(key, kind);
    const cacheKey = JSON.stringify([this.options.serverId, scopeId]);
    const cached = this.scopeRecords.get(cacheKey);
    let log: RamSessionMemory | undefined;
    let records: StateMap;
    let fresh = true;
    if (cached) {
      // One request when the session is as continuous as it was; the records read otherwise.
      log = await this.getStored(scopeId);
      const continuous = log
        ? !log.summary && log.events[0]?.eventId === cached.first
        : cached.first === null && Date.now() - cached.at < ABSENT_LOG_REUSE_MS;
      fresh = !continuous;
      records = fresh ? await this.stateRecords.read(scopeId) : cached.records;
    } else {
      [log, records] = await Promise.all([
        this.getStored(scopeId),
        this.stateRecords.read(scopeId),
      ]);
    }
    if (fresh) {
      const first = log ? (log.summary ? undefined : log.events[0]?.eventId) : null;
      if (first !== undefined) this.scopeRecords.set(cacheKey, { first, records, at: Date.now() });
      else this.scopeRecords.delete(cacheKey);
    }
    const state = emptyState();
    applyDelta(state, records);
    const logged = foldScope(log, kind);
    // Keys only the session holds (logged by an older version, or a record write that failed):
    // their records are created, so they outlive the session. Best effort, and never over a
    // record another writer has made meanwhile; a read-only key simply does not backfill.
    const missing = emptyState();
    for (const [k, v] of Object.entries(fresh ? logged : {})) {
      if (!hasOwn(state, k)) setOwn(missing, k, v);
    }
    if (hasKeys(missing)) await this.stateRecords.write(scopeId, missing, true).catch(() => {});
    applyDelta(state, logged);
    return state;
  }

  /** The record of an app or user state change, checked like an event's; none when empty. */
  private scopeChange(
    key: SessionKey,
    kind: 'app-state' | 'user-state',
    delta: StateMap,
    eventId: string,
  ): OutgoingRecord | undefined {
    if (!hasKeys(delta)) return undefined;
    const sessionId = this.scopeSessionId(key, kind);
    const record = scopeRecord(sessionId, this.namespaceOf(key.appName), RESERVED_OWNER, {
      kind,
      delta,
    });
    return this.outgoing(key, eventId, record);
  }

  /** Logs a scope change in its reserved session and writes it to the scope's records. */
  private updateScope(
    key: SessionKey,
    kind: 'app-state' | 'user-state',
    record: OutgoingRecord,
    delta: StateMap,
  ): Promise<{ id: string; count: number }> {
    const sessionId = this.scopeSessionId(key, kind);
    return runSerially(JSON.stringify([this.options.serverId, sessionId]), async () => {
      // Both settle before the call does, so nothing of it lands after it has returned.
      const [posted, kept] = await Promise.allSettled([
        this.postRecord(record),
        this.stateRecords.write(sessionId, delta),
      ]);
      if (posted.status === 'rejected') throw posted.reason as Error;
      if (kept.status === 'rejected') throw kept.reason as Error;
      return posted.value;
    });
  }

  /**
   * Records the user in the app's registry (once per process), so listing across users finds
   * them: an event in the registry session, and a long-term record that outlives it.
   */
  private async register(key: SessionKey): Promise<void> {
    const id = JSON.stringify([key.appName, key.userId]);
    if (this.registered.has(id)) return;
    const sessionId = reservedSessionIds.users(key.appName);
    const [logged, kept] = await Promise.allSettled([
      this.postEvent(
        scopeRecord(sessionId, this.namespaceOf(key.appName), RESERVED_OWNER, {
          kind: 'user',
          user: key.userId,
        }),
      ),
      // Create only: a registered user's record never changes.
      this.stateRecords.write(sessionId, { [key.userId]: true }, true),
    ]);
    if (logged.status === 'rejected') throw logged.reason as Error;
    if (kept.status === 'rejected') throw kept.reason as Error;
    this.registered.add(id);
  }

  /** The app's registered users: from its registry records and its registry session. */
  private async registeredUsers(appName: string): Promise<string[]> {
    const sessionId = reservedSessionIds.users(appName);
    const [log, kept] = await Promise.all([
      this.getStored(sessionId),
      this.stateRecords.read(sessionId),
    ]);
    return [...new Set([...Object.keys(kept), ...registeredUsers(log)])];
  }

  private remember(key: SessionKey, state: StateMap, revision: string): void {
    if (!this.options.singleWriter) return;
    this.lastSeen.set(this.locationOf(key), { state, revision });
  }
}
