/**
 * The record format: how ADK sessions are written as Redis Agent Memory session events. Writer
 * (append.ts) and reader (reading.ts) share these definitions, so the format is stated once.
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
import type { RamAddSessionEvent, RamSessionMemory } from '../../clients/index.js';
import type { SessionKey } from '../errors.js';
import { conversationRole } from '../../shared/content.js';
import { isPlainObject, plainObjectSchema } from '../../shared/json.js';
import type { StoredEvent } from '../events.js';
import type { StateMap } from '../state.js';
import { isSplitMark, jsonBytes, type SplitMark } from './parts.js';

/** The reserved metadata key of everything this library writes. */
export const METADATA_KEY = 'adk_redis';
const SOURCE = 'adk-redis';

/** An event's content part, as far as records look into it. */
export type Part = Record<string, unknown> & { text?: unknown; thought?: unknown };

// Validation only: the input objects are used as they are, so `__proto__` keys stay own keys.
/** Our metadata on a session's record (the creation marker or an event). */
export interface SessionMeta {
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
export function isSessionMeta(value: unknown): value is SessionMeta {
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
/** Our metadata on a record of a reserved session (a scope change, or a registered user). */
export const scopeMetaSchema = z.object({
  v: z.literal(1),
  kind: z.enum(['app-state', 'user-state', 'user']),
  delta: plainObjectSchema.optional(),
  user: z.string().optional(),
});
/** The scope a reserved session's state records belong to (the record's `kind`). */
export type ScopeKind = 'app-state' | 'user-state';

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

/** A record of an app or user state change, or of a user of the app (for listing). */
export function scopeRecord(
  sessionId: string,
  namespace: string,
  actorId: string,
  meta: { kind: ScopeKind; delta: StateMap } | { kind: 'user'; user: string },
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

/** The key a record's Python metadata names, if any. */
export const ownerOf = (
  meta: Record<string, unknown> | undefined,
): Partial<SessionKey> | undefined => {
  if (!meta) return undefined;
  const appName = typeof meta.app_name === 'string' ? meta.app_name : undefined;
  const userId = typeof meta.user_id === 'string' ? meta.user_id : undefined;
  const sessionId = typeof meta.adk_session_id === 'string' ? meta.adk_session_id : undefined;
  if (appName === undefined && userId === undefined && sessionId === undefined) return undefined;
  return { appName, userId, sessionId };
};

export const asObject = (value: unknown): Record<string, unknown> | undefined =>
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

/** Thrown by the reader (reading.ts) for metadata under our key that this version cannot read. */
export class UnreadableRecordError extends Error {}

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
