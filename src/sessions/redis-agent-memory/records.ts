/**
 * How ADK sessions are written as Redis Agent Memory session events, and read back.
 *
 * Every ADK event is one session event: its visible text parts as `content` (one text item each,
 * so the service's extraction and summaries read the conversation), or a short readable stand-in
 * when it has none; role USER / ASSISTANT / SYSTEM; `createdAt` from the event. `metadata` holds
 * the Python adk-redis's keys (so it reads our sessions) and ours under `adk_redis`: the full event
 * with its text parts pointing into `content`, the effective session-state change, and the time
 * in ms. A created session starts with one marker event that reads back as no ADK event.
 *
 * Each event record also carries a checkpoint: the whole session state after it. The service's
 * summarisation folds the oldest events into its summary and may remove them, creation marker
 * included; a reader that finds the marker gone starts from the first retained checkpoint instead,
 * so the state survives as long as one record does. With the marker present, the changes are
 * folded one by one as before (two writers that raced both keep their changes).
 *
 * Text parts go to `content` up to {@link CONTENT_BUDGET}; a longer one stays in the event and
 * `content` shows its beginning. A record whose metadata is over the per-event limit is written as
 * part records before it (see parts.ts).
 */
import { z } from 'zod';
import type { Event } from '@google/adk';
import type { RamAddSessionEvent, RamSessionEvent, RamSessionMemory } from '../../clients/index.js';
import { SessionIdCollisionError, type SessionKey } from '../errors.js';
import { conversationRole, textEvent } from '../../shared/content.js';
import { isPlainObject, plainObjectSchema, setOwn } from '../../shared/json.js';
import type { StoredEvent } from '../events.js';
import { applyDelta, emptyState, type StateMap } from '../state.js';
import type { RetentionNote } from '../store.js';
import {
  PartCollector,
  RECORD_METADATA_BUDGET,
  isSplitMark,
  jsonBytes,
  splitRecord,
  type SplitMark,
  type SplitRecord,
} from './parts.js';

/** The reserved metadata key of everything this library writes. */
export const METADATA_KEY = 'adk_redis';
const SOURCE = 'adk-redis';

type Part = Record<string, unknown> & { text?: unknown; thought?: unknown };

// Validation only: the input objects are used as they are, so `__proto__` keys stay own keys.
/** Our metadata on a session's record (the creation marker or an event). */
interface SessionMeta {
  v: 1;
  kind: 'created' | 'event';
  ts: number;
  state: StateMap;
  /** Session-state keys the event removed (JSON cannot hold an `undefined` value). */
  removed?: string[];
  /** The whole session state after this record, as its writer saw it (event records). */
  checkpoint?: StateMap;
  event?: Record<string, unknown> & { id: string };
  textParts?: number[];
  /** Set when the fields above are in part records (state is then empty here). */
  split?: SplitMark;
}

/**
 * Checked by hand, once per record of every read: a zod object per record showed in reads of
 * long sessions (10,000 records).
 */
function isSessionMeta(value: unknown): value is SessionMeta {
  const meta = asObject(value);
  return (
    meta !== undefined &&
    meta.v === 1 &&
    (meta.kind === 'created' || meta.kind === 'event') &&
    typeof meta.ts === 'number' &&
    isPlainObject(meta.state) &&
    (meta.removed === undefined ||
      (Array.isArray(meta.removed) && meta.removed.every((k) => typeof k === 'string'))) &&
    (meta.checkpoint === undefined || isPlainObject(meta.checkpoint)) &&
    (meta.event === undefined || typeof asObject(meta.event)?.id === 'string') &&
    (meta.textParts === undefined ||
      (Array.isArray(meta.textParts) &&
        meta.textParts.every((i) => Number.isInteger(i) && (i as number) >= 0))) &&
    (meta.split === undefined || isSplitMark(meta.split))
  );
}
const scopeMetaSchema = z.object({
  v: z.literal(1),
  kind: z.enum(['app-state', 'user-state', 'user']),
  delta: plainObjectSchema.optional(),
  user: z.string().optional(),
});
/** Where the session lives and who writes it, as sent on every event. */
export interface EventAddress {
  sessionId: string;
  namespace: string;
  /** The user's actor id (owner of the session, from its first event). */
  userActor: string;
  /** Maps an author to an actor id. */
  actorOf: (author: string) => string;
  /** Python-compatible metadata values. */
  pythonNamespace: string;
}

