/**
 * The JSON text of the events each session document was last written with, so that an append
 * serialises only its new event: AMS takes whole documents, and re-serialising every earlier event
 * on every append costs time linear in the session (8 MiB of JSON at 10,000 events).
 */
import type { StoredEvent } from '../events.js';

interface Written {
  /** Revision mark of the document written (its counter and random write id). */
  mark: string;
  /** How many events it was written with, and their JSON text. */
  count: number;
  json: string;
}

export class WrittenEvents {
  private readonly entries = new Map<string, Written>();
  private chars = 0;

  /**
   * @param maxChars Bound on the JSON text kept, over all sessions (UTF-16 code units).
   * @param maxEntries Bound on the sessions kept.
   */
  constructor(
    private readonly maxChars = 16 * 1024 * 1024,
    private readonly maxEntries = 1000,
  ) {}

  /**
   * The JSON of `events`, the events of a document about to replace one that holds `stored`
   * (its envelope's events, as read) at revision mark `basedOn`. When that document is the one
   * this process last wrote (same mark: same counter and random write id, so the same events)
   * and `events` is `stored`, the same objects in order, plus one event at the end, the text
   * written then is reused; otherwise all of `events` is serialised.
   */
  encode(
    location: string,
    basedOn: string,
    stored: readonly StoredEvent[],
    events: readonly StoredEvent[],
  ): string {
    const last = this.entries.get(location);
    const count = stored.length;
    if (last?.mark === basedOn && last.count === count && events.length === count + 1) {
      let same = true;
      for (let i = 0; i < count && same; i++) same = events[i] === stored[i];
      if (same) {
        const added = JSON.stringify(events[count]);
        return count === 0 ? `[${added}]` : `${last.json.slice(0, -1)},${added}]`;
      }
    }
    return JSON.stringify(events);
  }

  /** Records what a document was written with, once the write has succeeded. */
  remember(location: string, mark: string, count: number, json: string): void {
    this.forget(location);
    if (json.length > this.maxChars) return;
    this.entries.set(location, { mark, count, json });
    this.chars += json.length;
    for (const [oldest, entry] of this.entries) {
      if (this.chars <= this.maxChars && this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
      this.chars -= entry.json.length;
    }
  }

  forget(location: string): void {
    const entry = this.entries.get(location);
    if (!entry) return;
    this.entries.delete(location);
    this.chars -= entry.json.length;
  }
}

/**
 * JSON of `body`, in which the string `placeholder` stands for the events: it is replaced by
 * `eventsJson`. Undefined when the placeholder does not occur exactly once (it holds a fresh
 * random id, so only a value that happens to contain it could make it occur twice).
 */
export function spliceEvents(
  body: unknown,
  placeholder: string,
  eventsJson: string,
): string | undefined {
  const text = JSON.stringify(body);
  const quoted = JSON.stringify(placeholder);
  const at = text.indexOf(quoted);
  if (at < 0 || text.indexOf(quoted, at + 1) >= 0) return undefined;
  return `${text.slice(0, at)}${eventsJson}${text.slice(at + quoted.length)}`;
}
