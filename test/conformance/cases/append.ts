/**
 * appendEvent: storage, lastUpdateTime (row 7), partial events (row 10), sessions that are not
 * stored (row 11), upsert (row 13).
 */
import { createEvent, createSession } from '@google/adk';
import { expect } from 'vitest';
import { SessionNotFoundError } from '../../../src/sessions/errors.js';
import {
  baseTime,
  defineCases,
  expectSessionError,
  json,
  keyOf,
  mustGet,
  stateEvent,
  textEvent,
  uniqueId,
} from '../harness.js';

export const appendCases = defineCases('append', {
  'stored-and-live': {
    title: 'the event is returned, added to the live session and stored, with its state delta',
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId, state: { a: 1 } });
      const event = textEvent('hello', baseTime(), { author: 'user', stateDelta: { b: 2, a: 3 } });
      const returned = await service.appendEvent({ session, event });
      expect(json(returned)).toEqual(json(event));
      expect(json(session.events)).toEqual(json([event]));
      expect(json(session.state)).toEqual({ a: 3, b: 2 });
      const stored = await mustGet(await another(), keyOf(session));
      expect(json(stored.events)).toEqual(json(session.events));
      expect(json(stored.state)).toEqual({ a: 3, b: 2 });
    },
  },
  'last-update-time-whole-second': {
    title: 'lastUpdateTime becomes event.timestamp (a whole second), live and stored',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId });
      const timestamp = baseTime();
      expect(timestamp % 1000).toBe(0);
      await service.appendEvent({ session, event: textEvent('t', timestamp) });
      expect(session.lastUpdateTime).toBe(timestamp);
      const stored = await mustGet(service, keyOf(session));
      expect(stored.lastUpdateTime).toBe(timestamp);
      expect(stored.events[0]?.timestamp).toBe(timestamp);
      const listed = await service.listSessions({ appName, userId });
      expect(listed.sessions[0]?.lastUpdateTime).toBe(timestamp);
    },
  },
  'last-update-time-sub-second': {
    title: 'lastUpdateTime keeps a sub-second event.timestamp to the millisecond, live and stored',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId });
      const t = baseTime();
      for (const timestamp of [t + 123, t + 999, t + 1001]) {
        await service.appendEvent({ session, event: textEvent('t', timestamp) });
        expect(session.lastUpdateTime).toBe(timestamp);
        const stored = await mustGet(service, keyOf(session));
        expect(stored.lastUpdateTime).toBe(timestamp);
        expect(stored.events.at(-1)?.timestamp).toBe(timestamp);
        const listed = await service.listSessions({ appName, userId });
        expect(listed.sessions[0]?.lastUpdateTime).toBe(timestamp);
      }
    },
  },
  'upsert-same-id': {
    title: 'an event id appended twice is kept once, in its first place, live and stored',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId });
      const t = baseTime();
      const id = `evt-${uniqueId('u')}`;
      await service.appendEvent({ session, event: textEvent('draft', t, { id }) });
      const next = textEvent('next', t + 1);
      await service.appendEvent({ session, event: next });
      const revised = textEvent('final', t + 2, { id, stateDelta: { done: true } });
      await service.appendEvent({ session, event: revised });
      expect(session.events.map((e) => e.id)).toEqual([id, next.id]);
      expect(session.events[0]?.content?.parts?.[0]?.text).toBe('final');
      const stored = await mustGet(service, keyOf(session));
      expect(stored.events).toHaveLength(2);
      expect(json(stored.events)).toEqual(json(session.events));
      expect(stored.state['done']).toBe(true);
    },
  },
  'partial-untouched': {
    title: 'a partial event is returned untouched; nothing is stored or changed in the session',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId, state: { s: 0 } });
      const t = baseTime();
      await service.appendEvent({ session, event: textEvent('whole', t) });
      const stateBefore = json(session.state);
      const eventsBefore = json(session.events);
      const partial = createEvent({
        invocationId: 'inv-partial',
        author: 'agent',
        timestamp: t + 5000,
        partial: true,
        content: { role: 'model', parts: [{ text: 'stream chu' }] },
        // Scoped keys are left to partial-no-scope-or-time-change, so each case fails alone.
        actions: { stateDelta: { s: 1, 'temp:t': 1 } },
      });
      const snapshot = json(partial);
      const returned = await service.appendEvent({ session, event: partial });
      expect(returned).toBe(partial);
      expect(json(partial)).toEqual(snapshot);
      expect(json(session.events)).toEqual(eventsBefore);
      expect(json(session.state)).toEqual(stateBefore);
      const stored = await mustGet(service, keyOf(session));
      expect(json(stored.events)).toEqual(eventsBefore);
      expect(json(stored.state)).toEqual(stateBefore);
    },
  },
  'partial-no-scope-or-time-change': {
    title: 'a partial event changes neither lastUpdateTime nor app:/user: state',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId });
      const t = baseTime();
      await service.appendEvent({ session, event: textEvent('whole', t) });
      const partial = createEvent({
        invocationId: 'inv-partial',
        author: 'agent',
        timestamp: t + 5000,
        partial: true,
        actions: { stateDelta: { 'app:a': 1, 'user:u': 1 } },
      });
      await service.appendEvent({ session, event: partial });
      expect(session.lastUpdateTime).toBe(t);
      expect((await mustGet(service, keyOf(session))).lastUpdateTime).toBe(t);
      const sibling = await service.createSession({ appName, userId });
      expect(json(sibling.state)).toEqual({});
    },
  },
  'unknown-session-throws': {
    title:
      'appending to a session that was never stored throws SessionNotFoundError, writes nothing',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const key = { appName, userId, sessionId: uniqueId('ghost') };
      const ghost = createSession({ id: key.sessionId, appName, userId, lastUpdateTime: 1 });
      await expectSessionError(
        service.appendEvent({
          session: ghost,
          event: textEvent('boo', baseTime(), { stateDelta: { 'app:a': 1, 'user:u': 1 } }),
        }),
        SessionNotFoundError,
        key,
      );
      expect(await service.getSession(key)).toBeUndefined();
      expect((await service.listSessions({ appName })).sessions).toEqual([]);
      const fresh = await service.createSession({ appName, userId });
      expect(json(fresh.state)).toEqual({});
    },
  },
  'deleted-session-throws': {
    title: 'appending to a session deleted after it was loaded throws SessionNotFoundError',
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      const created = await service.createSession({ appName, userId });
      const key = keyOf(created);
      const live = await mustGet(service, key);
      await (await another()).deleteSession(key);
      await expectSessionError(
        service.appendEvent({ session: live, event: stateEvent({ x: 1 }, baseTime()) }),
        SessionNotFoundError,
        key,
      );
      expect(await service.getSession(key)).toBeUndefined();
      expect((await service.listSessions({ appName, userId })).sessions).toEqual([]);
    },
  },
});
