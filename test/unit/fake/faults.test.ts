/** Fault injection: problem statuses, Retry-After, dropped connections and lost responses. */
import { describe, expect, it } from 'vitest';
import { BackendError, NetworkError, unwrap } from '../../../src/index.js';
import { eventBody, problemOf, useFake } from './helpers.js';

const ctx = useFake();

const EVENTS = '/v1/stores/{storeId}/session-memory/events' as const;
const SESSION = '/v1/stores/{storeId}/session-memory/{sessionId}' as const;

const addEvent = (text = 'hello') =>
  ctx.client().POST(EVENTS, {
    body: {
      sessionId: 's1',
      actorId: 'user-1',
      role: 'USER',
      content: [{ text }],
      createdAt: '2026-01-01T00:00:00Z',
    },
  });

const getSession = () => ctx.client().GET(SESSION, { params: { path: { sessionId: 's1' } } });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('injected statuses', () => {
  it('answers the next matching request with the documented problem and Retry-After', async () => {
    ctx.fake.injectFault({ status: 429, retryAfter: '7' });
    const response = await ctx.raw('health');
    const body = await problemOf(response, 429);
    expect(body.type).toBe('/errors/too-many-requests');
    expect(response.headers.get('retry-after')).toBe('7');
    expect((await ctx.raw('health')).status).toBe(200);
  });

  it('applies `times` times, then stops', async () => {
    ctx.fake.injectFault({ status: 424, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await ctx.raw('health')).status);
    expect(statuses).toEqual([424, 424, 200]);
  });

  it('matches only the given method and path pattern', async () => {
    ctx.fake.injectFault({ method: 'post', pathPattern: /\/session-memory\/events$/, status: 500 });
    expect((await ctx.raw('session-memory?includeAll=true')).status).toBe(200);
    expect((await ctx.raw('health', { method: 'POST' })).status).toBe(404);
    const failed = await addEvent();
    expect(failed.response.status).toBe(500);
    expect(failed.error).toMatchObject({ type: '/errors/unexpected-error', status: 500 });
    expect((await getSession()).response.status).toBe(404); // the failed POST stored nothing
    expect((await addEvent()).response.status).toBe(201);
  });

  it('resets a /g pattern between matches', async () => {
    ctx.fake.injectFault({ pathPattern: /health/g, status: 500, times: 2 });
    expect((await ctx.raw('health')).status).toBe(500);
    expect((await ctx.raw('health')).status).toBe(500);
  });

  it('lets the client retry an idempotent request after Retry-After', async () => {
    ctx.fake.injectFault({ method: 'GET', status: 500, retryAfter: '0' });
    await unwrap(addEvent());
    const client = ctx.client({ retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const session = await unwrap(client.GET(SESSION, { params: { path: { sessionId: 's1' } } }));
    expect(session.events).toHaveLength(1);
    expect(ctx.fake.requests.map((r) => `${r.method} ${r.status}`)).toEqual([
      'POST 201',
      'GET 500',
      'GET 200',
    ]);
  });

  it('sends a status the spec does not declare (a gateway 503) as an about:blank problem', async () => {
    ctx.fake.injectFault({ status: 503 });
    const body = await problemOf(await ctx.raw('health'), 503);
    expect(body).toMatchObject({ type: 'about:blank', title: 'Service Unavailable' });
  });

  it('comes before authentication', async () => {
    ctx.fake.injectFault({ status: 408 });
    const body = await problemOf(await ctx.raw('health', { auth: false }), 408);
    expect(body.type).toBe('/errors/timeout');
  });
});

describe('dropped connections', () => {
  it('closes the connection without an answer and records status 0', async () => {
    ctx.fake.injectFault({ dropConnection: true });
    const error = await rejection(unwrap(getSession()));
    expect(error).toBeInstanceOf(NetworkError);
    expect(ctx.fake.requests.map((r) => r.status)).toEqual([0]);
    expect((await getSession()).response.status).toBe(404);
  });
});

describe('lost responses (afterHandling)', () => {
  it('stores the event but answers with the injected status', async () => {
    ctx.fake.injectFault({ method: 'POST', status: 500, afterHandling: true });
    const error = await rejection(unwrap(addEvent('kept')));
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ status: 500, type: '/errors/unexpected-error' });

    const session = await unwrap(getSession());
    expect(session.events.map((e) => e.content[0]!.text)).toEqual(['kept']);
  });

  it('stores the event but drops the connection', async () => {
    ctx.fake.injectFault({ method: 'POST', dropConnection: true, afterHandling: true });
    const error = await rejection(unwrap(addEvent('kept')));
    expect(error).toBeInstanceOf(NetworkError);
    const session = await unwrap(getSession());
    expect(session.events).toHaveLength(1);
    expect(ctx.fake.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['POST 0', 'GET 200']);
  });

  it('deletes the session but reports a failure', async () => {
    await unwrap(addEvent());
    ctx.fake.injectFault({ method: 'DELETE', status: 424, afterHandling: true });
    const deleted = await ctx.client().DELETE(SESSION, { params: { path: { sessionId: 's1' } } });
    expect(deleted.response.status).toBe(424);
    expect((await getSession()).response.status).toBe(404);
  });
});

describe('injectFault arguments', () => {
  it.each([
    ['neither status nor drop', {}, /exactly one of status or dropConnection/],
    ['both status and drop', { status: 500, dropConnection: true }, /exactly one/],
    ['a success status', { status: 200 }, /400-599/],
    ['times 0', { status: 500, times: 0 }, /positive integer/],
    ['retryAfter without status', { dropConnection: true, retryAfter: '1' }, /needs a status/],
  ])('refuses %s', (_name, fault, message) => {
    expect(() => ctx.fake.injectFault(fault)).toThrow(message);
  });

  it('forgets pending faults on reset', async () => {
    ctx.fake.injectFault({ status: 500, times: 5 });
    ctx.fake.reset();
    expect((await ctx.raw('health')).status).toBe(200);
  });

  it('leaves non-matching requests alone', async () => {
    ctx.fake.injectFault({ pathPattern: /long-term/, status: 500 });
    const response = await ctx.raw('session-memory/events', { method: 'POST', json: eventBody() });
    expect(response.status).toBe(201);
  });
});

describe('faults and reset on long-term memory', () => {
  const create = (id: string) =>
    ctx.raw('long-term-memory', {
      method: 'POST',
      json: { memories: [{ id, ownerId: 'owner-1', text: 'remember this' }] },
    });

  it('stores nothing on an injected failure and everything on a lost response', async () => {
    ctx.fake.injectFault({ method: 'POST', pathPattern: /\/long-term-memory$/, status: 503 });
    expect((await create('m1')).status).toBe(503);
    expect((await ctx.raw('long-term-memory/m1')).status).toBe(404);

    ctx.fake.injectFault({ pathPattern: /\/long-term-memory$/, status: 500, afterHandling: true });
    await problemOf(await create('m2'), 500);
    expect((await ctx.raw('long-term-memory/m2')).status).toBe(200);
  });

  it('forgets memory records on reset', async () => {
    expect((await create('m1')).status).toBe(201);
    ctx.fake.reset();
    expect((await ctx.raw('long-term-memory/m1')).status).toBe(404);
  });
});
