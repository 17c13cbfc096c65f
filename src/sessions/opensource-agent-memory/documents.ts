/**
 * The working-memory document of one ADK session, and the reserved app and user state documents.
 *
 * A session document keeps the recent conversation as AMS messages (one per event with visible
 * text: id = event id, role, text, `created_at` = event time) so AMS's memory features and the
 * Python adk-redis read it, and everything ADK-only in `data`: the session's state as top-level
 * keys (as the Python adk-redis stores it) and one reserved key, {@link ENVELOPE_KEY}, holding the
 * revision, the millisecond times, the state entries that cannot be top-level keys (AMS 0.15.2
 * rejects a top-level `null`), the most recent events in full, and the index of the sealed history
 * segments that hold the older ones (format 2, see segments.ts). Format 1 documents hold every
 * event in the envelope; they are read as they are and rewritten in format 2 by the next append.
 */
import type { AmsWorkingMemory } from '../../clients/index.js';
import { isPlainObject, setOwn } from '../../shared/json.js';
import type { StoredEvent } from '../events.js';
import { emptyState, type StateMap } from '../state.js';

/** The reserved `data` key of every document this library writes. */
export const ENVELOPE_KEY = 'adk_redis';
/** The format this version writes; format 1 (every event in the envelope) is still read. */
export const FORMAT_VERSION = 2;
const isFormat = (value: unknown): boolean => value === 1 || value === FORMAT_VERSION;

// Documents are checked by hand, not with zod: a zod object copies what it checks, and these checks
// run on every read and on the echo of every write (they showed in the per-append overhead).

type Check = (value: unknown) => boolean;
const isString: Check = (value) => typeof value === 'string';
const isCount: Check = (value) => Number.isInteger(value) && (value as number) >= 0;
const isNumber: Check = (value) => typeof value === 'number';
const optional =
  (check: Check): Check =>
  (value) =>
    value === undefined || check(value);
const nullish =
  (check: Check): Check =>
  (value) =>
    value === undefined || value === null || check(value);

/** The first field of `value` that fails its check, or undefined when all pass. */
function firstFailing(value: Record<string, unknown>, checks: Record<string, Check>) {
  for (const [field, check] of Object.entries(checks)) if (!check(value[field])) return field;
  return undefined;
}

/** `[document id, event count, newest event timestamp]`, checked by hand like the rest. */
const isSegmentRef: Check = (value) =>
  Array.isArray(value) &&
  value.length === 3 &&
  typeof value[0] === 'string' &&
  Number.isInteger(value[1]) &&
  (value[1] as number) > 0 &&
  typeof value[2] === 'number';

const SESSION_ENVELOPE_FIELDS: Record<string, Check> = {
  v: isFormat,
  kind: (value) => value === 'session',
  app: isString,
  user: isString,
  session: isString,
  revision: isCount,
  writeId: optional(isString),
  createdAt: isNumber,
  lastUpdateTime: isNumber,
  events: Array.isArray,
  segments: optional((value) => Array.isArray(value) && value.every(isSegmentRef)),
  state: isPlainObject,
};

const SEGMENT_ENVELOPE_FIELDS: Record<string, Check> = {
  v: (value) => value === FORMAT_VERSION,
  kind: (value) => value === 'segment',
  app: isString,
  user: isString,
  session: isString,
  events: Array.isArray,
};

const SCOPE_ENVELOPE_FIELDS: Record<string, Check> = {
  // Scope documents never changed format: they are written as format 1.
  v: (value) => value === 1,
  kind: (value) => value === 'app' || value === 'user',
  revision: isCount,
  state: isPlainObject,
};

const WORKING_MEMORY_FIELDS: Record<string, Check> = {
  session_id: isString,
  namespace: nullish(isString),
  user_id: nullish(isString),
  messages: optional(Array.isArray),
  data: nullish(isPlainObject),
  updated_at: optional(isString),
};

