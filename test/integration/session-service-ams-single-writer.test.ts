/**
 * The single-writer fast path on the real Agent Memory Server: a `singleWriter` service builds
 * each append on the document it wrote last (kept as sent, its JSON text partly reused), so what a
 * cold reader finds after a long run (history sealed and merged, hostile state and text, app and
 * user keys, strategy options holding a `context` key, callers changing what they were handed)
 * must be exactly its live session; the README's promises for `singleWriter` hold; and a
 * getSession racing an append of this process must not leave the cache behind storage.
 */
import { createEvent, type Event, type Session } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { StaleSessionError, type RedisSessionMemoryService } from '../../src/index.js';
import { hostileInitialState, hostileStepEvent } from '../support/hostile-session.js';
import { uniqueId } from '../support/ids.js';
import { service } from './ams-session-service.js';

const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * `steps` appends through a singleWriter service, the caller changing its events after each and
 * reloading (then changing what it was handed) every 10: returns the live session and the events
 * as they were when appended.
 */
async function longRun(svc: RedisSessionMemoryService, key: SessionKey, steps: number) {
  let live = await svc.createSession({ ...key, state: hostileInitialState() });
  const expected: unknown[] = [];
  for (let n = 0; n < steps; n++) {
    const event = hostileStepEvent(n);
    await svc.appendEvent({ session: live, event });
    expected.push(plain(event));
    event.content!.parts!.push({ text: 'changed after append' });
    (event.actions.stateDelta as Record<string, unknown>).counter = 'changed';
    if (n % 10 === 9) {
      live = (await svc.getSession(key))!;
      expect(plain(live.events)).toEqual(expected);
      for (const e of live.events) {
        e.content?.parts?.push({ text: 'changed in a read' });
        e.author = 'changed';
      }
      (live.state.nested as { deep: { list: unknown[] } }).deep.list.push('changed in a read');
    }
  }
  return { live, expected };
}

interface SessionKey {
  appName: string;
  userId: string;
  sessionId: string;
}

const newKey = (prefix: string): SessionKey => ({
  appName: uniqueId(`${prefix}-app`),
  userId: 'u',
  sessionId: uniqueId(prefix),
});

describe('singleWriter on AMS: what a cold reader finds is the live session', () => {
  for (const [label, extra] of [
    ['default strategy', {}],
    [
      'strategy options holding a "context" key',
      {
        extractionStrategy: 'discrete',
        extractionStrategyConfig: { context: null, note: '"context":null,' },
      },
    ],
  ] as const) {
    it(`${label}: 72 appends across seals and a merge, then a cold read`, async () => {
      const key = newKey('sw');
      const writer = service({ ...extra, singleWriter: true });
      const { live, expected } = await longRun(writer, key, 72);
      // Reading first and reading cold both see exactly the live session.
      for (const reader of [service(extra), service()]) {
        const cold = (await reader.getSession(key))!;
        expect(plain(cold.events)).toEqual(expected);
        expect(plain(cold.state)).toEqual(plain(live.state));
        expect(Object.keys(cold.state)).toContain('__proto__');
        expect(cold.state['app:seen0']).toEqual({ n: 70, context: null });
        expect(cold.state['user:last']).toBe('"context":null,66');
        expect(cold.lastUpdateTime).toBe(live.lastUpdateTime);
      }
      // The writer's own read after the run, and an append on it read back by another service.
      const again = (await writer.getSession(key))!;
      expect(plain(again.events)).toEqual(expected);
      const last = hostileStepEvent(72);
      await writer.appendEvent({ session: again, event: last });
      const reread = (await service().getSession(key))!;
      expect(plain(reread.events)).toEqual([...expected, plain(last)]);
      expect(plain(reread.state)).toEqual(plain(again.state));
      await writer.deleteSession(key);
    }, 60_000);
  }
});

const textEvent = (text: string): Event =>
  createEvent({ author: 'user', content: { role: 'user', parts: [{ text }] } });

