/**
 * What goes on the wire: auth headers, the bound store id, path parameter encoding, identification
 * and extra headers, the custom fetch, and the retry-safe marker that must never be sent.
 */
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  InvalidArgumentError,
  RETRY_SAFE_HEADER,
  USER_AGENT,
  retrySafe,
} from '../../../src/clients/index.js';
import {
  AMS,
  EVENT_BODY,
  RAM,
  STORE,
  Wire,
  amsClient,
  debugRecorder,
  ramClient,
  rejectionOf,
  useNock,
} from './helpers.js';

useNock();
afterEach(() => {
  vi.restoreAllMocks();
});

const WM = { session_id: 's1', messages: [] };

/** Answers every request to `origin` with 200 and records it. */
function recordAll(origin: string, body: nock.Body = {}): Wire {
  const wire = new Wire();
  for (const method of ['GET', 'PUT', 'POST', 'DELETE', 'PATCH']) {
    nock(origin)
      .persist()
      .intercept(/.*/, method)
      .reply(wire.reply(() => [200, body]));
  }
  return wire;
}

describe('authentication headers', () => {
  it('AMS: sends no Authorization header without a token', async () => {
    const wire = recordAll(AMS, WM);
    await amsClient().GET('/v1/working-memory/{session_id}', {
      params: { path: { session_id: 's1' } },
    });
    expect(wire.count).toBe(1);
    expect(wire.requests[0]?.headers).not.toHaveProperty('authorization');
    expect(wire.requests[0]?.headers).not.toHaveProperty('x-api-key');
  });

  it('AMS: sends Authorization: Bearer <token> on every call when a token is given', async () => {
    const wire = recordAll(AMS, WM);
    const ams = amsClient({ token: 'ams-token-1' });
    await ams.GET('/v1/health');
    await ams.PUT('/v1/working-memory/{session_id}', {
      params: { path: { session_id: 's1' } },
      body: { messages: [] },
    });
    await ams.DELETE('/v1/working-memory/{session_id}', {
      params: { path: { session_id: 's1' } },
    });
    expect(wire.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer ams-token-1',
      'Bearer ams-token-1',
      'Bearer ams-token-1',
    ]);
    expect(wire.requests.every((r) => !('x-api-key' in r.headers))).toBe(true);
  });

  it('managed: sends Authorization: Bearer <apiKey> by default', async () => {
    const wire = recordAll(RAM, { status: 'healthy' });
    await ramClient({ apiKey: 'ram-key-1' }).GET('/health');
    expect(wire.requests[0]?.headers.authorization).toBe('Bearer ram-key-1');
    expect(wire.requests[0]?.headers).not.toHaveProperty('x-api-key');
  });

  it('managed: sends X-Api-Key: <apiKey> and no Authorization with apiKeyHeader x-api-key', async () => {
    const wire = recordAll(RAM, { status: 'healthy' });
    await ramClient({ apiKey: 'ram-key-1', apiKeyHeader: 'x-api-key' }).GET('/health');
    expect(wire.requests[0]?.headers['x-api-key']).toBe('ram-key-1');
    expect(wire.requests[0]?.headers).not.toHaveProperty('authorization');
  });

  it('managed: sends no credential without an apiKey', async () => {
    const wire = recordAll(RAM, { status: 'healthy' });
    await ramClient().GET('/health');
    expect(wire.requests[0]?.headers).not.toHaveProperty('authorization');
    expect(wire.requests[0]?.headers).not.toHaveProperty('x-api-key');
  });

  it('the configured credential wins over an Authorization header given per call', async () => {
    const wire = recordAll(AMS, WM);
    await amsClient({ token: 'configured' }).GET('/v1/health', {
      headers: { Authorization: 'Bearer per-call' },
    });
    expect(wire.requests[0]?.headers.authorization).toBe('Bearer configured');
  });
});

