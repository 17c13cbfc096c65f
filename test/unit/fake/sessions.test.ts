/** Session memory through the repo's typed client: lifecycle, ownership, events, summary, expiry. */
import { describe, expect, it } from 'vitest';
import { BackendError, unwrap } from '../../../src/index.js';
import { problemOf, useFake } from './helpers.js';

const ctx = useFake();

const EVENTS = '/v1/stores/{storeId}/session-memory/events' as const;
const SESSION = '/v1/stores/{storeId}/session-memory/{sessionId}' as const;
const EVENT = '/v1/stores/{storeId}/session-memory/{sessionId}/events/{eventId}' as const;

type Role = 'USER' | 'ASSISTANT' | 'SYSTEM';

function add(body: {
  sessionId?: string;
  actorId?: string;
  namespace?: string;
  role?: Role;
  text?: string;
  metadata?: unknown;
}) {
  const { text = 'hello', role = 'USER', actorId = 'user-1', ...rest } = body;
  return unwrap(
    ctx.client().POST(EVENTS, {
      body: { actorId, role, content: [{ text }], createdAt: '2026-01-01T00:00:00Z', ...rest },
    }),
  );
}

function get(sessionId: string, includeSummarisedEvents?: boolean) {
  return ctx.client().GET(SESSION, {
    params: {
      path: { sessionId },
      ...(includeSummarisedEvents === undefined ? {} : { query: { includeSummarisedEvents } }),
    },
  });
}

describe('session lifecycle', () => {
  it('answers 404 before the first event, then creates the session on it', async () => {
    const before = await get('s1');
    expect(before.response.status).toBe(404);
    expect(before.error).toMatchObject({ type: '/errors/resource-not-found', status: 404 });

    const { event } = await add({ sessionId: 's1', text: 'first' });
    expect(event).toMatchObject({
      sessionId: 's1',
      actorId: 'user-1',
      role: 'USER',
      content: [{ text: 'first' }],
      createdAt: '2026-01-01T00:00:00Z',
    });
    expect(event.eventId).toMatch(/^[a-zA-Z0-9]{32}$/);
    expect(Date.parse(event.systemTimestamp)).not.toBeNaN();
    expect(ctx.fake.requests.map((r) => r.status)).toEqual([404, 201]);

    const after = await unwrap(get('s1'));
    expect(after).toEqual({ sessionId: 's1', ownerId: 'user-1', events: [event] });
  });

  it('generates a 32-character session id when none is given', async () => {
    const { event } = await add({});
    expect(event.sessionId).toMatch(/^[a-zA-Z0-9]{32}$/);
    const session = await unwrap(get(event.sessionId));
    expect(session.events.map((e) => e.eventId)).toEqual([event.eventId]);
  });

  it('fixes owner and namespace with the first event and ignores later values', async () => {
    await add({ sessionId: 's1', actorId: 'alice', namespace: 'ns-a' });
    const second = await add({
      sessionId: 's1',
      actorId: 'bob',
      namespace: 'ns-b',
      role: 'ASSISTANT',
    });
    expect(second.event.actorId).toBe('bob');
    const session = await unwrap(get('s1'));
    expect(session.ownerId).toBe('alice');
    expect(session.namespace).toBe('ns-a');
    expect(session.events.map((e) => e.actorId)).toEqual(['alice', 'bob']);
  });

  it('has no namespace when the first event has none, even if a later one does', async () => {
    await add({ sessionId: 's1' });
    await add({ sessionId: 's1', namespace: 'late' });
    const session = await unwrap(get('s1'));
    expect(session).not.toHaveProperty('namespace');
  });

  it('keeps events in arrival order and stores metadata as given', async () => {
    await add({ sessionId: 's1', text: 'a', metadata: { n: 1, nested: [true, null] } });
    await add({ sessionId: 's1', text: 'b' });
    const session = await unwrap(get('s1'));
    expect(session.events.map((e) => e.content[0]!.text)).toEqual(['a', 'b']);
    expect(session.events[0]!.metadata).toEqual({ n: 1, nested: [true, null] });
    expect(session.events[1]).not.toHaveProperty('metadata');
  });

  it('deletes a session with 204 and no body, then answers 404', async () => {
    await add({ sessionId: 's1' });
    const deleted = await ctx.client().DELETE(SESSION, { params: { path: { sessionId: 's1' } } });
    expect(deleted.response.status).toBe(204);
    expect(await deleted.response.text()).toBe('');
    expect((await get('s1')).response.status).toBe(404);
    const again = await ctx.client().DELETE(SESSION, { params: { path: { sessionId: 's1' } } });
    expect(again.response.status).toBe(404);
  });

  it('expires a session: it and its events are gone', async () => {
    const { event } = await add({ sessionId: 's1' });
    ctx.fake.expire('s1');
    expect((await get('s1')).response.status).toBe(404);
    const single = await ctx
      .client()
      .GET(EVENT, { params: { path: { sessionId: 's1', eventId: event.eventId } } });
    expect(single.response.status).toBe(404);
    expect(() => ctx.fake.expire('s1')).toThrow(/no session s1/);
  });

  it('starts a new session under the same id after deletion', async () => {
    await add({ sessionId: 's1', actorId: 'alice' });
    ctx.fake.expire('s1');
    await add({ sessionId: 's1', actorId: 'bob' });
    const session = await unwrap(get('s1'));
    expect(session.ownerId).toBe('bob');
    expect(session.events).toHaveLength(1);
  });
});