/** A session as read from its events. */
export interface ParsedSession {
  events: Event[];
  state: StateMap;
  createdAt: number;
  lastUpdateTime: number;
  /**
   * How many records the session has ever had, and the last one's id: two writers that both
   * appended after the same read each see a count they did not expect on their next check.
   */
  revision: string;
  retention?: RetentionNote;
}

const pythonMetadata = (key: SessionKey, address: EventAddress): Record<string, unknown> => ({
  source: SOURCE,
  namespace: address.pythonNamespace,
  app_name: key.appName,
  user_id: key.userId,
  adk_session_id: key.sessionId,
});

/** The marker event of a created session, holding its initial session state. */
export function creationRecord(
  key: SessionKey,
  address: EventAddress,
  state: StateMap,
  now: number,
): RamAddSessionEvent {
  return {
    sessionId: address.sessionId,
    namespace: address.namespace,
    actorId: address.userActor,
    role: 'SYSTEM',
    content: [{ text: '(session created)' }],
    createdAt: new Date(now).toISOString(),
    metadata: {
      ...pythonMetadata(key, address),
      ...(Object.keys(state).length ? { state_delta: state } : {}),
      [METADATA_KEY]: { v: 1, kind: 'created', ts: now, state },
    },
  };
}

/** The session event for an ADK event. */
export function eventRecord(
  key: SessionKey,
  address: EventAddress,
  event: StoredEvent,
  change: {
    sessionDelta: StateMap;
    removed: string[];
    pythonDelta: StateMap;
    /** The session state after the event. */
    checkpoint: StateMap;
  },
): RamAddSessionEvent {
  // Copies only what loses its text below; the rest is shared with `event` and sent as it is.
  const source = event as StoredEvent & { content?: { role?: string; parts?: Part[] } };
  const stored: typeof source = isPlainObject(source.content)
    ? {
        ...source,
        content: {
          ...source.content,
          ...(Array.isArray(source.content.parts)
            ? {
                parts: source.content.parts.map((part) =>
                  isPlainObject(part) ? { ...part } : part,
                ),
              }
            : {}),
        },
      }
    : source;
  const texts: { text: string }[] = [];
  const textParts: number[] = [];
  let room = CONTENT_BUDGET;
  stored.content?.parts?.forEach((part, index) => {
    if (typeof part.text === 'string' && part.text.trim() !== '' && part.thought !== true) {
      const bytes = jsonBytes(part.text);
      if (bytes > room) {
        // Too long for content: the text stays in the event; content shows its beginning.
        texts.push({ text: excerpt(part.text) });
        room = 0;
        return;
      }
      room -= bytes;
      texts.push({ text: part.text });
      textParts.push(index);
      delete part.text;
    }
  });
  const author = typeof event.author === 'string' ? event.author : '';
  return {
    sessionId: address.sessionId,
    namespace: address.namespace,
    actorId: author === 'user' ? address.userActor : address.actorOf(author || key.appName),
    role: roleOf(event as unknown as Event),
    content: texts.length ? texts : [{ text: standIn(event as unknown as Event) }],
    createdAt: new Date(
      Number.isFinite(event.timestamp) ? event.timestamp : Date.now(),
    ).toISOString(),
    metadata: {
      ...pythonMetadata(key, address),
      adk_event_id: event.id,
      adk_author: author || null,
      ...(Object.keys(change.pythonDelta).length ? { state_delta: change.pythonDelta } : {}),
      [METADATA_KEY]: {
        v: 1,
        kind: 'event',
        ts: event.timestamp,
        state: change.sessionDelta,
        ...(change.removed.length ? { removed: change.removed } : {}),
        checkpoint: change.checkpoint,
        event: stored,
        textParts,
      },
    },
  };
}

/**
 * The most text, in UTF-8 bytes of its JSON, an event record carries as `content`: the visible
 * conversation, well under a request body limit (the fake's is 1 MiB; the service documents none).
 */
export const CONTENT_BUDGET = 256 * 1024;
const EXCERPT_CHARS = 2000;

/** The beginning of a text too long for `content`, marked as such. */
function excerpt(text: string): string {
  let end = Math.min(EXCERPT_CHARS, text.length);
  if (end > 0 && end < text.length && (text.charCodeAt(end - 1) & 0xfc00) === 0xd800) end--;
  return `${text.slice(0, end)} … (${text.length - end} more characters in the stored event)`;
}

/**
 * Splits a session record whose metadata is over {@link RECORD_METADATA_BUDGET} (see
 * {@link encodeRecord}): its `adk_redis` value moves to part records. When even the rest is over (a large Python `state_delta`), that
 * copy is left out: the Python package then misses that state change, this library does not.
 * @throws RangeError when the record cannot fit at all (ids and author alone over the budget).
 */
