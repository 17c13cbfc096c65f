/**
 * RedisSessionMemoryService on the Agent Memory Server, driven against a nock fake of AMS: the
 * requests each operation makes (paths, `namespace`/`user_id` queries, PUT bodies and query
 * parameters), what a PUT keeps of the document it replaces, failure handling, single-writer
 * mode, id encoding on the wire, deletes and paged listing.
 */
import { createEvent, type Event, type Session } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { BackendError, MalformedResponseError } from '../../../src/clients/index.js';
import {
  SessionAlreadyExistsError,
  SessionNotFoundError,
  StaleSessionError,
} from '../../../src/sessions/index.js';
import { segmentNamespace } from '../../../src/sessions/opensource-agent-memory/segments.js';
import type { Doc, SeenRequest } from './fake-ams.js';
import { useFakeAms } from './fake-ams-fixture.js';

const APP = 'my-app';
const USER = 'alice';
const KEY = { appName: APP, userId: USER } as const;
/** hex('my-app') and hex('alice'), by hand. */
const STATE_NS = 'adk~state~6d792d617070';
const USER_DOC = 'adk~user~616c696365';

/** Event times in the past (AMS refuses message times far in the future). */
const TS1 = Date.parse('2025-05-01T08:00:00.125Z');
const TS2 = Date.parse('2025-05-01T08:00:05.250Z');
const TS3 = Date.parse('2025-05-01T08:00:09.500Z');

const fixture = useFakeAms();
const { service } = fixture;

function textEvent(id: string, author: string, text: string, timestamp: number): Event {
  return createEvent({
    id,
    invocationId: 'inv-1',
    author,
    timestamp,
    content: { role: author === 'user' ? 'user' : 'model', parts: [{ text }] },
  });
}

function callEvent(id: string, timestamp: number): Event {
  return createEvent({
    id,
    invocationId: 'inv-1',
    author: 'agent',
    timestamp,
    content: {
      role: 'model',
      parts: [{ functionCall: { id: 'call-1', name: 'lookup', args: { q: 'tea' } } }],
    },
  });
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return expect.fail('expected the call to reject');
}

type Body = Record<string, unknown> & {
  data: Record<string, unknown> & { adk_redis: Record<string, unknown> };
  messages: Record<string, unknown>[];
};
// The time of the write that marked a message persisted (see markHandled).
const ANY_TIME: unknown = expect.any(String);
const bodyOf = (request: SeenRequest | undefined): Body => {
  expect(request, 'request was made').toBeDefined();
  return request!.body as Body;
};
const eventIds = (body: Body): string[] =>
  (body.data.adk_redis.events as { id: string }[]).map((e) => e.id);
const iso = (ms: number): string => new Date(ms).toISOString();

