/**
 * Which stored revision each live Session object was loaded at or last appended through. Keyed by
 * the object itself (module-wide), so any service instance in this process can tell whether a live
 * session is stale.
 */
import type { Session } from '@google/adk';
import type { Revision } from './store.js';

interface Tracked {
  location: string;
  revision: Revision;
}

const tracked = new WeakMap<Session, Tracked>();

/** Records the revision a live session now reflects. */
export function track(session: Session, location: string, revision: Revision): void {
  tracked.set(session, { location, revision });
}

/** The revision a live session reflects, when this process loaded or wrote it at `location`. */
export function trackedRevision(session: Session, location: string): Revision | undefined {
  const entry = tracked.get(session);
  return entry?.location === location ? entry.revision : undefined;
}