describe('the bound store id', () => {
  it('fills storeId into every store path, with and without other path parameters', async () => {
    const wire = new Wire();
    const answer = wire.reply((attempt) =>
      attempt === 2 ? [201, { event: {} }] : attempt === 4 ? [204] : [200, {}],
    );
    for (const method of ['GET', 'POST', 'DELETE']) {
      nock(RAM).persist().intercept(/.*/, method).reply(answer);
    }
    const ram = ramClient({ storeId: 'my-store-42' });
    await ram.GET('/v1/stores/{storeId}/session-memory', {
      params: { query: { includeAll: true, limit: 10 } },
    });
    await ram.POST('/v1/stores/{storeId}/session-memory/events', { body: EVENT_BODY });
    await ram.GET('/v1/stores/{storeId}/session-memory/{sessionId}', {
      params: { path: { sessionId: 's1' } },
    });
    await ram.DELETE('/v1/stores/{storeId}/session-memory/{sessionId}', {
      params: { path: { sessionId: 's1' } },
    });
    await ram.GET('/v1/stores/{storeId}/session-memory/{sessionId}/events/{eventId}', {
      params: { path: { sessionId: 's1', eventId: 'e'.repeat(32) } },
    });
    await ram.GET('/v1/stores/{storeId}/health');
    expect(wire.requests.map((r) => `${r.method} ${r.uri}`)).toEqual([
      'GET /v1/stores/my-store-42/session-memory?includeAll=true&limit=10',
      'POST /v1/stores/my-store-42/session-memory/events',
      'GET /v1/stores/my-store-42/session-memory/s1',
      'DELETE /v1/stores/my-store-42/session-memory/s1',
      `GET /v1/stores/my-store-42/session-memory/s1/events/${'e'.repeat(32)}`,
      'GET /v1/stores/my-store-42/health',
    ]);
  });

  it('binds the store through the generic request() method too', async () => {
    const wire = recordAll(RAM, { items: [], total: 0 });
    await ramClient().request('get', '/v1/stores/{storeId}/session-memory', {
      params: { query: { includeAll: true } },
    });
    expect(wire.requests[0]?.uri).toBe(`/v1/stores/${STORE}/session-memory?includeAll=true`);
  });

  it('ignores a storeId a caller slips into the path parameters', async () => {
    const wire = recordAll(RAM, {});
    await ramClient().GET('/v1/stores/{storeId}/session-memory/{sessionId}', {
      params: { path: { sessionId: 's1', storeId: 'other-store' } as { sessionId: string } },
    });
    expect(wire.requests[0]?.uri).toBe(`/v1/stores/${STORE}/session-memory/s1`);
  });

  it('leaves the store-less /health route alone', async () => {
    const wire = recordAll(RAM, { status: 'healthy' });
    await ramClient().GET('/health');
    expect(wire.requests[0]?.uri).toBe('/health');
  });
});