const MESSAGE_FIELDS: Record<string, Check> = {
  id: isString,
  role: isString,
  content: isString,
  created_at: isString,
};

/**
 * A sealed history segment as the session envelope names it: the segment document's session id,
 * how many events it holds, and the newest timestamp among them (for `afterTimestamp` reads).
 */
export type SegmentRef = [id: string, count: number, newest: number];

/** The ADK part of a session document. */
export interface SessionEnvelope {
  /** 1: every event in `events`; 2: the recent events in `events`, older ones in `segments`. */
  v: 1 | typeof FORMAT_VERSION;
  kind: 'session';
  /** The caller's ids, unmapped. */
  app: string;
  user: string;
  session: string;
  revision: number;
  /**
   * Random per write: two writers that both wrote revision n (a lost update AMS cannot prevent)
   * still leave different marks, so the loser's next append is refused as stale.
   */
  writeId?: string;
  createdAt: number;
  lastUpdateTime: number;
  /** The most recent events (format 2), or all of them (format 1). */
  events: StoredEvent[];
  /** The sealed segments holding the events before `events`, oldest first (format 2). */
  segments?: SegmentRef[];
  /** State entries that cannot be top-level `data` keys (null values, the reserved key). */
  state: StateMap;
}

/** The ADK part of a sealed history segment document. */
export interface SegmentEnvelope {
  v: typeof FORMAT_VERSION;
  kind: 'segment';
  app: string;
  user: string;
  session: string;
  events: StoredEvent[];
}

/** The ADK part of an app or user state document. */
export interface ScopeEnvelope {
  v: 1;
  kind: 'app' | 'user';
  revision: number;
  state: StateMap;
}

/**
 * Where a working-memory document from AMS is not in the shape this library reads (`messages.3.id`),
 * or undefined when it is. Checked before anything is read from it; other fields pass untouched.
 */
export function workingMemoryProblem(data: unknown): string | undefined {
  if (!isPlainObject(data)) return 'body';
  const field = firstFailing(data, WORKING_MEMORY_FIELDS);
  if (field !== undefined) return field;
  const messages = data.messages as unknown[] | undefined;
  for (let i = 0; i < (messages?.length ?? 0); i++) {
    const message = messages![i];
    if (!isPlainObject(message)) return `messages.${i}`;
    const failing = firstFailing(message, MESSAGE_FIELDS);
    if (failing !== undefined) return `messages.${i}.${failing}`;
  }
  return undefined;
}

/** Thrown when a stored document is not in a shape this library can read. */
export class UnreadableDocumentError extends Error {}

/** The envelope of a session document, undefined when another writer stored it (no ADK data). */
export function readSessionEnvelope(doc: AmsWorkingMemory): SessionEnvelope | undefined {
  const raw = doc.data?.[ENVELOPE_KEY];
  if (raw === undefined) return undefined;
  const field = isPlainObject(raw) ? firstFailing(raw, SESSION_ENVELOPE_FIELDS) : 'envelope';
  const problem =
    field === undefined
      ? (raw as { events: unknown[] }).events.findIndex((event) => !isStoredEvent(event))
      : -1;
  if (field !== undefined || problem >= 0) {
    const why =
      field === undefined
        ? `event ${problem} has no string id or numeric timestamp`
        : `${field} is missing or not valid`;
    throw new UnreadableDocumentError(
      `its "${ENVELOPE_KEY}" data is not in a format this version reads (${why})`,
    );
  }
  return raw as unknown as SessionEnvelope;
}

function isStoredEvent(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as { id?: unknown; timestamp?: unknown };
  return typeof event.id === 'string' && typeof event.timestamp === 'number';
}

