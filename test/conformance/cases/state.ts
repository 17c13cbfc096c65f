/** Initial state (row 4) and app/user/session/temp scoping (rows 14, 15). */
import { State, createEventActions, createEvent } from '@google/adk';
import { expect } from 'vitest';
import { baseTime, defineCases, json, mustGet, stateEvent, uniqueId } from '../harness.js';

export const initialStateCases = defineCases('initial-state', {
  'temp-dropped': {
    title: 'temp: keys of the initial state are neither returned nor stored',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({
        appName,
        userId,
        state: { keep: 1, 'temp:scratch': 'x' },
      });
      expect(json(session.state)).toEqual({ keep: 1 });
      const read = await mustGet(service, { appName, userId, sessionId: session.id });
      expect(json(read.state)).toEqual({ keep: 1 });
    },
  },
  persisted: {
    title: 'the initial state is stored at create and reads back equal, values of every JSON type',
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      const state = {
        str: 'text ünï 😀',
        empty: '',
        int: 42,
        float: 3.25,
        negative: -7,
        yes: true,
        no: false,
        nothing: null,
        list: [1, 'two', { three: 3 }, [4]],
        nested: { a: { b: { c: 'deep' } }, emptyObject: {}, emptyList: [] },
        'key with spaces': 'v',
        'dotted.key': 'v',
      };
      const session = await service.createSession({ appName, userId, state });
      expect(json(session.state)).toEqual(state);
      const read = await mustGet(await another(), { appName, userId, sessionId: session.id });
      expect(json(read.state)).toEqual(state);
    },
  },
  'returned-merged': {
    title: 'the returned session shows the given state merged with existing app: and user: state',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const first = await service.createSession({ appName, userId });
      await service.appendEvent({
        session: first,
        event: stateEvent({ 'app:theme': 'dark', 'user:lang': 'fr' }, baseTime()),
      });
      const second = await service.createSession({ appName, userId, state: { local: 1 } });
      expect(json(second.state)).toEqual({ local: 1, 'app:theme': 'dark', 'user:lang': 'fr' });
      const read = await mustGet(service, { appName, userId, sessionId: second.id });
      expect(json(read.state)).toEqual({ local: 1, 'app:theme': 'dark', 'user:lang': 'fr' });
    },
  },
  'app-user-promoted': {
    title: 'app: and user: keys of the initial state are promoted to their scopes',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const otherUser = uniqueId('user');
      const otherApp = uniqueId('app');
      const first = await service.createSession({
        appName,
        userId,
        state: { 'app:flag': 'on', 'user:name': 'Ada', local: 1 },
      });
      const merged = { 'app:flag': 'on', 'user:name': 'Ada', local: 1 };
      expect(json(first.state)).toEqual(merged);
      expect(
        json((await mustGet(service, { appName, userId, sessionId: first.id })).state),
      ).toEqual(merged);
      // Same user, other session: both scopes.
      const sibling = await service.createSession({ appName, userId });
      expect(json(sibling.state)).toEqual({ 'app:flag': 'on', 'user:name': 'Ada' });
      // Other user of the app: app scope only.
      const stranger = await service.createSession({ appName, userId: otherUser });
      expect(json(stranger.state)).toEqual({ 'app:flag': 'on' });
      // Same user in another app: nothing.
      const elsewhere = await service.createSession({ appName: otherApp, userId });
      expect(json(elsewhere.state)).toEqual({});
    },
  },
});

