/**
 * The segment cache on AMS, against the nock fake: a service reads each history segment from AMS
 * once (and none it wrote), hands out events its callers can change freely, stays within its byte
 * bound, forgets a deleted session, and stays right when another service (process) appends.
 */
import { createEvent, type Event, type Session } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { createAgentMemoryServerClient } from '../../../src/clients/index.js';
import {
  SessionHistoryMissingError,
  type RedisSessionMemoryService,
} from '../../../src/sessions/index.js';
import type { StoredEvent } from '../../../src/sessions/events.js';
import { AmsDocuments } from '../../../src/sessions/opensource-agent-memory/http.js';
import {
  SegmentCache,
  copyJson,
} from '../../../src/sessions/opensource-agent-memory/segment-cache.js';
import {
  HistorySegments,
  segmentNamespace,
} from '../../../src/sessions/opensource-agent-memory/segments.js';
import { AMS, type Doc, type SeenRequest } from './fake-ams.js';
import { useFakeAms } from './fake-ams-fixture.js';

const APP = 'my-app';
const USER = 'alice';
const T0 = Date.parse('2025-05-01T08:00:00.000Z');

const fixture = useFakeAms();

const service = (singleWriter = false): RedisSessionMemoryService =>
  fixture.service({ singleWriter });

const key = (sessionId: string) => ({ appName: APP, userId: USER, sessionId });

function event(n: number, tag = 'e'): Event {
  return createEvent({
    id: `${tag}${String(n).padStart(5, '0')}`,
    invocationId: `inv-${Math.floor(n / 2)}`,
    author: n % 2 === 0 ? 'user' : 'agent',
    timestamp: T0 + n * 1000,
    content: { role: n % 2 === 0 ? 'user' : 'model', parts: [{ text: `message ${n}` }] },
    actions: { stateDelta: { turn: n } },
  });
}

async function appendMany(
  svc: RedisSessionMemoryService,
  session: Session,
  from: number,
  to: number,
  tag = 'e',
) {
  for (let n = from; n < to; n++) await svc.appendEvent({ session, event: event(n, tag) });
}

const ids = (from: number, to: number, tag = 'e'): string[] =>
  Array.from({ length: to - from }, (_, i) => `${tag}${String(from + i).padStart(5, '0')}`);

const isSegmentGet = (r: SeenRequest): boolean =>
  r.method === 'GET' && (r.query.namespace?.startsWith('adk~h~') ?? false);
const segmentGets = (): SeenRequest[] => fixture.ams.requests.filter(isSegmentGet);

/** The refs the stored session document names: [id, count, newest]. */
const namedRefs = (sessionId: string): [string, number, number][] =>
  (
    fixture.ams.doc(APP, USER, sessionId)!.data as {
      adk_redis: { segments: [string, number, number][] };
    }
  ).adk_redis.segments;

const segmentDoc = (sessionId: string, id: string): Doc =>
  fixture.ams.doc(segmentNamespace({ namespace: APP, userId: USER, sessionId }), USER, id)!;

const plain = (events: readonly Event[]): unknown => JSON.parse(JSON.stringify(events));

