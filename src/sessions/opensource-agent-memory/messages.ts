/**
 * The conversation side of a session document: AMS messages, which other clients (the Python
 * adk-redis, AMS clients) read and append to, merged with the envelope's events.
 */
import type { Event } from '@google/adk';
import type { AmsMemoryMessage, AmsWorkingMemory } from '../../clients/index.js';
import { textEvent } from '../../shared/content.js';
import { fromStoredEvent, type StoredEvent } from '../events.js';
import type { SessionEnvelope } from './documents.js';

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

/**
 * The messages a session write keeps: those of `events` (the recent events the envelope holds).
 * Messages of sealed events are dropped, so the list stays as bounded as the envelope's tail; the
 * events themselves stay in the history segments. Other clients' messages were adopted as events
 * before this (see documentEvents), so none is lost.
 */
export function messagesOf(
  messages: AmsMemoryMessage[],
  events: readonly StoredEvent[],
): AmsMemoryMessage[] {
  const ids = new Set(events.map((event) => event.id));
  return messages.every((m) => ids.has(m.id ?? ''))
    ? messages
    : messages.filter((m) => ids.has(m.id ?? ''));
}
