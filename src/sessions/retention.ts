/** Retention notes of sessions read from a backend, kept beside the live Session objects. */
import type { Session } from '@google/adk';
import type { RetentionNote } from './store.js';

const notes = new WeakMap<Session, RetentionNote>();

/** Records (or clears) the note of a session just read. */
export function recordRetention(session: Session, note: RetentionNote | undefined): void {
  if (note) notes.set(session, note);
  else notes.delete(session);
}

/**
 * What the backend's own retention removed from a session returned by `getSession`: on Redis
 * Agent Memory with summarisation on, older events are folded into a summary and no longer come
 * back. `undefined` when nothing was removed.
 *
 * @example
 * const session = await sessions.getSession({ appName, userId, sessionId });
 * const retention = session && getSessionRetention(session);
 * if (retention) console.log(`${retention.summarizedEvents} older events are summarised`);
 */
export function getSessionRetention(session: Session): RetentionNote | undefined {
  return notes.get(session);
}
