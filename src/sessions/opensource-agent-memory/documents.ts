/**
 * The working-memory document of one ADK session, and the reserved app and user state documents.
 *
 * A session document keeps the conversation as AMS messages (one per event with visible text: id =
 * event id, role, text, `created_at` = event time) so AMS's memory features read it, and everything
 * ADK-only in `data`: the session's state as top-level keys (as the Python adk-redis stores it) and
 * one reserved key, {@link ENVELOPE_KEY}, holding every event in full, the revision, the millisecond
 * times, and the state entries that cannot be top-level keys (AMS 0.15.2 rejects a top-level `null`).
 */
import type { Event } from '@google/adk';
import type { AmsMemoryMessage, AmsWorkingMemory } from '../../clients/index.js';
import { textEvent } from '../../shared/content.js';
import { isPlainObject, setOwn } from '../../shared/json.js';
import { fromStoredEvent, type StoredEvent } from '../events.js';
import { emptyState, type StateMap } from '../state.js';

/** The reserved `data` key of every document this library writes. */
export const ENVELOPE_KEY = 'adk_redis';
const FORMAT_VERSION = 1;

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

const SESSION_ENVELOPE_FIELDS: Record<string, Check> = {
  v: (value) => value === FORMAT_VERSION,
  kind: (value) => value === 'session',
  app: isString,
  user: isString,
  session: isString,
  revision: isCount,
  writeId: optional(isString),
  createdAt: isNumber,
  lastUpdateTime: isNumber,
  events: Array.isArray,
  state: isPlainObject,
};

const SCOPE_ENVELOPE_FIELDS: Record<string, Check> = {
  v: (value) => value === FORMAT_VERSION,
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

/** The ADK part of a session document. */
export interface SessionEnvelope {
  v: typeof FORMAT_VERSION;
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
  events: StoredEvent[];
  /** State entries that cannot be top-level `data` keys (null values, the reserved key). */
  state: StateMap;
}

/** The ADK part of an app or user state document. */
export interface ScopeEnvelope {
  v: typeof FORMAT_VERSION;
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

/** The envelope of an app or user state document (an empty one when the document is missing). */
export function readScopeEnvelope(
  doc: AmsWorkingMemory | undefined,
  kind: 'app' | 'user',
): ScopeEnvelope {
  const raw = doc?.data?.[ENVELOPE_KEY];
  if (raw === undefined) return { v: FORMAT_VERSION, kind, revision: 0, state: emptyState() };
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

const epochMs = (iso: string | undefined): number | undefined => {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
};

/**
 * Every event of a session document, in order: the envelope's events, with messages other writers
 * added (the Python adk-redis, AMS clients) placed where they stand among ours, as text events.
 */
export function documentEvents(
  doc: AmsWorkingMemory,
  envelope: SessionEnvelope | undefined,
  appName: string,
): StoredEvent[] {
  const ours = envelope?.events ?? [];
  const known = new Set(ours.map((event) => event.id));
  const result: StoredEvent[] = [];
  let next = 0;
  for (const message of doc.messages ?? []) {
    const id = message.id ?? '';
    if (known.has(id)) {
      while (next < ours.length) {
        const event = ours[next++]!;
        result.push(event);
        if (event.id === id) break;
      }
    } else if (message.content.trim() !== '') {
      result.push(
        JSON.parse(
          JSON.stringify(
            textEvent({
              id: id || `ams-${result.length}`,
              role: message.role,
              text: message.content,
              timestamp: epochMs(message.created_at) ?? 0,
              appName,
            }),
          ),
        ) as StoredEvent,
      );
    }
  }
  while (next < ours.length) result.push(ours[next++]!);
  return result;
}

/**
 * The stored events as ADK events. A document fresh from the network is ours alone, so its
 * events are handed out as they are; `copy` clones them when the document is also kept (the
 * single-writer cache), so a caller's changes cannot reach what the next write sends.
 */
export function toAdkEvents(events: StoredEvent[], copy: boolean): Event[] {
  return copy ? events.map(fromStoredEvent) : (events as unknown as Event[]);
}

/** When the session last changed: ours in ms, or the newest foreign message, or AMS's `updated_at`. */
export function documentLastUpdateTime(
  doc: AmsWorkingMemory,
  envelope: SessionEnvelope | undefined,
): number {
  const ours = new Set(envelope?.events.map((e) => e.id));
  const foreign = (doc.messages ?? [])
    .filter((m) => m.id === undefined || !ours.has(m.id))
    .map((m) => epochMs(m.created_at) ?? 0);
  const newestForeign = foreign.length ? Math.max(...foreign) : undefined;
  if (envelope) return Math.max(envelope.lastUpdateTime, newestForeign ?? -Infinity);
  return newestForeign ?? epochMs(doc.updated_at) ?? 0;
}

/** Creation time in ms: ours, or AMS's `created_at`. */
export function documentCreatedAt(
  doc: AmsWorkingMemory,
  envelope: SessionEnvelope | undefined,
): number {
  return envelope?.createdAt ?? epochMs(doc.created_at) ?? 0;
}

/**
 * Upserts the conversation record of an event into the messages, keeping every other message and
 * every server-owned field (`persisted_at`, `discrete_memory_extracted`) as read.
 */
export function upsertMessage(
  messages: AmsMemoryMessage[],
  eventId: string,
  record: { role: string; content: string; createdAt: string } | undefined,
): AmsMemoryMessage[] {
  const index = messages.findIndex((m) => m.id === eventId);
  if (!record) return index < 0 ? messages : messages.filter((_, i) => i !== index);
  const updated: AmsMemoryMessage = {
    ...(index >= 0 ? messages[index] : {}),
    id: eventId,
    role: record.role,
    content: record.content,
    created_at: record.createdAt,
  };
  if (index < 0) return [...messages, updated];
  return messages.map((m, i) => (i === index ? updated : m));
}

/**
 * The messages as a session write sends them: each one marked as already handled by AMS's
 * background tasks, `discrete_memory_extracted: "t"` and `persisted_at` (set to `at` where unset).
 *
 * AMS rewrites a session document behind its writers' backs when a write leaves a message
 * unhandled: discrete extraction (on by default) reads the document, waits for its LLM, and writes
 * back what it read; with `INDEX_ALL_MESSAGES_IN_LONG_TERM_MEMORY` the promotion task does the same
 * around indexing. Either erases appends that land in between. A write whose messages are all
 * marked starts neither, so the document only changes when this library writes it. Messages other
 * clients added are marked too: one unmarked message is enough to start the rewrite. Long-term
 * memory comes from this library's memory service instead (README, "Server settings on AMS").
 */
export function markHandled(messages: AmsMemoryMessage[], at: string): AmsMemoryMessage[] {
  let result: AmsMemoryMessage[] | undefined;
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    if (message.discrete_memory_extracted === 't' && message.persisted_at) continue;
    result ??= messages.slice();
    result[i] = {
      ...message,
      discrete_memory_extracted: 't',
      persisted_at: message.persisted_at || at,
    };
  }
  return result ?? messages;
}

/** Upserts an event by id, keeping its position when it exists. */
export function upsertEvent(events: StoredEvent[], event: StoredEvent): StoredEvent[] {
  const index = events.findIndex((e) => e.id === event.id);
  if (index < 0) return [...events, event];
  return events.map((e, i) => (i === index ? event : e));
}

/** The revision mark of a session document: its counter and the id of the write that set it. */
export function revisionMark(
  envelope: Pick<SessionEnvelope, 'revision' | 'writeId'> | undefined,
): string {
  return envelope ? `${envelope.revision}/${envelope.writeId ?? ''}` : '0/';
}
