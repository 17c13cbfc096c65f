/**
 * Requests the typed client cannot express: every one must be refused with a 400 problem whose
 * `fields` name what is wrong, and nothing may be stored.
 */
import { describe, expect, it } from 'vitest';
import { eventBody, fieldErrorsOf, problemOf, useFake } from './helpers.js';

const ctx = useFake();

const post = (json: unknown) => ctx.raw('session-memory/events', { method: 'POST', json });

/** The fake's store is untouched: nothing was listed after the refused requests. */
async function expectNothingStored(): Promise<void> {
  const listed = await ctx.raw('session-memory?includeAll=true');
  expect(await listed.json()).toEqual({ items: [], total: 0 });
}

describe('AddSessionEvent body', () => {
  it.each([
    ['sessionId with "_"', { sessionId: 's_1' }, ['sessionId:pattern']],
    ['sessionId with ":"', { sessionId: 'a:b' }, ['sessionId:pattern']],
    ['sessionId of 65 chars', { sessionId: 'a'.repeat(65) }, ['sessionId:maxLength']],
    ['empty sessionId', { sessionId: '' }, ['sessionId:minLength', 'sessionId:pattern']],
    ['actorId with "@"', { actorId: 'me@x' }, ['actorId:pattern']],
    ['actorId of 65 chars', { actorId: 'b'.repeat(65) }, ['actorId:maxLength']],
    ['namespace with "."', { namespace: 'a.b' }, ['namespace:pattern']],
    ['role "TOOL"', { role: 'TOOL' }, ['role:enum']],
    ['lower-case role', { role: 'user' }, ['role:enum']],
    ['createdAt in milliseconds', { createdAt: 1767225600000 }, ['createdAt:type']],
    ['createdAt without time', { createdAt: '2026-01-01' }, ['createdAt:format']],
    ['createdAt as text', { createdAt: 'yesterday' }, ['createdAt:format']],
    ['content not an array', { content: 'hello' }, ['content:type']],
    ['content part without text', { content: [{ image: 'x' }] }, ['content.0.text:required']],
    ['content text not a string', { content: [{ text: 1 }] }, ['content.0.text:type']],
  ])('refuses %s', async (_name, overrides, expected) => {
    expect(await fieldErrorsOf(await post(eventBody(overrides)))).toEqual(expected);
    await expectNothingStored();
  });

  it('names every missing required field', async () => {
    const response = await post({ sessionId: 's1' });
    expect(await fieldErrorsOf(response)).toEqual([
      'actorId:required',
      'content:required',
      'createdAt:required',
      'role:required',
    ]);
    await expectNothingStored();
  });

  it('reports field messages in problem details', async () => {
    const body = await problemOf(await post(eventBody({ role: 'TOOL' })), 400);
    expect(body.type).toBe('/errors/invalid-data');
    expect(body.title).not.toBe('');
    expect(body.fields).toHaveLength(1);
    expect(body.fields![0]).toMatchObject({ field: 'role', rule: 'enum' });
    expect(body.fields![0]!.message).toContain('USER');
  });

  it('accepts a date-time with an offset and fractional seconds, and extra properties', async () => {
    const response = await post(
      eventBody({ createdAt: '2026-01-01T10:00:00.123+02:00', unknownField: true }),
    );
    expect(response.status).toBe(201);
    const { event } = (await response.json()) as { event: Record<string, unknown> };
    expect(event.createdAt).toBe('2026-01-01T10:00:00.123+02:00');
    expect(event).not.toHaveProperty('unknownField');
  });

  it('refuses a body that is not JSON, not an object, or missing', async () => {
    const notJson = await ctx.raw('session-memory/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"sessionId":',
    });
    expect(await fieldErrorsOf(notJson)).toEqual(['body:json']);
    expect(await fieldErrorsOf(await post([eventBody()]))).toEqual(['body:type']);
    expect(await fieldErrorsOf(await post(null))).toEqual(['body:type']);
    const empty = await ctx.raw('session-memory/events', { method: 'POST' });
    expect(await fieldErrorsOf(empty)).toEqual(['body:required']);
    await expectNothingStored();
  });

  it('accepts only application/json bodies', async () => {
    const text = await ctx.raw('session-memory/events', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(eventBody()),
    });
    expect(await fieldErrorsOf(text)).toEqual(['content-type:mediaType']);
    const charset = await ctx.raw('session-memory/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(eventBody()),
    });
    expect(charset.status).toBe(201);
  });

  it('answers 413 to a body above 1 MiB', async () => {
    const huge = eventBody({ content: [{ text: 'x'.repeat(1024 * 1024) }] });
    const body = await problemOf(await post(huge), 413);
    expect(body.type).toBe('/errors/payload-too-large');
    await expectNothingStored();
  });
});

