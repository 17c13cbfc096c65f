/**
 * The direct call (clients/direct.ts) against openapi-fetch's own path: the same calls, once as
 * the services make them (direct) and once with an option that only openapi-fetch handles, must
 * send the same requests and give the same results.
 */
import { describe, expect, it } from 'vitest';
import { createAgentMemoryServerClient, retrySafe } from '../../../src/clients/index.js';

interface Sent {
  method: string;
  url: string;
  headers: [string, string][];
  body: string | undefined;
}

/** A client whose fetch records each request and answers with the next reply. */
function clientWith(replies: Array<() => Response>) {
  const sent: Sent[] = [];
  let next = 0;
  const fetch: typeof globalThis.fetch = (input, init) => {
    const headers: [string, string][] = [];
    new Headers(init?.headers).forEach((value, name) => headers.push([name, value]));
    sent.push({
      method: init?.method ?? 'GET',
      url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      headers: headers.sort(),
      body: typeof init?.body === 'string' ? init.body : undefined,
    });
    return Promise.resolve(replies[next++ % replies.length]!());
  };
  const client = createAgentMemoryServerClient({
    baseUrl: 'http://ams.test/',
    fetch,
    retry: { maxRetries: 0 },
  });
  return { client, sent };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });

type Call = (client: ReturnType<typeof clientWith>['client'], extra: object) => Promise<unknown>;

const CALLS: Array<[string, Call, Array<() => Response>]> = [
  [
    'GET with path and array/boolean query parameters',
    (c, extra) =>
      c.GET('/v1/working-memory/{session_id}', {
        params: {
          path: { session_id: 'a b/ü' },
          query: { namespace: 'n s', user_id: 'u', model_name: undefined },
        },
        ...extra,
      }),
    [json(200, { session_id: 'x', messages: [] })],
  ],
  [
    'GET of a list with limit and offset',
    (c, extra) =>
      c.GET('/v1/working-memory/', {
        params: { query: { namespace: 'n', limit: 10, offset: 20 } },
        ...extra,
      }),
    [json(200, { sessions: [], total: 0 })],
  ],
  [
    'PUT with a JSON body and the retry-safe marker',
    (c, extra) =>
      c.PUT('/v1/working-memory/{session_id}', {
        params: { path: { session_id: 's1' }, query: { context_window_max: 100 } },
        body: { messages: [], data: { k: 'v' }, namespace: 'n' },
        headers: retrySafe,
        ...extra,
      }),
    [json(200, { session_id: 's1', messages: [] }, { 'content-length': '31' })],
  ],
  [
    'PUT with a body serializer of its own, answer read as text',
    (c, extra) =>
      c.PUT('/v1/working-memory/{session_id}', {
        params: { path: { session_id: 's1' } },
        body: { messages: [] },
        bodySerializer: () => '{"messages":[],"x":1}',
        parseAs: 'text',
        ...extra,
      }),
    [json(200, { session_id: 's1' })],
  ],
  [
    'DELETE answered 204',
    (c, extra) =>
      c.DELETE('/v1/working-memory/{session_id}', {
        params: { path: { session_id: 's1' }, query: { namespace: 'n' } },
        ...extra,
      }),
    [() => new Response(null, { status: 204 })],
  ],
  [
    'an error answered as JSON',
    (c, extra) =>
      c.GET('/v1/working-memory/{session_id}', {
        params: { path: { session_id: 'missing' } },
        ...extra,
      }),
    [json(404, { detail: 'Session missing not found' })],
  ],
  [
    'an error answered as text, and an empty 200',
    (c, extra) =>
      Promise.all([c.GET('/v1/health', { ...extra }), c.GET('/v1/health', { ...extra })]),
    [
      () => new Response('upstream failed', { status: 502 }),
      () => new Response('', { status: 200, headers: { 'content-length': '0' } }),
    ],
  ],
];

/** What a call gave, without the Response object. */
const result = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(result)
    : { ...(value as object), response: (value as { response: Response }).response.status };

describe('the direct call sends and answers as openapi-fetch does', () => {
  for (const [name, call, replies] of CALLS) {
    it(name, async () => {
      const direct = clientWith(replies);
      const generic = clientWith(replies);
      // `cache` is an option only openapi-fetch handles: the call takes its path.
      const viaDirect = result(await call(direct.client, {}));
      const viaGeneric = result(await call(generic.client, { cache: 'no-store' }));
      expect(viaDirect).toEqual(viaGeneric);
      expect(direct.sent).toEqual(generic.sent);
      expect(direct.sent.length).toBeGreaterThan(0);
    });
  }
});
