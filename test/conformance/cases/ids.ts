/** Identifiers and isolation: any string is an id, the mapping is injective, users are isolated. */
import type { BaseSessionService } from '@google/adk';
import { State } from '@google/adk';
import { expect } from 'vitest';
import type { SessionKey } from '../../../src/sessions/errors.js';
import { baseTime, defineCases, json, mustGet, textEvent, uniqueId } from '../harness.js';

/** Ids that break naive key building, URL paths, prototype lookups or length limits. */
const HOSTILE = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'a:b',
  'a,b',
  'a/b',
  '..',
  '.',
  '%2F',
  'a%20b',
  'spaced  inner id',
  '😀-ünï',
  'x'.repeat(1024),
];

/** Session ids are trimmed (row 3); app and user ids are kept exactly, padding included. */
const HOSTILE_APP_OR_USER = [...HOSTILE, ' padded '];

/** Full round trip of one key: create, get, list, append, get, delete. */
async function roundTrip(
  service: BaseSessionService,
  key: SessionKey,
  label: string,
  listAllUsers: boolean,
): Promise<void> {
  const { appName, userId, sessionId } = key;
  const created = await service.createSession({ ...key, state: { label } });
  expect(created.id, label).toBe(sessionId);
  expect(created.appName, label).toBe(appName);
  expect(created.userId, label).toBe(userId);
  const read = await mustGet(service, key);
  expect([read.appName, read.userId, read.id], label).toEqual([appName, userId, sessionId]);
  expect(read.state['label'], label).toBe(label);
  const listed = await service.listSessions({ appName, userId });
  expect(
    listed.sessions.map((s) => [s.appName, s.userId, s.id]),
    label,
  ).toEqual([[appName, userId, sessionId]]);
  if (listAllUsers) {
    const all = await service.listSessions({ appName });
    expect(
      all.sessions.map((s) => [s.appName, s.userId, s.id]),
      label,
    ).toEqual([[appName, userId, sessionId]]);
  }
  const event = textEvent(`hello ${label}`, baseTime());
  await service.appendEvent({ session: read, event });
  const after = await mustGet(service, key);
  expect(json(after.events), label).toEqual(json([event]));
  await service.deleteSession(key);
  expect(await service.getSession(key), label).toBeUndefined();
  expect((await service.listSessions({ appName, userId })).sessions, label).toEqual([]);
}

const short = (id: string) => (id.length > 40 ? `${id.slice(0, 8)}…(${id.length})` : id);

/** Keys that must all be different sessions, each with its own state. */
async function expectDistinct(service: BaseSessionService, keys: SessionKey[]): Promise<void> {
  for (const [i, key] of keys.entries()) {
    await service.createSession({ ...key, state: { owner: i } });
  }
  for (const [i, key] of keys.entries()) {
    const read = await mustGet(service, key);
    expect(read.state['owner'], JSON.stringify(key)).toBe(i);
    expect([read.appName, read.userId, read.id]).toEqual([key.appName, key.userId, key.sessionId]);
  }
  // Deleting one leaves every other one in place.
  await service.deleteSession(keys[0]!);
  for (const key of keys.slice(1)) {
    await mustGet(service, key);
  }
}

