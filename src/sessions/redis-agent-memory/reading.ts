/**
 * Reading records back (see records.ts for their format): a session's ADK events, state, times,
 * revision and retention note from its records, and the changes a scope's reserved session or an
 * app's user registry still holds. Kept apart from the writer so each side reads top to bottom.
 */
import type { Event } from '@google/adk';
import {
  MalformedResponseError,
  type RamSessionEvent,
  type RamSessionMemory,
} from '../../clients/index.js';
import { REDIS_AGENT_MEMORY_BACKEND } from '../../shared/backend.js';
import { textEvent } from '../../shared/content.js';
import { setOwn } from '../../shared/json.js';
import { SessionIdCollisionError, type SessionKey } from '../errors.js';
import { applyDelta, emptyState, type StateMap } from '../state.js';
import type { RetentionNote } from '../store.js';
import { SESSION_MEMORY } from './http.js';
import { PartCollector, isSplitMark } from './parts.js';
import {
  METADATA_KEY,
  UnreadableRecordError,
  asObject,
  isSessionMeta,
  namesAnotherKey,
  ownerOf,
  revisionMark,
  scopeMetaSchema,
  type Part,
  type ScopeKind,
  type SessionMeta,
} from './records.js';

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

/**
 * {@link parseSession} on a session as the service answered it: a record this version cannot read
 * is a malformed answer, which names the session.
 */
export function readSession(
  data: RamSessionMemory,
  key: SessionKey,
  options?: { events?: boolean },
): ParsedSession {
  try {
    return parseSession(data, key, options);
  } catch (error) {
    if (!(error instanceof UnreadableRecordError)) throw error;
    throw new MalformedResponseError(
      REDIS_AGENT_MEMORY_BACKEND,
      'GET',
      SESSION_MEMORY,
      `session ${JSON.stringify(key.sessionId)} holds an ${error.message} this version cannot read`,
    );
  }
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
export function foldScope(data: RamSessionMemory | undefined, kind: ScopeKind): StateMap {
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
