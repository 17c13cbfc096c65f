/**
 * The segment cache on the real Agent Memory Server: a service reads each history segment once
 * (a warm getSession is the session document's GET alone), its callers' changes never reach a
 * later read, and two services appending to one session each read the other's segments right.
 */
import { createEvent, type Event } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../src/index.js';
import { segmentNamespace } from '../../src/sessions/opensource-agent-memory/segments.js';
import { uniqueId } from '../support/ids.js';
import { amsClient, service } from './ams-session-service.js';

/** Counts the GETs of segment documents (their namespaces carry the reserved `adk~h~` prefix). */
class SegmentGets {
  count = 0;
  readonly fetch: typeof fetch = (input, init) => {
    const request = new Request(input, init);
    const namespace = new URL(request.url).searchParams.get('namespace') ?? '';
    if (request.method === 'GET' && namespace.startsWith('adk~h~')) this.count++;
    return fetch(request);
  };
}

function event(n: number): Event {
  return createEvent({
    invocationId: `inv-${Math.floor(n / 2)}`,
    author: n % 2 === 0 ? 'user' : 'agent',
    content: { role: n % 2 === 0 ? 'user' : 'model', parts: [{ text: `turn ${n}` }] },
  });
}

const plain = (events: readonly Event[]): unknown => JSON.parse(JSON.stringify(events));

describe('history segments kept by a service', () => {
  it('warm reads GET no segment, copies are the caller’s, and two services read each other right', async () => {
    const key = { appName: uniqueId('cache-app'), userId: 'u', sessionId: uniqueId('cache') };
    const a = service();
    const gets = new SegmentGets();
    const b = service({ fetch: gets.fetch });
    const ids: string[] = [];
    const live = await a.createSession(key);
    for (let n = 0; n < 120; n++) {
      const next = event(n);
      ids.push(next.id);
      await a.appendEvent({ session: live, event: next });
    }

    const cold = (await b.getSession(key))!;
    expect(cold.events.map((e) => e.id)).toEqual(ids);
    expect(gets.count).toBeGreaterThan(0);
    const expected = plain(cold.events);
    for (const e of cold.events) e.content!.parts![0]!.text = 'changed';
    gets.count = 0;
    const warm = (await b.getSession(key))!;
    expect(gets.count).toBe(0);
    expect(plain(warm.events)).toEqual(expected);

    // B appends on top (sealing and merging with A's segments); A reads what B wrote.
    for (let n = 120; n < 200; n++) {
      const next = event(n);
      ids.push(next.id);
      await b.appendEvent({ session: warm, event: next });
    }
    const byA = (await a.getSession(key))!;
    expect(byA.events.map((e) => e.id)).toEqual(ids);
    expect(plain(byA.events)).toEqual(plain((await service().getSession(key))!.events));
    await a.deleteSession(key);
    expect(await b.getSession(key)).toBeUndefined();
  }, 120_000);
});

describe('segments of an expired session', () => {
  it('deleteSession removes them once the session document is gone', async () => {
    const ams = amsClient();
    const appName = uniqueId('ttl-app');
    const key = { appName, userId: 'u', sessionId: uniqueId('ttl') };
    const svc = service({ sessionTtlSeconds: 3600 });
    const live = await svc.createSession(key);
    for (let n = 0; n < 40; n++) await svc.appendEvent({ session: live, event: event(n) });
    const namespace = segmentNamespace({
      namespace: appName,
      userId: 'u',
      sessionId: key.sessionId,
    });
    const listed = async () =>
      (await unwrap(ams.GET('/v1/working-memory/', { params: { query: { namespace } } }))).sessions;
    expect((await listed()).length).toBeGreaterThan(0);
    // What AMS does when the TTL runs out: the session document goes, its segments (no TTL) stay.
    await unwrap(
      ams.DELETE('/v1/working-memory/{session_id}', {
        params: {
          path: { session_id: key.sessionId },
          query: { namespace: appName, user_id: 'u' },
        },
      }),
    );
    expect(await svc.getSession(key)).toBeUndefined();
    await svc.deleteSession(key);
    expect(await listed()).toEqual([]);
  }, 60_000);
});
