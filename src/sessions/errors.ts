/** Errors of the session service, from the session contract. None carries a secret. */
import { AdkRedisError } from '../clients/index.js';

/**
 * Which session an error is about. Ids are the caller's own (unmapped) ids.
 * @category Errors
 */
export interface SessionKey {
  /** The ADK app name. */
  appName: string;
  /** The ADK user id. */
  userId: string;
  /** The session id within that app and user. */
  sessionId: string;
}

/**
 * Base class of the session-level errors; `session` names the session at fault.
 * @category Errors
 */
export abstract class SessionError extends AdkRedisError {
  constructor(
    /** The session the call was about. */
    readonly session: SessionKey,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const describeKey = (key: SessionKey): string =>
  `session ${JSON.stringify(key.sessionId)} (app ${JSON.stringify(key.appName)}, user ${JSON.stringify(key.userId)})`;

/**
 * `appendEvent` on a session that is not stored (never created, or deleted). Nothing was written.
 * @category Errors
 */
export class SessionNotFoundError extends SessionError {
  override name = 'SessionNotFoundError';
  override readonly code: string = 'ADK_REDIS_SESSION_NOT_FOUND';
  constructor(session: SessionKey) {
    super(session, `Cannot append: ${describeKey(session)} is not stored; create it first.`);
  }
}

/**
 * `createSession` with an id that already exists for that app and user. Nothing was written.
 * @category Errors
 */
export class SessionAlreadyExistsError extends SessionError {
  override name = 'SessionAlreadyExistsError';
  override readonly code: string = 'ADK_REDIS_SESSION_ALREADY_EXISTS';
  constructor(session: SessionKey) {
    super(
      session,
      `Cannot create: ${describeKey(session)} already exists; use getSession or another id.`,
    );
  }
}

/**
 * `appendEvent` from a live session whose stored copy changed since it was loaded or last
 * appended through that object (another writer got there first). Nothing was written.
 * @category Errors
 */
export class StaleSessionError extends SessionError {
  override name = 'StaleSessionError';
  override readonly code: string = 'ADK_REDIS_STALE_SESSION';
  constructor(
    session: SessionKey,
    /** The revision the live session was based on, when known. */
    readonly expectedRevision?: number | string,
    /** The revision found in storage, when known. */
    readonly storedRevision?: number | string,
  ) {
    super(
      session,
      `Cannot append: ${describeKey(session)} was modified in storage since it was loaded; reload it with getSession and retry.`,
    );
  }
}

/**
 * The stored data at this session's storage key belongs to another app, user or session (an id
 * mapping shared with another client met a different key, such as the Python adk-redis's lossy
 * namespace sanitising of `my_app` and `my-app`). Refused rather than mixing two sessions' data.
 * @category Errors
 */
export class SessionIdCollisionError extends SessionError {
  override name = 'SessionIdCollisionError';
  override readonly code: string = 'ADK_REDIS_SESSION_ID_COLLISION';
  /**
   * Which parts of the key differ in the stored data. Only the names: the stored values came from
   * the server and are not repeated (they could hold anything, even a secret echoed back).
   */
  readonly conflicts: ('appName' | 'userId' | 'sessionId')[];

  constructor(session: SessionKey, storedAs: Partial<SessionKey>) {
    const conflicts = (['appName', 'userId', 'sessionId'] as const).filter(
      (field) => storedAs[field] !== session[field],
    );
    super(
      session,
      `Cannot use ${describeKey(session)}: its storage key already holds data of a different ${conflicts.join(' and ') || 'session'} (ids that the storage mapping makes equal). Use another session id, another app name, or a distinct defaultNamespace.`,
    );
    this.conflicts = conflicts;
  }
}

/**
 * An event is larger than the backend accepts. Nothing was written.
 * @category Errors
 */
export class EventTooLargeError extends SessionError {
  override name = 'EventTooLargeError';
  override readonly code: string = 'ADK_REDIS_EVENT_TOO_LARGE';
  constructor(
    session: SessionKey,
    /** The id of the event that was refused. */
    readonly eventId: string,
    /** Size of the encoded event metadata, in bytes. */
    readonly bytes: number,
    /** The largest size allowed, in bytes (config `maxEventBytes`). */
    readonly limitBytes: number,
  ) {
    super(
      session,
      `Cannot append event ${JSON.stringify(eventId)} to ${describeKey(session)}: it takes ${bytes} bytes of metadata, more than the ${limitBytes} allowed (config maxEventBytes).`,
    );
  }
}

/**
 * A stored session's history cannot be read whole: a sealed segment its document names is missing
 * or does not hold the events it should (deleted by hand, expired, or a concurrent delete). No
 * events are returned rather than a shorter history.
 * @category Errors
 */
export class SessionHistoryMissingError extends SessionError {
  override name = 'SessionHistoryMissingError';
  override readonly code: string = 'ADK_REDIS_SESSION_HISTORY_MISSING';
  constructor(
    session: SessionKey,
    /** The id of the segment document that is missing or wrong. */
    readonly segment: string,
    /** How many events that segment should hold. */
    readonly events: number,
    why: string,
  ) {
    super(
      session,
      `Cannot read session ${JSON.stringify(session.sessionId)} (app ${JSON.stringify(session.appName)}, user ${JSON.stringify(session.userId)}): the history segment ${JSON.stringify(segment)} holding ${events} of its older events ${why}. The session's history is incomplete in storage; nothing was returned or written.`,
    );
  }
}
