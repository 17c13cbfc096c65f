/**
 * Sealed history segments: the older events of a long session, kept in working-memory documents of
 * their own so that the session document (which every append rewrites whole) stays bounded.
 *
 * - A session document's envelope holds its most recent events (at most {@link TAIL_MAX}) and the
 *   ordered list of its segments ({@link SegmentRef}: id, event count, newest timestamp).
 * - When an append leaves more than {@link TAIL_MAX} recent events, all but the newest
 *   {@link TAIL_KEEP} are sealed into a new segment (split into pieces of at most
 *   {@link SEGMENT_EVENTS}, for format-1 documents migrating with their whole history).
 * - Segments are merged like a counter in base {@link MERGE_AT}: when the newest {@link MERGE_AT}
 *   segments are of one size class (9, 36, 144, 576 events…), they are read and merged into one of
 *   the next class, up to {@link SEGMENT_EVENTS}. A session of n events is then named by about
 *   (MERGE_AT − 1) · log₄(n / 9) segments (15 or so at 10,000 events), which a read fetches at once,
 *   and each event is rewritten once per class: amortised, a few KiB per append.
 * - Segments are written, and acknowledged, before the session document that names them. Their
 *   ids carry the random id of the write that made them, so a writer that loses a race can never
 *   overwrite a segment another writer's committed document names.
 * - They live in a namespace of the session's own ({@link segmentNamespace}), which no listing of
 *   sessions or users reads, and which deleteSession lists to remove every segment, including those
 *   left by failed or lost writes and those merged away.
 * - A segment that cannot be found, or holds other events than its reference says, fails the read
 *   with {@link SessionHistoryMissingError}: a history is never returned shorter.
 * - Segments read or written are kept in this process ({@link SegmentCache}): never changed once
 *   named, they are read from AMS once per process (while the cache's memory bound keeps them).
 */
import type { AmsWorkingMemory, AmsWorkingMemoryUpdate } from '../../clients/index.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapWithConcurrency } from '../../shared/concurrency.js';
import { ENCODED_PREFIX, hex } from '../../shared/opensource-agent-memory/ids.js';
import { SessionHistoryMissingError, type SessionKey } from '../errors.js';
import type { StoredEvent } from '../events.js';
import type { ReadWindow } from '../store.js';
import { emptyState } from '../state.js';
import { setOwn } from '../../shared/json.js';
import {
  ENVELOPE_KEY,
  FORMAT_VERSION,
  readSegmentEnvelope,
  type SegmentEnvelope,
  type SegmentRef,
} from './documents.js';
import type { AmsDocuments, DocumentAddress } from './http.js';
import { SegmentCache } from './segment-cache.js';

/** Most recent events a session document holds after an append. */
export const TAIL_MAX = 16;
/** Recent events left in the document when older ones are sealed. */
export const TAIL_KEEP = 8;
/** Largest merged segment, in events (and the piece size when a format-1 history is sealed). */
export const SEGMENT_EVENTS = 2304;
/** How many segments of one size class in a row are merged into one. */
export const MERGE_AT = 4;
/** The events one seal writes in the steady state: the size of class 0. */
const SEALED_EVENTS = TAIL_MAX + 1 - TAIL_KEEP;
/** Waits before asking AMS again for a named segment it answered 404 for (see getNamed). */
const MISSING_SEGMENT_DELAYS_MS = [50, 250];

/** A segment's size class: 0 below MERGE_AT seals' worth of events, then one up per factor. */
function sizeClass(count: number): number {
  let size = SEALED_EVENTS * MERGE_AT;
  let level = 0;
  while (count >= size) {
    size *= MERGE_AT;
    level++;
  }
  return level;
}

/**
 * The namespace of a session's segments: the session document's AMS ids in hex, so it is
 * injective, holds only `[0-9a-f~]` (AMS's case-insensitive TAG match cannot confuse two), and
 * starts with the reserved prefix no app's namespace has.
 */
export function segmentNamespace(session: DocumentAddress): string {
  return `${ENCODED_PREFIX}h~${hex(session.namespace)}~${hex(session.userId ?? '')}~${hex(session.sessionId)}`;
}