export function fitRecord(record: RamAddSessionEvent, of: string): SplitRecord {
  const metadata = record.metadata as Record<string, unknown>;
  const ours = metadata[METADATA_KEY] as Record<string, unknown>;
  const payloadText = JSON.stringify(ours);
  // What stays: the kind and time, an empty state where a session record has one, and the
  // checkpoint when it fits (it then survives the loss of the parts to summarisation).
  const mark = (withCheckpoint: boolean) => (split: SplitMark) => ({
    v: 1,
    kind: ours.kind,
    ...('ts' in ours ? { ts: ours.ts } : {}),
    ...('state' in ours ? { state: {} } : {}),
    ...(withCheckpoint && 'checkpoint' in ours ? { checkpoint: ours.checkpoint } : {}),
    split,
  });
  const withoutPython = { ...metadata };
  delete withoutPython.state_delta;
  // In order of preference: everything; our checkpoint over the Python copy of the change; the
  // Python copy over our checkpoint; neither (this library still reads both from the parts).
  const attempts: [Record<string, unknown>, boolean][] = [
    [metadata, true],
    [withoutPython, true],
    [metadata, false],
    [withoutPython, false],
  ];
  for (const [meta, withCheckpoint] of attempts) {
    const fitted = splitRecord(
      { ...record, metadata: meta },
      METADATA_KEY,
      payloadText,
      mark(withCheckpoint),
      of,
    );
    if (jsonBytes(fitted.record.metadata) <= RECORD_METADATA_BUDGET) return fitted;
  }
  throw new RangeError('the record does not fit in one event even without its payload');
}

/** A record of an app or user state change, or of a user of the app (for listing). */
export function scopeRecord(
  sessionId: string,
  namespace: string,
  actorId: string,
  meta: { kind: 'app-state' | 'user-state'; delta: StateMap } | { kind: 'user'; user: string },
): RamAddSessionEvent {
  return {
    sessionId,
    namespace,
    actorId,
    role: 'SYSTEM',
    content: [{ text: meta.kind === 'user' ? '(user registered)' : '(state update)' }],
    createdAt: new Date().toISOString(),
    metadata: { source: SOURCE, [METADATA_KEY]: { v: 1, ...meta } },
  };
}

function roleOf(event: Event): RamAddSessionEvent['role'] {
  const role = conversationRole(event);
  return role === 'user' ? 'USER' : role === 'system' ? 'SYSTEM' : 'ASSISTANT';
}

/** A short readable line for an event without text. */
function standIn(event: Event): string {
  const parts = event.content?.parts ?? [];
  const calls = parts.flatMap((p) => (p.functionCall?.name ? [p.functionCall.name] : []));
  if (calls.length) return `(function call: ${calls.join(', ')})`;
  const responses = parts.flatMap((p) =>
    p.functionResponse?.name ? [p.functionResponse.name] : [],
  );
  if (responses.length) return `(function response: ${responses.join(', ')})`;
  if (parts.some((p) => p.executableCode)) return '(code execution)';
  if (parts.some((p) => p.codeExecutionResult)) return '(code execution result)';
  if (parts.some((p) => p.inlineData || p.fileData)) return '(file)';
  if (Object.keys(event.actions?.stateDelta ?? {}).length) return '(state update)';
  return `(event from ${event.author ?? 'agent'})`;
}

/** A record's JSON text, and the bytes of its metadata as sent (the service limits them). */
export function encodeRecord(record: RamAddSessionEvent): { text: string; metadataBytes: number } {
  const { metadata, ...rest } = record;
  const metadataText = JSON.stringify(metadata ?? null);
  const restText = JSON.stringify(rest);
  // The metadata is serialised once, for the size check and the body alike.
  const text =
    metadata === undefined
      ? restText
      : `${restText.slice(0, -1)}${restText.length > 2 ? ',' : ''}"metadata":${metadataText}}`;
  return { text, metadataBytes: Buffer.byteLength(metadataText, 'utf8') };
}

/** Checks a response's shape before reading it. */
export function checkSessionResponse(data: unknown): string | undefined {
  // By hand: a zod object per event copies every event, which showed in reads of long sessions.
  const events = asObject(data)?.events;
  if (!Array.isArray(events)) return 'events: expected an array';
  for (let i = 0; i < events.length; i++) {
    const event = asObject(events[i]);
    if (!event) return `events.${i}: expected an object`;
    for (const field of ['eventId', 'role', 'createdAt'] as const) {
      if (typeof event[field] !== 'string') return `events.${i}.${field}: expected a string`;
    }
    const content: unknown = event.content;
    if (!Array.isArray(content)) return `events.${i}.content: expected an array`;
    for (let j = 0; j < content.length; j++) {
      if (typeof asObject(content[j])?.text !== 'string') {
        return `events.${i}.content.${j}.text: expected a string`;
      }
    }
  }
  return undefined;
}

