/** ADK events as the session layer stores them: their JSON form. */
import type { Event } from '@google/adk';

/** An event in its stored (JSON) form. */
export type StoredEvent = Record<string, unknown> & { id: string; timestamp: number };

/** The event as JSON stores it: what `getSession` gives back, field for field. */
export function toStoredEvent(event: Event): StoredEvent {
  return JSON.parse(JSON.stringify(event)) as StoredEvent;
}

/** A stored event back as an ADK event object. */
export function fromStoredEvent(stored: StoredEvent): Event {
  return JSON.parse(JSON.stringify(stored)) as Event;
}
