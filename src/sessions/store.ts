/**
 * The one small interface every backend implements. The session service owns ADK semantics
 * (scopes, temp keys, partial events, filters, paging, live-session tracking); a store owns how a
 * session, its events and its app and user state are kept in one backend.
 */
import type { Event } from '@google/adk';
import type { ConversationRole } from '../shared/content.js';
import type { SessionKey } from './errors.js';
import type { StoredEvent } from './events.js';
import type { ListedSession } from './paging.js';
import type { ScopedState, StateMap } from './state.js';

/** A backend's marker of one stored version of a session (a counter, or the last record's id). */
export type Revision = number | string;

/** A session as a store reads it. */
export interface StoredSession {
  events: Event[];
  /** The session's own state and the current app and user state (unprefixed). */
  state: ScopedState;
  lastUpdateTime: number;
  /** Changes on every write of the session; compared to detect stale live sessions. */
  revision: Revision;
  /** Set when the backend's own retention removed stored events from this read. */
  retention?: RetentionNote;
}

/**
 * What a backend's retention removed from a session: events the managed service's summarisation
 * folded into its summary. Read it with {@link getSessionRetention}.
 */
export interface RetentionNote {
  /** How many events the service folded into its summary; they are not in `events`. */
  summarizedEvents: number;
  /** The summary text the service keeps in their place. */
  summary?: string;
  /**
   * Whether the session's creation record was folded too (the state is then rebuilt from the
   * first retained checkpoint; sessions written before checkpoints miss what folded events recorded).
   */
  creationRecordMissing: boolean;
}

/** What one append changes. */
export interface AppendChange {
  /** The event, upserted by id. */
  event: StoredEvent;
  /** The event's visible text and speaker, when it has text (for the backend's conversation record). */
  text?: { content: string; role: ConversationRole };
  /** The session's own state after the event (replaces the stored one). */
  sessionState: StateMap;
  /** App and user keys the event set (unprefixed). */
  appDelta: StateMap;
  userDelta: StateMap;
  lastUpdateTime: number;
}

/** A read done before an append, checked and ready to be written on. */
export interface PreparedAppend {
  readonly revision: Revision;
}

/** Options every backend's store takes. */
export interface StoreOptions {
  /** Names the server (and store) in per-session queues and caches. */
  serverId: string;
  /** The namespace shared by every app, when set (see src/shared/namespace.ts). */
  defaultNamespace?: string | undefined;
  /** Build each append on what this process last read or wrote (config `singleWriter`). */
  singleWriter: boolean;
  /** How many sessions a listing reads at once. */
  listConcurrency: number;
}

export interface SessionStore {
  /** A string naming where the session lives; appends and creates are serialised per location. */
  locationOf(key: SessionKey): string;
  /**
   * Stores a new session with its initial state (app and user parts go to their scopes) and
   * returns it as stored, with the current app and user state.
   * @throws SessionAlreadyExistsError when it exists.
   */
  create(key: SessionKey, init: { state: ScopedState; now: number }): Promise<StoredSession>;
  /**
   * The stored session, or undefined. With a `window` (getSession's `numRecentEvents` /
   * `afterTimestamp`) a store may leave out events the window drops; the events returned are
   * still in order and a superset of those the window keeps (the caller applies the window).
   */
  read(key: SessionKey, window?: ReadWindow): Promise<StoredSession | undefined>;
  /** Every session of the app (of one user when given), unordered. */
  list(appName: string, userId: string | undefined): Promise<ListedSession[]>;
  /** Removes the session; a missing one is a no-op. */
  delete(key: SessionKey): Promise<void>;
  /**
   * Reads what an append needs and checks it: the session exists, and its revision is the one the
   * live session was based on (when known).
   * @throws SessionNotFoundError, StaleSessionError
   */
  prepareAppend(key: SessionKey, expectedRevision: Revision | undefined): Promise<PreparedAppend>;
  /** Writes the append on top of a prepared read; returns the new revision. */
  commitAppend(key: SessionKey, prepared: PreparedAppend, change: AppendChange): Promise<Revision>;
}

/** Which events a getSession keeps, so a store can skip reading the others. */
export interface ReadWindow {
  numRecentEvents?: number | null | undefined;
  afterTimestamp?: number | null | undefined;
}