const storedTexts = async (key: SessionKey): Promise<string[]> =>
  ((await service().getSession(key))?.events ?? []).map((e) => e.content?.parts?.[0]?.text ?? '');

describe('singleWriter on AMS: the README’s promises', () => {
  it('a stale live session of this process is refused, and nothing is written', async () => {
    const key = newKey('stale');
    const svc = service({ singleWriter: true });
    const first = await svc.createSession(key);
    await svc.appendEvent({ session: first, event: textEvent('one') });
    const second = (await svc.getSession(key))!;
    await svc.appendEvent({ session: second, event: textEvent('two') });
    await expect(
      svc.appendEvent({ session: first, event: textEvent('lost') }),
    ).rejects.toBeInstanceOf(StaleSessionError);
    expect(await storedTexts(key)).toEqual(['one', 'two']);
    await svc.deleteSession(key);
  });

  it('once this service has read what another wrote, it builds on it (and refuses older copies)', async () => {
    const key = newKey('other');
    const mine = service({ singleWriter: true });
    const other = service();
    const old = await mine.createSession(key);
    await mine.appendEvent({ session: old, event: textEvent('mine 1') });
    const theirs = (await other.getSession(key))!;
    await other.appendEvent({ session: theirs, event: textEvent('theirs') });
    // This service reads last: the read is what its next append builds on.
    const fresh = (await mine.getSession(key))!;
    expect(fresh.events.map((e) => e.content?.parts?.[0]?.text)).toEqual(['mine 1', 'theirs']);
    await expect(
      mine.appendEvent({ session: old, event: textEvent('lost') }),
    ).rejects.toBeInstanceOf(StaleSessionError);
    await mine.appendEvent({ session: fresh, event: textEvent('mine 2') });
    expect(await storedTexts(key)).toEqual(['mine 1', 'theirs', 'mine 2']);
    await mine.deleteSession(key);
  });
});

/** Holds the answer of the next GET of a user-state document until released. */
class HeldUserRead {
  private release!: () => void;
  private readonly released = new Promise<void>((resolve) => (this.release = resolve));
  private armed = false;
  private sessionRead!: () => void;
  /** Settles once the held read's session-document GET has been answered. */
  readonly sessionAnswered = new Promise<void>((resolve) => (this.sessionRead = resolve));

  constructor(private readonly sessionId: string) {}

  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const path = decodeURIComponent(new URL(request.url).pathname);
    const response = await fetch(request);
    if (!this.armed || request.method !== 'GET') return response;
    if (path.endsWith(`/${this.sessionId}`)) this.sessionRead();
    if (path.includes('adk~user~')) {
      this.armed = false;
      await this.released;
    }
    return response;
  };

  arm(): void {
    this.armed = true;
  }

  open(): void {
    this.release();
  }
}

describe('singleWriter on AMS: a getSession racing an append of this process', () => {
  // The store's read() used to keep the document it fetched as the single-writer cache although
  // this process's append replaced it meanwhile; the copy that read returned then passed the stale
  // check and its append erased the acknowledged event ('two').
  it('the copy read before the append is refused as stale; the acknowledged event stays', async () => {
    const key = newKey('race');
    const held = new HeldUserRead(key.sessionId);
    const svc = service({ singleWriter: true, fetch: held.fetch });
    const live: Session = await svc.createSession(key);
    await svc.appendEvent({ session: live, event: textEvent('one') });
    held.arm();
    const reading = svc.getSession(key);
    await held.sessionAnswered;
    await svc.appendEvent({ session: live, event: textEvent('two') });
    held.open();
    const old = (await reading)!;
    expect(old.events).toHaveLength(1);
    await expect(
      svc.appendEvent({ session: old, event: textEvent('three') }),
    ).rejects.toBeInstanceOf(StaleSessionError);
    expect(await storedTexts(key)).toEqual(['one', 'two']);
    await service().deleteSession(key);
  });
});
