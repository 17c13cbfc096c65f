/**
 * The fake's state: sessions and their events, in memory. Knows the API's session rules (first
 * event creates the session and fixes owner and namespace; summarisation moves events aside) but
 * nothing about HTTP.
 */
import { randomUUID } from 'node:crypto';
import type { components } from '../../../src/generated/redis-agent-memory.js';
import { resolveSessionRetention, type ResolvedSessionRetention } from './session-retention.js';

type Schemas = components['schemas'];
export type SessionEvent = Schemas['SessionEvent'];
export type AddSessionEventBody = Schemas['AddSessionEventRequestContent'];
export type SessionMemory = Schemas['GetSessionMemoryResponseContent'];
export type SessionSummary = Schemas['SessionSummary'];

interface StoredSession {
  sessionId: string;
  ownerId: string;
  namespace?: string;
  /** Creation order, for listing and page tokens. */
  seq: number;
  /** Retained events, in arrival order. */
  events: SessionEvent[];
  /** Events covered by the summary that cleanup has not removed yet. */
  summarised: SessionEvent[];
  summary?: SessionSummary;
  /** When the short-term TTL ends (ms), when one is set. */
  expiresAt?: number;
}

/** Who a listing covers: one owner, or everyone. */
export type ListFilter = { ownerId: string } | { all: true };

/** What the API generates for ids: a 32-character UUID without dashes (alphanumeric). */
export function generateId(): string {
  return randomUUID().replaceAll('-', '');
}

export class SessionStore {
  private sessions = new Map<string, StoredSession>();
  private nextSeq = 1;

  constructor(private readonly retention: ResolvedSessionRetention = resolveSessionRetention()) {}

  /** Appends an event, creating the session on its first event. */
  addEvent(body: AddSessionEventBody): SessionEvent {
    const sessionId = body.sessionId ?? generateId();
    let session = this.live(sessionId);
    if (!session) {
      // Owner and namespace are fixed here; later events' values are ignored.
      session = {
        sessionId,
        ownerId: body.actorId,
        ...(body.namespace === undefined ? {} : { namespace: body.namespace }),
        seq: this.nextSeq++,
        events: [],
        summarised: [],
      };
      this.sessions.set(sessionId, session);
    }
    const event: SessionEvent = {
      eventId: generateId(),
      actorId: body.actorId,
      sessionId,
      role: body.role,
      content: body.content,
      createdAt: body.createdAt,
      systemTimestamp: new Date().toISOString(),
      ...('metadata' in body ? { metadata: body.metadata } : {}),
    };
    session.events.push(event);
    const { ttlMs, summarizeAfter, keepRecent } = this.retention;
    if (ttlMs !== undefined) session.expiresAt = this.retention.now() + ttlMs;
    if (summarizeAfter !== undefined && session.events.length > summarizeAfter) {
      const count = session.events.length - keepRecent;
      if (count > 0) this.summarize(sessionId, count);
    }
    return event;
  }

  /** A session as GetSessionMemory returns it, or undefined when it does not exist. */
  getSession(sessionId: string, includeSummarised = false): SessionMemory | undefined {
    const session = this.live(sessionId);
    if (!session) return undefined;
    return {
      sessionId: session.sessionId,
      ownerId: session.ownerId,
      ...(session.namespace === undefined ? {} : { namespace: session.namespace }),
      events: includeSummarised ? [...session.summarised, ...session.events] : [...session.events],
      ...(session.summary ? { summary: session.summary } : {}),
    };
  }

  deleteSession(sessionId: string): boolean {
    return this.live(sessionId) !== undefined && this.sessions.delete(sessionId);
  }

  /** An event still retained (summarised events not yet cleaned up count as retained). */
  getEvent(sessionId: string, eventId: string): SessionEvent | undefined {
    const session = this.live(sessionId);
    if (!session) return undefined;
    return [...session.summarised, ...session.events].find((e) => e.eventId === eventId);
  }

  deleteEvent(sessionId: string, eventId: string): boolean {
    const session = this.live(sessionId);
    if (!session) return false;
    for (const list of [session.events, session.summarised]) {
      const index = list.findIndex((e) => e.eventId === eventId);
      if (index >= 0) {
        list.splice(index, 1);
        return true;
      }
    }
    return false;
  }

  /**
   * Session ids in creation order, after the session with sequence number `afterSeq`.
   * `total` counts every match, not only the remaining ones.
   */
  list(
    filter: ListFilter,
    afterSeq: number,
    limit: number,
  ): { items: string[]; total: number; lastSeq: number; more: boolean } {
    for (const id of [...this.sessions.keys()]) this.live(id);
    const matching = [...this.sessions.values()]
      .filter((s) => 'all' in filter || s.ownerId === filter.ownerId)
      .sort((a, b) => a.seq - b.seq);
    const rest = matching.filter((s) => s.seq > afterSeq);
    const page = rest.slice(0, limit);
    return {
      items: page.map((s) => s.sessionId),
      total: matching.length,
      lastSeq: page.at(-1)?.seq ?? afterSeq,
      more: rest.length > page.length,
    };
  }

  /**
   * Server-side summarisation: moves the first `count` retained events under the summary, and
   * removes them with `cleanup` (the store's setting when not given).
   */
  summarize(sessionId: string, count: number, text?: string, cleanup?: boolean): void {
    const session = this.require(sessionId);
    if (!Number.isInteger(count) || count < 1 || count > session.events.length) {
      throw new Error(
        `summarize: count must be 1..${session.events.length} for session ${sessionId}, got ${count}`,
      );
    }
    const moved = session.events.splice(0, count);
    if (cleanup ?? this.retention.cleanup) session.summarised = [];
    else session.summarised.push(...moved);
    const now = new Date().toISOString();
    const previous = session.summary;
    session.summary = {
      text: text ?? `Summary of ${(previous?.summarizedEvents ?? 0) + count} events.`,
      summarizedUpToEventId: moved.at(-1)!.eventId,
      // Preserved across cycles, as the spec says.
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      metadata: {},
      summarizedEvents: (previous?.summarizedEvents ?? 0) + count,
    };
  }

  /** The service's cleanup: summarised events of the session are removed. */
  cleanup(sessionId: string): void {
    this.require(sessionId).summarised = [];
  }

  /** TTL expiry: the session and all its events disappear. */
  expire(sessionId: string): void {
    this.require(sessionId);
    this.sessions.delete(sessionId);
  }

  /** The session unless absent or past its TTL (then it is removed, as the service does). */
  private live(sessionId: string): StoredSession | undefined {
    const session = this.sessions.get(sessionId);
    if (session?.expiresAt !== undefined && session.expiresAt <= this.retention.now()) {
      this.sessions.delete(sessionId);
      return undefined;
    }
    return session;
  }

  clear(): void {
    this.sessions.clear();
    this.nextSeq = 1;
  }

  private require(sessionId: string): StoredSession {
    const session = this.live(sessionId);
    if (!session) throw new Error(`the fake has no session ${sessionId}`);
    return session;
  }
}