export const idCases = defineCases('ids', {
  'hostile-app-name': {
    title: 'any string works as appName: create, get, list, append, delete with original ids',
    async run({ service }) {
      for (const appName of HOSTILE_APP_OR_USER) {
        // The app name is shared across runs, so user and session are unique.
        const key = { appName, userId: uniqueId('user'), sessionId: uniqueId('s') };
        await roundTrip(service, key, `app ${short(appName)}`, false);
      }
    },
  },
  'hostile-user-id': {
    title: 'any string works as userId: create, get, list, append, delete with original ids',
    async run({ service }) {
      for (const userId of HOSTILE_APP_OR_USER) {
        const key = { appName: uniqueId('app'), userId, sessionId: uniqueId('s') };
        await roundTrip(service, key, `user ${short(userId)}`, true);
      }
    },
  },
  'hostile-session-id': {
    title: 'any string works as sessionId: create, get, list, append, delete with original ids',
    async run({ scope, service }) {
      for (const sessionId of HOSTILE) {
        const key = { ...scope(), sessionId };
        await roundTrip(service, key, `session ${short(sessionId)}`, true);
      }
    },
  },
  'no-collisions': {
    title: 'keys differing only across separators, encodings, case or length stay distinct',
    async run({ service }) {
      const p = uniqueId('c');
      const user = uniqueId('user');
      // Separator moved between app and user, and between user and session.
      for (const sep of [':', ',', '/', '|', ' ']) {
        await expectDistinct(service, [
          { appName: `${p}a${sep}b`, userId: 'c', sessionId: 's' },
          { appName: `${p}a`, userId: `b${sep}c`, sessionId: 's' },
        ]);
        await expectDistinct(service, [
          { appName: p, userId: `${user}a${sep}b`, sessionId: 'c' },
          { appName: p, userId: `${user}a`, sessionId: `b${sep}c` },
        ]);
      }
      // Ids that a percent-encoding, slugging, case-folding, normalising or truncating mapping
      // would merge.
      const long = 'y'.repeat(1024);
      const sessionIds = [
        'a/b',
        'a%2Fb',
        'a%252Fb',
        'a_b',
        'a-b',
        'a b',
        'a+b',
        'a%20b',
        'ab',
        'Ab',
        'AB',
        '\u00e9',
        'e\u0301',
        `${long}1`,
        `${long}2`,
      ];
      await expectDistinct(
        service,
        sessionIds.map((sessionId) => ({ appName: `${p}-s`, userId: user, sessionId })),
      );
      const listed = await service.listSessions({ appName: `${p}-s`, userId: user });
      expect(listed.sessions.map((s) => s.id).sort()).toEqual(sessionIds.slice(1).sort());
    },
  },
  'state-keys-own-properties': {
    title: '__proto__, constructor and prototype state keys stay own keys, in every scope',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      // JSON.parse is how such keys arrive for real (an object literal would set the prototype).
      const initial = JSON.parse(
        '{"__proto__": {"polluted": "init"}, "constructor": {"polluted": "init"}, "prototype": 1}',
      ) as Record<string, unknown>;
      const session = await service.createSession({ appName, userId, state: initial });
      const delta = JSON.parse(
        '{"__proto__": {"polluted": "delta"}, "app:__proto__": {"polluted": "app"},' +
          ' "user:constructor": {"polluted": "user"}, "app:prototype": 2}',
      ) as Record<string, unknown>;
      await service.appendEvent({
        session,
        event: textEvent('keys', baseTime(), { stateDelta: delta }),
      });
      const stored = await mustGet(service, { appName, userId, sessionId: session.id });
      const sibling = await service.createSession({ appName, userId });
      for (const [state, expected] of [
        [
          stored.state,
          {
            ['__proto__']: { polluted: 'delta' },
            constructor: { polluted: 'init' },
            prototype: 1,
            'app:__proto__': { polluted: 'app' },
            'user:constructor': { polluted: 'user' },
            'app:prototype': 2,
          },
        ],
        [
          sibling.state,
          {
            'app:__proto__': { polluted: 'app' },
            'user:constructor': { polluted: 'user' },
            'app:prototype': 2,
          },
        ],
      ] as const) {
        for (const [k, v] of Object.entries(expected)) {
          expect(Object.hasOwn(state, k), k).toBe(true);
          expect(json(state[k]), k).toEqual(v);
        }
        // Not re-parented: ADK's State reads keys with `in`, so a re-parented state would answer.
        expect([Object.prototype, null]).toContain(Object.getPrototypeOf(state));
        expect(new State(state).get('polluted')).toBeUndefined();
      }
      const storedDelta = stored.events[0]?.actions.stateDelta ?? {};
      expect(Object.hasOwn(storedDelta, '__proto__')).toBe(true);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    },
  },
});

export const isolationCases = defineCases('isolation', {
  'cross-user-get': {
    title: "user B cannot read user A's session with the same id",
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const a = await service.createSession({ appName, userId, state: { secret: 'a' } });
      const other = uniqueId('user');
      expect(await service.getSession({ appName, userId: other, sessionId: a.id })).toBeUndefined();
    },
  },
  'cross-user-list': {
    title: "user B's list never contains user A's sessions",
    async run({ service, scope }) {
      const { appName, userId } = scope();
      await service.createSession({ appName, userId });
      const other = uniqueId('user');
      const listed = await service.listSessions({ appName, userId: other });
      expect(listed.sessions).toEqual([]);
      expect(listed.totalItems).toBe(0);
    },
  },
  'cross-user-delete': {
    title: "user B deleting the same id leaves user A's session intact",
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const a = await service.createSession({ appName, userId, state: { k: 'a' } });
      await service.appendEvent({ session: a, event: textEvent('mine', baseTime()) });
      await service.deleteSession({ appName, userId: uniqueId('user'), sessionId: a.id });
      const read = await mustGet(service, { appName, userId, sessionId: a.id });
      expect(read.events).toHaveLength(1);
      expect(read.state['k']).toBe('a');
    },
  },
  'same-session-id-coexists': {
    title: 'two users (or two apps) can hold the same session id, independently',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const otherUser = uniqueId('user');
      const otherApp = uniqueId('app');
      const sessionId = uniqueId('shared');
      const keys = [
        { appName, userId, sessionId },
        { appName, userId: otherUser, sessionId },
        { appName: otherApp, userId, sessionId },
      ];
      const t = baseTime();
      for (const [i, key] of keys.entries()) {
        const s = await service.createSession({ ...key, state: { owner: i } });
        await service.appendEvent({ session: s, event: textEvent(`from ${i}`, t + i) });
      }
      for (const [i, key] of keys.entries()) {
        const read = await mustGet(service, key);
        expect(read.state['owner']).toBe(i);
        expect(read.events.map((e) => e.content?.parts?.[0]?.text)).toEqual([`from ${i}`]);
        expect(read.lastUpdateTime).toBe(t + i);
      }
      await service.deleteSession(keys[0]!);
      await mustGet(service, keys[1]!);
      await mustGet(service, keys[2]!);
    },
  },
});
