/**
 * Single-writer mode on the managed backend (contract-checked fake): what a service keeps of a
 * session between calls is shared by the services of one process and never replaced by a read
 * that overlapped a write (the AMS side has the same cases in ams-single-writer-fastpath.test.ts).
 */
import { createEvent, type Event } from '@google/adk';
import { describe, expect, it } from 'vitest';
import {} from '../../../src/index.js';
import { useFakeRedisAgentMemory } from '../../support/fake-redis-agent-memory/fixture.js';
import { uniqueId } from '../../support/ids.js';

const fixture = useFakeRedisAgentMemory({ serviceDefaults: { singleWriter: true } });
const { service } = fixture;

const turn = (n: number): Event =>
  createEvent({
    id: `e${n}`,
    invocationId: `i${n}`,
    author: 'user',
    content: { role: 'user', parts: [{ text: `turn ${n}` }] },
    actions: { stateDelta: { turn: n } },
  });

describe('singleWriter on the managed backend', () => {
  it('a getSession that began before an append and ended after it does not put back the older copy', async () => {
    let holdGets: Promise<void> | undefined;
    const gated: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if ((init?.method ?? 'GET') === 'GET' && holdGets) await holdGets;
      return response;
    };
    const svc = service({ fetch: gated });
    const key = { appName: 'kept-app', userId: 'u', sessionId: uniqueId('race') };
    const session = await svc.createSession(key);
    await svc.appendEvent({ session, event: turn(1) });
    let release!: () => void;
    holdGets = new Promise((resolve) => (release = resolve));
    const read = svc.getSession(key);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await svc.appendEvent({ session, event: turn(2) });
    release();
    holdGets = undefined;
    const older = await read;
    expect(older?.events.map((e) => e.id)).toEqual(['e1']);
    // The live session is current: its next append must be accepted, and nothing lost.
    await svc.appendEvent({ session, event: turn(3) });
    const stored = await service({ singleWriter: false }).getSession(key);
    expect(stored?.events.map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
    expect(stored?.state).toEqual({ turn: 3 });
  });

  it('two services of one process appending in turn to one live session', async () => {
    const [first, second] = [service(), service()];
    const key = { appName: 'kept-app', userId: 'u', sessionId: uniqueId('two') };
    const session = await first.createSession(key);
    await first.appendEvent({ session, event: turn(1) });
    await second.appendEvent({ session, event: turn(2) });
    await first.appendEvent({ session, event: turn(3) });
    await second.appendEvent({ session, event: turn(4) });
    const stored = await service({ singleWriter: false }).getSession(key);
    expect(stored?.events.map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(stored?.state).toEqual({ turn: 4 });
  });
});
