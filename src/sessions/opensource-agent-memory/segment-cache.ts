/**
 * The events of history segments this process has read or written, kept per store so that a warm
 * getSession of a long session costs one GET (the session document) instead of two waves.
 *
 * A segment's content never changes once a session document names it (its id carries the random
 * id of the write that made it, see segments.ts), so a cached segment is always right: nothing is
 * ever invalidated except to bound memory (least recently used first, by an estimate of its JSON
 * size) and when this process deletes the session.
 *
 * Entries are objects, not JSON text: callers change the events they get, so every read hands out
 * a copy, and a structural copy of JSON data costs about half of JSON.parse of its text (bench:
 * 1,000 events, ~0.5 MB, ~1 ms against ~2 ms). Held in the heap, objects take about 1.5× the bytes
 * of their JSON.
 */
import type { SessionKey } from '../errors.js';
import type { StoredEvent } from '../events.js';
import { setOwn } from '../../shared/json.js';
import type { DocumentAddress } from './http.js';

/** The JSON size of segment events a store keeps at most (estimated, see {@link copyJson}). */
export const SEGMENT_CACHE_BYTES = 16 * 1024 * 1024;

interface Entry {
  /** Which session's segments it is one of ({@link sessionPart}). */
  session: string;
  count: number;
  events: StoredEvent[];
  bytes: number;
}

export class SegmentCache {
  /** In order of use, least recent first (a Map keeps insertion order). */
  private readonly entries = new Map<string, Entry>();
  private total = 0;

  constructor(private readonly maxBytes = SEGMENT_CACHE_BYTES) {}

  /** The estimated JSON bytes held now. */
  get bytes(): number {
    return this.total;
  }

  /** How many segments are held now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * A copy of the segment's events, or undefined when it is not held or holds another count than
   * the reference names (then the caller fetches it and fails as it would have).
   */
  get(
    key: SessionKey,
    session: DocumentAddress,
    id: string,
    count: number,
  ): StoredEvent[] | undefined {
    const name = entryName(key, session, id);
    const entry = this.entries.get(name);
    if (!entry || entry.count !== count) return undefined;
    this.entries.delete(name);
    this.entries.set(name, entry);
    return copyJson(entry.events, { bytes: 0 });
  }

  /**
   * Keeps a copy of `events` (JSON data: stored or fresh from AMS) as the segment's content. Call
   * only once the segment is acknowledged by AMS or read from it.
   */
  put(key: SessionKey, session: DocumentAddress, id: string, events: StoredEvent[]): void {
    const size = { bytes: 0 };
    const copy = copyJson(events, size);
    if (size.bytes > this.maxBytes) return;
    const name = entryName(key, session, id);
    this.remove(name);
    this.entries.set(name, {
      session: sessionPart(key, session),
      count: events.length,
      events: copy,
      bytes: size.bytes,
    });
    this.total += size.bytes;
    for (const [oldest] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.remove(oldest);
    }
  }

  /** Forgets every segment of the session (it is being deleted). */
  forget(key: SessionKey, session: DocumentAddress): void {
    const part = sessionPart(key, session);
    for (const [name, entry] of this.entries) {
      if (entry.session === part) this.remove(name);
    }
  }

  private remove(name: string): void {
    const entry = this.entries.get(name);
    if (!entry) return;
    this.entries.delete(name);
    this.total -= entry.bytes;
  }
}

/**
 * The session a segment belongs to: the caller's ids and the address of the session document whose
 * segment namespace holds it, so two keys that ever shared an address still could not read each
 * other's segments.
 */
function sessionPart(key: SessionKey, session: DocumentAddress): string {
  return JSON.stringify([
    key.appName,
    key.userId,
    key.sessionId,
    session.namespace,
    session.userId ?? null,
    session.sessionId,
  ]);
}

function entryName(key: SessionKey, session: DocumentAddress, id: string): string {
  return `${sessionPart(key, session)}\n${id}`;
}

/**
 * A deep copy of JSON data (objects, arrays, strings, numbers, booleans, null) that adds an
 * estimate of its JSON length to `size.bytes` (numbers count 8). `__proto__` stays an own key.
 */
export function copyJson<T>(value: T, size: { bytes: number }): T {
  return copy(value, size) as T;
}

function copy(value: unknown, size: { bytes: number }): unknown {
  if (typeof value === 'string') {
    size.bytes += value.length + 2;
    return value;
  }
  if (value === null || typeof value !== 'object') {
    size.bytes += 8;
    return value;
  }
  if (Array.isArray(value)) {
    size.bytes += 2 + value.length;
    const result = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) result[i] = copy(value[i], size);
    return result;
  }
  size.bytes += 2;
  const result: Record<string, unknown> = {};
  for (const name of Object.keys(value)) {
    size.bytes += name.length + 4;
    const item = copy((value as Record<string, unknown>)[name], size);
    if (name === '__proto__') setOwn(result, name, item);
    else result[name] = item;
  }
  return result;
}
