/**
 * The managed backend on the contract-checked fake, beyond the conformance suite: sessions shared
 * with the Python adk-redis in both directions, its lossy namespace collisions refused, duplicate
 * events from retried POSTs, server-side summarisation, oversize events, request counts and the
 * owner-filtered listing.
 */
import { createHash } from 'node:crypto';
import { createEvent, createEventActions, type Event } from '@google/adk';
import { describe, expect, it } from 'vitest';
import {
  BackendError,
  EventTooLargeError,
  SessionIdCollisionError,
  getSessionRetention,
  unwrap,
} from '../../../src/index.js';
import { useFakeRedisAgentMemory } from '../../support/fake-redis-agent-memory/fixture.js';
import { uniqueId } from '../../support/ids.js';

const fixture = useFakeRedisAgentMemory();
const { service, raw } = fixture;

// Written out here, independently of the library: the Python package's storage session id.
const pythonStorageId = (namespace: string, userId: string, sessionId: string): string =>
  createHash('sha256')
    .update(`${namespace.replace(/[^A-Za-z0-9-]/g, '-')}\0${userId}\0${sessionId}`)
    .digest('hex');

const alnum = (prefix: string) => `${prefix}${uniqueId('').replace(/[^A-Za-z0-9]/g, '')}`;

/** Posts events exactly as Python adk-redis 0.0.10's `append_event` does on the managed API. */
async function writeAsPython(appName: string, userId: string, sessionId: string) {
  const storageId = pythonStorageId(appName, userId, sessionId);
  const namespace = appName.replace(/[^A-Za-z0-9-]/g, '-');
  const turns = [
    {
      id: 'py-event-1',
      author: 'user',
      role: 'USER' as const,
      text: 'Plan a trip to Rome',
      at: '2026-03-01T10:00:00.250Z',
      delta: { city: 'Rome' },
    },
    {
      id: 'py-event-2',
      author: 'travel_agent',
      role: 'ASSISTANT' as const,
      text: 'Rome it is.',
      at: '2026-03-01T10:00:03Z',
      delta: undefined,
    },
  ];
  for (const turn of turns) {
    await unwrap(
      raw().POST('/v1/stores/{storeId}/session-memory/events', {
        body: {
          sessionId: storageId,
          actorId: turn.author === 'user' ? userId : 'travel_agent'.replace(/_/g, '-'),
          role: turn.role,
          content: [{ text: turn.text }],
          createdAt: turn.at,
          metadata: {
            source: 'adk-redis',
            namespace,
            app_name: appName,
            user_id: userId,
            adk_session_id: sessionId,
            adk_event_id: turn.id,
            adk_author: turn.author,
            ...(turn.delta ? { state_delta: turn.delta } : {}),
          },
        },
      }),
    );
  }
  return { storageId, turns };
}

const textEvent = (author: string, text: string, extra: Partial<Event> = {}): Event =>
  createEvent({
    invocationId: 'inv',
    author,
    content: { role: author === 'user' ? 'user' : 'model', parts: [{ text }] },
    ...extra,
  });

describe('sessions written by the Python adk-redis', () => {
  it('read back as text events with their state_delta state, and list for the user', async () => {
    const appName = alnum('pyapp');
    const userId = alnum('pyuser');
    const sessionId = uniqueId('py-session');
    const { turns } = await writeAsPython(appName, userId, sessionId);
    const sessions = service();

    const session = (await sessions.getSession({ appName, userId, sessionId }))!;
    expect(session.state).toEqual({ city: 'Rome' });
    expect(
      session.events.map((e) => [e.id, e.author, e.content?.parts?.[0]?.text, e.timestamp]),
    ).toEqual(turns.map((t) => [t.id, t.author, t.text, Date.parse(t.at)]));
    expect(session.lastUpdateTime).toBe(Date.parse('2026-03-01T10:00:03Z'));
    const listed = await sessions.listSessions({ appName, userId });
    expect(listed.sessions.map((s) => s.id)).toEqual([sessionId]);

    // And ours follow theirs in the same session.
    await sessions.appendEvent({ session, event: textEvent('user', 'And Naples?') });
    const reread = (await sessions.getSession({ appName, userId, sessionId }))!;
    expect(reread.events.map((e) => e.content?.parts?.[0]?.text)).toEqual([
      'Plan a trip to Rome',
      'Rome it is.',
      'And Naples?',
    ]);
  });

  it('refuse an app whose name meets theirs after sanitising, without mixing data', async () => {
    const base = alnum('collide');
    const userId = alnum('user');
    const sessionId = uniqueId('s');
    await writeAsPython(`${base}_app`, userId, sessionId);
    const sessions = service();
    const ours = { appName: `${base}-app`, userId, sessionId };
    await expect(sessions.createSession(ours)).rejects.toBeInstanceOf(SessionIdCollisionError);
    await expect(sessions.getSession(ours)).rejects.toBeInstanceOf(SessionIdCollisionError);
    await sessions.deleteSession(ours);
    // Theirs is untouched.
    const theirs = await sessions.getSession({ appName: `${base}_app`, userId, sessionId });
    expect(theirs?.events).toHaveLength(2);
  });
});