/**
 * A segment's id: how it was made (`s` sealed, `m<class>` merged), the position of its first
 * event, and the write that made it.
 */
export function segmentId(kind: string, first: number, writeId: string): string {
  return `${ENCODED_PREFIX}${kind}~${first}~${writeId}`;
}

export interface Sealed {
  /** The recent events the document keeps. */
  tail: StoredEvent[];
  /** The segment list the document names. */
  segments: SegmentRef[];
}

export class HistorySegments {
  /**
   * @param cache where this store keeps segments it has read or written (one per store; tests pass
   * a smaller one).
   */
  constructor(
    private readonly documents: AmsDocuments,
    private readonly concurrency: number,
    private readonly cache = new SegmentCache(),
  ) {}

  /**
   * Seals what an append makes too old for the document (see the module comment): writes the new
   * segments and any merge, and returns what the document then holds. Nothing is written when the
   * tail is within bounds.
   */
  async seal(
    key: SessionKey,
    session: DocumentAddress,
    events: StoredEvent[],
    segments: readonly SegmentRef[],
    writeId: string,
  ): Promise<Sealed> {
    if (events.length <= TAIL_MAX) return { tail: events, segments: [...segments] };
    const cut = events.length - TAIL_KEEP;
    let first = segments.reduce((total, ref) => total + ref[1], 0);
    const pieces: { id: string; events: StoredEvent[] }[] = [];
    for (let start = 0; start < cut; start += SEGMENT_EVENTS) {
      const piece = events.slice(start, Math.min(cut, start + SEGMENT_EVENTS));
      pieces.push({ id: segmentId('s', first, writeId), events: piece });
      first += piece.length;
    }
    await mapWithConcurrency(pieces, this.concurrency, (piece) =>
      this.write(key, session, piece.id, piece.events),
    );
    const next = [...segments, ...pieces.map((piece) => refOf(piece.id, piece.events))];
    const known = new Map(pieces.map((piece) => [piece.id, piece.events]));
    return {
      tail: events.slice(cut),
      segments: await this.merge(key, session, next, writeId, known),
    };
  }

  /**
   * The events of `refs`, in order, the caller's to change. Each segment is checked to be this
   * session's and to hold the count its reference says, when it is fetched (cached ones were).
   * @throws SessionHistoryMissingError
   */
  async read(
    key: SessionKey,
    session: DocumentAddress,
    refs: readonly SegmentRef[],
  ): Promise<StoredEvent[]> {
    if (refs.length === 0) return [];
    const namespace = segmentNamespace(session);
    const parts = await mapWithConcurrency(refs, this.concurrency, async ([id, count]) => {
      const cached = this.cache.get(key, session, id, count);
      if (cached) return cached;
      const doc = await this.getNamed({ namespace, userId: session.userId, sessionId: id });
      if (!doc) throw new SessionHistoryMissingError(key, id, count, 'is not stored');
      const envelope = readSegmentEnvelope(doc);
      if (!envelope || !belongsTo(envelope, key) || envelope.events.length !== count) {
        throw new SessionHistoryMissingError(
          key,
          id,
          count,
          'does not hold them (not in a format this version reads, or other events)',
        );
      }
      this.cache.put(key, session, id, envelope.events);
      return envelope.events;
    });
    return parts.flat();
  }

  /**
   * A segment the session document names. It was acknowledged before it was named, so a 404 is
   * asked again before it counts: AMS 0.15.2 answers 404 for any error while reading a document
   * (its GET returns "not found" on an exception, e.g. a busy Redis connection pool), which the
   * bench's 64 concurrent sessions hit once.
   */
  private async getNamed(address: DocumentAddress): Promise<AmsWorkingMemory | undefined> {
    for (let attempt = 0; ; attempt++) {
      const doc = await this.documents.get(address);
      if (doc || attempt >= MISSING_SEGMENT_DELAYS_MS.length) return doc;
      await sleep(MISSING_SEGMENT_DELAYS_MS[attempt]);
    }
  }

