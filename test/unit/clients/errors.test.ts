/**
 * Error mapping: error statuses and their bodies (managed problem details, AMS `{detail}` and
 * FastAPI validation arrays, proxy HTML, nothing at all) become BackendError through `unwrap`;
 * a 2xx body that is not JSON becomes MalformedResponseError.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  AdkRedisError,
  BackendError,
  MalformedResponseError,
  backendErrorFrom,
  unwrap,
} from '../../../src/clients/index.js';
import { AMS, RAM, STORE, amsClient, problem, ramClient, rejectionOf, useNock } from './helpers.js';

useNock();

const NO_RETRY = { maxRetries: 0 };
const SESSION = `/v1/stores/${STORE}/session-memory/s1`;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function backendError(call: Promise<unknown>): Promise<BackendError> {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(BackendError);
  expect(error).toBeInstanceOf(AdkRedisError);
  return error as BackendError;
}

function getSession() {
  return ramClient({ retry: NO_RETRY }).GET('/v1/stores/{storeId}/session-memory/{sessionId}', {
    params: { path: { sessionId: 's1' } },
  });
}

describe('managed API problem details (backends.md 3.6)', () => {
  // Status, type and a title as the documented problem types name them.
  const documented: [number, string, string][] = [
    [401, '/errors/authentication-failed', 'Authentication failed'],
    [403, '/errors/insufficient-permissions', 'Insufficient permissions'],
    [404, '/errors/resource-not-found', 'Resource not found'],
    [408, '/errors/timeout', 'Request timeout'],
    [413, '/errors/payload-too-large', 'Payload too large'],
    [424, '/errors/resource-unavailable', 'Resource unavailable'],
    [424, '/errors/database-out-of-memory', 'Database out of memory'],
    [429, '/errors/too-many-requests', 'Too many requests'],
    [500, '/errors/unexpected-error', 'Unexpected error'],
    [423, '/errors/resource-suspended', 'Resource suspended'],
  ];

  it.each(documented)('maps %i %s to a BackendError', async (status, type, title) => {
    const detail = `detail of ${type}`;
    nock(RAM)
      .get(SESSION)
      .reply(status, problem(status, type, title, detail, { instance: SESSION }), {
        'content-type': 'application/problem+json',
      });
    const error = await backendError(unwrap(getSession()));
    // Refused credentials are the AuthenticationError subclass, with what to check appended.
    const refused = status === 401 || status === 403;
    expect(error).toMatchObject({
      name: refused ? 'AuthenticationError' : 'BackendError',
      backend: 'redis-agent-memory',
      status,
      type,
      title,
      detail,
      method: 'GET',
      path: SESSION,
    });
    expect(error.fields).toBeUndefined();
    const message = `Redis Agent Memory answered ${status} ${title} to GET ${SESSION}: ${detail}`;
    if (refused)
      expect(error.message).toMatch(new RegExp(`^${escapeRegExp(message)}\\. Check apiKey`));
    else expect(error.message).toBe(message);
  });

  it('maps a 400 with field errors, listing them in the message', async () => {
    const fields = [
      { field: 'actorId', rule: 'pattern', message: 'must match ^[a-zA-Z0-9-]+$' },
      { field: 'createdAt', rule: 'required', message: 'is required' },
    ];
    nock(RAM)
      .post(`/v1/stores/${STORE}/session-memory/events`)
      .reply(
        400,
        problem(400, '/errors/invalid-data', 'Invalid data', 'The request is invalid', {
          fields,
        }),
        { 'content-type': 'application/json' },
      );
    const error = await backendError(
      unwrap(
        ramClient().POST('/v1/stores/{storeId}/session-memory/events', {
          body: {
            actorId: 'bad actor',
            role: 'USER',
            content: [{ text: 'x' }],
            createdAt: '',
          },
        }),
      ),
    );
    expect(error).toMatchObject({
      status: 400,
      type: '/errors/invalid-data',
      title: 'Invalid data',
      detail: 'The request is invalid',
      method: 'POST',
      path: `/v1/stores/${STORE}/session-memory/events`,
    });
    expect(error.fields).toEqual(fields);
    expect(error.message).toContain(
      '(actorId: must match ^[a-zA-Z0-9-]+$; createdAt: is required)',
    );
  });

  it('names the rule of a field error that has no message', async () => {
    nock(RAM)
      .get(SESSION)
      .reply(
        400,
        problem(400, '/errors/invalid-data', 'Invalid data', undefined, {
          fields: [{ field: 'sessionId', rule: 'maxLength' }, 'junk', { other: 1 }],
        }),
      );
    const error = await backendError(unwrap(getSession()));
    expect(error.fields).toEqual([{ field: 'sessionId', rule: 'maxLength', message: 'maxLength' }]);
    expect(error.detail).toBeUndefined();
    expect(error.message).toBe(
      `Redis Agent Memory answered 400 Invalid data to GET ${SESSION} (sessionId: maxLength)`,
    );
  });

  it('keeps the query string out of the path and the message', async () => {
    nock(RAM)
      .get(`/v1/stores/${STORE}/session-memory`)
      .query(true)
      .reply(400, problem(400, '/errors/invalid-data', 'Invalid data', 'bad page token'));
    const error = await backendError(
      unwrap(
        ramClient().GET('/v1/stores/{storeId}/session-memory', {
          params: { query: { filterOwnerId: 'owner-private', pageToken: 'tok-private' } },
        }),
      ),
    );
    expect(error.path).toBe(`/v1/stores/${STORE}/session-memory`);
    expect(error.message).not.toMatch(/\?|owner-private|tok-private/);
    expect(JSON.stringify(error)).not.toMatch(/owner-private|tok-private/);
  });

  it('carries Retry-After of a 429', async () => {
    nock(RAM)
      .get(SESSION)
      .reply(429, problem(429, '/errors/too-many-requests', 'Too many requests'), {
        'Retry-After': '7',
      });
    const error = await backendError(unwrap(getSession()));
    expect(error.retryAfterMs).toBe(7_000);
  });

  it('ignores problem members of the wrong type', async () => {
    nock(RAM)
      .get(SESSION)
      .reply(404, { type: 7, title: ['x'], detail: { nested: true }, fields: 'nope' });
    const error = await backendError(unwrap(getSession()));
    expect(error.type).toBeUndefined();
    expect(error.detail).toBeUndefined();
    expect(error.fields).toBeUndefined();
    // With no usable title, the HTTP reason phrase names the status.
    expect(error.title).toBe('Not Found');
  });

  it('serialises to a plain object with every field', async () => {
    nock(RAM)
      .get(SESSION)
      .reply(404, problem(404, '/errors/resource-not-found', 'Resource not found', 'gone'));
    const error = await backendError(unwrap(getSession()));
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'BackendError',
      code: 'ADK_REDIS_BACKEND',
      message: error.message,
      backend: 'redis-agent-memory',
      status: 404,
      method: 'GET',
      path: SESSION,
      type: '/errors/resource-not-found',
      title: 'Resource not found',
      detail: 'gone',
    });
  });
});

describe('Agent Memory Server errors (backends.md 2.1, 2.6)', () => {
  const wm = (sessionId: string) =>
    amsClient({ retry: NO_RETRY }).GET('/v1/working-memory/{session_id}', {
      params: { path: { session_id: sessionId }, query: { namespace: 'ns' } },
    });

  it('maps 404 {"detail": "Session x not found"}', async () => {
    nock(AMS)
      .get('/v1/working-memory/x')
      .query({ namespace: 'ns' })
      .reply(404, { detail: 'Session x not found' });
    const error = await backendError(unwrap(wm('x')));
    expect(error).toMatchObject({
      backend: 'opensource-agent-memory',
      status: 404,
      title: 'Not Found',
      detail: 'Session x not found',
      method: 'GET',
      path: '/v1/working-memory/x',
    });
    expect(error.type).toBeUndefined();
    expect(error.message).toBe(
      'Agent Memory Server answered 404 Not Found to GET /v1/working-memory/x: Session x not found',
    );
  });

  it('renders a 422 validation array readably, with dotted field paths', async () => {
    nock(AMS)
      .put('/v1/working-memory/s1')
      .reply(422, {
        detail: [
          {
            type: 'missing',
            loc: ['body', 'messages', 0, 'content'],
            msg: 'Field required',
            input: { role: 'user' },
          },
          {
            type: 'string_type',
            loc: ['body', 'messages', 1, 'role'],
            msg: 'Input should be a valid string',
            input: 7,
          },
          { loc: ['body'], type: 'x' },
        ],
      });
    const error = await backendError(
      unwrap(
        amsClient().PUT('/v1/working-memory/{session_id}', {
          params: { path: { session_id: 's1' } },
          body: { messages: [{ role: 'user' } as never] },
        }),
      ),
    );
    expect(error.status).toBe(422);
    expect(error.fields).toEqual([
      { field: 'body.messages.0.content', message: 'Field required', rule: 'missing' },
      {
        field: 'body.messages.1.role',
        message: 'Input should be a valid string',
        rule: 'string_type',
      },
    ]);
    expect(error.detail).toBe('request validation failed');
    expect(error.message).toBe(
      'Agent Memory Server answered 422 Unprocessable Entity to PUT /v1/working-memory/s1: ' +
        'request validation failed (body.messages.0.content: Field required; ' +
        'body.messages.1.role: Input should be a valid string)',
    );
  });

  it('renders a query 422 of the list route', async () => {
    nock(AMS)
      .get('/v1/working-memory/')
      .query({ limit: '101' })
      .reply(422, {
        detail: [
          {
            type: 'less_than_equal',
            loc: ['query', 'limit'],
            msg: 'Input should be less than or equal to 100',
            input: '101',
            ctx: { le: 100 },
          },
        ],
      });
    const error = await backendError(
      unwrap(amsClient().GET('/v1/working-memory/', { params: { query: { limit: 101 } } })),
    );
    expect(error.path).toBe('/v1/working-memory/');
    expect(error.message).toContain('(query.limit: Input should be less than or equal to 100)');
  });

  it('maps 401 {"detail": "Missing authorization header"}', async () => {
    nock(AMS)
      .get('/v1/working-memory/s1')
      .query(true)
      .reply(401, { detail: 'Missing authorization header' }, { 'WWW-Authenticate': 'Bearer' });
    const error = await backendError(unwrap(wm('s1')));
    expect(error).toMatchObject({
      status: 401,
      title: 'Unauthorized',
      detail: 'Missing authorization header',
    });
  });

  it('maps a 400 raised by PUT', async () => {
    nock(AMS)
      .put('/v1/working-memory/s1')
      .reply(400, { detail: 'Message content cannot be empty (message ID: m1)' });
    const error = await backendError(
      unwrap(
        amsClient().PUT('/v1/working-memory/{session_id}', {
          params: { path: { session_id: 's1' } },
          body: { messages: [{ id: 'm1', role: 'user', content: ' ' }] },
        }),
      ),
    );
    expect(error.status).toBe(400);
    expect(error.detail).toBe('Message content cannot be empty (message ID: m1)');
  });

  it('maps a 500 with a JSON detail and a plain-text 500', async () => {
    nock(AMS)
      .get('/v1/working-memory/s1')
      .query(true)
      .reply(500, { detail: 'Error summarizing' })
      .get('/v1/working-memory/s2')
      .query(true)
      .reply(500, 'Internal Server Error', { 'content-type': 'text/plain' });
    const json = await backendError(unwrap(wm('s1')));
    expect(json).toMatchObject({ status: 500, detail: 'Error summarizing' });
    const text = await backendError(unwrap(wm('s2')));
    expect(text).toMatchObject({
      status: 500,
      title: 'Internal Server Error',
      detail: 'Internal Server Error',
    });
  });
});

describe('bodies that are not problem details', () => {
  const NGINX_502 =
    '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n' +
    '<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

  it('strips the tags and whitespace of an HTML error page', async () => {
    nock(RAM).get(SESSION).reply(502, NGINX_502, { 'content-type': 'text/html' });
    const error = await backendError(unwrap(getSession()));
    expect(error.status).toBe(502);
    expect(error.detail).toBe('502 Bad Gateway 502 Bad Gateway nginx');
    expect(error.message).not.toMatch(/[<>]/);
    expect(error.message).not.toMatch(/[\r\n]/);
  });

  it('truncates a long page to 500 characters', async () => {
    const page = `<html><body>${'<p>lorem ipsum dolor</p>\n'.repeat(200)}</body></html>`;
    nock(RAM).get(SESSION).reply(503, page, { 'content-type': 'text/html' });
    const error = await backendError(unwrap(getSession()));
    expect(error.detail).toHaveLength(501);
    expect(error.detail?.endsWith('…')).toBe(true);
    expect(error.detail).not.toMatch(/[<>]/);
    expect(error.message.length).toBeLessThan(700);
  });

  it('truncates a long JSON detail too', async () => {
    nock(AMS)
      .get('/v1/health')
      .reply(500, { detail: 'x'.repeat(10_000) });
    const error = await backendError(unwrap(amsClient({ retry: NO_RETRY }).GET('/v1/health')));
    expect(error.detail).toBe(`${'x'.repeat(500)}…`);
  });

  it.each([
    ['no body', undefined],
    ['an empty body', ''],
    ['a blank body', '  \n '],
  ])('maps an error with %s to its status alone', async (_name, body) => {
    nock(RAM).get(SESSION).reply(503, body);
    const error = await backendError(unwrap(getSession()));
    expect(error).toMatchObject({ status: 503, title: 'Service Unavailable' });
    expect(error.detail).toBeUndefined();
    expect(error.message).toBe(
      `Redis Agent Memory answered 503 Service Unavailable to GET ${SESSION}`,
    );
  });

  it('maps an error with Content-Length: 0', async () => {
    nock(AMS).get('/v1/health').reply(401, '', { 'Content-Length': '0' });
    const error = await backendError(unwrap(amsClient().GET('/v1/health')));
    expect(error).toMatchObject({ status: 401, title: 'Unauthorized' });
    expect(error.detail).toBeUndefined();
  });
});

describe('successful responses', () => {
  it('unwrap returns the parsed data of a 2xx', async () => {
    nock(AMS).get('/v1/health').reply(200, { now: 1_700_000_000_000 });
    expect(await unwrap(amsClient().GET('/v1/health'))).toEqual({ now: 1_700_000_000_000 });
  });

  it('unwrap returns undefined for a 204 without a body', async () => {
    nock(RAM).delete(SESSION).reply(204);
    const data = await unwrap(
      ramClient().DELETE('/v1/stores/{storeId}/session-memory/{sessionId}', {
        params: { path: { sessionId: 's1' } },
      }),
    );
    expect(data).toBeUndefined();
  });

  it.each([
    ['plain text', 'OK', {}],
    ['HTML', '<html><body>Welcome</body></html>', { 'content-type': 'text/html' }],
    ['cut-short JSON', '{"now": 17', { 'content-type': 'application/json' }],
  ])('turns a 2xx %s body into MalformedResponseError', async (_name, body, headers) => {
    nock(AMS).get('/v1/health').reply(200, body, headers);
    const error = await rejectionOf(unwrap(amsClient().GET('/v1/health')));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error).toBeInstanceOf(AdkRedisError);
    expect(error).not.toBeInstanceOf(SyntaxError);
    expect(error).toMatchObject({
      name: 'MalformedResponseError',
      backend: 'opensource-agent-memory',
      method: 'GET',
      path: '/v1/health',
    });
    expect((error as Error).message).toBe(
      'Agent Memory Server answered GET /v1/health with a body that cannot be read: not valid JSON',
    );
  });

  it('names the route template and method of a malformed managed response', async () => {
    nock(RAM).post(`/v1/stores/${STORE}/session-memory/events`).reply(201, 'created');
    const error = await rejectionOf(
      ramClient().POST('/v1/stores/{storeId}/session-memory/events', {
        body: { actorId: 'a', role: 'USER', content: [], createdAt: '2026-01-01T00:00:00Z' },
      }),
    );
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error).toMatchObject({
      backend: 'redis-agent-memory',
      method: 'POST',
      path: '/v1/stores/{storeId}/session-memory/events',
    });
  });

  it('does the same through the generic request() method', async () => {
    nock(AMS).get('/v1/health').reply(200, 'not json');
    const error = await rejectionOf(amsClient().request('get', '/v1/health'));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expect(error).toMatchObject({ method: 'GET', path: '/v1/health' });
  });
});

describe('backendErrorFrom', () => {
  it('also works on a response that did not come through a client', () => {
    const response = new Response(null, { status: 409, statusText: 'Conflict' });
    const error = backendErrorFrom(
      response,
      { detail: 'namespace mismatch' },
      'redis-agent-memory',
    );
    expect(error).toMatchObject({
      backend: 'redis-agent-memory',
      status: 409,
      title: 'Conflict',
      detail: 'namespace mismatch',
      path: '(unknown)',
    });
  });
});
