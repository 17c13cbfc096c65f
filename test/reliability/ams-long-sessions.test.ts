/**
 * Long sessions on the real Agent Memory Server through the chaos proxy: each session grows past
 * the document's bound on recent events many times and past merges of its history segments
 * (segments.ts), while 10% of requests fail in every way the proxy knows, before and after
 * forwarding. An append that throws is not retried: the live session is reloaded and the next
 * event appended. Afterwards, read through a clean service:
 * - every append that resolved is stored exactly once, in append order;
 * - every append that threw is stored at most once, and never when it threw StaleSessionError;
 * - nothing else is stored, and the history reads back whole (no missing segment);
 * - deleting the session removes every segment document, including those failed writes left.
 */
import { createEvent, type Event, type Session } from '@google/adk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  StaleSessionError,
  createAgentMemoryServerClient,
  unwrap,
  type RedisSessionMemoryService,
} from '../../src/index.js';
import { segmentNamespace } from '../../src/sessions/opensource-agent-memory/segments.js';
import { startChaosProxy, type ChaosProxy } from '../support/chaos-proxy/index.js';
import { uniqueId } from '../support/ids.js';
import {
  FAST_CLIENT,
  amsBackend,
  describeError,
  isTyped,
  type BackendUnderTest,
} from './helpers.js';

const EVENTS = 320;
const FAULT_RATE = 0.1;
const SEED = 20_261_129;

interface Outcome {
  eventId: string;
  result: 'resolved' | 'threw' | 'stale';
}

function event(session: number, n: number): Event {
  return createEvent({
    invocationId: `long-${session}`,
    author: n % 2 === 0 ? 'user' : 'agent',
    content: {
      role: n % 2 === 0 ? 'user' : 'model',
      parts: [{ text: `session ${session} event ${n}: ${'é🍕 '.repeat(n % 7)}` }],
    },
  });
}

async function reload(
  service: RedisSessionMemoryService,
  key: { appName: string; userId: string; sessionId: string },
): Promise<Session> {
  for (let attempt = 1; ; attempt++) {
    try {
      const session = await service.getSession(key);
      if (session) return session;
      throw new Error('session not found');
    } catch (error) {
      if (!isTyped(error) || attempt >= 50) throw error;
    }
  }
}

async function drive(
  service: RedisSessionMemoryService,
  key: { appName: string; userId: string; sessionId: string },
  index: number,
  untyped: string[],
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let live = await reload(service, key);
  for (let n = 0; n < EVENTS; n++) {
    const next = event(index, n);
    try {
      await service.appendEvent({ session: live, event: next });
      outcomes.push({ eventId: next.id, result: 'resolved' });
    } catch (error) {
      if (!isTyped(error)) untyped.push(describeError(error));
      outcomes.push({
        eventId: next.id,
        result: error instanceof StaleSessionError ? 'stale' : 'threw',
      });
      live = await reload(service, key);
    }
  }
  return outcomes;
}

describe('long AMS sessions through faults', () => {
  let backend: BackendUnderTest;
  let proxy: ChaosProxy;
  beforeAll(async () => {
    backend = amsBackend(inject('amsBaseUrl'));
    proxy = await startChaosProxy({ target: backend.target, seed: SEED, faultRate: 0 });
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  it('keeps every acknowledged append exactly once, in order, across segment seals and merges', async () => {
    const appName = uniqueId('long-app');
    const keys = [false, true].map((singleWriter, index) => ({
      singleWriter,
      index,
      key: { appName, userId: uniqueId('long-user'), sessionId: `long-${index}` },
    }));
    const clean = backend.service();
    for (const { key } of keys) await clean.createSession(key);
    proxy.setFaultRate(FAULT_RATE);
    const untyped: string[] = [];
    const runs = await Promise.all(
      keys.map(({ key, index, singleWriter }) =>
        drive(backend.service(proxy.url, { ...FAST_CLIENT, singleWriter }), key, index, untyped),
      ),
    );
    proxy.setFaultRate(0);
    expect(untyped).toEqual([]);

    const client = createAgentMemoryServerClient({ baseUrl: backend.target });
    for (const [i, { key }] of keys.entries()) {
      const outcomes = runs[i]!;
      const stored = (await clean.getSession(key))!.events.map((e) => e.id);
      const counts = new Map<string, number>();
      for (const id of stored) counts.set(id, (counts.get(id) ?? 0) + 1);
      const appended = outcomes.map((o) => o.eventId);
      const resolved = outcomes.filter((o) => o.result === 'resolved').map((o) => o.eventId);
      expect([...counts.values()].every((count) => count === 1)).toBe(true);
      expect(stored.every((id) => appended.includes(id))).toBe(true);
      expect(resolved.filter((id) => !stored.includes(id))).toEqual([]);
      const staleStored = outcomes.filter(
        (o) => o.result === 'stale' && stored.includes(o.eventId),
      );
      expect(staleStored).toEqual([]);
      // Stored order is append order.
      expect(stored).toEqual(appended.filter((id) => stored.includes(id)));
      // The session was long enough to have merged segments, and it still takes appends.
      expect(stored.length).toBeGreaterThan(200);
      const live = (await clean.getSession(key))!;
      const last = event(i, EVENTS);
      await clean.appendEvent({ session: live, event: last });
      expect((await clean.getSession(key))!.events.map((e) => e.id)).toEqual([...stored, last.id]);

      console.log(
        `[ams-long-sessions] singleWriter=${keys[i]!.singleWriter} appended=${appended.length} ` +
          `resolved=${resolved.length} threw=${outcomes.filter((o) => o.result === 'threw').length} ` +
          `stale=${outcomes.filter((o) => o.result === 'stale').length} stored=${stored.length}`,
      );

      // Deleting removes every segment document, including those of failed or lost writes.
      const namespace = segmentNamespace({
        namespace: appName,
        userId: key.userId,
        sessionId: key.sessionId,
      });
      const listSegments = async () =>
        (
          await unwrap(
            client.GET('/v1/working-memory/', {
              params: { query: { namespace, limit: 100, offset: 0 } },
            }),
          )
        ).total;
      expect(await listSegments()).toBeGreaterThan(0);
      await clean.deleteSession(key);
      expect(await listSegments()).toBe(0);
    }
  });
});
