/**
 * Sessions on Redis Agent Memory (managed Data Plane API): the SessionStore the session service
 * calls, composed of the parts that do the work. A session is its list of records (records.ts,
 * read back by reading.ts) at an address derived from its key (addresses.ts), reached over HTTP
 * (http.ts); app and user state live in reserved sessions and long-term records (scopes.ts), and
 * the app's users in a registry that listing across users reads (listing.ts).
 *
 * The API has no conditional writes, so an append reads the session first and compares its last
 * record id with the one the live session was based on (`singleWriter` skips that read). The event
 * POST is retried on transient failures: a retry can store the event twice, and readers keep one
 * copy per ADK event id. An event over the per-event metadata limit goes as part records first
 * (parts.ts), so an append is then several POSTs; its record, sent last, makes it visible
 * (append.ts).
 */
import type { RedisAgentMemoryClient } from '../../clients/index.js';
import {
  SessionAlreadyExistsError,
  SessionIdCollisionError,
  SessionNotFoundError,
  StaleSessionError,
  type SessionKey,
} from '../errors.js';
import { KeptCopies } from '../kept.js';
import type { ListedSession } from '../paging.js';
import { applyDelta, emptyState, type ScopedState, type StateMap } from '../state.js';
import type {
  AppendChange,
  PreparedAppend,
  Revision,
  SessionStore,
  StoreOptions,
  StoredSession,
} from '../store.js';
import { SessionAddresses } from './addresses.js';
import {
  commitSessionAppend,
  outgoingRecord,
  postRecord,
  type PreparedSessionAppend,
} from './append.js';
import { ManagedSessions } from './http.js';
import { SessionListing } from './listing.js';
import { readSession, type ParsedSession } from './reading.js';
import { creationRecord, namesAnotherKey, revisionMark, storedKeyOf } from './records.js';
import { ScopeSessions } from './scopes.js';
import { StateRecords } from './state-records.js';

export interface RedisAgentMemoryStoreOptions extends StoreOptions {
  /** Largest event metadata, in bytes, before any split into part records. */
  maxEventBytes: number;
}

/** Single-writer mode: the state and revision last read or written, per session (see kept.ts). */
const keptStates = new KeptCopies<{ state: StateMap; revision: string }>();

export class RedisAgentMemoryStore implements SessionStore {
  private readonly sessions: ManagedSessions;
  private readonly addresses: SessionAddresses;
  private readonly scopes: ScopeSessions;
  private readonly listing: SessionListing;

  constructor(
    client: RedisAgentMemoryClient,
    private readonly options: RedisAgentMemoryStoreOptions,
  ) {
    const stateRecords = new StateRecords(client);
    this.sessions = new ManagedSessions(client);
    this.addresses = new SessionAddresses(options.defaultNamespace);
    this.scopes = new ScopeSessions(this.sessions, stateRecords, this.addresses, options);
    this.listing = new SessionListing(
      this.sessions,
      stateRecords,
      this.addresses,
      options.listConcurrency,
    );
  }

  locationOf(key: SessionKey): string {
    return JSON.stringify([this.options.serverId, this.addresses.of(key).sessionId]);
  }

  create(key: SessionKey, init: { state: ScopedState; now: number }): Promise<StoredSession> {
    return keptStates.write(this.locationOf(key), () => this.createSession(key, init));
  }

