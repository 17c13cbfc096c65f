/**
 * Session memory over HTTP: GET a session's events, POST one event, DELETE a session and list an
 * owner's sessions, with the checks every answer needs (malformed bodies, a missing event id, a
 * page token that repeats), so the rest of the store deals in checked data only.
 */
import {
  BackendError,
  MalformedResponseError,
  backendErrorFrom,
  retrySafe,
  unwrap,
  type RamAddSessionEvent,
  type RamSessionMemory,
  type RedisAgentMemoryClient,
} from '../../clients/index.js';
import { REDIS_AGENT_MEMORY_BACKEND } from '../../shared/backend.js';
import { asObject } from './records.js';

export const SESSION_MEMORY = '/v1/stores/{storeId}/session-memory/{sessionId}';
const EVENTS = '/v1/stores/{storeId}/session-memory/events';
const LIST = '/v1/stores/{storeId}/session-memory';
const LIST_PAGE = 1000;

export class ManagedSessions {
  constructor(private readonly client: RedisAgentMemoryClient) {}

  /** GETs a session's events, or undefined on 404. */
  async get(storageId: string): Promise<RamSessionMemory | undefined> {
    const { data, error, response } = await this.client.GET(SESSION_MEMORY, {
      params: { path: { sessionId: storageId } },
    });
    if (response.status === 404) return undefined;
    if (!response.ok) throw backendErrorFrom(response, error);
    const problem = checkSessionResponse(data);
    if (problem) {
      throw new MalformedResponseError(
        REDIS_AGENT_MEMORY_BACKEND,
        'GET',
        SESSION_MEMORY,
        `unexpected session (${problem})`,
      );
    }
    return data;
  }

  /** DELETEs a stored session; a missing one is fine. */
  async delete(storageId: string): Promise<void> {
    const { response, error } = await this.client.DELETE(SESSION_MEMORY, {
      params: { path: { sessionId: storageId } },
    });
    if (!response.ok && response.status !== 404) throw backendErrorFrom(response, error);
  }

  /**
   * POSTs one record (retry-safe: readers deduplicate by ADK event id); returns its record id.
   * `text` is the record's JSON when it is already encoded (see encodeRecord in append.ts).
   */
  async post(record: RamAddSessionEvent, text?: string): Promise<string> {
    const written: unknown = await unwrap(
      this.client.POST(EVENTS, {
        body: record,
        headers: retrySafe,
        ...(text === undefined ? {} : { bodySerializer: () => text }),
      }),
    );
    const eventId = (written as { event?: { eventId?: unknown } } | null)?.event?.eventId;
    if (typeof eventId !== 'string') {
      throw new MalformedResponseError(
        REDIS_AGENT_MEMORY_BACKEND,
        'POST',
        EVENTS,
        'no event.eventId in the answer',
      );
    }
    return eventId;
  }

  /** Every session id the owner has, following page tokens. */
  async list(owner: string): Promise<string[]> {
    const ids: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await unwrap(
        this.client.GET(LIST, {
          params: {
            query: { filterOwnerId: owner, limit: LIST_PAGE, ...(pageToken ? { pageToken } : {}) },
          },
        }),
      );
      if (
        typeof page !== 'object' ||
        page === null ||
        !Array.isArray(page.items) ||
        !page.items.every((id) => typeof id === 'string')
      ) {
        throw new MalformedResponseError(
          REDIS_AGENT_MEMORY_BACKEND,
          'GET',
          LIST,
          'unexpected session list',
        );
      }
      ids.push(...page.items);
      if (page.nextPageToken !== undefined && page.nextPageToken === pageToken) {
        throw new BackendError({
          backend: REDIS_AGENT_MEMORY_BACKEND,
          status: 200,
          method: 'GET',
          path: LIST,
          detail: 'the service returned the same page token twice',
        });
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    return ids;
  }
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