const ownerOf = (meta: Record<string, unknown> | undefined): Partial<SessionKey> | undefined => {
  if (!meta) return undefined;
  const appName = typeof meta.app_name === 'string' ? meta.app_name : undefined;
  const userId = typeof meta.user_id === 'string' ? meta.user_id : undefined;
  const sessionId = typeof meta.adk_session_id === 'string' ? meta.adk_session_id : undefined;
  if (appName === undefined && userId === undefined && sessionId === undefined) return undefined;
  return { appName, userId, sessionId };
};

const asObject = (value: unknown): Record<string, unknown> | undefined =>
  isPlainObject(value) ? value : undefined;

/**
 * Whether a record's owner (see {@link storedKeyOf}) is another ADK session than `key`: a
 * sanitising collision of two keys on one storage id.
 */
export function namesAnotherKey(
  owner: Partial<SessionKey> | undefined,
  key: SessionKey,
): owner is Partial<SessionKey> {
  return (
    owner !== undefined &&
    (owner.appName !== key.appName ||
      owner.userId !== key.userId ||
      owner.sessionId !== key.sessionId)
  );
}

/** Which key a stored session's records name (from the first that names one). */
export function storedKeyOf(data: RamSessionMemory): Partial<SessionKey> | undefined {
  for (const raw of data.events) {
    const owner = ownerOf(asObject(raw.metadata));
    if (owner) return owner;
  }
  return undefined;
}

/** Thrown by {@link parseSession} for metadata under our key that this version cannot read. */
export class UnreadableRecordError extends Error {}

/**
 * Reads a session from its events: ADK events deduplicated by id (first place, last content), the
 * session state, times, revision and any retention note.
 * @throws SessionIdCollisionError when a record names another session.
 */
export function parseSession(
  data: RamSessionMemory,
  key: SessionKey,
  options: { events?: boolean } = {},
): ParsedSession {
  // Without events (a listing, a stale check), records are still checked and folded into the
  // state and times, but no ADK event is rebuilt.
  const withEvents = options.events ?? true;
  const order: string[] = [];
  const byId = new Map<string, Event>();
  const state = emptyState();
  let createdAt: number | undefined;
  let lastUpdateTime = 0;
  const upsert = (event: Event): void => {
    if (!byId.has(event.id)) order.push(event.id);
    byId.set(event.id, event);
  };
  const parts = new PartCollector();
  // Whether the state so far stands on the whole history: from the creation marker, or from a
  // checkpoint when the marker is gone (summarised away).
  let based = false;
  const restart = (checkpoint: StateMap): void => {
    for (const k of Object.keys(state)) Reflect.deleteProperty(state, k);
    for (const [k, value] of Object.entries(checkpoint)) setOwn(state, k, value);
    based = true;
  };
  for (const raw of data.events) {
    const meta = asObject(raw.metadata);
    if (parts.take(meta)) continue;
    const owner = ownerOf(meta);
    if (namesAnotherKey(owner, key)) throw new SessionIdCollisionError(key, owner);
    const ours = meta?.[METADATA_KEY];
    if (ours !== undefined) {
      if (!isSessionMeta(ours)) throw new UnreadableRecordError(`event ${raw.eventId}`);
      const record = ours.split ? joinParts(ours, parts, raw) : ours;
      if (!record) {
        // Some parts are gone (summarised away before their record): the record reads as absent,
        // but the checkpoint it kept, if any, is the state after it.
        lastUpdateTime = ours.ts;
        if (ours.kind === 'created') createdAt = ours.ts;
        if (ours.checkpoint) restart(ours.checkpoint);
        continue;
      }
      if (record.kind === 'created') based = true;
      if (!based && record.checkpoint) {
        restart(record.checkpoint);
      } else {
        // The response was parsed for this read alone: its values are taken, not copied.
        for (const [k, value] of Object.entries(record.state)) setOwn(state, k, value);
        for (const removedKey of record.removed ?? []) Reflect.deleteProperty(state, removedKey);
      }
      lastUpdateTime = record.ts;
      if (record.kind === 'created') createdAt = record.ts;
      else if (record.event && withEvents) {
        upsert(restoreEvent(record.event, record.textParts ?? [], raw));
      }
      continue;
    }
    // Another writer (the Python adk-redis, an SDK): text events, state from `state_delta`.
    const timestamp = Date.parse(raw.createdAt);
    if (meta && asObject(meta.state_delta)) applyDelta(state, asObject(meta.state_delta)!);
    if (Number.isFinite(timestamp)) lastUpdateTime = timestamp;
    if (!withEvents) continue;
    const text = raw.content
      .map((c) => c.text ?? '')
      .filter((t) => t.trim() !== '')
      .join('\n');
    if (!text.trim()) continue;
    const event = textEvent({
      id: typeof meta?.adk_event_id === 'string' ? meta.adk_event_id : raw.eventId,
      role: raw.role,
      text,
      timestamp: Number.isFinite(timestamp) ? timestamp : 0,
      appName: key.appName,
    });
    if (typeof meta?.adk_author === 'string') event.author = meta.adk_author;
    upsert(JSON.parse(JSON.stringify(event)) as Event);
  }
  const summarized = data.summary?.summarizedEvents ?? 0;
  const last = data.events[data.events.length - 1];
  return {
    events: order.map((id) => byId.get(id)!),
    state,
    createdAt: createdAt ?? (data.events[0] ? Date.parse(data.events[0].createdAt) : 0),
    lastUpdateTime,
    revision: revisionMark(data.events.length + summarized, last?.eventId ?? ''),
    ...(data.summary || summarized > 0
      ? {
          retention: {
            summarizedEvents: summarized,
            ...(data.summary?.text !== undefined ? { summary: data.summary.text } : {}),
            creationRecordMissing: createdAt === undefined,
          },
        }
      : {}),
  };
}