export const scopeCases = defineCases('scope', {
  'app-shared': {
    title: 'app: keys are seen by every user and session of the app, and by no other app',
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      const otherUser = uniqueId('user');
      const before = await service.createSession({ appName, userId: otherUser });
      const writer = await service.createSession({ appName, userId });
      await service.appendEvent({
        session: writer,
        event: stateEvent({ 'app:motd': 'hello' }, baseTime()),
      });
      expect(writer.state['app:motd']).toBe('hello');
      const reader = await another();
      // A session created before the write sees it on its next read.
      const old = await mustGet(reader, { appName, userId: otherUser, sessionId: before.id });
      expect(old.state['app:motd']).toBe('hello');
      // New sessions of any user see it at create and read.
      const fresh = await reader.createSession({ appName, userId: uniqueId('user') });
      expect(fresh.state['app:motd']).toBe('hello');
      const got = await reader.getOrCreateSession({
        appName,
        userId: otherUser,
        sessionId: before.id,
      });
      expect(got.state['app:motd']).toBe('hello');
      // Another app does not.
      const foreign = await reader.createSession({ appName: uniqueId('app'), userId });
      expect(json(foreign.state)).toEqual({});
    },
  },
  'user-shared': {
    title:
      'user: keys are seen by every session of that user in that app, not by other users or apps',
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      const before = await service.createSession({ appName, userId });
      const writer = await service.createSession({ appName, userId });
      await service.appendEvent({
        session: writer,
        event: stateEvent({ 'user:tz': 'UTC' }, baseTime()),
      });
      const reader = await another();
      const old = await mustGet(reader, { appName, userId, sessionId: before.id });
      expect(old.state['user:tz']).toBe('UTC');
      const fresh = await reader.createSession({ appName, userId });
      expect(fresh.state['user:tz']).toBe('UTC');
      const otherUser = await reader.createSession({ appName, userId: uniqueId('user') });
      expect(otherUser.state).not.toHaveProperty('user:tz');
      const otherApp = await reader.createSession({ appName: uniqueId('app'), userId });
      expect(otherApp.state).not.toHaveProperty('user:tz');
    },
  },
  'session-local': {
    title: 'unprefixed keys stay in their session',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const writer = await service.createSession({ appName, userId });
      await service.appendEvent({ session: writer, event: stateEvent({ mine: 1 }, baseTime()) });
      const sibling = await service.createSession({ appName, userId });
      expect(json(sibling.state)).toEqual({});
      const read = await mustGet(service, { appName, userId, sessionId: writer.id });
      expect(json(read.state)).toEqual({ mine: 1 });
    },
  },
  'merged-into-reads': {
    title: 'every read merges app:, user: and session keys; the latest write of a scope wins',
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      const a = await service.createSession({ appName, userId, state: { own: 'a' } });
      const b = await service.createSession({ appName, userId, state: { own: 'b' } });
      const t = baseTime();
      await service.appendEvent({
        session: a,
        event: stateEvent({ 'app:v': 1, 'user:v': 1, x: 'a' }, t),
      });
      // Written later from the other session (a different live object, not stale: its own
      // session did not change).
      await service.appendEvent({
        session: b,
        event: stateEvent({ 'app:v': 2, 'user:v': 2 }, t + 1),
      });
      const reader = await another();
      const readA = await mustGet(reader, { appName, userId, sessionId: a.id });
      expect(json(readA.state)).toEqual({ own: 'a', x: 'a', 'app:v': 2, 'user:v': 2 });
      const readB = await mustGet(reader, { appName, userId, sessionId: b.id });
      expect(json(readB.state)).toEqual({ own: 'b', 'app:v': 2, 'user:v': 2 });
    },
  },
  'temp-live-only': {
    title: 'temp: keys stay visible on the live session but are never stored (state or event)',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const created = await service.createSession({ appName, userId });
      const key = { appName, userId, sessionId: created.id };
      const live = await mustGet(service, key);
      // What a tool or callback does during an invocation: write through ADK's State, which
      // updates the live session state and the event's delta together.
      const actions = createEventActions();
      const state = new State(live.state, actions.stateDelta);
      state.set('temp:scratch', 'working');
      state.set('kept', 1);
      const t = baseTime();
      const event = createEvent({
        invocationId: 'inv-temp',
        author: 'agent',
        timestamp: t,
        actions,
      });
      const returned = await service.appendEvent({ session: live, event });
      expect(live.state['temp:scratch']).toBe('working');
      expect(live.state['kept']).toBe(1);
      expect(returned.actions.stateDelta).not.toHaveProperty('temp:scratch');
      expect(live.events.at(-1)?.actions.stateDelta).not.toHaveProperty('temp:scratch');
      // A delta written directly, and a later append while the live state still holds temp: keys.
      await service.appendEvent({
        session: live,
        event: stateEvent({ 'temp:direct': true, later: 2 }, t + 1),
      });
      const stored = await mustGet(service, key);
      expect(json(stored.state)).toEqual({ kept: 1, later: 2 });
      expect(json(stored.events.map((e) => e.actions.stateDelta))).toEqual([
        { kept: 1 },
        { later: 2 },
      ]);
      expect(json(stored.events)).toEqual(json(live.events));
    },
  },
});