describe('sessions we write, as the Python adk-redis reads them', () => {
  it('use its storage id and metadata keys, with text as content', async () => {
    const appName = alnum('ourapp');
    const userId = alnum('ouruser');
    const sessionId = uniqueId('our-session');
    const sessions = service();
    const session = await sessions.createSession({
      appName,
      userId,
      sessionId,
      state: { lang: 'it' },
    });
    const event = textEvent('user', 'Ciao', {
      actions: createEventActions({ stateDelta: { mood: 'happy' } }),
    });
    await sessions.appendEvent({ session, event });

    const stored = await unwrap(
      raw().GET('/v1/stores/{storeId}/session-memory/{sessionId}', {
        params: { path: { sessionId: pythonStorageId(appName, userId, sessionId) } },
      }),
    );
    expect(stored.ownerId).toBe(userId);
    expect(stored.namespace).toBe(appName);
    const last = stored.events[stored.events.length - 1]!;
    expect(last.role).toBe('USER');
    expect(last.content).toEqual([{ text: 'Ciao' }]);
    expect(last.metadata).toMatchObject({
      source: 'adk-redis',
      namespace: appName,
      app_name: appName,
      user_id: userId,
      adk_session_id: sessionId,
      adk_event_id: event.id,
      adk_author: 'user',
      state_delta: { mood: 'happy' },
    });
    // The creation record carries the initial state where Python looks for state.
    expect(stored.events[0]!.metadata).toMatchObject({ state_delta: { lang: 'it' } });
  });
});

describe('retries, retention and limits', () => {
  it('keep one copy of an event whose POST was stored but answered with an error', async () => {
    const sessions = service();
    const key = { appName: alnum('app'), userId: alnum('user') };
    const session = await sessions.createSession(key);
    fixture.fake.injectFault({
      method: 'POST',
      pathPattern: /\/events$/,
      status: 503,
      afterHandling: true,
    });
    const event = textEvent('user', 'once');
    await sessions.appendEvent({ session, event });

    const posts = fixture.fake.requests.filter(
      (r) =>
        r.method === 'POST' &&
        (r.body as { metadata?: { adk_event_id?: string } })?.metadata?.adk_event_id === event.id,
    );
    expect(posts.map((r) => r.status)).toEqual([503, 201]);
    const reread = (await sessions.getSession({ ...key, sessionId: session.id }))!;
    expect(reread.events.map((e) => e.id)).toEqual([event.id]);
  });

  it('read a summarised session without its folded events, and say so', async () => {
    const sessions = service();
    const key = { appName: alnum('app'), userId: alnum('user') };
    const session = await sessions.createSession({ ...key, state: { a: 1 } });
    const events = ['one', 'two', 'three'].map((t) => textEvent('user', t));
    for (const event of events) await sessions.appendEvent({ session, event });
    fixture.fake.summarize(
      pythonStorageId(key.appName, key.userId, session.id),
      2,
      'They said one.',
    );

    const reread = (await sessions.getSession({ ...key, sessionId: session.id }))!;
    expect(reread.events.map((e) => e.content?.parts?.[0]?.text)).toEqual(['two', 'three']);
    expect(getSessionRetention(reread)).toEqual({
      summarizedEvents: 2,
      summary: 'They said one.',
      creationRecordMissing: true,
    });
    expect(getSessionRetention(session)).toBeUndefined();
  });

  it('refuse an oversize event before sending anything', async () => {
    const sessions = service({ maxEventBytes: 4096 });
    const key = { appName: alnum('app'), userId: alnum('user') };
    const session = await sessions.createSession(key);
    const before = fixture.fake.requests.length;
    const big = createEvent({
      invocationId: 'inv',
      author: 'tool',
      content: {
        role: 'user',
        parts: [{ functionResponse: { name: 'dump', response: { blob: 'x'.repeat(5000) } } }],
      },
    });
    const error = await sessions.appendEvent({ session, event: big }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventTooLargeError);
    expect(error).toMatchObject({ eventId: big.id, limitBytes: 4096 });
    // Only the read before the append went out; the live session is as it was.
    expect(fixture.fake.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
    expect(session.events).toEqual([]);
  });

  it('map error statuses to BackendError with the problem type, without retrying a 4xx', async () => {
    const sessions = service({ apiKey: 'wrong-key' });
    const error = await sessions
      .getSession({ appName: 'a', userId: 'u', sessionId: 's' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ status: 401, type: '/errors/authentication-failed' });
    expect(JSON.stringify(error)).not.toContain('wrong-key');
  });

  it('retry a throttled read after Retry-After, then succeed', async () => {
    const sessions = service({ retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const key = { appName: alnum('app'), userId: alnum('user') };
    const session = await sessions.createSession(key);
    fixture.fake.injectFault({ method: 'GET', status: 429, retryAfter: '0', times: 2 });
    const reread = await sessions.getSession({ ...key, sessionId: session.id });
    expect(reread?.id).toBe(session.id);
  });
});

describe('request counts', () => {
  const count = async (run: () => Promise<unknown>) => {
    const before = fixture.fake.requests.length;
    await run();
    return fixture.fake.requests.slice(before).map((r) => r.method);
  };

  it('append is a read and a write; with singleWriter, one write', async () => {
    for (const [singleWriter, expected] of [
      [false, ['GET', 'POST']],
      [true, ['POST']],
    ] as const) {
      const sessions = service({ singleWriter });
      const key = { appName: alnum('app'), userId: alnum('user') };
      const session = await sessions.createSession(key);
      expect(
        await count(() => sessions.appendEvent({ session, event: textEvent('user', 'hi') })),
      ).toEqual(expected);
    }
  });

  it('listing filters by owner and never lists the whole store', async () => {
    const sessions = service();
    const appName = alnum('app');
    for (const userId of [alnum('u'), alnum('u')])
      await sessions.createSession({ appName, userId });
    const before = fixture.fake.requests.length;
    const listed = await sessions.listSessions({ appName });
    expect(listed.totalItems).toBe(2);
    const lists = fixture.fake.requests
      .slice(before)
      .filter((r) => r.path.endsWith('/session-memory'));
    expect(lists.length).toBeGreaterThan(0);
    for (const r of lists) {
      expect(r.query.filterOwnerId).toBeDefined();
      expect(r.query.includeAll).toBeUndefined();
    }
  });
});