describe('path and query parameters', () => {
  it.each([
    ['session-memory/s_1', ['sessionId:pattern']],
    [`session-memory/${'s'.repeat(65)}`, ['sessionId:maxLength']],
    ['session-memory/a%20b', ['sessionId:pattern']],
    ['session-memory/%E0%A4%A', ['sessionId:encoding']],
    ['session-memory/s1/events/short', ['eventId:minLength']],
    [`session-memory/s1/events/${'a'.repeat(31)}-`, ['eventId:pattern']],
    [`session-memory/s1/events/${'a'.repeat(33)}`, ['eventId:maxLength']],
    ['session-memory/s1?includeSummarisedEvents=1', ['includeSummarisedEvents:type']],
    ['session-memory/s1?includeSummarisedEvents=TRUE', ['includeSummarisedEvents:type']],
    ['session-memory?includeAll=true&limit=5&limit=6', ['limit:type']],
  ])('GET %s → 400', async (path, expected) => {
    expect(await fieldErrorsOf(await ctx.raw(path))).toEqual(expected);
  });

  it('checks the store id: invalid → 400, unknown → 404', async () => {
    expect(await fieldErrorsOf(await ctx.raw('/v1/stores/bad_store/health'))).toEqual([
      'storeId:pattern',
    ]);
    const unknown = await problemOf(await ctx.raw('/v1/stores/other/session-memory/s1'), 404);
    expect(unknown.type).toBe('/errors/resource-not-found');
  });

  it('ignores query parameters the operation does not declare', async () => {
    const response = await ctx.raw('session-memory?includeAll=true&sortBy=createdAt');
    expect(response.status).toBe(200);
  });
});

describe('routes', () => {
  it('answers 404 problems for unknown routes, unknown methods and missing records', async () => {
    const cases: [string, RequestInit][] = [
      ['/v2/nothing', {}],
      ['/v1/stores/fake-store/nothing', {}],
      ['session-memory/s1', { method: 'PUT' }],
      ['session-memory/events', { method: 'PATCH' }],
      ['long-term-memory/search', { method: 'GET' }],
      ['long-term-memory/m1', { method: 'PUT' }],
      ['long-term-memory/m1', {}],
    ];
    for (const [path, init] of cases) {
      const body = await problemOf(await ctx.raw(path, init), 404);
      expect([path, body.type]).toEqual([path, '/errors/resource-not-found']);
    }
  });

  it('serves GET /health without credentials', async () => {
    const response = await fetch(`${ctx.fake.baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'healthy' });
  });

  it('serves the store health', async () => {
    const response = await ctx.raw('health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'healthy',
      features: { sessionMemory: { status: 'healthy' }, longTermMemory: { status: 'healthy' } },
    });
  });

  it('records every request with its parsed body, query and status', async () => {
    await post(eventBody({ role: 'TOOL' }));
    await ctx.raw('session-memory?includeAll=true&limit=2');
    expect(ctx.fake.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/stores/fake-store/session-memory/events',
        query: {},
        body: eventBody({ role: 'TOOL' }),
        status: 400,
      },
      {
        method: 'GET',
        path: '/v1/stores/fake-store/session-memory',
        query: { includeAll: 'true', limit: '2' },
        status: 200,
      },
    ]);
  });
});
