/**
 * The app and user state of a session's scopes. Each scope has a reserved session (ids.ts), owned
 * by the reserved actor so no user's listing shows it, that logs every change as a record, and
 * long-term state records (state-records.ts) that outlive that session's short-term TTL and
 * summarisation. A read takes the records, then the changes the reserved session still holds.
 */
import type { RamSessionMemory } from '../../clients/index.js';
import { hasOwn, setOwn } from '../../shared/json.js';
import { RecentMap } from '../../shared/recent.js';
import { runSerially } from '../../shared/serial.js';
import type { SessionKey } from '../errors.js';
import { applyDelta, emptyState, hasKeys, type StateMap } from '../state.js';
import type { SessionAddresses } from './addresses.js';
import { outgoingRecord, postRecord, type OutgoingRecord } from './append.js';
import type { ManagedSessions } from './http.js';
import { RESERVED_OWNER, reservedSessionIds } from './ids.js';
import { foldScope } from './reading.js';
import { scopeRecord, type ScopeKind } from './records.js';
import type { StateRecords } from './state-records.js';

const CACHE_LIMIT = 1000;
const ABSENT_LOG_REUSE_MS = 60_000;

export class ScopeSessions {
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

  constructor(
    private readonly sessions: ManagedSessions,
    private readonly stateRecords: StateRecords,
    private readonly addresses: SessionAddresses,
    private readonly options: { serverId: string; maxEventBytes: number },
  ) {}

  /**
   * The scope's state: its long-term records, then the changes its reserved session still holds
   * (a suffix of every change made, in order, so where both hold a key the session's is newer).
   */
  async read(key: SessionKey, kind: ScopeKind): Promise<StateMap> {
    const scopeId = scopeSessionId(key, kind);
    const cacheKey = JSON.stringify([this.options.serverId, scopeId]);
    const cached = this.scopeRecords.get(cacheKey);
    let log: RamSessionMemory | undefined;
    let records: StateMap;
    let fresh = true;
    if (cached) {
      // One request when the session is as continuous as it was; the records read otherwise.
      log = await this.sessions.get(scopeId);
      const continuous = log
        ? !log.summary && log.events[0]?.eventId === cached.first
        : cached.first === null && Date.now() - cached.at < ABSENT_LOG_REUSE_MS;
      fresh = !continuous;
      records = fresh ? await this.stateRecords.read(scopeId) : cached.records;
    } else {
      [log, records] = await Promise.all([
        this.sessions.get(scopeId),
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
  changeRecord(
    key: SessionKey,
    kind: ScopeKind,
    delta: StateMap,
    eventId: string,
  ): OutgoingRecord | undefined {
    if (!hasKeys(delta)) return undefined;
    const sessionId = scopeSessionId(key, kind);
    const record = scopeRecord(sessionId, this.addresses.namespaceOf(key.appName), RESERVED_OWNER, {
      kind,
      delta,
    });
    return outgoingRecord(key, eventId, record, this.options.maxEventBytes);
  }

  /** Logs a scope change in its reserved session and writes it to the scope's records. */
  update(
    key: SessionKey,
    kind: ScopeKind,
    record: OutgoingRecord,
    delta: StateMap,
  ): Promise<{ id: string; count: number }> {
    const sessionId = scopeSessionId(key, kind);
    return runSerially(JSON.stringify([this.options.serverId, sessionId]), async () => {
      // Both settle before the call does, so nothing of it lands after it has returned.
      const [posted, kept] = await Promise.allSettled([
        postRecord(this.sessions, record),
        this.stateRecords.write(sessionId, delta),
      ]);
      if (posted.status === 'rejected') throw posted.reason as Error;
      if (kept.status === 'rejected') throw kept.reason as Error;
      return posted.value;
    });
  }
}

/** The storage id of the scope's reserved session. */
function scopeSessionId(key: SessionKey, kind: ScopeKind): string {
  return kind === 'app-state'
    ? reservedSessionIds.appState(key.appName)
    : reservedSessionIds.userState(key.appName, key.userId);
}