describe('segments a service has read or written', () => {
  it('a warm read GETs no segment and returns the same events; the writer reads none it wrote', async () => {
    const writer = service();
    const session = await writer.createSession(key('s1'));
    fixture.ams.clearRequests();
    await appendMany(writer, session, 0, 200);
    // Merges read the segments they merge: from this service's own writes, not from AMS.
    expect(segmentGets()).toEqual([]);
    expect(namedRefs('s1').length).toBeGreaterThan(2);

    fixture.ams.clearRequests();
    const byWriter = (await writer.getSession(key('s1')))!;
    expect(segmentGets()).toEqual([]);
    expect(byWriter.events.map((e) => e.id)).toEqual(ids(0, 200));

    const reader = service();
    fixture.ams.clearRequests();
    const cold = (await reader.getSession(key('s1')))!;
    expect(segmentGets()).toHaveLength(namedRefs('s1').length);
    fixture.ams.clearRequests();
    const warm = (await reader.getSession(key('s1')))!;
    expect(segmentGets()).toEqual([]);
    // One GET of the session document (and the app and user state documents beside it).
    expect(fixture.ams.seen('GET', 's1')).toHaveLength(1);
    expect(plain(warm.events)).toEqual(plain(cold.events));
    expect(plain(warm.events)).toEqual(plain(byWriter.events));
  });

  for (const singleWriter of [false, true]) {
    it(`${singleWriter ? 'singleWriter: ' : ''}events a caller changes do not change a later read`, async () => {
      const svc = service(singleWriter);
      const session = await svc.createSession(key('s1'));
      await appendMany(svc, session, 0, 60);
      const expected = plain((await service().getSession(key('s1')))!.events);
      const scribble = (events: Event[]) => {
        for (const e of events) {
          e.id = 'changed';
          e.content!.parts![0]!.text = 'changed';
          e.actions.stateDelta['turn'] = -1;
          e.content!.parts!.push({ text: 'more' });
        }
        events.length = 3;
      };
      // The live session's events (whose copies the appends cached), a cold read's, a warm read's.
      scribble(session.events);
      const reader = service(singleWriter);
      scribble((await reader.getSession(key('s1')))!.events);
      scribble((await reader.getSession(key('s1')))!.events);
      expect(plain((await svc.getSession(key('s1')))!.events)).toEqual(expected);
      expect(plain((await reader.getSession(key('s1')))!.events)).toEqual(expected);
    });
  }

  it('a segment held with another count than the reference names is fetched, and fails typed', async () => {
    const svc = service();
    const session = await svc.createSession(key('s1'));
    await appendMany(svc, session, 0, 40);
    const doc = fixture.ams.doc(APP, USER, 's1')!;
    const refs = (doc.data as { adk_redis: { segments: [string, number, number][] } }).adk_redis
      .segments;
    refs[0]![1] += 1;
    fixture.ams.clearRequests();
    await expect(svc.getSession(key('s1'))).rejects.toBeInstanceOf(SessionHistoryMissingError);
    expect(segmentGets().map((r) => r.sessionId)).toContain(refs[0]![0]);
  });
});

describe('deleted sessions', () => {
  it('deleteSession forgets the session’s segments: restored documents are read from AMS again', async () => {
    const svc = service();
    const session = await svc.createSession(key('s1'));
    await appendMany(svc, session, 0, 60);
    await svc.getSession(key('s1'));
    const snapshot = [...fixture.ams.docs.values()].map((doc) => structuredClone(doc));
    const [victim] = namedRefs('s1');
    await svc.deleteSession(key('s1'));
    // The same documents come back (say, restored by an operator), one segment now short.
    for (const doc of snapshot) fixture.ams.seed(doc);
    (
      segmentDoc('s1', victim![0]).data as { adk_redis: { events: unknown[] } }
    ).adk_redis.events.pop();
    fixture.ams.clearRequests();
    await expect(svc.getSession(key('s1'))).rejects.toBeInstanceOf(SessionHistoryMissingError);
    expect(segmentGets().length).toBeGreaterThan(0);
  });

  it('a session deleted and created again with the same id reads only its own events', async () => {
    const first = service();
    const other = service();
    const old = await first.createSession(key('s1'));
    await appendMany(first, old, 0, 80);
    expect((await first.getSession(key('s1')))!.events.map((e) => e.id)).toEqual(ids(0, 80));

    // Deleted and created again by this service, then by another one (this one keeps the old
    // session's segments in memory then).
    await first.deleteSession(key('s1'));
    const again = await first.createSession(key('s1'));
    await appendMany(first, again, 0, 50, 'n');
    expect((await first.getSession(key('s1')))!.events.map((e) => e.id)).toEqual(ids(0, 50, 'n'));
    expect((await service().getSession(key('s1')))!.events.map((e) => e.id)).toEqual(
      ids(0, 50, 'n'),
    );

    await other.deleteSession(key('s1'));
    const third = await other.createSession(key('s1'));
    await appendMany(other, third, 0, 70, 't');
    expect((await first.getSession(key('s1')))!.events.map((e) => e.id)).toEqual(ids(0, 70, 't'));
  });
});

