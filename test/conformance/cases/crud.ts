/** create / get / getOrCreate / delete basics: contract rows 1, 2, 3, 5, 6, 7 (create), 9. */
import { expect } from 'vitest';
import { SessionAlreadyExistsError } from '../../../src/sessions/errors.js';
import {
  CLOCK_WINDOW_MS,
  UUID_RE,
  baseTime,
  defineCases,
  expectSessionError,
  json,
  mustGet,
  textEvent,
  uniqueId,
} from '../harness.js';

export const createCases = defineCases('create', {
  'returns-new-session': {
    title: 'returns the session with its app, user, empty events and the given state',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId, state: { k: 'v' } });
      expect(session.appName).toBe(appName);
      expect(session.userId).toBe(userId);
      expect(session.events).toEqual([]);
      expect(json(session.state)).toEqual({ k: 'v' });
    },
  },
  persisted: {
    title: 'a created session reads back equal, from this service and from another one',
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      const created = await service.createSession({ appName, userId, state: { n: 1 } });
      const key = { appName, userId, sessionId: created.id };
      for (const reader of [service, await another()]) {
        const read = await mustGet(reader, key);
        expect(read.id).toBe(created.id);
        expect(read.appName).toBe(appName);
        expect(read.userId).toBe(userId);
        expect(read.events).toEqual([]);
        expect(json(read.state)).toEqual({ n: 1 });
        expect(read.lastUpdateTime).toBe(created.lastUpdateTime);
      }
    },
  },
  'generated-id-is-uuid': {
    title: 'with no id, the id is a fresh UUID',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const a = await service.createSession({ appName, userId });
      const b = await service.createSession({ appName, userId });
      expect(a.id).toMatch(UUID_RE);
      expect(b.id).toMatch(UUID_RE);
      expect(a.id).not.toBe(b.id);
      await mustGet(service, { appName, userId, sessionId: a.id });
    },
  },
  'given-id-used': {
    title: 'a given id is used as is',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const sessionId = uniqueId('given');
      const session = await service.createSession({ appName, userId, sessionId });
      expect(session.id).toBe(sessionId);
      expect((await mustGet(service, { appName, userId, sessionId })).id).toBe(sessionId);
    },
  },
  'given-id-trimmed': {
    title: 'a given id is used with surrounding whitespace trimmed',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const sessionId = uniqueId('padded');
      const session = await service.createSession({
        appName,
        userId,
        sessionId: ` \t${sessionId}\n `,
      });
      expect(session.id).toBe(sessionId);
      expect((await mustGet(service, { appName, userId, sessionId })).id).toBe(sessionId);
      const listed = await service.listSessions({ appName, userId });
      expect(listed.sessions.map((s) => s.id)).toEqual([sessionId]);
    },
  },
  'blank-id-generates': {
    title: 'an empty or whitespace-only id counts as none: a UUID is generated',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      for (const blank of ['', '   ', '\t\n']) {
        const session = await service.createSession({ appName, userId, sessionId: blank });
        expect(session.id, JSON.stringify(blank)).toMatch(UUID_RE);
      }
    },
  },
  'last-update-time-now': {
    title: 'lastUpdateTime is Date.now() in ms at create, and is stored as such',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const before = Date.now();
      const session = await service.createSession({ appName, userId });
      const after = Date.now();
      expect(Number.isInteger(session.lastUpdateTime)).toBe(true);
      expect(session.lastUpdateTime).toBeGreaterThanOrEqual(before - CLOCK_WINDOW_MS);
      expect(session.lastUpdateTime).toBeLessThanOrEqual(after + CLOCK_WINDOW_MS);
      const read = await mustGet(service, { appName, userId, sessionId: session.id });
      expect(read.lastUpdateTime).toBe(session.lastUpdateTime);
    },
  },
  'duplicate-id-throws': {
    title:
      'creating an existing id throws SessionAlreadyExistsError and leaves the original intact',
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      const sessionId = uniqueId('dup');
      const original = await service.createSession({
        appName,
        userId,
        sessionId,
        state: { owner: 'first' },
      });
      const event = textEvent('kept', baseTime());
      await service.appendEvent({ session: original, event });
      const key = { appName, userId, sessionId };
      await expectSessionError(
        service.createSession({ appName, userId, sessionId, state: { owner: 'second' } }),
        SessionAlreadyExistsError,
        key,
      );
      // A second process gets the same answer.
      await expectSessionError(
        (await another()).createSession({ appName, userId, sessionId }),
        SessionAlreadyExistsError,
        key,
      );
      const read = await mustGet(service, key);
      expect(json(read.state)).toEqual({ owner: 'first' });
      expect(json(read.events)).toEqual(json([event]));
      expect(read.lastUpdateTime).toBe(event.timestamp);
    },
  },
});