describe('createSession', () => {
  it('GETs the session with namespace and user_id, then PUTs the new document', async () => {
    const before = Date.now();
    const session = await service().createSession({
      ...KEY,
      sessionId: 's1',
      state: { topic: 'tea' },
    });
    const after = Date.now();

    const sessionCalls = fixture.ams.requests.filter((r) => r.sessionId === 's1');
    expect(sessionCalls.map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(sessionCalls[0]!.query).toEqual({ namespace: APP, user_id: USER });
    expect(sessionCalls[0]!.body).toBeUndefined();

    const put = sessionCalls[1]!;
    expect(put.uri).toMatch(/^\/v1\/working-memory\/s1(\?|$)/);
    expect(put.query).toEqual({});
    const body = bodyOf(put);
    expect(body).toMatchObject({ namespace: APP, user_id: USER, messages: [] });
    expect(body).not.toHaveProperty('ttl_seconds');
    expect(body).not.toHaveProperty('long_term_memory_strategy');
    expect(body.data).toEqual({
      topic: 'tea',
      adk_redis: {
        v: 2,
        kind: 'session',
        app: APP,
        user: USER,
        session: 's1',
        revision: 1,
        writeId: expect.stringMatching(/^[0-9a-f]{12}$/) as unknown,
        createdAt: session.lastUpdateTime,
        lastUpdateTime: session.lastUpdateTime,
        events: [],
        segments: [],
        state: {},
      },
    });
    expect(session.lastUpdateTime).toBeGreaterThanOrEqual(before);
    expect(session.lastUpdateTime).toBeLessThanOrEqual(after);
    expect(session).toMatchObject({ id: 's1', appName: APP, userId: USER, events: [] });
    expect(session.state).toEqual({ topic: 'tea' });
  });

  it('reads the app-state document and registers the user in the reserved namespace', async () => {
    await service().createSession({ ...KEY, sessionId: 's1' });

    const appCalls = fixture.ams.requests.filter((r) => r.sessionId === 'adk~app');
    expect(appCalls.map((r) => [r.method, r.query])).toEqual([
      ['GET', { namespace: STATE_NS, user_id: 'adk~app' }],
    ]);

    const userCalls = fixture.ams.requests.filter((r) => r.sessionId === USER_DOC);
    expect(userCalls.map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(userCalls[0]!.query).toEqual({ namespace: STATE_NS, user_id: USER });
    const body = bodyOf(userCalls[1]);
    expect(body).toMatchObject({ namespace: STATE_NS, user_id: USER, messages: [] });
    expect(body.data).toEqual({ adk_redis: { v: 1, kind: 'user', revision: 1, state: {} } });

    // Every write comes after the existence check (reads in one wave, writes in the next).
    const order = fixture.ams.requests.map((r) => `${r.method} ${r.sessionId}`);
    expect(order.indexOf('GET s1')).toBeLessThan(order.indexOf('PUT s1'));
    expect(order.indexOf('GET s1')).toBeLessThan(order.indexOf(`PUT ${USER_DOC}`));
  });

  it('undoes the session when its user-state write fails, so a retried create starts over', async () => {
    fixture.ams.failOnce(
      (r) => r.method === 'PUT' && r.sessionId === USER_DOC,
      [500, { detail: 'boom' }],
    );
    const sessions = service();
    await expect(sessions.createSession({ ...KEY, sessionId: 's1' })).rejects.toMatchObject({
      status: 500,
    });
    expect(fixture.ams.doc(APP, USER, 's1')).toBeUndefined();
    const retried = await sessions.createSession({ ...KEY, sessionId: 's1' });
    expect(retried.id).toBe('s1');
    expect(fixture.ams.doc(STATE_NS, USER, USER_DOC)).toBeDefined();
  });

  it('sends ttl_seconds, long_term_memory_strategy and the model query when configured', async () => {
    await service({
      sessionTtlSeconds: 900,
      extractionStrategy: 'custom',
      extractionStrategyConfig: { custom_prompt: 'Extract facts from {message}' },
      modelName: 'gpt-4o-mini',
      contextWindowMax: 4096,
    }).createSession({ ...KEY, sessionId: 's1' });

    const put = fixture.ams.seen('PUT', 's1')[0];
    expect(put?.query).toEqual({ model_name: 'gpt-4o-mini', context_window_max: '4096' });
    const body = bodyOf(put);
    expect(body.ttl_seconds).toBe(900);
    expect(body.long_term_memory_strategy).toEqual({
      strategy: 'custom',
      config: { custom_prompt: 'Extract facts from {message}' },
    });
    // The user's state document must not expire with the session.
    const userPut = bodyOf(fixture.ams.seen('PUT', USER_DOC)[0]);
    expect(userPut).not.toHaveProperty('ttl_seconds');
    expect(JSON.stringify(userPut)).not.toContain('custom_prompt');
  });

  it('sends an extraction strategy without a config as config {}', async () => {
    await service({ extractionStrategy: 'preferences' }).createSession({ ...KEY, sessionId: 's1' });
    expect(bodyOf(fixture.ams.seen('PUT', 's1')[0]).long_term_memory_strategy).toEqual({
      strategy: 'preferences',
      config: {},
    });
  });

  it('puts app: and user: keys in their documents and drops temp: keys', async () => {
    const session = await service().createSession({
      ...KEY,
      sessionId: 's1',
      state: { 'app:theme': 'dark', 'user:lang': 'fr', 'temp:scratch': 'zzz', count: 1 },
    });
    expect(bodyOf(fixture.ams.seen('PUT', 'adk~app')[0]).data).toEqual({
      adk_redis: { v: 1, kind: 'app', revision: 1, state: { theme: 'dark' } },
    });
    expect(bodyOf(fixture.ams.seen('PUT', USER_DOC)[0]).data.adk_redis.state).toEqual({
      lang: 'fr',
    });
    const data = bodyOf(fixture.ams.seen('PUT', 's1')[0]).data;
    expect(Object.keys(data).sort()).toEqual(['adk_redis', 'count']);
    for (const request of fixture.ams.requests) {
      expect(JSON.stringify(request.body ?? null)).not.toContain('zzz');
    }
    expect(session.state).toEqual({ count: 1, 'app:theme': 'dark', 'user:lang': 'fr' });
  });

  it('an existing id throws SessionAlreadyExistsError and writes nothing', async () => {
    const svc = service();
    await svc.createSession({ ...KEY, sessionId: 's1', state: { v: 1 } });
    fixture.ams.clearRequests();
    const error = await rejectionOf(
      svc.createSession({ ...KEY, sessionId: 's1', state: { v: 2 } }),
    );
    expect(error).toBeInstanceOf(SessionAlreadyExistsError);
    expect(fixture.ams.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(fixture.ams.doc(APP, USER, 's1')?.data).toMatchObject({ v: 1 });
  });
});

describe('appendEvent', () => {
  it('sends the text of an event as a message {id, role, content, created_at}, marked handled', async () => {
    const svc = service();
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    fixture.ams.clearRequests();
    await svc.appendEvent({ session, event: textEvent('e1', 'user', 'hello', TS1) });

    expect(fixture.ams.requests.filter((r) => r.sessionId === 's1').map((r) => r.method)).toEqual([
      'GET',
      'PUT',
    ]);
    const body = bodyOf(fixture.ams.seen('PUT', 's1')[0]);
    // Marked as extracted and persisted, so AMS starts no background rewrite of the document.
    expect(body.messages).toEqual([
      {
        id: 'e1',
        role: 'user',
        content: 'hello',
        created_at: iso(TS1),
        discrete_memory_extracted: 't',
        persisted_at: ANY_TIME,
      },
    ]);
    expect(body.data.adk_redis).toMatchObject({ revision: 2, lastUpdateTime: TS1 });
    expect(eventIds(body)).toEqual(['e1']);
  });

  it('keeps the server-owned fields it read (context, memories, tokens, created_at, persisted_at, ttl)', async () => {
    const svc = service();
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    await svc.appendEvent({ session, event: textEvent('e1', 'user', 'hello', TS1) });

    // Server-side writers (summarisation, promotion) and another client changed the document.
    const doc = fixture.ams.doc(APP, USER, 's1')!;
    doc.context = 'Summary: alice likes tea.';
    doc.memories = [{ id: 'mem-1', text: 'alice likes tea', memory_type: 'semantic' }];
    doc.tokens = 321;
    doc.created_at = '2025-01-02T03:04:05Z';
    doc.last_accessed = '2025-01-02T03:04:06Z';
    doc.ttl_seconds = 3600;
    doc.long_term_memory_strategy = { strategy: 'summary', config: { max_summary_length: 200 } };
    const [first] = doc.messages as Record<string, unknown>[];
    first!.persisted_at = '2025-05-01T08:00:01Z';
    first!.discrete_memory_extracted = 't';

    fixture.ams.clearRequests();
    await svc.appendEvent({ session, event: textEvent('e2', 'assistant-agent', 'hi!', TS2) });

    const body = bodyOf(fixture.ams.seen('PUT', 's1')[0]);
    expect(body).toMatchObject({
      namespace: APP,
      user_id: USER,
      context: 'Summary: alice likes tea.',
      memories: [{ id: 'mem-1', text: 'alice likes tea', memory_type: 'semantic' }],
      tokens: 321,
      created_at: '2025-01-02T03:04:05Z',
      ttl_seconds: 3600,
      long_term_memory_strategy: { strategy: 'summary', config: { max_summary_length: 200 } },
    });
    expect(body.messages).toEqual([
      {
        id: 'e1',
        role: 'user',
        content: 'hello',
        created_at: iso(TS1),
        persisted_at: '2025-05-01T08:00:01Z',
        discrete_memory_extracted: 't',
      },
      {
        id: 'e2',
        role: 'assistant',
        content: 'hi!',
        created_at: iso(TS2),
        discrete_memory_extracted: 't',
        persisted_at: ANY_TIME,
      },
    ]);
  });

  it('marks messages other clients left unmarked, keeping their persisted_at', async () => {
    const svc = service();
    await svc.createSession({ ...KEY, sessionId: 's1' });
    const doc = fixture.ams.doc(APP, USER, 's1')!;
    doc.messages = [
      { id: 'py1', role: 'user', content: 'from python', created_at: iso(TS1) },
      {
        id: 'py2',
        role: 'user',
        content: 'indexed',
        created_at: iso(TS1),
        persisted_at: '2025-05-01T08:00:01Z',
      },
    ];
    // Loaded after the other client's write, so the append is not stale.
    const session = (await svc.getSession({ ...KEY, sessionId: 's1' }))!;
    fixture.ams.clearRequests();
    await svc.appendEvent({ session, event: textEvent('e1', 'user', 'hello', TS2) });

    const body = bodyOf(fixture.ams.seen('PUT', 's1')[0]);
    expect(body.messages.map((m: Record<string, unknown>) => m.discrete_memory_extracted)).toEqual([
      't',
      't',
      't',
    ]);
    expect(body.messages[0]!.persisted_at).toEqual(expect.any(String));
    expect(body.messages[1]!.persisted_at).toBe('2025-05-01T08:00:01Z');
  });

  it('configured TTL and strategy win over what was read', async () => {
    const svc = service({ sessionTtlSeconds: 60, extractionStrategy: 'discrete' });
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    const doc = fixture.ams.doc(APP, USER, 's1')!;
    doc.ttl_seconds = 5;
    doc.long_term_memory_strategy = { strategy: 'summary', config: {} };
    await svc.appendEvent({ session, event: textEvent('e1', 'user', 'hello', TS1) });
    const body = bodyOf(fixture.ams.seen('PUT', 's1').at(-1));
    expect(body.ttl_seconds).toBe(60);
    expect(body.long_term_memory_strategy).toEqual({ strategy: 'discrete', config: {} });
  });

  it('a function-call-only event adds no message but is stored in full', async () => {
    const svc = service();
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    await svc.appendEvent({ session, event: textEvent('e1', 'user', 'find tea', TS1) });
    fixture.ams.clearRequests();
    await svc.appendEvent({ session, event: callEvent('e2', TS2) });

    const body = bodyOf(fixture.ams.seen('PUT', 's1')[0]);
    expect(body.messages.map((m) => m.id)).toEqual(['e1']);
    expect(eventIds(body)).toEqual(['e1', 'e2']);
    const stored = (body.data.adk_redis.events as Record<string, unknown>[])[1];
    expect(stored).toMatchObject({
      id: 'e2',
      author: 'agent',
      timestamp: TS2,
      content: { parts: [{ functionCall: { id: 'call-1', name: 'lookup', args: { q: 'tea' } } }] },
    });
    expect(body.data.adk_redis).toMatchObject({ revision: 3, lastUpdateTime: TS2 });
  });

  it('a 500 on the PUT rejects with BackendError, leaves the live session as it was, and a retry succeeds', async () => {
    const svc = service();
    const session = await svc.createSession({ ...KEY, sessionId: 's1', state: { k: 'old' } });
    await svc.appendEvent({ session, event: textEvent('e1', 'user', 'hello', TS1) });
    const liveBefore = {
      events: JSON.stringify(session.events),
      state: JSON.stringify(session.state),
      lastUpdateTime: session.lastUpdateTime,
    };
    const storedBefore = structuredClone(fixture.ams.doc(APP, USER, 's1'));

    fixture.ams.failOnce(
      (r) => r.method === 'PUT' && r.sessionId === 's1',
      [500, { detail: 'boom' }],
    );
    const event = createEvent({
      id: 'e2',
      invocationId: 'inv-2',
      author: 'agent',
      timestamp: TS2,
      content: { role: 'model', parts: [{ text: 'noted' }] },
      actions: { stateDelta: { k: 'new', added: 1, 'temp:t': 1 } },
    });
    const error = await rejectionOf(svc.appendEvent({ session, event }));
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).status).toBe(500);
    expect((error as BackendError).method).toBe('PUT');

    expect(JSON.stringify(session.events)).toBe(liveBefore.events);
    expect(JSON.stringify(session.state)).toBe(liveBefore.state);
    expect(session.state).toEqual({ k: 'old' });
    expect(session.lastUpdateTime).toBe(liveBefore.lastUpdateTime);
    expect(fixture.ams.doc(APP, USER, 's1')).toEqual(storedBefore);

    // The server recovers: the same live session and event go through.
    const appended = await svc.appendEvent({ session, event });
    expect(appended.id).toBe('e2');
    expect(session.events.map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(session.state).toEqual({ k: 'new', added: 1 });
    expect(session.lastUpdateTime).toBe(TS2);
    const stored = fixture.ams.doc(APP, USER, 's1') as Body & Doc;
    expect(stored.data).toMatchObject({ k: 'new', added: 1 });
    expect(stored.data.adk_redis).toMatchObject({ revision: 3, lastUpdateTime: TS2 });
    expect(eventIds(stored)).toEqual(['e1', 'e2']);

    const reread = await svc.getSession({ ...KEY, sessionId: 's1' });
    expect(reread?.events.map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(reread?.state).toEqual({ k: 'new', added: 1 });
    expect(reread?.lastUpdateTime).toBe(TS2);
  });

  for (const singleWriter of [false, true]) {
    for (const [label, answer] of [
      ['a proxy page', '<html><body>OK</body></html>'],
      ['another document', { session_id: 's1', namespace: APP, user_id: USER, messages: [] }],
    ] as const) {
      it(`${singleWriter ? 'singleWriter: a' : 'A'} 200 to the PUT that is ${label}, not the stored document: MalformedResponseError, live session unchanged`, async () => {
        const svc = service({ singleWriter });
        const session = await svc.createSession({ ...KEY, sessionId: 's1' });
        await svc.appendEvent({ session, event: textEvent('e1', 'user', 'hello', TS1) });
        const before = JSON.stringify(session);
        fixture.ams.failOnce((r) => r.method === 'PUT' && r.sessionId === 's1', [200, answer]);
        const error = await rejectionOf(
          svc.appendEvent({ session, event: textEvent('e2', 'user', 'again', TS2) }),
        );
        expect(error).toBeInstanceOf(MalformedResponseError);
        expect((error as MalformedResponseError).method).toBe('PUT');
        expect(JSON.stringify(session)).toBe(before);
      });
    }
  }

  it('A 200 to the PUT that is the stored document is accepted without keeping it', async () => {
    const svc = service();
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    await svc.appendEvent({ session, event: textEvent('e1', 'user', 'hello', TS1) });
    await svc.appendEvent({ session, event: textEvent('e2', 'user', 'again', TS2) });
    // The next append still reads first, and finds the revision it wrote.
    fixture.ams.clearRequests();
    await svc.appendEvent({ session, event: textEvent('e3', 'user', 'third', TS3) });
    expect(fixture.ams.requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(eventIds(fixture.ams.doc(APP, USER, 's1') as Body & Doc)).toEqual(['e1', 'e2', 'e3']);
  });

  for (const singleWriter of [false, true]) {
    it(`${singleWriter ? 'singleWriter: e' : 'E'}very PUT holds the whole event list, whether its earlier text is reused or not`, async () => {
      const svc = service({ singleWriter });
      const session = await svc.createSession({ ...KEY, sessionId: 's1' });
      const expected: Event[] = [];
      const append = async (event: Event): Promise<void> => {
        await svc.appendEvent({ session, event });
        const index = expected.findIndex((e) => e.id === event.id);
        if (index >= 0) expected[index] = event;
        else expected.push(event);
        const put = fixture.ams.seen('PUT', 's1').at(-1);
        expect(eventIds(bodyOf(put))).toEqual(expected.map((e) => e.id));
        expect(bodyOf(put).data.adk_redis.events).toEqual(JSON.parse(JSON.stringify(expected)));
      };
      await append(textEvent('e1', 'user', 'one', TS1));
      await append(textEvent('e2', 'agent', 'two', TS1 + 1));
      await append(textEvent('e3', 'user', 'three', TS1 + 2));
      // The same event id again: replaced in place.
      await append(textEvent('e2', 'agent', 'two, edited', TS1 + 3));
      await append(textEvent('e4', 'agent', 'four', TS1 + 4));
      expect((await svc.getSession({ ...KEY, sessionId: 's1' }))?.events.map((e) => e.id)).toEqual([
        'e1',
        'e2',
        'e3',
        'e4',
      ]);
    });
  }

  it('a message another writer added is kept in place when the next append writes', async () => {
    const svc = service();
    let session = await svc.createSession({ ...KEY, sessionId: 's1' });
    await svc.appendEvent({ session, event: textEvent('e1', 'user', 'one', TS1) });
    await svc.appendEvent({ session, event: textEvent('e2', 'agent', 'two', TS2) });
    // Another client appends a message and keeps the rest of the document (revision unchanged).
    const stored = fixture.ams.doc(APP, USER, 's1') as Body & Doc;
    fixture.ams.seed({
      ...stored,
      messages: [
        ...stored.messages,
        { id: 'py-1', role: 'user', content: 'from python', created_at: iso(TS2 + 1) },
      ],
    });
    // The session loaded before that write is stale (issue #14): refused, nothing written.
    const puts = fixture.ams.seen('PUT', 's1').length;
    await expect(
      svc.appendEvent({ session, event: textEvent('e3', 'agent', 'three', TS3) }),
    ).rejects.toBeInstanceOf(StaleSessionError);
    expect(fixture.ams.seen('PUT', 's1')).toHaveLength(puts);
    // Reloaded, it sees the message as an event and its append keeps it in place.
    session = (await svc.getSession({ ...KEY, sessionId: 's1' }))!;
    expect(session.events.map((e) => e.id)).toEqual(['e1', 'e2', 'py-1']);
    await svc.appendEvent({ session, event: textEvent('e3', 'agent', 'three', TS3) });
    expect(eventIds(bodyOf(fixture.ams.seen('PUT', 's1').at(-1)))).toEqual([
      'e1',
      'e2',
      'py-1',
      'e3',
    ]);
  });

  it('a session that is gone throws SessionNotFoundError and writes nothing', async () => {
    const svc = service();
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    fixture.ams.docs.clear();
    fixture.ams.clearRequests();
    const error = await rejectionOf(
      svc.appendEvent({ session, event: textEvent('e1', 'user', 'x', TS1) }),
    );
    expect(error).toBeInstanceOf(SessionNotFoundError);
    expect(fixture.ams.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(session.events).toEqual([]);
  });

  it('a stale live session throws StaleSessionError and writes nothing', async () => {
    const svc = service();
    const first = await svc.createSession({ ...KEY, sessionId: 's1' });
    const second = (await svc.getSession({ ...KEY, sessionId: 's1' }))!;
    await svc.appendEvent({ session: second, event: textEvent('e1', 'user', 'a', TS1) });
    fixture.ams.clearRequests();
    const error = await rejectionOf(
      svc.appendEvent({ session: first, event: textEvent('e2', 'user', 'b', TS2) }),
    );
    expect(error).toBeInstanceOf(StaleSessionError);
    expect(fixture.ams.seen('PUT')).toEqual([]);
    expect(first.events).toEqual([]);
  });
});

describe('singleWriter', () => {
  /** The session-document GETs made between the first and the second append's PUT. */
  async function twoAppends(singleWriter: boolean) {
    const svc = service({ singleWriter });
    const session: Session = await svc.createSession({ ...KEY, sessionId: 's1' });
    fixture.ams.clearRequests();
    await svc.appendEvent({ session, event: textEvent('e1', 'user', 'one', TS1) });
    const mark = fixture.ams.requests.length;
    await svc.appendEvent({ session, event: textEvent('e2', 'user', 'two', TS2) });
    const second = fixture.ams.requests.slice(mark).filter((r) => r.sessionId === 's1');
    return { svc, session, second, all: fixture.ams.requests.filter((r) => r.sessionId === 's1') };
  }

  it('by default, each append reads the document first', async () => {
    const { second, all } = await twoAppends(false);
    expect(second.map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(all.filter((r) => r.method === 'GET')).toHaveLength(2);
  });

  it('singleWriter: true skips the GET and builds on the last document written', async () => {
    const { second, all } = await twoAppends(true);
    expect(second.map((r) => r.method)).toEqual(['PUT']);
    expect(all.filter((r) => r.method === 'GET')).toHaveLength(0);
    const body = bodyOf(second[0]);
    expect(eventIds(body)).toEqual(['e1', 'e2']);
    expect(body.messages.map((m) => m.content)).toEqual(['one', 'two']);
    expect(body.data.adk_redis).toMatchObject({ revision: 3, lastUpdateTime: TS2 });
  });

  it('singleWriter: an answer AMS rewrote on the way in (a new context) is what the next append builds on', async () => {
    const svc = service({ singleWriter: true });
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    // AMS summarising: each answer has a new context and lacks the oldest message.
    let summaries = 0;
    fixture.ams.onPut = (doc) =>
      doc.session_id === 's1'
        ? {
            ...doc,
            context: `summary ${++summaries}`,
            messages: (doc.messages as unknown[]).slice(1),
          }
        : doc;
    await svc.appendEvent({ session, event: textEvent('e1', 'user', 'one', TS1) });
    await svc.appendEvent({ session, event: textEvent('e2', 'user', 'two', TS2) });
    fixture.ams.onPut = undefined;
    fixture.ams.clearRequests();
    await svc.appendEvent({ session, event: textEvent('e3', 'user', 'three', TS3) });
    const body = bodyOf(fixture.ams.seen('PUT', 's1')[0]) as Body & { context?: unknown };
    expect(body.context).toBe('summary 2');
    expect(body.messages.map((m) => m.content)).toEqual(['three']);
    expect(eventIds(body)).toEqual(['e1', 'e2', 'e3']);
  });

  it('singleWriter: an answer stored as sent is built on as sent (server fields kept)', async () => {
    const svc = service({ singleWriter: true });
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    const created = structuredClone(fixture.ams.doc(APP, USER, 's1'))!;
    await svc.appendEvent({ session, event: textEvent('e1', 'user', 'one', TS1) });
    fixture.ams.clearRequests();
    await svc.appendEvent({ session, event: textEvent('e2', 'user', 'two', TS2) });
    const body = bodyOf(fixture.ams.seen('PUT', 's1')[0]);
    for (const field of ['created_at', 'last_accessed', 'context', 'tokens', 'memories']) {
      expect(body[field], field).toEqual(created[field]);
    }
    expect(body.messages.map((m) => m.content)).toEqual(['one', 'two']);
  });

  it('singleWriter: true still refuses a stale live session of this process', async () => {
    const { svc, session } = await twoAppends(true);
    const copy = (await svc.getSession({ ...KEY, sessionId: 's1' }))!;
    await svc.appendEvent({ session: copy, event: textEvent('e3', 'user', 'three', TS3) });
    fixture.ams.clearRequests();
    const error = await rejectionOf(
      svc.appendEvent({ session, event: textEvent('e4', 'user', 'four', TS3) }),
    );
    expect(error).toBeInstanceOf(StaleSessionError);
    expect(fixture.ams.seen('PUT')).toEqual([]);
  });
});

describe('ids on the wire', () => {
  /** What AMS sees must not be empty, hold its separators or control characters, or be padded. */
  const safe = (value: string) =>
    value !== '' && !/[:,`\p{Cc}]/u.test(value) && value.trim() === value;

  it('ids AMS cannot hold are sent as adk~<hex>; the caller gets its own ids back', async () => {
    const svc = service();
    const key = { appName: 'a:b', userId: 'üser', sessionId: 'x/y' };
    const session = await svc.createSession(key);
    await svc.appendEvent({ session, event: textEvent('e1', 'user', 'hello', TS1) });

    const get = fixture.ams.seen('GET', 'adk~782f79')[0];
    expect(get?.uri).toMatch(/^\/v1\/working-memory\/adk~782f79\?/);
    expect(get?.query).toEqual({ namespace: 'adk~613a62', user_id: 'üser' });
    const put = bodyOf(fixture.ams.seen('PUT', 'adk~782f79')[0]);
    expect(put).toMatchObject({ namespace: 'adk~613a62', user_id: 'üser' });
    expect(put.data.adk_redis).toMatchObject({ app: 'a:b', user: 'üser', session: 'x/y' });
    expect(fixture.ams.seen('GET', 'adk~user~c3bc736572')[0]?.query).toEqual({
      namespace: 'adk~state~613a62',
      user_id: 'adk~c3bc736572',
    });

    for (const request of fixture.ams.requests) {
      if (request.sessionId !== undefined) {
        expect(safe(request.sessionId)).toBe(true);
        expect(request.sessionId).not.toContain('/');
      }
      for (const value of Object.values(request.query)) expect(safe(value)).toBe(true);
    }

    const listed = await svc.listSessions({ appName: 'a:b' });
    expect(listed.sessions.map((s) => [s.userId, s.id])).toEqual([['üser', 'x/y']]);
    const read = await svc.getSession(key);
    expect(read?.events.map((e) => e.id)).toEqual(['e1']);
  });

  it('a unicode session id and plain app and user ids are sent as they are; a colon is encoded', async () => {
    const svc = service();
    await svc.createSession({ ...KEY, sessionId: '会话' });
    await svc.createSession({ ...KEY, sessionId: 's:1' });
    expect(fixture.ams.seen('PUT', '会话')).toHaveLength(1);
    expect(fixture.ams.seen('PUT', 'adk~733a31')).toHaveLength(1);
    for (const sessionId of ['会话', 'adk~733a31']) {
      expect(fixture.ams.seen('GET', sessionId)[0]?.query).toEqual({
        namespace: APP,
        user_id: USER,
      });
    }
    const listed = await svc.listSessions({ ...KEY });
    expect(listed.sessions.map((s) => s.id).sort()).toEqual(['s:1', '会话'].sort());
  });
});

describe('deleteSession', () => {
  it('a missing session: one GET, a listing of its segments (left if it expired), no DELETE', async () => {
    await service().deleteSession({ ...KEY, sessionId: 'nope' });
    expect(fixture.ams.requests.map((r) => [r.method, r.sessionId, r.query])).toEqual([
      ['GET', 'nope', { namespace: APP, user_id: USER }],
      [
        'GET',
        undefined,
        {
          namespace: segmentNamespace({ namespace: APP, userId: USER, sessionId: 'nope' }),
          limit: '100',
          offset: '0',
        },
      ],
    ]);
  });

  it('an existing session: DELETE with namespace and user_id; app and user state stay', async () => {
    const svc = service();
    await svc.createSession({ ...KEY, sessionId: 's1', state: { 'user:lang': 'fr' } });
    fixture.ams.clearRequests();
    await svc.deleteSession({ ...KEY, sessionId: 's1' });
    const deletes = fixture.ams.seen('DELETE');
    expect(deletes.map((r) => [r.sessionId, r.query])).toEqual([
      ['s1', { namespace: APP, user_id: USER }],
    ]);
    expect(fixture.ams.doc(APP, USER, 's1')).toBeUndefined();
    expect(fixture.ams.doc(STATE_NS, USER, USER_DOC)).toBeDefined();
    expect(await svc.getSession({ ...KEY, sessionId: 's1' })).toBeUndefined();
  });

  it('never deletes another user’s session with the same id', async () => {
    const svc = service();
    await svc.createSession({ appName: APP, userId: 'bob', sessionId: 's1' });
    fixture.ams.clearRequests();
    await svc.deleteSession({ ...KEY, sessionId: 's1' });
    expect(fixture.ams.seen('DELETE')).toEqual([]);
    expect(fixture.ams.doc(APP, 'bob', 's1')).toBeDefined();
  });

  it('a user id differing only in case is another user (AMS matches it ignoring case)', async () => {
    const svc = service();
    await svc.createSession({ appName: APP, userId: 'ALICE', sessionId: 's1', state: { k: 1 } });
    fixture.ams.clearRequests();
    expect(await svc.getSession({ ...KEY, sessionId: 's1' })).toBeUndefined();
    await svc.deleteSession({ ...KEY, sessionId: 's1' });
    expect(fixture.ams.seen('DELETE')).toEqual([]);
    expect(fixture.ams.doc(APP, 'ALICE', 's1')).toBeDefined();
    // The fake's fallback did answer with ALICE's document: the store refused it.
    expect(fixture.ams.seen('GET', 's1').length).toBeGreaterThan(0);
  });

  it('the same holds for a document another client wrote without an envelope', async () => {
    fixture.ams.seed({
      session_id: 's1',
      namespace: APP,
      user_id: 'ALICE',
      messages: [{ id: 'm1', role: 'user', content: 'private', created_at: iso(TS1) }],
      data: { secret: 'ALICE only' },
    });
    const svc = service();
    expect(await svc.getSession({ ...KEY, sessionId: 's1' })).toBeUndefined();
    await svc.deleteSession({ ...KEY, sessionId: 's1' });
    expect(fixture.ams.seen('DELETE')).toEqual([]);
    // Its owner reads it.
    const own = await svc.getSession({ appName: APP, userId: 'ALICE', sessionId: 's1' });
    expect(own?.state).toEqual({ secret: 'ALICE only' });
    expect(own?.events.map((e) => e.id)).toEqual(['m1']);
  });
});

describe('listSessions', () => {
  const envelopeDoc = (index: number): Doc => {
    const sessionId = `s${String(index).padStart(3, '0')}`;
    return {
      session_id: sessionId,
      namespace: APP,
      user_id: USER,
      messages: [],
      data: {
        adk_redis: {
          v: 1,
          kind: 'session',
          app: APP,
          user: USER,
          session: sessionId,
          revision: 1,
          createdAt: TS1 + index,
          lastUpdateTime: TS1 + (index % 50) * 1_000 + Math.floor(index / 50),
          events: [],
          state: {},
        },
      },
    };
  };

  it('pages the AMS list by 100 with offset until total (150 sessions)', async () => {
    for (let i = 0; i < 150; i++) fixture.ams.seed(envelopeDoc(i));
    const result = await service().listSessions({ ...KEY, order: 'desc', limit: 20, page: 2 });

    expect(fixture.ams.seen('GET', null).map((r) => r.query)).toEqual([
      { namespace: APP, user_id: USER, limit: '100', offset: '0' },
      { namespace: APP, user_id: USER, limit: '100', offset: '100' },
    ]);
    expect(result).toMatchObject({ page: 2, limit: 20, totalItems: 150, totalPages: 8 });
    // desc by lastUpdateTime: index i has time (i % 50) s + floor(i / 50) ms.
    const expected: string[] = [];
    for (let second = 49; second >= 0 && expected.length < 40; second--) {
      for (const block of [2, 1, 0])
        expected.push(`s${String(block * 50 + second).padStart(3, '0')}`);
    }
    expect(result.sessions.map((s) => s.id)).toEqual(expected.slice(20, 40));
    for (const listed of result.sessions) {
      expect(listed).toMatchObject({ appName: APP, userId: USER, state: {}, events: [] });
    }
  });

  it('across users: registered users only; every document read names a user', async () => {
    const svc = service();
    await svc.createSession({ ...KEY, sessionId: 'a1' });
    await svc.createSession({ appName: APP, userId: 'carol', sessionId: 'c1' });
    await svc.createSession({ appName: 'other-app', userId: USER, sessionId: 'o1' });
    // The Python adk-redis: text messages only, no envelope, no user-state document. Its user is
    // unknown here, and a read without user_id could reach another tenant: not listed across users.
    fixture.ams.seed({
      session_id: 'py1',
      namespace: APP,
      user_id: 'bob',
      messages: [{ id: 'm1', role: 'user', content: 'hi', created_at: iso(TS3) }],
      data: {},
    });
    fixture.ams.clearRequests();

    const result = await svc.listSessions({ appName: APP, order: 'asc' });
    expect(result.sessions.map((s) => [s.userId, s.id]).sort()).toEqual([
      [USER, 'a1'],
      ['carol', 'c1'],
    ]);
    expect(fixture.ams.seen('GET', null)[0]?.query).toMatchObject({ namespace: STATE_NS });
    for (const read of fixture.ams.requests.filter(
      (r) => r.method === 'GET' && r.sessionId !== undefined,
    )) {
      expect(read.query).toHaveProperty('user_id');
    }
    // Listed for its own user, it is found.
    const bob = await svc.listSessions({ appName: APP, userId: 'bob' });
    expect(bob.sessions.map((s) => s.id)).toEqual(['py1']);
    expect(bob.sessions[0]?.lastUpdateTime).toBe(TS3);
  });
});
