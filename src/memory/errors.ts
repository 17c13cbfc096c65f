/** Errors of the long-term memory service. None carries a secret or a memory's text. */
import { AdkRedisError } from '../clients/index.js';

/** Whose memories an error is about: the caller's own (unmapped) ids. */
export interface MemoryOwner {
  /** The ADK app name. */
  appName: string;
  /** The ADK user id. */
  userId: string;
}

/** Base class of the memory-level errors; `owner` names the app and user at fault. */
export abstract class MemoryError extends AdkRedisError {
  /** A stable code for programs to branch on (the message may change). */
  abstract override readonly code: string;

  constructor(
    /** The app and user the call was about. */
    readonly owner: MemoryOwner,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One record of a bulk write that was not stored, and why. */
export interface FailedMemoryWrite {
  /** The record's id. */
  id: string;
  /** Why it was not stored: the backend's per-record error, or what the confirmation found. */
  reason: string;
}

/**
 * A write where some records were not stored. `stored` lists the ids that were (or were already),
 * `failed` the others; nothing in `stored` is unconfirmed when the service confirms writes.
 */
export class MemoryWriteError extends MemoryError {
  override name = 'MemoryWriteError';
  override readonly code: string = 'ADK_REDIS_MEMORY_WRITE_FAILED';

  constructor(
    owner: MemoryOwner,
    /** The ids written (or already present). */
    readonly stored: string[],
    /** The ids not written, with the reason. */
    readonly failed: FailedMemoryWrite[],
    options?: { cause?: unknown },
  ) {
    super(
      owner,
      `${failed.length} of ${failed.length + stored.length} memories of user ${JSON.stringify(owner.userId)} (app ${JSON.stringify(owner.appName)}) were not stored (first: ${failed[0]?.id ?? '?'}: ${failed[0]?.reason ?? '?'}); the others were. Retrying the same call is safe: ids are stable.`,
      options,
    );
  }
}
