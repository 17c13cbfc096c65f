/**
 * Records too large for one session event. The service caps each event's metadata (Redis documents
 * about 16 KB), so a record whose metadata exceeds {@link RECORD_METADATA_BUDGET} is written as
 * part records, then itself:
 *
 * - each part record holds one slice of the JSON of the record's `adk_redis` value, with its index,
 *   the part count and the SHA-256 of the whole text, under {@link PART_KEY}; its `content` is
 *   empty, so the service's summaries and extraction, and the Python adk-redis (which skips events
 *   without text), see nothing of it;
 * - the record itself follows, with its readable `content` and the Python keys as always, and under
 *   `adk_redis` only the count, digest and size of its parts (and an empty state, so a version that
 *   predates parts reads the record as one without an event instead of failing).
 *
 * A reader rebuilds a record only from parts that precede it and match its digest: parts whose
 * record never arrived (an append that failed part-way) are ignored, and retried POSTs that stored
 * a part twice change nothing.
 */
import type { RamAddSessionEvent } from '../../clients/index.js';
import { isPlainObject } from '../../shared/json.js';
import { sha256 } from '../../shared/redis-agent-memory/ids.js';

/** The metadata key of a part record (not `adk_redis`: older readers skip it as text-less). */
export const PART_KEY = 'adk_redis_part';

/**
 * Largest metadata, in UTF-8 bytes of its JSON, this library sends in one record: a margin under
 * the documented limit ("about 16 KB"), whichever way a KB is counted.
 */
export const RECORD_METADATA_BUDGET = 15 * 1024;

/** How many part records one append posts at once. */
export const PART_CONCURRENCY = 8;

/** What a record that was split keeps of its parts, under `adk_redis.split`. */
export interface SplitMark {
  /** How many part records precede it. */
  count: number;
  /** SHA-256 (hex) of the JSON text the parts hold. */
  digest: string;
  /** Length of that text, in UTF-16 code units. */
  length: number;
}

interface PartMeta {
  v: 1;
  /** The ADK event id the parts belong to ('' for a session's creation record): for diagnosis. */
  of: string;
  digest: string;
  index: number;
  count: number;
  data: string;
}

/** A record split into its parts and the record that follows them. */
export interface SplitRecord {
  parts: RamAddSessionEvent[];
  record: RamAddSessionEvent;
}

/**
 * Splits `record` (whose metadata holds `payload` under `metaKey`) into part records and a record
 * that keeps `mark(split)` there instead.
 */
export function splitRecord(
  record: RamAddSessionEvent,
  metaKey: string,
  payloadText: string,
  mark: (split: SplitMark) => Record<string, unknown>,
  of: string,
): SplitRecord {
  const digest = sha256(payloadText);
  const shell = (index: number, count: number, data: string): RamAddSessionEvent => ({
    sessionId: record.sessionId,
    namespace: record.namespace,
    actorId: record.actorId,
    role: 'SYSTEM',
    content: [],
    createdAt: record.createdAt,
    metadata: {
      source: 'adk-redis',
      [PART_KEY]: { v: 1, of, digest, index, count, data } satisfies PartMeta,
    },
  });
  // The largest index and count a part can show are bounded by the text's length.
  const widest = payloadText.length;
  const overhead = jsonBytes(shell(widest, widest, '').metadata);
  const room = RECORD_METADATA_BUDGET - overhead;
  if (room < 64) throw new RangeError('the part record has no room for data');
  const slices = sliceByJsonBytes(payloadText, room);
  const parts = slices.map((data, index) => shell(index, slices.length, data));
  const metadata = { ...(record.metadata as Record<string, unknown>) };
  metadata[metaKey] = mark({ count: parts.length, digest, length: payloadText.length });
  return { parts, record: { ...record, metadata } };
}

/** UTF-8 bytes of a value's JSON. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
}

/**
 * Cuts `text` into slices whose JSON string forms (quotes excluded) take at most `room` UTF-8
 * bytes each, never between the two halves of a surrogate pair.
 */
export function sliceByJsonBytes(text: string, room: number): string[] {
  const slices: string[] = [];
  let start = 0;
  let used = 0;
  for (let i = 0; i < text.length;) {
    const code = text.charCodeAt(i);
    const pair =
      code >= 0xd800 &&
      code <= 0xdbff &&
      i + 1 < text.length &&
      (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    const width = pair ? 2 : 1;
    const cost = pair ? 4 : jsonCharBytes(code);
    if (used + cost > room && i > start) {
      slices.push(text.slice(start, i));
      start = i;
      used = 0;
    }
    used += cost;
    i += width;
  }
  if (start < text.length || slices.length === 0) slices.push(text.slice(start));
  return slices;
}

/** UTF-8 bytes JSON.stringify spends on one UTF-16 code unit (not half of a valid pair). */
function jsonCharBytes(code: number): number {
  if (code === 0x22 || code === 0x5c) return 2; // \" and \\
  if (code < 0x20)
    return code === 8 || code === 9 || code === 10 || code === 12 || code === 13 ? 2 : 6;
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code <= 0xdfff) return 6; // a lone surrogate is escaped as \uXXXX
  return 3;
}

/** The parts seen so far in a session's records, by digest and index (the first copy wins). */
export class PartCollector {
  private readonly slices = new Map<string, string>();

  /**
   * Takes a record's metadata part, if it is one: true when `meta` holds a part (read or not).
   */
  take(meta: Record<string, unknown> | undefined): boolean {
    const part = meta?.[PART_KEY];
    if (part === undefined) return false;
    if (isPartMeta(part)) {
      const id = `${part.digest}:${part.index}`;
      if (!this.slices.has(id)) this.slices.set(id, part.data);
    }
    return true;
  }

  /** The JSON text of a split record, or undefined when a part is missing or does not match. */
  assemble(split: SplitMark): string | undefined {
    const slices: string[] = [];
    for (let index = 0; index < split.count; index++) {
      const slice = this.slices.get(`${split.digest}:${index}`);
      if (slice === undefined) return undefined;
      slices.push(slice);
    }
    const text = slices.join('');
    return text.length === split.length && sha256(text) === split.digest ? text : undefined;
  }
}

function isPartMeta(value: unknown): value is PartMeta {
  return (
    isPlainObject(value) &&
    value.v === 1 &&
    typeof value.digest === 'string' &&
    typeof value.data === 'string' &&
    Number.isInteger(value.index) &&
    Number.isInteger(value.count) &&
    (value.index as number) >= 0 &&
    (value.index as number) < (value.count as number)
  );
}

/** Whether a value is a {@link SplitMark}. */
export function isSplitMark(value: unknown): value is SplitMark {
  return (
    isPlainObject(value) &&
    Number.isInteger(value.count) &&
    (value.count as number) > 0 &&
    typeof value.digest === 'string' &&
    Number.isInteger(value.length)
  );
}
