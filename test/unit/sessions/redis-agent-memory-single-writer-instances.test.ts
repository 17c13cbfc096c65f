/**
 * Two service instances of one process on one managed session, against the fake. The config's
 * TSDoc and the README promise for `singleWriter`: "Stale live sessions of this process are still
 * detected; writes by other processes are not" (live sessions are tracked module-wide, so any
 * instance can tell). Each store instance keeps its own single-writer cache, though.
 */
import { createEvent, createEventActions, type Event } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { StaleSessionError } from '../../../src/index.js';
import { useFakeRedisAgentMemory } from '../../support/fake-redis-agent-memory/fixture.js';
import { uniqueId } from '../../support/ids.js';

const fixture = useFakeRedisAgentMemory();
const { service } = fixture;

const alnum = (prefix: string) => `${prefix}${uniqueId('').replace(/[^A-Za-z0-9]/g, '')}`;
const newKey = () => ({ appName: alnum('app'), userId: alnum('user'), sessionId: alnum('s') });

const turn = (text: string, stateDelta: Record<string, unknown> = {}): Event =>
  createEvent({
    invocationId: 'inv',
    author: 'user',
    content: { role: 'user', parts: [{ text }] },
    actions: createEventActions({ stateDelta }),
  });

const texts = (events: readonly Event[]) => events.map((e) => e.content?.parts?.[0]?.text);

describe('two managed services in one process', () => {
  for (const singleWriter of [false, true]) {
    // Instance B must not build on the state and revision it last saw once instance A of this
    // process has appended since (the kept copy is the process's, see kept.ts).
    const mode = singleWriter ? 'singleWriter' : 'reading first';
    it(`${mode}: a copy another instance moved past is refused as stale; the other’s state stays`, async () => {
      const key = newKey();
      const a = service({ singleWriter });
      const b = service({ singleWriter });
      const live = await a.createSession(key);
      await a.appendEvent({ session: live, event: turn('one', { x: 1 }) });
      const copy = (await b.getSession(key))!;
      await a.appendEvent({ session: live, event: turn('two', { y: 2 }) });
      await expect(b.appendEvent({ session: copy, event: turn('three') })).rejects.toBeInstanceOf(
        StaleSessionError,
      );
      const stored = (await service().getSession(key))!;
      expect(texts(stored.events)).toEqual(['one', 'two']);
      expect(stored.state).toEqual({ x: 1, y: 2 });
    });

    it(`${mode}: the current live session appends through the other instance`, async () => {
      const key = newKey();
      const a = service({ singleWriter });
      const b = service({ singleWriter });
      const live = await a.createSession(key);
      await a.appendEvent({ session: live, event: turn('one', { x: 1 }) });
      await b.getSession(key);
      await a.appendEvent({ session: live, event: turn('two', { y: 2 }) });
      await b.appendEvent({ session: live, event: turn('three', { z: 3 }) });
      const stored = (await service().getSession(key))!;
      expect(texts(stored.events)).toEqual(['one', 'two', 'three']);
      expect(stored.state).toEqual({ x: 1, y: 2, z: 3 });
    });
  }
});