describe('path parameters', () => {
  // Expected encodings worked out by hand from RFC 3986 (reserved and non-ASCII characters become
  // %XX of their UTF-8 bytes; unreserved "-._~" stay as they are).
  const ids: [string, string][] = [
    ['plain-id', 'plain-id'],
    ['a/b', 'a%2Fb'],
    ['a?b', 'a%3Fb'],
    ['a#b', 'a%23b'],
    ['100%', '100%25'],
    ['%2F', '%252F'],
    ['a b', 'a%20b'],
    ['a+b', 'a%2Bb'],
    ['a&b=c', 'a%26b%3Dc'],
    ['a:b,c', 'a%3Ab%2Cc'],
    ['\u00fc', '%C3%BC'],
    ['\u65e5\u672c', '%E6%97%A5%E6%9C%AC'],
    ['\u{1F642}', '%F0%9F%99%82'],
    ['...', '...'],
    ['.hidden', '.hidden'],
    ['a~b_c.d', 'a~b_c.d'],
  ];

  it.each(ids)('AMS: sends session_id %j as one encoded segment %s', async (id, encoded) => {
    const wire = recordAll(AMS, WM);
    await amsClient().GET('/v1/working-memory/{session_id}', {
      params: { path: { session_id: id }, query: { namespace: 'ns' } },
    });
    expect(wire.requests[0]?.uri).toBe(`/v1/working-memory/${encoded}?namespace=ns`);
    expect(decodeURIComponent(encoded)).toBe(id);
  });

  it.each(ids)('managed: sends sessionId %j as one encoded segment %s', async (id, encoded) => {
    const wire = recordAll(RAM, {});
    await ramClient().DELETE('/v1/stores/{storeId}/session-memory/{sessionId}', {
      params: { path: { sessionId: id } },
    });
    expect(wire.requests[0]?.uri).toBe(`/v1/stores/${STORE}/session-memory/${encoded}`);
  });

  it('sends a numeric path parameter as its decimal text', async () => {
    const wire = recordAll(AMS, WM);
    await amsClient().GET('/v1/working-memory/{session_id}', {
      params: { path: { session_id: 42 as unknown as string } },
    });
    expect(wire.requests[0]?.uri).toBe('/v1/working-memory/42');
  });

  const refused: [string, unknown, RegExp][] = [
    ['empty', '', /cannot be empty/],
    ['"."', '.', /cannot be "\."/],
    ['".."', '..', /cannot be "\.\."/],
    ['null', null, /must be a string, got null/],
    ['undefined', undefined, /must be a string, got undefined/],
    ['an object', { id: 'x' }, /must be a string, got object/],
  ];

  it.each(refused)('AMS: refuses a session_id that is %s before sending', async (_n, id, msg) => {
    const wire = recordAll(AMS, WM);
    const error = await rejectionOf(
      amsClient().GET('/v1/working-memory/{session_id}', {
        params: { path: { session_id: id as string } },
      }),
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe('path.session_id');
    expect((error as InvalidArgumentError).message).toMatch(msg);
    expect(wire.count).toBe(0);
  });

  it.each(refused)('managed: refuses a sessionId that is %s before sending', async (_n, id) => {
    const wire = recordAll(RAM, {});
    const error = await rejectionOf(
      ramClient().GET('/v1/stores/{storeId}/session-memory/{sessionId}', {
        params: { path: { sessionId: id as string } },
      }),
    );
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe('path.sessionId');
    expect(wire.count).toBe(0);
  });

  it('managed: refuses an eventId of ".." before sending', async () => {
    const wire = recordAll(RAM, {});
    const error = await rejectionOf(
      ramClient().DELETE('/v1/stores/{storeId}/session-memory/{sessionId}/events/{eventId}', {
        params: { path: { sessionId: 's1', eventId: '..' } },
      }),
    );
    expect((error as InvalidArgumentError).field).toBe('path.eventId');
    expect(wire.count).toBe(0);
  });

  it('refuses a call that leaves out a path parameter, before sending', async () => {
    const wire = recordAll(AMS, WM);
    for (const init of [undefined, {}, { params: {} }, { params: { path: {} } }]) {
      const error = await rejectionOf(
        amsClient().GET('/v1/working-memory/{session_id}', init as never),
      );
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).message).toMatch(/"session_id" is required/);
    }
    expect(wire.count).toBe(0);
  });
});

