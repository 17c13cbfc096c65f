/**
 * A small in-memory Agent Memory Server behind nock, for the session store's unit tests. It keys
 * documents by (namespace, user_id, session_id) and answers like AMS 0.15.2: PUT replaces the whole
 * document and returns it; GET and DELETE fall back to a case-insensitive index lookup when the
 * exact key is missing (GET echoes the requested session id); a miss is 404 `{detail}`; the list
 * route filters namespace/user_id ignoring case, pages with `limit` (at most 100) and `offset`, and
 * reports `total`. It records every request.
 */
import nock from 'nock';

export const AMS = 'http://ams.test';
const ROUTE = '/v1/working-memory/';

export type Doc = Record<string, unknown> & { session_id: string };

/** One request as the fake server saw it. */
export interface SeenRequest {
  method: string;
  /** The request target exactly as sent (path and query, still percent-encoded). */
  uri: string;
  /** The decoded session id of the path; undefined for the list route. */
  sessionId: string | undefined;
  query: Record<string, string>;
  body: unknown;
}

type Reply = [number, unknown];
type Rule = { match: (request: SeenRequest) => boolean; reply: Reply; once: boolean };

const docKey = (namespace: unknown, userId: unknown, sessionId: string): string =>
  JSON.stringify([namespace ?? null, userId ?? null, sessionId]);

/** A RediSearch TAG filter: no filter matches everything; otherwise equal ignoring case. */
const tagMatch = (stored: unknown, filter: string | undefined): boolean =>
  filter === undefined ||
  (typeof stored === 'string' && stored.toLowerCase() === filter.toLowerCase());

export class FakeAms {
  readonly docs = new Map<string, Doc>();
  readonly requests: SeenRequest[] = [];
  private readonly rules: Rule[] = [];
  /** Rewrites a PUT's document before it is stored and returned (AMS summarising on the way in). */
  onPut: ((doc: Doc) => Doc) | undefined;
  /** The server's clock (ISO strings for `updated_at` and defaults). */
  now = '2025-06-01T12:00:00.000Z';

  /** Intercepts every working-memory call to {@link AMS}. */
  install(): this {
    const handle = (method: string, uri: string, body: unknown): Reply =>
      this.handle(method, uri, body);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      nock(AMS)
        .persist()
        .intercept(/^\/v1\/working-memory\//, method)
        .reply(function (this: nock.ReplyFnContext, uri: string, body: nock.Body) {
          return handle(this.req.method, uri, body) as nock.ReplyFnResult;
        });
    }
    return this;
  }

  /** Answers the next request that matches with `reply` instead of serving it. */
  failOnce(match: (request: SeenRequest) => boolean, reply: Reply): void {
    this.rules.push({ match, reply, once: true });
  }

  /** Answers every request that matches with `reply`. */
  always(match: (request: SeenRequest) => boolean, reply: Reply): void {
    this.rules.push({ match, reply, once: false });
  }

  /** The stored document at an exact address. */
  doc(namespace: string, userId: string | undefined, sessionId: string): Doc | undefined {
    return this.docs.get(docKey(namespace, userId, sessionId));
  }

  /** Stores a document as if some writer had PUT it. */
  seed(doc: Doc): void {
    this.docs.set(docKey(doc.namespace, doc.user_id, doc.session_id), structuredClone(doc));
  }

  /** Requests filtered by method and decoded session id (`null`: the list route). */
  seen(method: string, sessionId?: string | null): SeenRequest[] {
    return this.requests.filter(
      (r) =>
        r.method === method &&
        (sessionId === undefined ||
          (sessionId === null ? r.sessionId === undefined : r.sessionId === sessionId)),
    );
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  private handle(method: string, uri: string, rawBody: unknown): Reply {
    const url = new URL(uri, AMS);
    const segment = url.pathname.slice(ROUTE.length);
    const body =
      typeof rawBody === 'string' && rawBody !== '' ? (JSON.parse(rawBody) as unknown) : rawBody;
    const request: SeenRequest = {
      method,
      uri,
      sessionId: segment === '' ? undefined : decodeURIComponent(segment),
      query: Object.fromEntries(url.searchParams),
      body: body === '' ? undefined : body,
    };
    this.requests.push(request);
    const rule = this.rules.find((r) => r.match(request));
    if (rule) {
      if (rule.once) this.rules.splice(this.rules.indexOf(rule), 1);
      return rule.reply;
    }
    if (request.sessionId === undefined) {
      return method === 'GET' ? this.list(request.query) : [405, { detail: 'Method Not Allowed' }];
    }
    const { namespace, user_id: userId } = request.query;
    if (method === 'GET') {
      const found = this.lookup(request.sessionId, namespace, userId);
      return found
        ? [200, { ...structuredClone(found[1]), session_id: request.sessionId }]
        : [404, { detail: `Session ${request.sessionId} not found` }];
    }
    if (method === 'DELETE') {
      const found = this.lookup(request.sessionId, namespace, userId);
      if (found) this.docs.delete(found[0]);
      return [200, { status: 'ok' }];
    }
    if (method === 'PUT')
      return this.put(request.sessionId, request.body as Record<string, unknown>);
    return [405, { detail: 'Method Not Allowed' }];
  }

  /**
   * The exact key, else AMS's index fallback (since 0.15.0): TAG matches on session_id and on
   * namespace/user_id when given, ignoring case; exactly one match is used.
   */
  private lookup(
    sessionId: string,
    namespace: string | undefined,
    userId: string | undefined,
  ): [string, Doc] | undefined {
    const exactKey = docKey(namespace, userId, sessionId);
    const exact = this.docs.get(exactKey);
    if (exact) return [exactKey, exact];
    const matches = [...this.docs.entries()].filter(
      ([, doc]) =>
        tagMatch(doc.session_id, sessionId) &&
        tagMatch(doc.namespace, namespace) &&
        tagMatch(doc.user_id, userId),
    );
    return matches.length === 1 ? matches[0] : undefined;
  }

  private put(sessionId: string, body: Record<string, unknown>): Reply {
    const stored: Doc = {
      messages: [],
      memories: [],
      data: null,
      context: null,
      tokens: 0,
      long_term_memory_strategy: { strategy: 'discrete', config: {} },
      ttl_seconds: null,
      created_at: this.now,
      last_accessed: this.now,
      ...structuredClone(body),
      session_id: sessionId,
      namespace: body.namespace ?? null,
      user_id: body.user_id ?? null,
      updated_at: this.now,
    };
    const kept = this.onPut ? this.onPut(stored) : stored;
    this.docs.set(docKey(kept.namespace, kept.user_id, sessionId), kept);
    return [200, structuredClone(kept)];
  }

  private list(query: Record<string, string>): Reply {
    // TAG filters, which ignore case.
    const ids = [...this.docs.values()]
      .filter(
        (doc) => tagMatch(doc.namespace, query.namespace) && tagMatch(doc.user_id, query.user_id),
      )
      .map((doc) => doc.session_id);
    const offset = Number(query.offset ?? 0);
    const limit = Number(query.limit ?? 10);
    if (limit > 100) return [422, { detail: [{ loc: ['query', 'limit'], msg: 'too big' }] }];
    return [200, { sessions: ids.slice(offset, offset + limit), total: ids.length }];
  }
}
