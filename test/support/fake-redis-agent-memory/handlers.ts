/**
 * What each faked operation does, given a request whose parameters and body already passed the
 * schema checks: health and session memory (long-term memory is in memory-handlers.ts).
 */
import { decodePageToken, encodePageToken } from './page-token.js';
import { problem, type FieldError } from './problems.js';
import type { AddSessionEventBody, ListFilter, SessionStore } from './store.js';

/** A request after validation: path and query parameters read as their schema types. */
export interface ValidRequest {
  params: Record<string, unknown>;
  body: unknown;
}

/** What the fake answers (before contract validation and fault injection). */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: ValidRequest) => Reply;

const DEFAULT_LIST_LIMIT = 100;
/**
 * Largest event `metadata`, as UTF-8 JSON: the spec states no limit, Redis documents about 16 KB
 * (redis/agent-skills); the fake takes 16 KiB and answers a 400 on the `metadata` field above it.
 */
export const MAX_METADATA_BYTES = 16 * 1024;

export function invalid(fields: FieldError[], detail = 'The request is not valid.'): Reply {
  return { status: 400, body: problem(400, detail, fields) };
}

export function notFound(detail: string): Reply {
  return { status: 404, body: problem(404, detail) };
}

export function createHandlers(store: SessionStore): Record<string, Handler> {
  const sessionId = (r: ValidRequest) => r.params.sessionId as string;
  const eventId = (r: ValidRequest) => r.params.eventId as string;
  const noSession = (r: ValidRequest) => notFound(`Session ${sessionId(r)} was not found.`);
  const noEvent = (r: ValidRequest) =>
    notFound(`Event ${eventId(r)} was not found in session ${sessionId(r)}.`);

  return {
    Health: () => ({ status: 200, body: { status: 'healthy' } }),

    // Feature names are not documented; the fake reports the features it implements.
    StoreHealth: () => ({
      status: 200,
      body: {
        status: 'healthy',
        features: {
          sessionMemory: { status: 'healthy' },
          longTermMemory: { status: 'healthy' },
        },
      },
    }),

    AddSessionEvent: (r) => {
      const body = r.body as AddSessionEventBody;
      const bytes =
        body.metadata === undefined ? 0 : Buffer.byteLength(JSON.stringify(body.metadata), 'utf8');
      if (bytes > MAX_METADATA_BYTES) {
        const message = `metadata takes ${bytes} bytes, more than ${MAX_METADATA_BYTES}`;
        return invalid([{ field: 'metadata', rule: 'maxBytes', message }]);
      }
      return { status: 201, body: { event: store.addEvent(body) } };
    },

    GetSessionMemory: (r) => {
      const session = store.getSession(sessionId(r), r.params.includeSummarisedEvents === true);
      return session ? { status: 200, body: session } : noSession(r);
    },

    DeleteSessionMemory: (r) =>
      store.deleteSession(sessionId(r)) ? { status: 204 } : noSession(r),

    GetSessionEvent: (r) => {
      const event = store.getEvent(sessionId(r), eventId(r));
      return event ? { status: 200, body: { event } } : noEvent(r);
    },

    DeleteSessionEvent: (r) =>
      store.deleteEvent(sessionId(r), eventId(r)) ? { status: 204 } : noEvent(r),

    ListSessions: (r) => {
      const ownerId = r.params.filterOwnerId as string | undefined;
      const includeAll = r.params.includeAll === true;
      if (ownerId !== undefined && includeAll) {
        return invalid([
          {
            field: 'includeAll',
            rule: 'mutuallyExclusive',
            message: 'includeAll cannot be combined with filterOwnerId',
          },
        ]);
      }
      if (ownerId === undefined && !includeAll) {
        return invalid([
          {
            field: 'includeAll',
            rule: 'required',
            message: 'includeAll=true is required when no filter is given',
          },
        ]);
      }
      const filter: ListFilter = ownerId === undefined ? { all: true } : { ownerId };
      const token = r.params.pageToken as string | undefined;
      const after = token === undefined ? 0 : decodePageToken(token, filter);
      if (after === undefined) {
        return invalid([
          {
            field: 'pageToken',
            rule: 'pageToken',
            message: 'pageToken is not a token this listing returned',
          },
        ]);
      }
      const limit = (r.params.limit as number | undefined) ?? DEFAULT_LIST_LIMIT;
      const page = store.list(filter, after, limit);
      return {
        status: 200,
        body: {
          items: page.items,
          total: page.total,
          ...(page.more ? { nextPageToken: encodePageToken(filter, page.lastSeq) } : {}),
        },
      };
    },
  };
}
