/**
 * State scopes (src/sessions/state.ts): `temp:` keys dropped, `app:`/`user:` prefixes stripped and
 * put back, values copied, and `__proto__`/`constructor`/`prototype` kept as ordinary own keys.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applyDelta, hasKeys, mergeScopes, splitState } from '../../../src/sessions/state.js';
import { setOwn } from '../../../src/shared/json.js';

/** Own entries sorted by key: compares maps holding a `__proto__` key reliably. */
const entries = (map: object): [string, unknown][] =>
  Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const prototypeIsClean = (): void => {
  const probe: Record<string, unknown> = {};
  expect(probe.polluted).toBeUndefined();
  expect(probe.injected).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
};

afterEach(prototypeIsClean);

describe('splitState', () => {
  it('drops temp: keys and strips the app:/user: prefixes', () => {
    const scoped = splitState({
      'temp:scratch': 1,
      'app:theme': 'dark',
      'user:lang': 'fr',
      'user:': 'empty user key',
      count: 3,
      'apps:not-a-scope': true,
      'TEMP:upper': 'kept',
    });
    expect(entries(scoped.app)).toEqual([['theme', 'dark']]);
    expect(entries(scoped.user)).toEqual([
      ['', 'empty user key'],
      ['lang', 'fr'],
    ]);
    expect(entries(scoped.session)).toEqual([
      ['TEMP:upper', 'kept'],
      ['apps:not-a-scope', true],
      ['count', 3],
    ]);
  });

  it('skips undefined values and keeps null ones', () => {
    const scoped = splitState({ a: undefined, b: null, 'app:c': undefined, 'user:d': null });
    expect(entries(scoped.session)).toEqual([['b', null]]);
    expect(entries(scoped.app)).toEqual([]);
    expect(entries(scoped.user)).toEqual([['d', null]]);
  });

  it('copies values, so later changes to the input do not leak in', () => {
    const nested = { list: [1, 2], deep: { x: 1 } };
    const scoped = splitState({ k: nested, 'app:k': nested });
    nested.list.push(3);
    nested.deep.x = 99;
    expect(scoped.session.k).toEqual({ list: [1, 2], deep: { x: 1 } });
    expect(scoped.app.k).toEqual({ list: [1, 2], deep: { x: 1 } });
  });

  it('handles an undefined state', () => {
    const scoped = splitState(undefined);
    expect([scoped.app, scoped.user, scoped.session].map(hasKeys)).toEqual([false, false, false]);
  });

  it('keeps __proto__, constructor and prototype (from JSON.parse) as own keys', () => {
    const input = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"injected": 1}, "prototype": 2,' +
        ' "app:__proto__": {"polluted": "app"}, "user:constructor": 3, "temp:__proto__": 4}',
    ) as Record<string, unknown>;
    const scoped = splitState(input);

    for (const map of [scoped.app, scoped.user, scoped.session]) {
      expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    }
    expect(Object.getOwnPropertyDescriptor(scoped.session, '__proto__')?.value).toEqual({
      polluted: true,
    });
    expect(Object.getOwnPropertyDescriptor(scoped.session, 'constructor')?.value).toEqual({
      injected: 1,
    });
    expect(entries(scoped.session).map(([key]) => key)).toEqual([
      '__proto__',
      'constructor',
      'prototype',
    ]);
    expect(Object.getOwnPropertyDescriptor(scoped.app, '__proto__')?.value).toEqual({
      polluted: 'app',
    });
    expect(entries(scoped.user)).toEqual([['constructor', 3]]);
    // The maps keep their ordinary methods.
    expect(Object.prototype.hasOwnProperty.call(scoped.session, '__proto__')).toBe(true);
    expect(typeof scoped.user.hasOwnProperty).toBe('function');
  });
});

describe('mergeScopes', () => {
  it('prefixes app and user keys and keeps the session keys', () => {
    const merged = mergeScopes({
      app: { theme: 'dark' },
      user: { lang: 'fr' },
      session: { count: 3 },
    });
    expect(entries(merged)).toEqual([
      ['app:theme', 'dark'],
      ['count', 3],
      ['user:lang', 'fr'],
    ]);
  });

  it('writes __proto__ keys as own keys', () => {
    const session = {};
    setOwn(session, '__proto__', { polluted: true });
    const app = {};
    setOwn(app, '__proto__', 1);
    const merged = mergeScopes({ app, user: {}, session });
    expect(entries(merged)).toEqual([
      ['__proto__', { polluted: true }],
      ['app:__proto__', 1],
    ]);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  });

  it('returns copies, not the stored objects', () => {
    const stored = { list: [1] };
    const merged = mergeScopes({ app: {}, user: {}, session: { k: stored } });
    (merged.k as { list: number[] }).list.push(2);
    expect(stored.list).toEqual([1]);
  });
});

describe('setOwn, applyDelta', () => {
  it('setOwn defines __proto__ as an enumerable, writable own key', () => {
    const target: Record<string, unknown> = {};
    setOwn(target, '__proto__', { polluted: true });
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(target, '__proto__')).toEqual({
      value: { polluted: true },
      writable: true,
      enumerable: true,
      configurable: true,
    });
    expect(JSON.stringify(target)).toBe('{"__proto__":{"polluted":true}}');
  });

  it('applyDelta overwrites and adds keys in place, with copies', () => {
    const target: Record<string, unknown> = { a: 1, b: 2 };
    const delta = JSON.parse('{"b": {"n": 3}, "__proto__": {"polluted": true}}') as Record<
      string,
      unknown
    >;
    applyDelta(target, delta);
    (delta.b as { n: number }).n = 99;
    expect(entries(target)).toEqual([
      ['__proto__', { polluted: true }],
      ['a', 1],
      ['b', { n: 3 }],
    ]);
  });
});