/** The envelope of a segment document, undefined when it holds none in a format this version reads. */
export function readSegmentEnvelope(doc: AmsWorkingMemory): SegmentEnvelope | undefined {
  const raw = doc.data?.[ENVELOPE_KEY];
  if (!isPlainObject(raw) || firstFailing(raw, SEGMENT_ENVELOPE_FIELDS) !== undefined) {
    return undefined;
  }
  const events = raw.events as unknown[];
  return events.every(isStoredEvent) ? (raw as unknown as SegmentEnvelope) : undefined;
}

/** The envelope of an app or user state document (an empty one when the document is missing). */
export function readScopeEnvelope(
  doc: AmsWorkingMemory | undefined,
  kind: 'app' | 'user',
): ScopeEnvelope {
  const raw = doc?.data?.[ENVELOPE_KEY];
  if (raw === undefined) return { v: 1, kind, revision: 0, state: emptyState() };
  if (
    !isPlainObject(raw) ||
    firstFailing(raw, SCOPE_ENVELOPE_FIELDS) !== undefined ||
    raw.kind !== kind
  ) {
    throw new UnreadableDocumentError(
      `its ${kind}-state data is not in a format this version reads`,
    );
  }
  const envelope = raw as unknown as ScopeEnvelope;
  // Parsed for this read alone: callers copy before they change it (mergeScopes, applyDelta).
  return envelope;
}

/** The session's own state: top-level `data` keys plus the envelope's extra entries. */
export function readSessionState(doc: AmsWorkingMemory, envelope?: SessionEnvelope): StateMap {
  const state = emptyState();
  for (const [key, value] of Object.entries(doc.data ?? {})) {
    if (key !== ENVELOPE_KEY) setOwn(state, key, value);
  }
  if (envelope)
    for (const [key, value] of Object.entries(envelope.state)) setOwn(state, key, value);
  return state;
}

/** `data` for a session document: state keys at the top level where AMS allows, the envelope beside. */
export function sessionData(
  state: StateMap,
  envelope: Omit<SessionEnvelope, 'state'>,
): Record<string, unknown> {
  const data = emptyState();
  const extra = emptyState();
  for (const [key, value] of Object.entries(state)) {
    if (value === null || key === ENVELOPE_KEY) setOwn(extra, key, value);
    else setOwn(data, key, value);
  }
  setOwn(data, ENVELOPE_KEY, { ...envelope, state: extra });
  return data;
}

/** `data` for an app or user state document. */
export function scopeData(envelope: ScopeEnvelope): Record<string, unknown> {
  const data = emptyState();
  setOwn(data, ENVELOPE_KEY, envelope);
  return data;
}

/** Upserts an event by id, keeping its position when it exists. */
export function upsertEvent(events: StoredEvent[], event: StoredEvent): StoredEvent[] {
  const index = events.findIndex((e) => e.id === event.id);
  if (index < 0) return [...events, event];
  return events.map((e, i) => (i === index ? event : e));
}

/**
 * The revision mark of a session document: its counter and the id of the write that set it, and,
 * when other clients (the Python adk-redis, AMS clients) added messages since, how many and the
 * last one's id. A live session loaded before such a write then no longer matches the stored mark
 * and its next append is refused as stale, as for any other writer; one loaded after it matches.
 */
export function revisionMark(
  envelope: Pick<SessionEnvelope, 'revision' | 'writeId' | 'events'> | undefined,
  doc?: AmsWorkingMemory,
): string {
  const base = envelope ? `${envelope.revision}/${envelope.writeId ?? ''}` : '0/';
  const messages = doc?.messages;
  if (!messages?.length) return base;
  const ours = new Set(envelope?.events.map((event) => event.id));
  let foreign = 0;
  let last = '';
  for (const message of messages) {
    if (ours.has(message.id ?? '')) continue;
    foreign++;
    last = message.id ?? '';
  }
  return foreign === 0 ? base : `${base}/+${foreign}:${last}`;
}

export {
  documentCreatedAt,
  documentEvents,
  documentLastUpdateTime,
  markHandled,
  toAdkEvents,
  upsertMessage,
} from './messages.js';