  /**
   * Deletes every segment document of the session, including orphans and merged ones, and forgets
   * the ones this process keeps.
   */
  async deleteAll(key: SessionKey, session: DocumentAddress): Promise<void> {
    const namespace = segmentNamespace(session);
    try {
      const ids = await this.documents.list(namespace, undefined);
      await mapWithConcurrency(ids, this.concurrency, (id) =>
        this.documents.delete({ namespace, userId: session.userId, sessionId: id }),
      );
    } finally {
      this.cache.forget(key, session);
    }
  }

  /**
   * Merges the newest {@link MERGE_AT} segments while they are of one size class below the
   * largest, cascading. `known` holds the events of segments written in this append (not read
   * again).
   */
  private async merge(
    key: SessionKey,
    session: DocumentAddress,
    refs: SegmentRef[],
    writeId: string,
    known: Map<string, StoredEvent[]>,
  ): Promise<SegmentRef[]> {
    let result = refs;
    for (;;) {
      const run = result.slice(-MERGE_AT);
      if (run.length < MERGE_AT || run.some((ref) => ref[1] >= SEGMENT_EVENTS)) {
        return result;
      }
      const level = sizeClass(run[0]![1]);
      if (!run.every((ref) => sizeClass(ref[1]) === level)) return result;
      const unread = run.filter(([id]) => !known.has(id));
      const read = await this.read(key, session, unread);
      let at = 0;
      const events = run.flatMap(([id, count]) => {
        const held = known.get(id);
        if (held) return held;
        at += count;
        return read.slice(at - count, at);
      });
      const kept = result.slice(0, -MERGE_AT);
      const first = kept.reduce((total, ref) => total + ref[1], 0);
      const id = segmentId(`m${level + 1}`, first, writeId);
      await this.write(key, session, id, events);
      known.set(id, events);
      // The merged-away segments stay until the session is deleted: a concurrent reader or a
      // writer that lost a race may still hold a document that names them.
      result = [...kept, refOf(id, events)];
    }
  }

  private async write(
    key: SessionKey,
    session: DocumentAddress,
    id: string,
    events: StoredEvent[],
  ): Promise<void> {
    const address: DocumentAddress = {
      namespace: segmentNamespace(session),
      ...(session.userId !== undefined ? { userId: session.userId } : {}),
      sessionId: id,
    };
    const envelope: SegmentEnvelope = {
      v: FORMAT_VERSION,
      kind: 'segment',
      app: key.appName,
      user: key.userId,
      session: key.sessionId,
      events,
    };
    const data = emptyState();
    setOwn(data, ENVELOPE_KEY, envelope);
    // No messages (AMS starts no background task on the document) and no TTL: a segment must live
    // as long as the session document naming it, which every append renews.
    const body: AmsWorkingMemoryUpdate = {
      namespace: address.namespace,
      user_id: address.userId ?? null,
      messages: [],
      data: data as AmsWorkingMemoryUpdate['data'],
    };
    await this.documents.putAcknowledged(address, body, JSON.stringify(body), id);
    this.cache.put(key, session, id, events);
  }
}

function refOf(id: string, events: readonly StoredEvent[]): SegmentRef {
  let newest = -Infinity;
  for (const event of events) if (event.timestamp > newest) newest = event.timestamp;
  return [id, events.length, Number.isFinite(newest) ? newest : 0];
}

function belongsTo(envelope: SegmentEnvelope, key: SessionKey): boolean {
  return (
    envelope.app === key.appName &&
    envelope.user === key.userId &&
    envelope.session === key.sessionId
  );
}

/**
 * Which of `refs` a read needs for the events it returns: the suffix that covers the last
 * `numRecentEvents` (beyond the `inDocument` events the document holds), or, with only
 * `afterTimestamp`, those holding an event at or after it. Without either, all of them.
 */
export function segmentsFor(
  refs: readonly SegmentRef[],
  inDocument: number,
  window: ReadWindow | undefined,
): SegmentRef[] {
  const recent = window?.numRecentEvents;
  if (recent !== undefined && recent !== null) {
    let needed = recent - inDocument;
    let start = refs.length;
    while (needed > 0 && start > 0) needed -= refs[--start]![1];
    return refs.slice(start);
  }
  const after = window?.afterTimestamp;
  if (after !== undefined && after !== null) return refs.filter((ref) => ref[2] >= after);
  return [...refs];
}