/** A split record's fields from its parts, or undefined when some are missing. */
function joinParts(
  mark: SessionMeta,
  parts: PartCollector,
  raw: RamSessionEvent,
): SessionMeta | undefined {
  const text = parts.assemble(mark.split!);
  if (text === undefined) return undefined;
  const joined: unknown = JSON.parse(text);
  if (!isSessionMeta(joined) || joined.split !== undefined || joined.kind !== mark.kind) {
    throw new UnreadableRecordError(`event ${raw.eventId}`);
  }
  return joined;
}

function restoreEvent(
  stored: Record<string, unknown>,
  textParts: number[],
  raw: RamSessionEvent,
): Event {
  // The response was parsed for this read alone: fill the text back in place, without a copy.
  const event = stored as unknown as Event & { content?: { parts?: Part[] } };
  const parts = event.content?.parts ?? [];
  textParts.forEach((index, k) => {
    const part = parts[index];
    const item = raw.content[k];
    if (part && item && typeof item.text === 'string') part.text = item.text;
  });
  return event;
}

/** Folds the app-state, user-state or user-registry records of a reserved session. */
export function foldScope(
  data: RamSessionMemory | undefined,
  kind: 'app-state' | 'user-state',
): StateMap {
  const state = emptyState();
  const parts = new PartCollector();
  for (const raw of data?.events ?? []) {
    const outer = asObject(raw.metadata);
    if (parts.take(outer)) continue;
    let meta = asObject(outer?.[METADATA_KEY]);
    if (meta && isSplitMark(meta.split)) {
      // A change too large for one record: from its parts (absent when some are gone).
      const text = parts.assemble(meta.split);
      meta = text === undefined ? undefined : asObject(JSON.parse(text));
    }
    if (!meta || !scopeMetaSchema.safeParse(meta).success || meta.kind !== kind) continue;
    const delta = asObject(meta.delta);
    if (delta) applyDelta(state, delta);
  }
  return state;
}

/** The users registered in an app's user registry. */
export function registeredUsers(data: RamSessionMemory | undefined): string[] {
  const users = new Set<string>();
  for (const raw of data?.events ?? []) {
    const meta = asObject(asObject(raw.metadata)?.[METADATA_KEY]);
    if (meta?.kind === 'user' && typeof meta.user === 'string') users.add(meta.user);
  }
  return [...users];
}

/** A session's revision: its record count and last record id. */
export function revisionMark(count: number, lastId: string): string {
  return `${count}:${lastId}`;
}

/**
 * The revision after `added` more records (the last with id `id`) were appended to a session at
 * `previous`.
 */
export function revisionAfter(previous: string, id: string, added = 1): string {
  const count = Number.parseInt(previous.slice(0, previous.indexOf(':')), 10);
  return revisionMark((Number.isFinite(count) ? count : 0) + added, id);
}