export const getCases = defineCases('get', {
  'missing-returns-undefined': {
    title: 'a missing session reads as undefined, and reading does not create it',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const sessionId = uniqueId('missing');
      expect(await service.getSession({ appName, userId, sessionId })).toBeUndefined();
      // Known app and user, unknown id.
      await service.createSession({ appName, userId });
      expect(await service.getSession({ appName, userId, sessionId })).toBeUndefined();
      expect(
        await service.getSession({ appName, userId, sessionId, config: { numRecentEvents: 3 } }),
      ).toBeUndefined();
      const listed = await service.listSessions({ appName, userId });
      expect(listed.sessions.map((s) => s.id)).not.toContain(sessionId);
      expect(listed.totalItems).toBe(1);
    },
  },
  'returns-independent-copy': {
    title: 'mutating a returned session does not change what is stored',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const created = await service.createSession({ appName, userId, state: { k: 'v' } });
      const key = { appName, userId, sessionId: created.id };
      const event = textEvent('one', baseTime());
      await service.appendEvent({ session: created, event });
      const read = await mustGet(service, key);
      read.state['k'] = 'changed';
      read.events.length = 0;
      read.lastUpdateTime = 1;
      const again = await mustGet(service, key);
      expect(json(again.state)).toEqual({ k: 'v' });
      expect(json(again.events)).toEqual(json([event]));
      expect(again.lastUpdateTime).toBe(event.timestamp);
    },
  },
  'num-recent-events-zero': {
    title: 'numRecentEvents 0 gives no events (also with afterTimestamp)',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId });
      const t = baseTime();
      for (let i = 0; i < 3; i++) {
        await service.appendEvent({ session, event: textEvent(`e${i}`, t + i * 1000) });
      }
      const key = { appName, userId, sessionId: session.id };
      expect((await mustGet(service, key, { numRecentEvents: 0 })).events).toEqual([]);
      expect(
        (await mustGet(service, key, { numRecentEvents: 0, afterTimestamp: t })).events,
      ).toEqual([]);
    },
  },
  'num-recent-events-last-n': {
    title: 'numRecentEvents n gives the last n events, in order',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId });
      const t = baseTime();
      for (let i = 0; i < 5; i++) {
        await service.appendEvent({ session, event: textEvent(`e${i}`, t + i * 1000) });
      }
      const key = { appName, userId, sessionId: session.id };
      const two = await mustGet(service, key, { numRecentEvents: 2 });
      expect(json(two.events)).toEqual(json(session.events.slice(3)));
      const one = await mustGet(service, key, { numRecentEvents: 1 });
      expect(json(one.events)).toEqual(json(session.events.slice(4)));
    },
  },
  'num-recent-events-over-count': {
    title: 'numRecentEvents above the count gives all events',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId });
      const t = baseTime();
      for (let i = 0; i < 3; i++) {
        await service.appendEvent({ session, event: textEvent(`e${i}`, t + i * 1000) });
      }
      const key = { appName, userId, sessionId: session.id };
      const read = await mustGet(service, key, { numRecentEvents: 10 });
      expect(json(read.events)).toEqual(json(session.events));
    },
  },
  'after-timestamp-inclusive': {
    title: 'afterTimestamp keeps events with timestamp >= it',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId });
      const t = baseTime();
      for (let i = 0; i < 5; i++) {
        await service.appendEvent({ session, event: textEvent(`e${i}`, t + i * 1000) });
      }
      const key = { appName, userId, sessionId: session.id };
      const ts = async (afterTimestamp: number) =>
        (await mustGet(service, key, { afterTimestamp })).events.map((e) => e.timestamp);
      // Exactly on an event: that event is included.
      expect(await ts(t + 3000)).toEqual([t + 3000, t + 4000]);
      // Between events (ADK's own case: 2500 of 0..4000).
      expect(await ts(t + 2500)).toEqual([t + 3000, t + 4000]);
      expect(await ts(t - 1)).toEqual([t, t + 1000, t + 2000, t + 3000, t + 4000]);
      expect(await ts(t + 4001)).toEqual([]);
    },
  },
  'num-recent-and-after-timestamp': {
    title: 'numRecentEvents with afterTimestamp gives the intersection',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId });
      const t = baseTime();
      for (let i = 0; i < 5; i++) {
        await service.appendEvent({ session, event: textEvent(`e${i}`, t + i * 1000) });
      }
      const key = { appName, userId, sessionId: session.id };
      const ts = async (numRecentEvents: number, afterTimestamp: number) =>
        (await mustGet(service, key, { numRecentEvents, afterTimestamp })).events.map(
          (e) => e.timestamp,
        );
      // The time filter is the narrower one.
      expect(await ts(3, t + 3000)).toEqual([t + 3000, t + 4000]);
      // The count is the narrower one.
      expect(await ts(2, t + 1000)).toEqual([t + 3000, t + 4000]);
      expect(await ts(4, t + 5000)).toEqual([]);
    },
  },
});