describe('two services (processes) on one session', () => {
  it('segments another service seals and merges are read right, both ways', async () => {
    const a = service();
    const b = service();
    const fromA = await a.createSession(key('s1'));
    await appendMany(a, fromA, 0, 40);
    expect((await a.getSession(key('s1')))!.events.map((e) => e.id)).toEqual(ids(0, 40));

    // B merges A's segments with its own and names only its merged ones.
    const fromB = (await b.getSession(key('s1')))!;
    await appendMany(b, fromB, 40, 200);
    const held = new Set(namedRefs('s1').map(([id]) => id));
    fixture.ams.clearRequests();
    const readByA = (await a.getSession(key('s1')))!;
    expect(readByA.events.map((e) => e.id)).toEqual(ids(0, 200));
    // A fetched what B wrote and nothing else.
    expect(segmentGets().every((r) => held.has(r.sessionId!))).toBe(true);
    expect(segmentGets().length).toBeGreaterThan(0);

    // And back: A appends on what it read, B reads it.
    await appendMany(a, readByA, 200, 260);
    expect((await b.getSession(key('s1')))!.events.map((e) => e.id)).toEqual(ids(0, 260));
    expect(plain((await a.getSession(key('s1')))!.events)).toEqual(
      plain((await service().getSession(key('s1')))!.events),
    );
  }, 30_000);
});

describe('the byte bound', () => {
  const stored = (n: number, text: string): StoredEvent => ({ id: `e${n}`, timestamp: n, text });
  const session = { namespace: APP, userId: USER, sessionId: 's1' };
  const k = key('s1');

  it('evicts the least recently used segments past the bound, and keeps none larger than it', () => {
    const one = [stored(1, 'x'.repeat(1000))];
    const size = { bytes: 0 };
    copyJson(one, size);
    const cache = new SegmentCache(3 * size.bytes);
    cache.put(k, session, 'a', one);
    cache.put(k, session, 'b', one);
    cache.put(k, session, 'c', one);
    expect(cache.size).toBe(3);
    expect(cache.get(k, session, 'a', 1)).toEqual(one); // now the most recent
    cache.put(k, session, 'd', one);
    expect(cache.bytes).toBeLessThanOrEqual(3 * size.bytes);
    expect(cache.get(k, session, 'b', 1)).toBeUndefined();
    expect(cache.get(k, session, 'a', 1)).toEqual(one);
    expect(cache.get(k, session, 'd', 1)).toEqual(one);

    cache.put(k, session, 'big', [stored(2, 'y'.repeat(4000))]);
    expect(cache.get(k, session, 'big', 1)).toBeUndefined();
    expect(cache.size).toBe(3);
  });

  it('keeps segments apart by session and copies them both ways', () => {
    const cache = new SegmentCache();
    const events = [stored(1, 'a')];
    cache.put(k, session, 'a', events);
    events[0]!.text = 'changed';
    const got = cache.get(k, session, 'a', 1)!;
    expect(got).toEqual([stored(1, 'a')]);
    got[0]!.text = 'changed';
    expect(cache.get(k, session, 'a', 1)).toEqual([stored(1, 'a')]);
    expect(cache.get(key('s2'), session, 'a', 1)).toBeUndefined();
    expect(cache.get(k, { ...session, sessionId: 's2' }, 'a', 1)).toBeUndefined();
    cache.forget(k, session);
    expect(cache.get(k, session, 'a', 1)).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  it('a store past its bound fetches evicted segments again, and reads them right', async () => {
    const svc = service();
    const live = await svc.createSession(key('s1'));
    await appendMany(svc, live, 0, 200);
    const refs = namedRefs('s1');
    const segments = new HistorySegments(
      new AmsDocuments(
        createAgentMemoryServerClient({ baseUrl: AMS, retry: { maxRetries: 0 } }),
        {},
      ),
      4,
      // Room for the smallest segment alone.
      new SegmentCache(
        Math.min(
          ...refs.map(([id]) => {
            const size = { bytes: 0 };
            copyJson(
              (segmentDoc('s1', id).data as { adk_redis: { events: unknown[] } }).adk_redis.events,
              size,
            );
            return size.bytes;
          }),
        ),
      ),
    );
    const address = { namespace: APP, userId: USER, sessionId: 's1' };
    const first = await segments.read(key('s1'), address, refs);
    fixture.ams.clearRequests();
    const second = await segments.read(key('s1'), address, refs);
    expect(second).toEqual(first);
    expect(second.map((e) => e.id)).toEqual(ids(0, first.length));
    // All but at most one segment were evicted and fetched again.
    expect(segmentGets().length).toBeGreaterThanOrEqual(refs.length - 1);
  });
});