  private async createSession(
    key: SessionKey,
    init: { state: ScopedState; now: number },
  ): Promise<StoredSession> {
    const address = this.addresses.of(key);
    const record = outgoingRecord(
      key,
      '(session created)',
      creationRecord(key, address, init.state.session, init.now),
      this.options.maxEventBytes,
    );
    const appRecord = this.scopes.changeRecord(
      key,
      'app-state',
      init.state.app,
      '(session created)',
    );
    const userRecord = this.scopes.changeRecord(
      key,
      'user-state',
      init.state.user,
      '(session created)',
    );
    // Two waves: the three reads at once, then every write at once.
    const [existing, appBefore, userBefore] = await Promise.all([
      this.sessions.get(address.sessionId),
      this.scopes.read(key, 'app-state'),
      this.scopes.read(key, 'user-state'),
    ]);
    if (existing) {
      const owner = storedKeyOf(existing);
      if (namesAnotherKey(owner, key)) throw new SessionIdCollisionError(key, owner);
      throw new SessionAlreadyExistsError(key);
    }
    const [marker, ...scopes] = await Promise.allSettled([
      postRecord(this.sessions, record),
      appRecord && this.scopes.update(key, 'app-state', appRecord, init.state.app),
      userRecord && this.scopes.update(key, 'user-state', userRecord, init.state.user),
      this.listing.register(key),
    ]);
    const failed = scopes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // The session must not exist without its scopes: undo it, so a retried create starts over.
      if (marker.status === 'fulfilled') {
        await this.sessions.delete(address.sessionId).catch(() => {});
      }
      throw failed.reason as Error;
    }
    if (marker.status === 'rejected') {
      // Parts may have landed without their marker: undo them too, so a retried create works.
      if (record.parts.length) await this.sessions.delete(address.sessionId).catch(() => {});
      throw marker.reason as Error;
    }
    const created = revisionMark(marker.value.count, marker.value.id);
    const app = emptyState();
    applyDelta(app, appBefore);
    applyDelta(app, init.state.app);
    const user = emptyState();
    applyDelta(user, userBefore);
    applyDelta(user, init.state.user);
    if (this.options.singleWriter) {
      keptStates.keepWritten(this.locationOf(key), {
        state: init.state.session,
        revision: created,
      });
    }
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
    const mark = keptStates.mark();
    const [found, appRead, userRead] = await Promise.allSettled([
      this.findSession(key),
      this.scopes.read(key, 'app-state'),
      this.scopes.read(key, 'user-state'),
    ]);
    if (found.status === 'rejected') throw found.reason as Error;
    const parsed = found.value;
    if (!parsed) return undefined;
    if (appRead.status === 'rejected') throw appRead.reason as Error;
    if (userRead.status === 'rejected') throw userRead.reason as Error;
    const [app, user] = [appRead.value, userRead.value];
    if (this.options.singleWriter) {
      keptStates.keepRead(this.locationOf(key), mark, {
        state: parsed.state,
        revision: parsed.revision,
      });
    }
    return {
      events: parsed.events,
      state: { app, user, session: parsed.state },
      lastUpdateTime: parsed.lastUpdateTime,
      revision: parsed.revision,
      ...(parsed.retention ? { retention: parsed.retention } : {}),
    };
  }

  list(appName: string, userId: string | undefined): Promise<ListedSession[]> {
    return this.listing.list(appName, userId);
  }

  delete(key: SessionKey): Promise<void> {
    return keptStates.write(this.locationOf(key), () => this.deleteSession(key));
  }

  private async deleteSession(key: SessionKey): Promise<void> {
    const address = this.addresses.of(key);
    const data = await this.sessions.get(address.sessionId);
    if (!data) return;
    // Another key's data at this address (a sanitising collision): not ours to delete.
    if (namesAnotherKey(storedKeyOf(data), key)) return;
    await this.sessions.delete(address.sessionId);
  }

  async prepareAppend(
    key: SessionKey,
    expectedRevision: Revision | undefined,
  ): Promise<PreparedSessionAppend> {
    const cached = this.options.singleWriter ? keptStates.get(this.locationOf(key)) : undefined;
    // The stale check needs the revision and the state, not the events.
    const current = cached ?? (await this.findSession(key, { events: false }));
    if (!current) throw new SessionNotFoundError(key);
    if (expectedRevision !== undefined && expectedRevision !== current.revision) {
      throw new StaleSessionError(key, expectedRevision, current.revision);
    }
    return { revision: current.revision, state: current.state };
  }

  commitAppend(key: SessionKey, prepared: PreparedAppend, change: AppendChange): Promise<Revision> {
    const location = this.locationOf(key);
    return keptStates.write(location, () =>
      commitSessionAppend(
        {
          sessions: this.sessions,
          scopes: this.scopes,
          maxEventBytes: this.options.maxEventBytes,
          keepAnswer: this.options.singleWriter
            ? (state, revision) => keptStates.keepWritten(location, { state, revision })
            : undefined,
        },
        key,
        this.addresses.of(key),
        prepared as PreparedSessionAppend,
        change,
      ),
    );
  }

  private async findSession(
    key: SessionKey,
    options?: { events?: boolean },
  ): Promise<ParsedSession | undefined> {
    const data = await this.sessions.get(this.addresses.of(key).sessionId);
    return data ? readSession(data, key, options) : undefined;
  }
}
