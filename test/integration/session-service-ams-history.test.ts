/**
 * Long sessions on the real Agent Memory Server: what each append sends stays bounded as history
 * is sealed into segment documents, listings read no history, sessions written in format 1 (every
 * event in one document) migrate on write, and a live session loaded before another client (the
 * Python adk-redis) added a message is refused as stale.
 */
import { createEvent, type Event } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { StaleSessionError, unwrap } from '../../src/index.js';
import { uniqueId } from '../support/ids.js';
import { amsClient, service } from './ams-session-service.js';

const ams = amsClient();

/** Counts the body bytes of every request sent and response received, per method. */
class Meter {
  sent: { method: string; bytes: number }[] = [];
  received: { method: string; bytes: number }[] = [];
  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const body = await request.clone().arrayBuffer();
    this.sent.push({ method: request.method, bytes: body.byteLength });
    const response = await fetch(request);
    const text = await response.clone().arrayBuffer();
    this.received.push({ method: request.method, bytes: text.byteLength });
    return response;
  };
  reset(): void {
    this.sent = [];
    this.received = [];
  }
}

function event(n: number): Event {
  return createEvent({
    invocationId: `inv-${Math.floor(n / 2)}`,
    author: n % 2 === 0 ? 'user' : 'agent',
    content: {
      role: n % 2 === 0 ? 'user' : 'model',
      parts: [{ text: `turn ${n}: ${'lorem ipsum '.repeat(20)}` }],
    },
  });
}

describe('long sessions on AMS', () => {
  it('append bodies stay bounded up to 1,000 events; the history reads back whole, in order', async () => {
    const meter = new Meter();
    const svc = service({ fetch: meter.fetch, singleWriter: true });
    const key = { appName: uniqueId('long-app'), userId: 'u', sessionId: uniqueId('long') };
    const session = await svc.createSession(key);
    const ids: string[] = [];
    const putAt: Record<number, number> = {};
    for (let n = 0; n < 1000; n++) {
      const next = event(n);
      ids.push(next.id);
      meter.reset();
      await svc.appendEvent({ session, event: next });
      // The session document's PUT is the last request of an append.
      putAt[n + 1] = meter.sent.filter((s) => s.method === 'PUT').at(-1)!.bytes;
    }
    const early = Math.max(putAt[10]!, putAt[16]!);
    const late = Math.max(
      ...Object.entries(putAt)
        .filter(([n]) => Number(n) > 900)
        .map(([, b]) => b),
    );
    // Format 1 sent every event each time: ~60x more at 1,000 events than at 16.
    expect(late).toBeLessThan(2 * early);
    const read = (await service().getSession(key))!;
    expect(read.events.map((e) => e.id)).toEqual(ids);
    const recent = (await service().getSession({ ...key, config: { numRecentEvents: 5 } }))!;
    expect(recent.events.map((e) => e.id)).toEqual(ids.slice(-5));
    await service().deleteSession(key);
    expect(await service().getSession(key)).toBeUndefined();
  }, 120_000);

  it('listSessions receives about as many bytes for a 400-event session as for a 20-event one', async () => {
    const appName = uniqueId('list-app');
    const writer = service({ singleWriter: true });
    for (const [userId, length] of [
      ['short', 20],
      ['long', 400],
    ] as const) {
      const session = await writer.createSession({ appName, userId, sessionId: 'only' });
      for (let n = 0; n < length; n++) await writer.appendEvent({ session, event: event(n) });
    }
    const received: Record<string, number> = {};
    for (const userId of ['short', 'long']) {
      const meter = new Meter();
      const listed = await service({ fetch: meter.fetch }).listSessions({ appName, userId });
      expect(listed.sessions.map((s) => s.id)).toEqual(['only']);
      received[userId] = meter.received.reduce((total, r) => total + r.bytes, 0);
    }
    expect(received.long!).toBeLessThan(2 * received.short!);
  }, 120_000);
});

