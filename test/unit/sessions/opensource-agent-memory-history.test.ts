/**
 * Long sessions on the Agent Memory Server, against the nock fake: the session document stays
 * bounded as history is sealed into segment documents, reads put the history back together (or
 * fail typed when part of it is missing), format-1 documents migrate on write, deletes remove
 * every segment, and errors about app/user state name the caller's ids.
 */
import { createEvent, type Event, type Session } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { BackendError, createAgentMemoryServerClient } from '../../../src/clients/index.js';
import {
  SessionHistoryMissingError,
  type RedisSessionMemoryService,
} from '../../../src/sessions/index.js';
import {
  TAIL_MAX,
  segmentNamespace,
} from '../../../src/sessions/opensource-agent-memory/segments.js';
import { OpensourceAgentMemoryStore } from '../../../src/sessions/opensource-agent-memory/store.js';
import { AMS, type Doc, type SeenRequest } from './fake-ams.js';
import { useFakeAms } from './fake-ams-fixture.js';

const APP = 'my-app';
const USER = 'alice';
const KEY = { appName: APP, userId: USER } as const;
const T0 = Date.parse('2025-05-01T08:00:00.000Z');

const fixture = useFakeAms();
const { service } = fixture;

const eventId = (n: number): string => `e${String(n).padStart(5, '0')}`;

/** Event n: text on even n, a function call on odd n (no message), 100 bytes of filler. */
function event(n: number): Event {
  return createEvent({
    id: eventId(n),
    invocationId: `inv-${Math.floor(n / 2)}`,
    author: n % 2 === 0 ? 'user' : 'agent',
    timestamp: T0 + n * 1000,
    content:
      n % 2 === 0
        ? { role: 'user', parts: [{ text: `message ${n} ${'x'.repeat(100)}` }] }
        : { role: 'model', parts: [{ functionCall: { id: `c${n}`, name: 'f', args: { n } } }] },
  });
}

async function appendMany(
  svc: RedisSessionMemoryService,
  session: Session,
  from: number,
  to: number,
) {
  for (let n = from; n < to; n++) await svc.appendEvent({ session, event: event(n) });
}

const putSizes = (sessionId: string): number[] =>
  fixture.ams.seen('PUT', sessionId).map((r) => JSON.stringify(r.body).length);

/** The segment documents the session's document names (merged-away ones are stored too). */
const namedSegments = (sessionId: string): Doc[] => {
  const refs = (
    fixture.ams.doc(APP, USER, sessionId)!.data as { adk_redis: { segments: [string][] } }
  ).adk_redis.segments;
  const namespace = segmentNamespace({ namespace: APP, userId: USER, sessionId });
  return refs.map(([id]) => fixture.ams.doc(namespace, USER, id)!);
};

const segmentDocs = (sessionId: string): Doc[] => {
  const namespace = segmentNamespace({ namespace: APP, userId: USER, sessionId });
  return [...fixture.ams.docs.values()].filter((doc) => doc.namespace === namespace);
};