export const getOrCreateCases = defineCases('get-or-create', {
  'returns-existing': {
    title: 'returns the stored session without overwriting it',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const sessionId = uniqueId('goc');
      const created = await service.createSession({
        appName,
        userId,
        sessionId,
        state: { v: 1 },
      });
      const event = textEvent('hello', baseTime());
      await service.appendEvent({ session: created, event });
      const got = await service.getOrCreateSession({
        appName,
        userId,
        sessionId,
        state: { v: 2 },
      });
      expect(got.id).toBe(sessionId);
      expect(json(got.state)).toEqual({ v: 1 });
      expect(json(got.events)).toEqual(json([event]));
      expect((await service.listSessions({ appName, userId })).totalItems).toBe(1);
    },
  },
  'creates-missing': {
    title: 'creates a missing session with the given id and state (or a UUID without an id)',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const sessionId = uniqueId('goc');
      const made = await service.getOrCreateSession({
        appName,
        userId,
        sessionId,
        state: { v: 1 },
      });
      expect(made.id).toBe(sessionId);
      expect(json(made.state)).toEqual({ v: 1 });
      const read = await mustGet(service, { appName, userId, sessionId });
      expect(json(read.state)).toEqual({ v: 1 });
      const generated = await service.getOrCreateSession({ appName, userId });
      expect(generated.id).toMatch(UUID_RE);
      await mustGet(service, { appName, userId, sessionId: generated.id });
    },
  },
});

export const deleteCases = defineCases('delete', {
  'removes-session': {
    title: 'a deleted session no longer reads or lists; its siblings stay',
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      const doomed = await service.createSession({ appName, userId, state: { k: 1 } });
      await service.appendEvent({ session: doomed, event: textEvent('bye', baseTime()) });
      const sibling = await service.createSession({ appName, userId });
      await service.deleteSession({ appName, userId, sessionId: doomed.id });
      for (const reader of [service, await another()]) {
        expect(await reader.getSession({ appName, userId, sessionId: doomed.id })).toBeUndefined();
        const listed = await reader.listSessions({ appName, userId });
        expect(listed.sessions.map((s) => s.id)).toEqual([sibling.id]);
      }
      await mustGet(service, { appName, userId, sessionId: sibling.id });
    },
  },
  'missing-is-noop': {
    title: 'deleting a missing session resolves and changes nothing',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      // Unknown app and user altogether.
      await expect(
        service.deleteSession({ appName, userId, sessionId: uniqueId('missing') }),
      ).resolves.toBeUndefined();
      const kept = await service.createSession({ appName, userId });
      await expect(
        service.deleteSession({ appName, userId, sessionId: uniqueId('missing') }),
      ).resolves.toBeUndefined();
      // Twice in a row is fine too.
      await service.deleteSession({ appName, userId, sessionId: kept.id });
      await expect(
        service.deleteSession({ appName, userId, sessionId: kept.id }),
      ).resolves.toBeUndefined();
      expect((await service.listSessions({ appName, userId })).totalItems).toBe(0);
    },
  },
  'recreate-starts-fresh': {
    title: 'an id deleted and created again starts with no events and only the new state',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const sessionId = uniqueId('again');
      const first = await service.createSession({ appName, userId, sessionId, state: { a: 1 } });
      await service.appendEvent({
        session: first,
        event: textEvent('old', baseTime(), { stateDelta: { b: 2 } }),
      });
      await service.deleteSession({ appName, userId, sessionId });
      const second = await service.createSession({ appName, userId, sessionId, state: { c: 3 } });
      expect(second.events).toEqual([]);
      expect(json(second.state)).toEqual({ c: 3 });
      const read = await mustGet(service, { appName, userId, sessionId });
      expect(read.events).toEqual([]);
      expect(json(read.state)).toEqual({ c: 3 });
    },
  },
});