describe('URLs', () => {
  it('keeps a path prefix of the baseUrl and drops its trailing slashes', async () => {
    const wire = recordAll(RAM, {});
    await ramClient({ baseUrl: `${RAM}/prefix//` }).GET(
      '/v1/stores/{storeId}/session-memory/{sessionId}',
      { params: { path: { sessionId: 's1' } } },
    );
    expect(wire.requests[0]?.uri).toBe(`/prefix/v1/stores/${STORE}/session-memory/s1`);
  });

  it('keeps the trailing slash of the AMS list route and sends the query', async () => {
    const wire = recordAll(AMS, { sessions: [], total: 0 });
    await amsClient().GET('/v1/working-memory/', {
      params: { query: { limit: 5, offset: 10, namespace: 'a b' } },
    });
    const uri = new URL(wire.requests[0]?.uri ?? '', AMS);
    expect(uri.pathname).toBe('/v1/working-memory/');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      limit: '5',
      offset: '10',
      namespace: 'a b',
    });
  });

  it('sends a JSON body with its content type', async () => {
    const wire = recordAll(AMS, WM);
    const body = { messages: [{ role: 'user', content: 'h\u00e9llo' }], data: { k: 1 } };
    await amsClient().PUT('/v1/working-memory/{session_id}', {
      params: { path: { session_id: 's1' } },
      body,
    });
    expect(wire.requests[0]?.method).toBe('PUT');
    expect(wire.requests[0]?.headers['content-type']).toMatch(/^application\/json/);
    expect(wire.requests[0]?.body).toEqual(body);
  });
});

describe('identification and extra headers', () => {
  it('names the library and its package.json version in User-Agent, and asks for JSON', async () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { name: string; version: string };
    const wire = recordAll(AMS, {});
    await amsClient().GET('/v1/health');
    await ramClient({ baseUrl: AMS }).GET('/health');
    for (const request of wire.requests) {
      expect(request.headers['user-agent']).toBe(USER_AGENT);
      expect(request.headers['user-agent']).toMatch(
        new RegExp(`^${pkg.name}-ts/${pkg.version.replace(/\./g, '\\.')} `),
      );
      expect(request.headers['user-agent']).toContain(process.version);
      expect(request.headers.accept).toBe('application/json');
    }
  });

  it('lets a caller set its own User-Agent', async () => {
    const wire = recordAll(AMS, {});
    await amsClient({ headers: { 'User-Agent': 'my-app/1.0' } }).GET('/v1/health');
    expect(wire.requests[0]?.headers['user-agent']).toBe('my-app/1.0');
  });

  it('sends the extra headers on every request', async () => {
    const wire = recordAll(RAM, {});
    const ram = ramClient({ headers: { 'X-Tenant': 'acme', 'X-Trace': 't-1' } });
    await ram.GET('/health');
    await ram.POST('/v1/stores/{storeId}/session-memory/events', { body: EVENT_BODY });
    for (const request of wire.requests) {
      expect(request.headers['x-tenant']).toBe('acme');
      expect(request.headers['x-trace']).toBe('t-1');
    }
    expect(wire.count).toBe(2);
  });

  it('lets a per-call header replace a client-level one of the same name', async () => {
    const wire = recordAll(AMS, {});
    await amsClient({ headers: { 'X-Tenant': 'acme' } }).GET('/v1/health', {
      headers: { 'x-tenant': 'other' },
    });
    expect(wire.requests[0]?.headers['x-tenant']).toBe('other');
  });
});

