/** Stale live sessions (row 12): the first writer wins, later writers from old copies fail. */
import type { BaseSessionService } from '@google/adk';
import { expect } from 'vitest';
import { StaleSessionError } from '../../../src/sessions/errors.js';
import {
  baseTime,
  defineCases,
  expectSessionError,
  json,
  keyOf,
  mustGet,
  stateEvent,
  textEvent,
  type Harness,
} from '../harness.js';

/** Two live copies of one stored session, loaded through the given services. */
async function twoCopies(h: Harness, readerA: BaseSessionService, readerB: BaseSessionService) {
  const { appName, userId } = h.scope();
  const created = await h.service.createSession({ appName, userId, state: { n: 0 } });
  const key = keyOf(created);
  return { key, a: await mustGet(readerA, key), b: await mustGet(readerB, key) };
}

export const staleCases = defineCases('stale', {
  'same-service': {
    title: 'two copies from one service: the second writer gets StaleSessionError, writes nothing',
    async run(h) {
      const { key, a, b } = await twoCopies(h, h.service, h.service);
      const t = baseTime();
      const first = textEvent('from a', t, { stateDelta: { n: 1 } });
      await h.service.appendEvent({ session: a, event: first });
      await expectSessionError(
        h.service.appendEvent({
          session: b,
          event: textEvent('from b', t + 1, { stateDelta: { n: 2 } }),
        }),
        StaleSessionError,
        key,
      );
      const stored = await mustGet(h.service, key);
      expect(json(stored.events)).toEqual(json([first]));
      expect(stored.state['n']).toBe(1);
      expect(stored.lastUpdateTime).toBe(t);
    },
  },
  'two-services': {
    title: 'two copies from two services (processes): the second writer gets StaleSessionError',
    async run(h) {
      const other = await h.another();
      const { key, a, b } = await twoCopies(h, h.service, other);
      const t = baseTime();
      const first = textEvent('from a', t);
      await h.service.appendEvent({ session: a, event: first });
      await expectSessionError(
        other.appendEvent({ session: b, event: textEvent('from b', t + 1) }),
        StaleSessionError,
        key,
      );
      // A stale copy stays stale: retrying it does not slip through.
      await expectSessionError(
        other.appendEvent({ session: b, event: textEvent('from b again', t + 2) }),
        StaleSessionError,
        key,
      );
      const stored = await mustGet(other, key);
      expect(json(stored.events)).toEqual(json([first]));
    },
  },
  concurrent: {
    title: 'concurrent appends from two copies: exactly one succeeds, the other is stale',
    async run(h) {
      const other = await h.another();
      const { key, a, b } = await twoCopies(h, h.service, other);
      const t = baseTime();
      const ea = textEvent('from a', t, { stateDelta: { who: 'a' } });
      const eb = textEvent('from b', t, { stateDelta: { who: 'b' } });
      const results = await Promise.allSettled([
        h.service.appendEvent({ session: a, event: ea }),
        other.appendEvent({ session: b, event: eb }),
      ]);
      const fulfilled = results.filter((r) => r.status === 'fulfilled');
      const rejected = results.filter((r) => r.status === 'rejected');
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(StaleSessionError);
      const winner = results[0]?.status === 'fulfilled' ? ea : eb;
      const stored = await mustGet(h.service, key);
      expect(json(stored.events)).toEqual(json([winner]));
      expect(stored.state['who']).toBe(winner === ea ? 'a' : 'b');
    },
  },
  'own-appends-not-stale': {
    title: 'a copy keeps appending after its own appends (created, loaded and getOrCreate copies)',
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      const created = await service.createSession({ appName, userId });
      const t = baseTime();
      // The object createSession returned is a live copy too.
      await service.appendEvent({ session: created, event: textEvent('c1', t) });
      await service.appendEvent({ session: created, event: textEvent('c2', t + 1) });
      const other = await another();
      const loaded = await mustGet(other, keyOf(created));
      for (let i = 0; i < 3; i++) {
        await other.appendEvent({ session: loaded, event: stateEvent({ i }, t + 2 + i) });
      }
      const again = await service.getOrCreateSession({ appName, userId, sessionId: created.id });
      await service.appendEvent({ session: again, event: textEvent('g1', t + 10) });
      const stored = await mustGet(service, keyOf(created));
      expect(stored.events).toHaveLength(6);
      expect(json(stored.events)).toEqual(json(again.events));
    },
  },
  'reload-then-append': {
    title: 'after another writer, reloading with getSession gives a copy that can append',
    async run(h) {
      const other = await h.another();
      const { key, a } = await twoCopies(h, h.service, other);
      const t = baseTime();
      const first = textEvent('from a', t);
      await h.service.appendEvent({ session: a, event: first });
      const reloaded = await mustGet(other, key);
      const second = textEvent('from b, reloaded', t + 1);
      await other.appendEvent({ session: reloaded, event: second });
      const stored = await mustGet(h.service, key);
      expect(json(stored.events)).toEqual(json([first, second]));
    },
  },
  'other-sessions-scope-writes-ok': {
    title: "app:/user: writes from other sessions do not make a session's live copy stale",
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      const mine = await service.createSession({ appName, userId });
      const live = await mustGet(service, keyOf(mine));
      const other = await another();
      const theirs = await other.createSession({ appName, userId });
      const t = baseTime();
      await other.appendEvent({
        session: theirs,
        event: stateEvent({ 'app:x': 1, 'user:y': 2 }, t),
      });
      await service.appendEvent({ session: live, event: textEvent('still fine', t + 1) });
      const stored = await mustGet(service, keyOf(mine));
      expect(stored.events).toHaveLength(1);
      expect(json(stored.state)).toEqual({ 'app:x': 1, 'user:y': 2 });
    },
  },
});