describe('single events', () => {
  it('gets an event by id and deletes it with 204', async () => {
    const { event: first } = await add({ sessionId: 's1', text: 'a' });
    const { event: second } = await add({ sessionId: 's1', text: 'b' });
    const path = { sessionId: 's1', eventId: first.eventId };

    const got = await unwrap(ctx.client().GET(EVENT, { params: { path } }));
    expect(got.event).toEqual(first);

    const deleted = await ctx.client().DELETE(EVENT, { params: { path } });
    expect(deleted.response.status).toBe(204);
    expect((await ctx.client().GET(EVENT, { params: { path } })).response.status).toBe(404);
    expect((await ctx.client().DELETE(EVENT, { params: { path } })).response.status).toBe(404);

    const session = await unwrap(get('s1'));
    expect(session.events).toEqual([second]);
  });

  it('answers 404 for an event of a missing session or another session', async () => {
    const { event } = await add({ sessionId: 's1' });
    await add({ sessionId: 's2' });
    for (const sessionId of ['s2', 'missing']) {
      const result = await ctx
        .client()
        .GET(EVENT, { params: { path: { sessionId, eventId: event.eventId } } });
      expect(result.response.status).toBe(404);
      expect(result.error).toMatchObject({ type: '/errors/resource-not-found' });
    }
  });

  it('gives every event its own id', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await add({ sessionId: 's1' })).event.eventId);
    expect(ids.size).toBe(20);
  });
});

describe('summarisation', () => {
  it('moves the first events into the summary; includeSummarisedEvents returns them', async () => {
    const added = [];
    for (const text of ['a', 'b', 'c', 'd'])
      added.push((await add({ sessionId: 's1', text })).event);
    ctx.fake.summarize('s1', 3, 'They said a, b and c.');

    const session = await unwrap(get('s1'));
    expect(session.events).toEqual([added[3]]);
    expect(session.summary).toMatchObject({
      text: 'They said a, b and c.',
      summarizedUpToEventId: added[2]!.eventId,
      summarizedEvents: 3,
      metadata: {},
    });
    expect(session.summary!.createdAt).toBe(session.summary!.updatedAt);

    const full = await unwrap(get('s1', true));
    expect(full.events).toEqual(added);
    expect(full.summary).toEqual(session.summary);

    const hidden = await unwrap(get('s1', false));
    expect(hidden.events).toEqual([added[3]]);
  });

  it('accumulates across cycles and keeps the first createdAt', async () => {
    const added = [];
    for (const text of ['a', 'b', 'c', 'd'])
      added.push((await add({ sessionId: 's1', text })).event);
    ctx.fake.summarize('s1', 1);
    const first = (await unwrap(get('s1'))).summary!;
    await new Promise((resolve) => setTimeout(resolve, 5));
    ctx.fake.summarize('s1', 2, 'second');
    const second = (await unwrap(get('s1'))).summary!;
    expect(second).toMatchObject({
      text: 'second',
      summarizedEvents: 3,
      summarizedUpToEventId: added[2]!.eventId,
      createdAt: first.createdAt,
    });
    expect(Date.parse(second.updatedAt)).toBeGreaterThan(Date.parse(first.updatedAt));
    expect((await unwrap(get('s1', true))).events).toEqual(added);
  });

  it('still serves a summarised event by id until cleanup (which the fake never runs)', async () => {
    const { event } = await add({ sessionId: 's1' });
    await add({ sessionId: 's1' });
    ctx.fake.summarize('s1', 1);
    const got = await unwrap(
      ctx.client().GET(EVENT, { params: { path: { sessionId: 's1', eventId: event.eventId } } }),
    );
    expect(got.event).toEqual(event);
  });

  it('refuses impossible summaries', async () => {
    await add({ sessionId: 's1' });
    expect(() => ctx.fake.summarize('s1', 2)).toThrow(/count must be 1\.\.1/);
    expect(() => ctx.fake.summarize('s1', 0)).toThrow(/count/);
    expect(() => ctx.fake.summarize('nope', 1)).toThrow(/no session nope/);
  });
});

describe('errors through the typed client', () => {
  it('turn into BackendError with the problem type', async () => {
    const error = await unwrap(get('missing')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ status: 404, type: '/errors/resource-not-found' });
  });

  it('reports a 404 problem for a store that does not exist', async () => {
    const other = ctx.client({ storeId: 'other-store' });
    const result = await other.GET(SESSION, { params: { path: { sessionId: 's1' } } });
    expect(result.error).toMatchObject({ type: '/errors/resource-not-found', status: 404 });
    const health = await ctx.raw('/v1/stores/other-store/health');
    await problemOf(health, 404);
  });
});