describe('a long session on AMS', () => {
  // Through nock an append takes ~15 ms, so the stale-check mode runs a shorter session.
  for (const [singleWriter, total] of [
    [false, 400],
    [true, 1200],
  ] as const) {
    it(`${singleWriter ? 'singleWriter: ' : ''}the PUT body stays bounded at ${total} events, and the history reads back whole`, async () => {
      const svc = service({ singleWriter });
      const session = await svc.createSession({ ...KEY, sessionId: 'long' });
      await appendMany(svc, session, 0, 40);
      const early = Math.max(...putSizes('long'));
      fixture.ams.clearRequests();
      await appendMany(svc, session, 40, total);
      const sizes = putSizes('long');
      // Today's format sent every event on every append: the last PUT would be ~30x the early one.
      expect(Math.max(...sizes)).toBeLessThan(2 * early);
      const stored = fixture.ams.doc(APP, USER, 'long')!;
      const envelope = (stored.data as { adk_redis: { events: unknown[]; segments: unknown[] } })
        .adk_redis;
      expect(envelope.events.length).toBeLessThanOrEqual(TAIL_MAX);
      expect((stored.messages as unknown[]).length).toBeLessThanOrEqual(TAIL_MAX);
      expect(envelope.segments.length).toBeLessThanOrEqual(12);

      const read = (await svc.getSession({ ...KEY, sessionId: 'long' }))!;
      expect(read.events.map((e) => e.id)).toEqual(
        Array.from({ length: total }, (_, n) => eventId(n)),
      );
      expect(JSON.parse(JSON.stringify(read.events[7]))).toEqual(
        JSON.parse(JSON.stringify(session.events[7])),
      );
      // The live session stays valid: no stale refusal after all that sealing.
      await svc.appendEvent({ session, event: event(total) });
    }, 60_000);
  }

  it('a missing segment fails the read with SessionHistoryMissingError, never a shorter history', async () => {
    const svc = service();
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    await appendMany(svc, session, 0, 60);
    const [victim] = namedSegments('s1');
    expect(victim).toBeDefined();
    fixture.ams.docs.delete(
      JSON.stringify([victim!.namespace, victim!.user_id, victim!.session_id]),
    );
    // A service that has not read or written the segments (svc keeps those it wrote).
    const error = await service()
      .getSession({ ...KEY, sessionId: 's1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionHistoryMissingError);
    expect(error).toMatchObject({
      code: 'ADK_REDIS_SESSION_HISTORY_MISSING',
      segment: victim!.session_id,
      session: { ...KEY, sessionId: 's1' },
    });
  });

  it('a 404 for a named segment is asked again (AMS answers 404 on any read error)', async () => {
    const svc = service();
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    await appendMany(svc, session, 0, 60);
    const [victim] = namedSegments('s1');
    const isVictim = (request: SeenRequest) =>
      request.method === 'GET' && request.sessionId === victim!.session_id;
    fixture.ams.failOnce(isVictim, [404, { detail: 'Working memory not found' }]);
    fixture.ams.clearRequests();
    const read = await service().getSession({ ...KEY, sessionId: 's1' });
    expect(read!.events).toHaveLength(session.events.length);
    expect(fixture.ams.requests.filter(isVictim)).toHaveLength(2);
  });

  it('a segment holding other events than its reference says fails typed too', async () => {
    const svc = service();
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    await appendMany(svc, session, 0, 60);
    const [victim] = namedSegments('s1');
    (victim!.data as { adk_redis: { events: unknown[] } }).adk_redis.events.pop();
    await expect(service().getSession({ ...KEY, sessionId: 's1' })).rejects.toBeInstanceOf(
      SessionHistoryMissingError,
    );
  });

  it('deleteSession removes every segment, also one a failed append left unnamed', async () => {
    const svc = service();
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    await appendMany(svc, session, 0, 40);
    // The next sealing append's session write fails after its segment was written.
    fixture.ams.failOnce(
      (r) => r.method === 'PUT' && r.sessionId === 's1',
      [500, { detail: 'boom' }],
    );
    let n = 40;
    for (; ; n++) {
      const before = segmentDocs('s1').length;
      const failed = await svc
        .appendEvent({ session, event: event(n) })
        .then(() => false)
        .catch(() => true);
      if (failed) {
        expect(segmentDocs('s1').length).toBeGreaterThanOrEqual(before);
        break;
      }
    }
    // Another session's segments stay.
    const other = await svc.createSession({ ...KEY, sessionId: 's2' });
    await appendMany(svc, other, 0, 40);
    expect(segmentDocs('s1').length).toBeGreaterThan(0);
    await svc.deleteSession({ ...KEY, sessionId: 's1' });
    expect(segmentDocs('s1')).toEqual([]);
    expect(fixture.ams.doc(APP, USER, 's1')).toBeUndefined();
    expect(segmentDocs('s2').length).toBeGreaterThan(0);
    expect((await svc.getSession({ ...KEY, sessionId: 's2' }))!.events).toHaveLength(40);
  });

  it('deleteSession of a session whose document expired removes the segments it left', async () => {
    const svc = service({ sessionTtlSeconds: 60 });
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    await appendMany(svc, session, 0, 60);
    expect(segmentDocs('s1').length).toBeGreaterThan(0);
    // AMS expires the session document; its segments carry no TTL.
    fixture.ams.docs.delete(JSON.stringify([APP, USER, 's1']));
    await svc.deleteSession({ ...KEY, sessionId: 's1' });
    expect(segmentDocs('s1')).toEqual([]);
  });

  it('deleteSession leaves the segments alone when the address holds another session’s document', async () => {
    const svc = service();
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    await appendMany(svc, session, 0, 60);
    const before = segmentDocs('s1').length;
    const doc = fixture.ams.doc(APP, USER, 's1')!;
    (doc.data as { adk_redis: { session: string } }).adk_redis.session = 'someone-else';
    await svc.deleteSession({ ...KEY, sessionId: 's1' });
    expect(segmentDocs('s1')).toHaveLength(before);
    expect(fixture.ams.doc(APP, USER, 's1')).toBeDefined();
  });

  it('listSessions reads each session document alone, whose size does not grow with history', async () => {
    const svc = service();
    const short = await svc.createSession({ ...KEY, sessionId: 'short' });
    await appendMany(svc, short, 0, 20);
    const long = await svc.createSession({ ...KEY, sessionId: 'long' });
    await appendMany(svc, long, 0, 320);
    fixture.ams.clearRequests();
    const { sessions } = await svc.listSessions(KEY);
    expect(sessions.map((s) => s.id).sort()).toEqual(['long', 'short']);
    const gets = fixture.ams.seen('GET').filter((r) => r.sessionId !== undefined);
    expect(gets.map((r) => r.sessionId).sort()).toEqual(['long', 'short']);
    const size = (id: string) => JSON.stringify(fixture.ams.doc(APP, USER, id)).length;
    expect(size('long')).toBeLessThan(2 * size('short'));
  }, 30_000);
});

describe('reads of part of a session', () => {
  it('numRecentEvents and afterTimestamp fetch only the segments holding what they return', async () => {
    const svc = service();
    const session = await svc.createSession({ ...KEY, sessionId: 's1' });
    await appendMany(svc, session, 0, 400);
    // A fresh store per read: each keeps the segments it has read.
    const store = () =>
      new OpensourceAgentMemoryStore(
        createAgentMemoryServerClient({ baseUrl: AMS, retry: { maxRetries: 0 } }),
        { serverId: 'test', singleWriter: false, listConcurrency: 4 },
      );
    const key = { ...KEY, sessionId: 's1' };
    const named = (fixture.ams.doc(APP, USER, 's1')!.data as { adk_redis: { segments: unknown[] } })
      .adk_redis.segments.length;
    const segmentGets = () =>
      fixture.ams.seen('GET').filter((r) => r.query.namespace?.startsWith('adk~h~')).length;

    fixture.ams.clearRequests();
    const recent = (await store().read(key, { numRecentEvents: 20 }))!;
    expect(recent.events.slice(-20).map((e) => e.id)).toEqual(
      Array.from({ length: 20 }, (_, i) => eventId(380 + i)),
    );
    expect(segmentGets()).toBeLessThanOrEqual(2);

    fixture.ams.clearRequests();
    const since = T0 + 390 * 1000;
    const after = (await store().read(key, { afterTimestamp: since }))!;
    expect(after.events.filter((e) => e.timestamp >= since).map((e) => e.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => eventId(390 + i)),
    );
    expect(segmentGets()).toBeLessThanOrEqual(1);

    fixture.ams.clearRequests();
    const whole = (await store().read(key))!;
    expect(whole.events.map((e) => e.id)).toEqual(
      Array.from({ length: 400 }, (_, n) => eventId(n)),
    );
    expect(segmentGets()).toBe(named);
    expect(named).toBeGreaterThan(2);
  }, 30_000);
});

describe('format-1 sessions (written by earlier versions)', () => {
  function legacyDoc(sessionId: string, count: number): Doc {
    const events = Array.from(
      { length: count },
      (_, n) => JSON.parse(JSON.stringify(event(n))) as { id: string; timestamp: number },
    );
    return {
      session_id: sessionId,
      namespace: APP,
      user_id: USER,
      messages: events
        .filter((_, n) => n % 2 === 0)
        .map((e) => ({
          id: e.id,
          role: 'user',
          content: 'text',
          created_at: new Date(e.timestamp).toISOString(),
          discrete_memory_extracted: 't',
          persisted_at: new Date(e.timestamp).toISOString(),
        })),
      data: {
        topic: 'tea',
        adk_redis: {
          v: 1,
          kind: 'session',
          app: APP,
          user: USER,
          session: sessionId,
          revision: 7,
          writeId: 'abcdefabcdef',
          createdAt: T0,
          lastUpdateTime: T0 + count * 1000,
          events,
          state: {},
        },
      },
    };
  }

  it('read as they are, appended to, and rewritten bounded with their history in segments', async () => {
    fixture.ams.seed(legacyDoc('old', 700));
    const svc = service();
    const session = (await svc.getSession({ ...KEY, sessionId: 'old' }))!;
    expect(session.events).toHaveLength(700);
    expect(session.state).toMatchObject({ topic: 'tea' });
    const legacySize = JSON.stringify(fixture.ams.doc(APP, USER, 'old')).length;
    await svc.appendEvent({ session, event: event(700) });
    const migrated = fixture.ams.doc(APP, USER, 'old')!;
    const envelope = (
      migrated.data as { adk_redis: { v: number; events: unknown[]; revision: number } }
    ).adk_redis;
    expect(envelope.v).toBe(2);
    expect(envelope.revision).toBe(8);
    expect(envelope.events.length).toBeLessThanOrEqual(TAIL_MAX);
    expect(JSON.stringify(migrated).length).toBeLessThan(legacySize / 10);
    expect(migrated.data).toMatchObject({ topic: 'tea' });

    const again = (await svc.getSession({ ...KEY, sessionId: 'old' }))!;
    expect(again.events.map((e) => e.id)).toEqual(
      Array.from({ length: 701 }, (_, n) => eventId(n)),
    );
    await svc.appendEvent({ session: again, event: event(701) });
    expect((await svc.getSession({ ...KEY, sessionId: 'old' }))!.events).toHaveLength(702);
  });
});

describe('errors about app and user state', () => {
  it('name the caller’s app, user and session, not the reserved document ids', async () => {
    const svc = service();
    await svc.createSession({ ...KEY, sessionId: 's1' });
    fixture.ams.always(
      (r) => r.method === 'GET' && r.sessionId === 'adk~app',
      [503, { detail: 'down' }],
    );
    const error = await svc.getSession({ ...KEY, sessionId: 's1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    const { message, path, status } = error as BackendError;
    expect(status).toBe(503);
    expect(message).not.toContain('adk~');
    expect(path).not.toContain('adk~');
    expect(message).toContain(`app "${APP}"`);
    expect(message).toContain('"s1"');
  });

  it('an unreadable user-state document is reported with the user’s id', async () => {
    const svc = service();
    await svc.createSession({ ...KEY, sessionId: 's1' });
    const userDoc = [...fixture.ams.docs.values()].find((d) =>
      d.session_id.startsWith('adk~user~'),
    )!;
    fixture.ams.seed({ ...userDoc, data: { adk_redis: { v: 99 } } });
    const error = await svc.getSession({ ...KEY, sessionId: 's1' }).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`user "${USER}"`);
    expect((error as Error).message).not.toContain('adk~');
  });
});