describe('sessions written in format 1 (earlier versions)', () => {
  it('read, append and migrate: the rewritten document is bounded and the history whole', async () => {
    // A format-1 session as an earlier version leaves it: built by its own rules, written raw.
    const appName = uniqueId('v1-app');
    const key = { appName, userId: 'u', sessionId: uniqueId('v1') };
    const events = Array.from(
      { length: 300 },
      (_, n) =>
        JSON.parse(JSON.stringify(event(n))) as {
          id: string;
          timestamp: number;
          content: { parts: { text: string }[] };
        },
    );
    await unwrap(
      ams.PUT('/v1/working-memory/{session_id}', {
        params: { path: { session_id: key.sessionId } },
        body: {
          namespace: appName,
          user_id: 'u',
          messages: events.map((e, n) => ({
            id: e.id,
            role: n % 2 === 0 ? 'user' : 'assistant',
            content: e.content.parts[0]!.text,
            created_at: new Date(e.timestamp).toISOString(),
            discrete_memory_extracted: 't' as const,
            persisted_at: new Date().toISOString(),
          })),
          data: {
            mood: 'calm',
            adk_redis: {
              v: 1,
              kind: 'session',
              app: appName,
              user: 'u',
              session: key.sessionId,
              revision: 300,
              writeId: 'abcdefabcdef',
              createdAt: Date.now() - 60_000,
              lastUpdateTime: Date.now() - 1_000,
              events,
              state: {},
            },
          },
        },
      }),
    );
    const svc = service();
    const live = (await svc.getSession(key))!;
    expect(live.events.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(live.state).toMatchObject({ mood: 'calm' });
    const meter = new Meter();
    const metered = service({ fetch: meter.fetch });
    const next = event(300);
    await metered.appendEvent({ session: (await metered.getSession(key))!, event: next });
    meter.reset();
    const again = (await metered.getSession(key))!;
    expect(again.events.map((e) => e.id)).toEqual([...events.map((e) => e.id), next.id]);
    expect(again.state).toMatchObject({ mood: 'calm' });
    const raw = await unwrap(
      ams.GET('/v1/working-memory/{session_id}', {
        params: {
          path: { session_id: key.sessionId },
          query: { namespace: appName, user_id: 'u' },
        },
      }),
    );
    const envelope = (raw.data as { adk_redis: { v: number; events: unknown[] } }).adk_redis;
    expect(envelope.v).toBe(2);
    expect(envelope.events.length).toBeLessThanOrEqual(16);
    expect((raw.messages ?? []).length).toBeLessThanOrEqual(16);
    await svc.appendEvent({ session: again, event: event(301) });
    expect((await svc.getSession(key))!.events).toHaveLength(302);
    await svc.deleteSession(key);
  }, 60_000);
});

describe('a write by another client (the Python adk-redis)', () => {
  it('makes a live session loaded before it stale; one loaded after it appends', async () => {
    const appName = uniqueId('foreign-app');
    const key = { appName, userId: 'u', sessionId: uniqueId('foreign') };
    const svc = service();
    const before = await svc.createSession(key);
    await svc.appendEvent({ session: before, event: event(0) });
    // What the Python package's append does: read the document, add a message, write it back.
    const raw = await unwrap(
      ams.GET('/v1/working-memory/{session_id}', {
        params: {
          path: { session_id: key.sessionId },
          query: { namespace: appName, user_id: 'u' },
        },
      }),
    );
    await unwrap(
      ams.PUT('/v1/working-memory/{session_id}', {
        params: { path: { session_id: key.sessionId } },
        body: {
          ...raw,
          messages: [
            ...(raw.messages ?? []),
            {
              id: '01JF8ZQ5J3W9V1M4K7Q2X6YB8C',
              role: 'user',
              content: 'from python',
              created_at: new Date().toISOString(),
            },
          ],
        },
      }),
    );
    await expect(svc.appendEvent({ session: before, event: event(1) })).rejects.toBeInstanceOf(
      StaleSessionError,
    );
    const after = (await svc.getSession(key))!;
    expect(after.events.map((e) => e.id).at(-1)).toBe('01JF8ZQ5J3W9V1M4K7Q2X6YB8C');
    const next = event(2);
    await svc.appendEvent({ session: after, event: next });
    expect((await svc.getSession(key))!.events.map((e) => e.id)).toEqual([
      before.events[0]!.id,
      '01JF8ZQ5J3W9V1M4K7Q2X6YB8C',
      next.id,
    ]);
    await svc.deleteSession(key);
  });
});