describe('custom fetch', () => {
  it('sends through the given fetch, with the same URL, method, headers and body', async () => {
    const wire = recordAll(RAM, {});
    const calls: { url: string; method: string; headers: Headers; body: string }[] = [];
    const fetch = vi.fn((input: string | URL | Request, init?: RequestInit) => {
      calls.push({
        url: input instanceof Request ? input.url : input.toString(),
        method: init?.method ?? '',
        headers: new Headers(init?.headers),
        body:
          typeof init?.body === 'string'
            ? init.body
            : new TextDecoder().decode(init?.body as ArrayBuffer),
      });
      return Promise.resolve(
        new Response(JSON.stringify({ event: { eventId: 'e1' } }), {
          status: 201,
          headers: { 'content-type': 'application/json' },
        }),
      );
    });
    const ram = ramClient({ apiKey: 'key-1', fetch, headers: { 'x-extra': '1' } });
    const { data } = await ram.POST('/v1/stores/{storeId}/session-memory/events', {
      body: EVENT_BODY,
    });
    expect(data).toEqual({ event: { eventId: 'e1' } });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(wire.count).toBe(0);
    expect(calls[0]?.url).toBe(`${RAM}/v1/stores/${STORE}/session-memory/events`);
    expect(calls[0]?.method).toBe('POST');
    expect(calls[0]?.headers.get('authorization')).toBe('Bearer key-1');
    expect(calls[0]?.headers.get('x-extra')).toBe('1');
    expect(calls[0]?.headers.get('user-agent')).toBe(USER_AGENT);
    expect(JSON.parse(calls[0]?.body ?? '')).toEqual(EVENT_BODY);
  });

  it('without one, uses whatever globalThis.fetch is at call time', async () => {
    const ams = amsClient();
    const fetch = vi
      .spyOn(globalThis, 'fetch')
      .mockResolvedValue(new Response('{"now":7}', { status: 200 }));
    const { data } = await ams.GET('/v1/health');
    expect(data).toEqual({ now: 7 });
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});

describe('the retry-safe marker', () => {
  it('is a header the caller spreads in', () => {
    expect(retrySafe).toEqual({ [RETRY_SAFE_HEADER]: '1' });
    expect(Object.isFrozen(retrySafe)).toBe(true);
  });

  it('never reaches the wire, on the first attempt or on retries', async () => {
    const wire = new Wire();
    nock(RAM)
      .post(`/v1/stores/${STORE}/session-memory/events`)
      .times(2)
      .reply(wire.reply((attempt) => (attempt === 1 ? [503, {}] : [201, { event: {} }])));
    const { response } = await ramClient().POST('/v1/stores/{storeId}/session-memory/events', {
      body: EVENT_BODY,
      headers: { ...retrySafe },
    });
    expect(response.status).toBe(201);
    expect(wire.count).toBe(2);
    for (const request of wire.requests)
      expect(request.headers).not.toHaveProperty(RETRY_SAFE_HEADER);
  });

  it('never reaches the wire when given in any letter case', async () => {
    const wire = recordAll(AMS, {});
    await amsClient().GET('/v1/health', { headers: { 'X-ADK-Redis-Retry-Safe': '1' } });
    expect(Object.keys(wire.requests[0]?.headers ?? {})).not.toContain(RETRY_SAFE_HEADER);
    expect(wire.count).toBe(1);
  });

  it('never reaches the wire even from the client-level headers', async () => {
    const wire = recordAll(AMS, {});
    await amsClient({ headers: { ...retrySafe } }).GET('/v1/health');
    expect(wire.requests[0]?.headers).not.toHaveProperty(RETRY_SAFE_HEADER);
  });

  it('never reaches a custom fetch', async () => {
    const seen: Headers[] = [];
    const fetch = vi.fn((_input: string | URL | Request, init?: RequestInit) => {
      seen.push(new Headers(init?.headers));
      return Promise.resolve(new Response('{}', { status: 201 }));
    });
    await ramClient({ fetch }).POST('/v1/stores/{storeId}/session-memory/events', {
      body: EVENT_BODY,
      headers: retrySafe,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.has(RETRY_SAFE_HEADER)).toBe(false);
  });
});

describe('debug hook', () => {
  it('reports the request and the response, with the path but not the query', async () => {
    nock(AMS).get('/v1/working-memory/a%2Fb').query(true).reply(200, WM);
    const { events, onDebug } = debugRecorder();
    await amsClient({ onDebug }).GET('/v1/working-memory/{session_id}', {
      params: { path: { session_id: 'a/b' }, query: { user_id: 'u-private' } },
    });
    expect(events.map(({ durationMs: _d, ...rest }) => rest)).toEqual([
      {
        type: 'request',
        backend: 'opensource-agent-memory',
        method: 'GET',
        path: '/v1/working-memory/a%2Fb',
        attempt: 1,
      },
      {
        type: 'response',
        backend: 'opensource-agent-memory',
        method: 'GET',
        path: '/v1/working-memory/a%2Fb',
        attempt: 1,
        status: 200,
      },
    ]);
    expect(JSON.stringify(events)).not.toContain('u-private');
    expect(events[1]?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('names the managed backend', async () => {
    nock(RAM).get('/health').reply(200, {});
    const { events, onDebug } = debugRecorder();
    await ramClient({ onDebug }).GET('/health');
    expect(events.map((e) => e.backend)).toEqual(['redis-agent-memory', 'redis-agent-memory']);
  });

  it('cannot break a request by throwing', async () => {
    nock(AMS).get('/v1/health').reply(503).get('/v1/health').reply(200, { now: 3 });
    const onDebug = vi.fn(() => {
      throw new Error('hook failed');
    });
    const { data } = await amsClient({ onDebug }).GET('/v1/health');
    expect(data).toEqual({ now: 3 });
    expect(onDebug).toHaveBeenCalled();
    expect(nock.isDone()).toBe(true);
  });
});

describe('openapi-fetch middleware and bodies that are not JSON text', () => {
  it('gives client middleware a real Request, and sends what it changes with the credentials', async () => {
    const wire = recordAll(RAM, {});
    const ram = ramClient({ apiKey: 'key-1' });
    const seen: unknown[] = [];
    const middleware = {
      onRequest({ request }: { request: Request }) {
        seen.push(request);
        request.headers.set('x-from-middleware', 'yes');
        return request;
      },
    };
    ram.use(middleware);
    await ram.POST('/v1/stores/{storeId}/session-memory/events', { body: EVENT_BODY });
    expect(seen[0]).toBeInstanceOf(Request);
    expect(wire.requests[0]?.headers['x-from-middleware']).toBe('yes');
    expect(wire.requests[0]?.headers.authorization).toBe('Bearer key-1');
    expect(wire.requests[0]?.body).toEqual(EVENT_BODY);

    ram.eject(middleware);
    await ram.POST('/v1/stores/{storeId}/session-memory/events', { body: EVENT_BODY });
    expect(seen).toHaveLength(1);
    expect(wire.requests[1]?.headers['x-from-middleware']).toBeUndefined();
    expect(wire.requests[1]?.body).toEqual(EVENT_BODY);
  });

  it('gives per-call middleware a real Request too', async () => {
    const wire = recordAll(AMS, {});
    const seen: unknown[] = [];
    await amsClient().GET('/v1/health', {
      middleware: [
        {
          onRequest({ request }: { request: Request }) {
            seen.push(request);
          },
        },
      ],
    });
    expect(seen[0]).toBeInstanceOf(Request);
    expect(wire.count).toBe(1);
  });

  it('sends a body serialised to bytes as those bytes, the same on every retry', async () => {
    const bytes = new TextEncoder().encode('{"a":"\u00e9"}');
    const wire = new Wire();
    const received: Buffer[] = [];
    nock(AMS)
      .persist()
      .put(/.*/)
      .reply(function (this: nock.ReplyFnContext, uri: string, body: nock.Body) {
        received.push(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
        return wire.reply((n) => (n < 2 ? [503] : [200, WM])).call(this, uri, body);
      });
    const { response } = await amsClient().PUT('/v1/working-memory/{session_id}', {
      params: { path: { session_id: 's1' } },
      body: {} as never,
      bodySerializer: () => bytes,
    });
    expect(response.status).toBe(200);
    expect(wire.count).toBe(2);
    for (const body of received) expect(JSON.parse(body.toString('utf8'))).toEqual({ a: 'é' });
  });

  it('sends a form body as the platform encodes it', async () => {
    const wire = recordAll(AMS, {});
    await amsClient().POST('/v1/long-term-memory/search', {
      body: {} as never,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      bodySerializer: () => new URLSearchParams({ q: 'a b' }),
    });
    expect(wire.requests[0]?.headers['content-type']).toMatch(
      /^application\/x-www-form-urlencoded/,
    );
    expect(wire.requests[0]?.body).toBe('q=a+b');
  });
});
