/**
 * Hostile input on both backends. Every case either round-trips exactly, or fails before anything
 * is sent with an InvalidArgumentError whose `field` names the culprit; never a raw TypeError, a
 * partial write, or another tenant's data.
 *
 * "Round-trips exactly" means deep-equal after JSON normalisation (what `JSON.parse(JSON.stringify(x))`
 * gives): `undefined` object entries are dropped and become `null` in arrays (holes too); `NaN` and
 * `±Infinity` become `null`, `-0` becomes `0`; objects with `toJSON` become its result (a `Date` its
 * ISO string, an invalid `Date` `null`, a `Buffer` `{type, data}`); class instances become their own
 * enumerable properties; symbol-keyed properties disappear. Ids round-trip as the exact same string.
 *
 * Every service here talks through a chaos proxy with no random faults that records each request
 * (so "before anything is sent" is checked) and can script malformed answers.
 */
import { createEvent, createEventActions, type Event, type Session } from '@google/adk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AdkRedisError,
  EventTooLargeError,
  InvalidArgumentError,
  MalformedResponseError,
  NetworkError,
  SessionIdCollisionError,
  type BackendError,
  type RedisSessionMemoryService,
} from '../../src/index.js';
import {
  startChaosProxy,
  type ChaosProxy,
  type ProxiedRequest,
  type ScriptDecision,
  type ScriptedResponse,
} from '../support/chaos-proxy/index.js';
import { uniqueId } from '../support/ids.js';
import {
  amsBackend,
  describeError,
  jsonNormal,
  startRamBackend,
  type BackendName,
  type BackendUnderTest,
  type RamUnderTest,
} from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Ids larger than this (UTF-8 with JSON escapes) are refused up front (MAX_ID_BYTES). */
const MAX_ID_BYTES = 2000;
const idBytes = (id: string): number => Buffer.byteLength(JSON.stringify(id), 'utf8') - 2;

// ---- the corpus ---------------------------------------------------------------------------------

const ID_CASES: [string, string][] = [
  ['RTL override', 'a\u202Eevil\u202C'],
  ['emoji', 'user 😀🚀'],
  ['combining marks', 'e\u0301\u0301\u0327'],
  ['NUL', 'nul\u0000byte'],
  ['only NUL', '\u0000'],
  ['dot-dot', '..'],
  ['dot', '.'],
  ['slash', '/'],
  ['path traversal', '../../etc/passwd'],
  ['encoded slash', '%2F'],
  ['percent', '100%'],
  ['colon', ':'],
  ['colon key', 'a:b:c'],
  ['comma', 'a,b'],
  ['star', '*'],
  ['question mark', '?'],
  ['hash', '#frag'],
  ['bracket', '['],
  ['braces', '{x}'],
  ['backslash', '\\'],
  ['quotes', `"'`],
  ['backtick', 'a`b'],
  ['html', '<script>alert(1)</script>'],
  ['CRLF', 'a\r\nX-Injected: 1'],
  ['tilde', '~'],
  ['looks like AMS encoding', 'adk~616263'],
  ['looks like managed hash', `h-${'a'.repeat(62)}`],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['prototype', 'prototype'],
  ['inner space', 'a b'],
  ['surrounding space', '  padded  '],
  ['1 KiB ASCII', 'x'.repeat(1024)],
  ['1 KiB of 4-byte UTF-8', '😀'.repeat(256)],
  ['2000 bytes (the limit)', 'y'.repeat(MAX_ID_BYTES)],
  ['2001 bytes', 'y'.repeat(MAX_ID_BYTES + 1)],
  ['1 KiB of 2-byte UTF-8 (2 KiB)', 'é'.repeat(1024)],
  ['400 NULs (2400 bytes as JSON)', '\u0000'.repeat(400)],
  ['64 KiB', 'z'.repeat(64 * 1024)],
  ['empty', ''],
  ['whitespace only', ' \t\n '],
];

const KEY_CASES: [string, string][] = [
  ['RTL override', '\u202Eevil'],
  ['emoji', '😀'],
  ['combining marks', 'e\u0301'],
  ['NUL', 'a\u0000b'],
  ['dot-dot', '..'],
  ['dot', '.'],
  ['slash', '/'],
  ['encoded slash', '%2F'],
  ['colon', ':'],
  ['comma', ','],
  ['star', '*'],
  ['question mark', '?'],
  ['bracket', '['],
  ['backslash', '\\'],
  ['JSONPath', '$.a[0]'],
  ['dollar', '$'],
  ['__proto__', '__proto__'],
  ['constructor', 'constructor'],
  ['prototype', 'prototype'],
  ['hasOwnProperty', 'hasOwnProperty'],
  ['reserved adk_redis', 'adk_redis'],
  ['empty', ''],
  ['whitespace only', '   '],
  ['1 KiB', 'k'.repeat(1024)],
  ['quote', 'k"q'],
];

const nest = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { n: value };
  return value;
};

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

interface ValueCase {
  label: string;
  make: () => unknown;
  /** Accepted: stored (and read back) as its JSON normalisation. */
  accept?: true;
  /** Refused: the path below the key that the error's field ends with ('' for the value itself). */
  refuse?: string;
}

const VALUE_CASES: ValueCase[] = [
  { label: 'NaN → null', make: () => NaN, accept: true },
  { label: 'Infinity → null', make: () => Infinity, accept: true },
  { label: '-Infinity → null', make: () => -Infinity, accept: true },
  { label: '-0 → 0', make: () => -0, accept: true },
  { label: 'Date → ISO string', make: () => new Date(Date.UTC(2026, 2, 1, 10)), accept: true },
  { label: 'invalid Date → null', make: () => new Date(NaN), accept: true },
  { label: 'undefined → dropped', make: () => undefined, accept: true },
  { label: 'undefined inside → dropped', make: () => ({ a: undefined, b: 1 }), accept: true },
  // eslint-disable-next-line no-sparse-arrays
  { label: 'array holes and undefined → null', make: () => [1, , undefined, 4], accept: true },
  { label: 'class instance → own props', make: () => new Point(3, 4), accept: true },
  { label: 'Buffer → {type, data}', make: () => Buffer.from('hi'), accept: true },
  { label: 'toJSON → its result', make: () => ({ toJSON: () => ({ v: 'custom' }) }), accept: true },
  {
    label: 'shared reference (no cycle) → stored twice',
    make: () => {
      const shared = { s: 1 };
      return { a: shared, b: [shared] };
    },
    accept: true,
  },
  { label: 'boxed string → string', make: () => new String('boxed'), accept: true },
  { label: 'symbol key → ignored', make: () => ({ [Symbol('s')]: 1, kept: 2 }), accept: true },
  { label: 'NUL and RTL in a string', make: () => 'a\u0000b\u202Ec', accept: true },
  { label: 'huge and tiny numbers', make: () => [1e308, 5e-324, 2 ** 53 + 2], accept: true },
  { label: 'nested 90 levels', make: () => nest(90), accept: true },
  {
    label: 'null-prototype object with __proto__ key',
    make: () => JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}') as unknown,
    accept: true,
  },
  { label: 'BigInt', make: () => 10n, refuse: '' },
  { label: 'nested BigInt', make: () => ({ a: { b: 10n } }), refuse: '.a.b' },
  { label: 'BigInt in an array', make: () => [1, 2, 3n], refuse: '[2]' },
  { label: 'boxed BigInt', make: () => Object(10n) as unknown, refuse: '' },
  { label: 'function', make: () => () => 1, refuse: '' },
  { label: 'nested function', make: () => ({ cb: function named() {} }), refuse: '.cb' },
  { label: 'symbol value', make: () => Symbol('s'), refuse: '' },
  {
    label: 'cycle',
    make: () => {
      const o: Record<string, unknown> = {};
      o.self = o;
      return o;
    },
    refuse: '.self',
  },
  {
    label: 'deep cycle',
    make: () => {
      const o: { b: { c: Record<string, unknown> } } = { b: { c: {} } };
      o.b.c.back = o;
      return o;
    },
    refuse: '.b.c.back',
  },
  { label: 'Map', make: () => new Map([['k', 1]]), refuse: '' },
  { label: 'Set', make: () => new Set([1]), refuse: '' },
  { label: 'WeakMap', make: () => new WeakMap(), refuse: '' },
  { label: 'lone surrogate string', make: () => 'a\uD800b', refuse: '' },
  { label: 'lone surrogate key', make: () => ({ 'k\uDC00': 1 }), refuse: '["k\\udc00"]' },
  {
    label: 'toJSON that throws',
    make: () => ({
      toJSON() {
        throw new Error('no');
      },
    }),
    refuse: '',
  },
  {
    label: 'getter that throws',
    make: () =>
      Object.defineProperty({}, 'boom', {
        enumerable: true,
        get() {
          throw new Error('no');
        },
      }),
    refuse: '.boom',
  },
  { label: 'nested 150 levels', make: () => nest(150), refuse: '*' },
];

// ---- known bugs ---------------------------------------------------------------------------------

/**
 * Bugs in code this suite does not own. Each listed case runs as an expected failure (vitest
 * `it.fails`, as the conformance suite does with divergences), so a fix forces its removal.
 * Keys: `<backend>:<case id>`.
 */
const KNOWN_BUGS: Record<string, string> = {};

type TestFn = (title: string, body: () => Promise<void>) => void;

/** `it`, or `it.fails` for a known bug (named in the title). */
function known(backend: BackendName, id: string): { test: TestFn; suffix: string } {
  const reason = KNOWN_BUGS[`${backend}:${id}`];
  if (!reason) return { test: (title, body) => it(title, body), suffix: '' };
  return { test: (title, body) => it.fails(title, body), suffix: ` [known bug: ${reason}]` };
}

// ---- harness ------------------------------------------------------------------------------------

interface Rig {
  backend: BackendUnderTest;
  proxy: ChaosProxy;
  service: RedisSessionMemoryService;
  /** Scripts the next request `match` accepts (once). */
  script(match: (request: ProxiedRequest) => boolean, decision: ScriptDecision): void;
  /** Requests sent through the proxy so far. */
  sent(): number;
  /** Requests other than GET sent since `mark`. */
  writesSince(mark: number): string[];
}

async function rig(backend: BackendUnderTest): Promise<Rig> {
  const queue: { match: (r: ProxiedRequest) => boolean; decision: ScriptDecision }[] = [];
  const proxy = await startChaosProxy({
    target: backend.target,
    record: true,
    script: (request) => {
      const index = queue.findIndex((entry) => entry.match(request));
      if (index < 0) return undefined;
      const [entry] = queue.splice(index, 1);
      return entry!.decision;
    },
  });
  return {
    backend,
    proxy,
    service: backend.service(proxy.url, { retry: { maxRetries: 0 }, timeoutMs: 5_000 }),
    script: (match, decision) => queue.push({ match, decision }),
    sent: () => proxy.log.length,
    writesSince: (mark) =>
      proxy.log
        .slice(mark)
        // A long-term memory search is a read, sent as a POST.
        .filter((r) => r.method !== 'GET' && !r.path.endsWith('/long-term-memory/search'))
        .map((r) => `${r.method} ${r.path}`),
  };
}

async function outcome<T>(run: () => Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await run() };
  } catch (error) {
    return { error };
  }
}

/** Asserts an InvalidArgumentError naming `field`, and that nothing was sent meanwhile. */
function expectRefused(
  r: Rig,
  result: { error?: unknown },
  mark: number,
  field: string | RegExp,
): void {
  expect(result.error, describeError(result.error)).toBeInstanceOf(InvalidArgumentError);
  const actual = (result.error as InvalidArgumentError).field;
  if (typeof field === 'string') expect(actual).toBe(field);
  else expect(actual).toMatch(field);
  expect(r.sent(), 'requests sent before refusing').toBe(mark);
}

/** A live session's observable content, to check that a refused call left it as it was. */
const snapshotOf = (session: Session): string =>
  JSON.stringify({ events: session.events, state: session.state, t: session.lastUpdateTime });

const textEvent = (text: string, extra: Partial<Event> = {}): Event =>
  createEvent({
    invocationId: 'inv-hostile',
    author: 'user',
    content: { role: 'user', parts: [{ text }] },
    ...extra,
  });

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    Object.defineProperty(out, key, {
      value: sortKeys((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
};

/** Deep equality after JSON normalisation, key order ignored. */
const expectJsonEqual = (actual: unknown, expected: unknown): void => {
  expect(JSON.stringify(sortKeys(jsonNormal(actual)))).toBe(
    JSON.stringify(sortKeys(jsonNormal(expected))),
  );
};

/** The error field for a value placed at `prefix`; `*` is "somewhere below, n levels down". */
const fieldOf = (prefix: string, refuse: string): string | RegExp =>
  refuse === '*'
    ? new RegExp(`^${prefix.replace(/[.[\]]/g, (c) => `\\${c}`)}(\\.n)+$`)
    : `${prefix}${refuse}`;

// ---- the suite, once per backend ----------------------------------------------------------------

function hostileSuite(name: BackendName, start: () => Promise<BackendUnderTest>): void {
  const title = name === 'ams' ? 'Agent Memory Server' : 'Redis Agent Memory (fake)';
  describe(`hostile input: ${title}`, () => {
    let r: Rig;
    let stopBackend: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      const backend = await start();
      if (name === 'ram') stopBackend = () => (backend as RamUnderTest).fake.stop();
      r = await rig(backend);
    });
    afterAll(async () => {
      if (name === 'ram') expect((r.backend as RamUnderTest).fake.violations).toEqual([]);
      await r?.proxy.stop();
      await stopBackend?.();
    });

    describe('ids (appName, userId, sessionId)', () => {
      for (const field of ['appName', 'userId', 'sessionId'] as const) {
        for (const [label, id] of ID_CASES) {
          const { test, suffix } = known(name, `id:${field}:${label}`);
          test(`${field}: ${label}${suffix}`, async () => {
            const key = {
              appName: uniqueId('hostile-app'),
              userId: uniqueId('hostile-user'),
              sessionId: uniqueId('hostile-session'),
            };
            key[field] = id;
            const effective = field === 'sessionId' ? id.trim() : id;
            const mark = r.sent();
            const created = await outcome(() =>
              r.service.createSession({ ...key, state: { k: 1 } }),
            );
            if (idBytes(effective) > MAX_ID_BYTES) {
              expectRefused(r, created, mark, field);
              // Every other call refuses it the same way, before sending.
              expectRefused(r, await outcome(() => r.service.getSession(key)), mark, field);
              expectRefused(r, await outcome(() => r.service.deleteSession(key)), mark, field);
              if (field !== 'sessionId') {
                const listed = await outcome(() =>
                  r.service.listSessions({ appName: key.appName, userId: key.userId }),
                );
                expectRefused(r, listed, mark, field);
              }
              return;
            }
            expect(created.error, describeError(created.error)).toBeUndefined();
            const session = created.value!;
            // A blank session id means "none given": a random UUID (README: Behaviour).
            const blank = field === 'sessionId' && effective === '';
            if (blank) expect(session.id).toMatch(UUID);
            const exact = {
              ...key,
              sessionId: field !== 'sessionId' ? key.sessionId : blank ? session.id : effective,
            };
            const idsOf = (s: { appName: string; userId: string; id: string }) => [
              s.appName,
              s.userId,
              s.id,
            ];
            const expected = [exact.appName, exact.userId, exact.sessionId];
            expect(idsOf(session)).toEqual(expected);

            const event = textEvent(`hello ${field}`, {
              actions: createEventActions({ stateDelta: { k: 2 } }),
            });
            await r.service.appendEvent({ session, event });
            const read = await r.service.getSession(exact);
            expect(read).toBeDefined();
            expect(idsOf(read!)).toEqual(expected);
            expect(read!.events.map((e) => e.id)).toEqual([event.id]);
            expect(read!.state).toEqual({ k: 2 });
            if (field === 'sessionId' && effective !== id && !blank) {
              // Asked for with its surrounding whitespace: the same session (ids are trimmed).
              expect((await r.service.getSession(key))?.id).toBe(effective);
            }
            if (blank) expect(await r.service.getSession(key)).toBeUndefined();

            const listed = await r.service.listSessions({
              appName: exact.appName,
              userId: exact.userId,
            });
            expect(listed.sessions.map(idsOf)).toEqual([expected]);

            await r.service.deleteSession(exact);
            expect(await r.service.getSession(exact)).toBeUndefined();
          });
        }
      }

      const PAIRS: [string, string, string][] = [
        ['plain vs AMS-encoded lookalike', 'a', 'adk~61'],
        ['case', 'Case', 'case'],
        ['space vs plus', 'a b', 'a+b'],
        ['slash vs encoded slash', 'a/b', 'a%2Fb'],
        ['empty vs space', '', ' '],
        ['colon vs comma', 'x:y', 'x,y'],
        ['NUL vs empty', '\u0000', ''],
        ['precomposed vs combining', '\u00e9', 'e\u0301'],
      ];
      for (const field of ['appName', 'userId', 'sessionId'] as const) {
        it.each(PAIRS)(`${field}: %s never meet`, async (_label, first, second) => {
          // Blank session ids mean "none given" (a random id): not a pair of ids.
          if (field === 'sessionId' && (first.trim() === '' || second.trim() === '')) return;
          const base = {
            appName: uniqueId('pair-app'),
            userId: uniqueId('pair-user'),
            sessionId: uniqueId('pair-session'),
          };
          const one = { ...base, [field]: first };
          const two = { ...base, [field]: second };
          await r.service.createSession({ ...one, state: { who: 'first' } });
          const secondCreate = await outcome(() =>
            r.service.createSession({ ...two, state: { who: 'second' } }),
          );
          if (secondCreate.error !== undefined) {
            // Managed: app names that sanitise alike share storage ids (README: differences).
            expect(name).toBe('ram');
            expect(field).toBe('appName');
            expect(secondCreate.error, describeError(secondCreate.error)).toBeInstanceOf(
              SessionIdCollisionError,
            );
            expect((await r.service.getSession(one))?.state).toEqual({ who: 'first' });
            const read = await outcome(() => r.service.getSession(two));
            expect(JSON.stringify(read.value ?? null)).not.toContain('first');
            return;
          }
          expect((await r.service.getSession(one))?.state).toEqual({ who: 'first' });
          expect((await r.service.getSession(two))?.state).toEqual({ who: 'second' });
          await r.service.deleteSession(two);
          expect(await r.service.getSession(two)).toBeUndefined();
          expect((await r.service.getSession(one))?.state).toEqual({ who: 'first' });
        });
      }
    });

    describe('state keys', () => {
      it.each(KEY_CASES)('%s', async (_label, key) => {
        const scope = { appName: uniqueId('keys-app'), userId: uniqueId('keys-user') };
        const session = await r.service.createSession({
          ...scope,
          state: { [key]: 1, [`app:${key}`]: 2, [`user:${key}`]: 3, [`temp:${key}`]: 4 },
        });
        expect(session.state).toEqual({ [key]: 1, [`app:${key}`]: 2, [`user:${key}`]: 3 });
        expect(Object.prototype.hasOwnProperty.call(session.state, key)).toBe(true);
        const event = textEvent('keys', {
          actions: createEventActions({
            stateDelta: { [key]: 'one', [`app:${key}`]: 'two', [`user:${key}`]: 'three' },
          }),
        });
        await r.service.appendEvent({ session, event });
        const read = (await r.service.getSession({ ...scope, sessionId: session.id }))!;
        expectJsonEqual(read.state, session.state);
        expect(read.state[key]).toBe('one');
        expectJsonEqual(read.events, session.events);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.getPrototypeOf(read.state)).toBe(Object.prototype);
      });
    });

    describe('state and event values', () => {
      let scope: { appName: string; userId: string };
      let live: Session;
      beforeAll(async () => {
        scope = { appName: uniqueId('values-app'), userId: uniqueId('values-user') };
        live = await r.service.createSession({ ...scope });
      });
      const reload = async (): Promise<Session> =>
        (await r.service.getSession({ ...scope, sessionId: live.id }))!;

      for (const c of VALUE_CASES) {
        it(`createSession state: ${c.label}`, async () => {
          const mark = r.sent();
          const created = await outcome(() =>
            r.service.createSession({ ...scope, state: { x: c.make(), plain: 1 } }),
          );
          if (c.refuse !== undefined) {
            return expectRefused(r, created, mark, fieldOf('state.x', c.refuse));
          }
          expect(created.error, describeError(created.error)).toBeUndefined();
          const read = (await r.service.getSession({ ...scope, sessionId: created.value!.id }))!;
          expectJsonEqual(read.state, { x: c.make(), plain: 1 });
          expectJsonEqual(created.value!.state, read.state);
        });

        const viaDelta = known(name, `value:stateDelta:${c.label}`);
        viaDelta.test(`appendEvent stateDelta: ${c.label}${viaDelta.suffix}`, async () => {
          live = await reload();
          if (c.accept) {
            // It replaces a stored value, so a value JSON drops must really remove it.
            const previous = textEvent('previous', {
              actions: createEventActions({ stateDelta: { x: 'previous' } }),
            });
            await r.service.appendEvent({ session: live, event: previous });
          }
          const before = snapshotOf(live);
          const mark = r.sent();
          const event = textEvent(c.label, {
            actions: createEventActions({ stateDelta: { x: c.make() } }),
          });
          const appended = await outcome(() => r.service.appendEvent({ session: live, event }));
          if (c.refuse !== undefined) {
            expectRefused(r, appended, mark, fieldOf('event.actions.stateDelta.x', c.refuse));
            expect(snapshotOf(live)).toBe(before);
            return;
          }
          expect(appended.error, describeError(appended.error)).toBeUndefined();
          const read = await reload();
          expectJsonEqual(read.events, live.events);
          expectJsonEqual(read.state, live.state);
        });

        it(`event field (customMetadata): ${c.label}`, async () => {
          live = await reload();
          const before = snapshotOf(live);
          const mark = r.sent();
          const event = textEvent(c.label, { customMetadata: { x: c.make() } });
          const appended = await outcome(() => r.service.appendEvent({ session: live, event }));
          if (c.refuse !== undefined) {
            expectRefused(r, appended, mark, fieldOf('event.customMetadata.x', c.refuse));
            expect(snapshotOf(live)).toBe(before);
            return;
          }
          expect(appended.error, describeError(appended.error)).toBeUndefined();
          expectJsonEqual((await reload()).events, live.events);
        });

        const viaLive = known(name, `value:live:${c.label}`);
        viaLive.test(`live session state set directly: ${c.label}${viaLive.suffix}`, async () => {
          const session = await reload();
          if (c.accept) {
            session.state.x = 'previous';
            await r.service.appendEvent({ session, event: textEvent('previous') });
          }
          session.state.x = c.make();
          const mark = r.sent();
          const event = textEvent(c.label);
          const appended = await outcome(() => r.service.appendEvent({ session, event }));
          if (c.refuse !== undefined) {
            expectRefused(r, appended, mark, fieldOf('session.state.x', c.refuse));
            expect(session.events.some((e) => e.id === event.id)).toBe(false);
            return;
          }
          expect(appended.error, describeError(appended.error)).toBeUndefined();
          expectJsonEqual((await reload()).state, session.state);
        });
      }

      // On AMS the events above have by now been sealed into history segments (the session
      // document keeps the 16 most recent): 40 more seal every hostile value at least once more.
      it('the whole history, hostile values included, reads back the same once sealed away', async () => {
        live = await reload();
        for (let i = 0; i < 40; i++) {
          await r.service.appendEvent({ session: live, event: textEvent(`filler ${i}`) });
        }
        const read = await reload();
        expect(read.events.length).toBeGreaterThan(40);
        expectJsonEqual(read.events, live.events);
        expectJsonEqual(read.state, live.state);
      });

      it('temp: keys may hold anything: live only, never stored or checked', async () => {
        live = await reload();
        const cycle: Record<string, unknown> = {};
        cycle.self = cycle;
        const event = textEvent('temp', {
          actions: createEventActions({
            stateDelta: { 'temp:fn': () => 1, 'temp:big': 1n, 'temp:cycle': cycle, kept: 'yes' },
          }),
        });
        await r.service.appendEvent({ session: live, event });
        const read = await reload();
        expect(read.state.kept).toBe('yes');
        expect(Object.keys(read.state).filter((k) => k.startsWith('temp:'))).toEqual([]);
        const stored = read.events.find((e) => e.id === event.id)!;
        expect(Object.keys(stored.actions.stateDelta)).toEqual(['kept']);
        const created = await r.service.createSession({
          ...scope,
          state: { 'temp:client': new Map(), ok: 1 },
        });
        expect(created.state).toEqual({ ok: 1 });
      });

      it('partial events are returned untouched even when they could not be stored', async () => {
        live = await reload();
        const mark = r.sent();
        const event = textEvent('partial', { partial: true, customMetadata: { big: 1n } });
        const before = snapshotOf(live);
        expect(await r.service.appendEvent({ session: live, event })).toBe(event);
        expect(r.sent()).toBe(mark);
        expect(snapshotOf(live)).toBe(before);
      });
    });

    describe('event shape', () => {
      let scope: { appName: string; userId: string };
      let live: Session;
      beforeAll(async () => {
        scope = { appName: uniqueId('events-app'), userId: uniqueId('events-user') };
        live = await r.service.createSession({ ...scope });
      });
      const reload = async (): Promise<Session> =>
        (await r.service.getSession({ ...scope, sessionId: live.id }))!;
      const withField = (field: Partial<Record<keyof Event | 'onDone', unknown>>): Event =>
        ({ ...textEvent('t'), ...field }) as Event;

      const REFUSED: [string, () => Event, string][] = [
        ['no timestamp', () => withField({ timestamp: undefined }), 'event.timestamp'],
        ['NaN timestamp', () => withField({ timestamp: NaN }), 'event.timestamp'],
        ['Infinity timestamp', () => withField({ timestamp: Infinity }), 'event.timestamp'],
        ['string timestamp', () => withField({ timestamp: '1700000000000' }), 'event.timestamp'],
        ['timestamp past year 9999', () => withField({ timestamp: 1e16 }), 'event.timestamp'],
        ['timestamp before year 1', () => withField({ timestamp: -1e15 }), 'event.timestamp'],
        ['empty id', () => withField({ id: '' }), 'event.id'],
        ['numeric id', () => withField({ id: 42 }), 'event.id'],
        ['id with a lone surrogate', () => withField({ id: 'e\uD800' }), 'event.id'],
        ['content is a string', () => withField({ content: 'hi' }), 'event.content'],
        [
          'parts is an object',
          () => withField({ content: { role: 'user', parts: {} } }),
          'event.content.parts',
        ],
        [
          'a null part',
          () => withField({ content: { role: 'user', parts: [null] } }),
          'event.content.parts[0]',
        ],
        [
          'a string part',
          () => withField({ content: { role: 'user', parts: ['hi'] } }),
          'event.content.parts[0]',
        ],
        ['actions is a string', () => withField({ actions: 'x' }), 'event.actions'],
        [
          'stateDelta is an array',
          () => withField({ actions: { ...createEventActions(), stateDelta: [1] } }),
          'event.actions.stateDelta',
        ],
        ['a function field', () => withField({ onDone: () => 1 }), 'event.onDone'],
        [
          'a Map in artifactDelta',
          () => withField({ actions: { ...createEventActions(), artifactDelta: new Map() } }),
          'event.actions.artifactDelta',
        ],
        [
          'a cycle through the event',
          () => {
            const event = textEvent('t');
            event.customMetadata = { self: event };
            return event;
          },
          'event.customMetadata.self',
        ],
        [
          'BigInt in usageMetadata',
          () => withField({ usageMetadata: { totalTokenCount: 5n } }),
          'event.usageMetadata.totalTokenCount',
        ],
        [
          'lone surrogate in text',
          () => textEvent('bad \uDC00 text'),
          'event.content.parts[0].text',
        ],
      ];
      it.each(REFUSED)(
        'refuses %s before sending, naming the field',
        async (_label, make, field) => {
          const before = snapshotOf(live);
          const mark = r.sent();
          const appended = await outcome(() =>
            r.service.appendEvent({ session: live, event: make() }),
          );
          expectRefused(r, appended, mark, field);
          expect(snapshotOf(live)).toBe(before);
        },
      );

      it.each([
        ['a null session', 'null', 'session'],
        ['a null stored event', 'events', 'session.events[0]'],
        ['state that is an array', 'state', 'session.state'],
      ] as const)('refuses %s before sending', async (_label, what, field) => {
        const session =
          what === 'null'
            ? (null as unknown as Session)
            : what === 'events'
              ? { ...live, events: [null as unknown as Event] }
              : { ...live, state: [] as unknown as Session['state'] };
        const mark = r.sent();
        const appended = await outcome(() =>
          r.service.appendEvent({ session, event: textEvent('s') }),
        );
        expectRefused(r, appended, mark, field);
      });

      const ODD_IDS: [string, string][] = [
        ['dot-dot', '..'],
        ['slash', 'a/b'],
        ['colon', 'a:b'],
        ['RTL', '\u202Eid'],
        ['NUL', 'id\u0000'],
        ['__proto__', '__proto__'],
        ['1 KiB', 'i'.repeat(1024)],
        ['spaces', '  '],
      ];
      it.each(ODD_IDS)('event id %s round-trips', async (_label, id) => {
        const event = textEvent(`id ${id.length}`, { id });
        await r.service.appendEvent({ session: live, event });
        const read = await reload();
        expect(read.events.filter((e) => e.id === id)).toHaveLength(1);
        expectJsonEqual(read.events, live.events);
      });

      it('a non-string author round-trips', async () => {
        const event = textEvent('odd author', { author: 7 as unknown as string });
        await r.service.appendEvent({ session: live, event });
        expectJsonEqual((await reload()).events, live.events);
      });

      it.each([
        ['20 KiB', 20 * 1024],
        ['64 KiB', 64 * 1024],
      ])(
        'an event with %s of text round-trips (text is content, not metadata)',
        async (_l, size) => {
          const event = textEvent('w'.repeat(size));
          await r.service.appendEvent({ session: live, event });
          expectJsonEqual((await reload()).events, live.events);
        },
      );

      it.each([
        ['20 KiB', 20 * 1024],
        ['64 KiB', 64 * 1024],
        ['1 MiB', 1024 * 1024],
      ])('an event with %s of other data round-trips', async (_l, size) => {
        const event = textEvent('big metadata', { customMetadata: { blob: 'm'.repeat(size) } });
        const appended = await outcome(() => r.service.appendEvent({ session: live, event }));
        expect(appended.error, describeError(appended.error)).toBeUndefined();
        expectJsonEqual((await reload()).events, live.events);
      });

      if (name === 'ram') {
        it('an event over maxEventBytes (default 4 MiB): EventTooLargeError, writing nothing', async () => {
          const before = snapshotOf(live);
          const mark = r.sent();
          const event = textEvent('huge', {
            customMetadata: { blob: 'm'.repeat(5 * 1024 * 1024) },
          });
          const appended = await outcome(() => r.service.appendEvent({ session: live, event }));
          expect(appended.error, describeError(appended.error)).toBeInstanceOf(EventTooLargeError);
          expect(r.writesSince(mark)).toEqual([]);
          expect(snapshotOf(live)).toBe(before);
          expect((await reload()).events.some((e) => e.id === event.id)).toBe(false);
        });
      }

      it('createSession with a 64 KiB initial state is stored', async () => {
        const key = { appName: uniqueId('big-app'), userId: uniqueId('big-user') };
        const state = { big: 'b'.repeat(64 * 1024), 'app:flag': 'a'.repeat(20 * 1024) };
        const created = await outcome(() => r.service.createSession({ ...key, state }));
        expect(created.error, describeError(created.error)).toBeUndefined();
        const read = await r.service.getSession({ ...key, sessionId: created.value!.id });
        expect(read?.state).toEqual(state);
      });
    });

    describe('malformed backend responses', () => {
      let scope: { appName: string; userId: string };
      let live: Session;
      let managedStorageId = '';
      beforeAll(async () => {
        scope = { appName: uniqueId('malformed-app'), userId: uniqueId('malformed-user') };
        live = await r.service.createSession({ ...scope, state: { mine: 'yes' } });
        if (name !== 'ram') return;
        const posted = (r.backend as RamUnderTest).fake.requests.find(
          (q) =>
            q.method === 'POST' &&
            (q.body as { metadata?: { adk_session_id?: string } }).metadata?.adk_session_id ===
              live.id,
        );
        managedStorageId = (posted!.body as { sessionId: string }).sessionId;
      });
      const key = () => ({ ...scope, sessionId: live.id });
      /** The GET of the session itself (AMS: its document; managed: its events). */
      const isSessionRead = (request: ProxiedRequest): boolean =>
        request.method === 'GET' &&
        (name === 'ams'
          ? request.path === `/v1/working-memory/${live.id}`
          : request.path.endsWith(`/session-memory/${managedStorageId}`));
      const isList = (request: ProxiedRequest): boolean =>
        request.method === 'GET' &&
        (name === 'ams'
          ? request.path === '/v1/working-memory/'
          : /\/session-memory$/.test(request.path));
      const isWrite = (request: ProxiedRequest): boolean =>
        name === 'ams'
          ? request.method === 'PUT' && request.path === `/v1/working-memory/${live.id}`
          : request.method === 'POST' && request.path.endsWith('/session-memory/events');

      const html = (status: number): { respond: ScriptedResponse } => ({
        respond: {
          status,
          headers: { 'content-type': 'text/html' },
          body: `<html><body><h1>${status}</h1>Request blocked</body></html>`,
        },
      });
      const json = (status: number, body: unknown): { respond: ScriptedResponse } => ({
        respond: { status, body },
      });
      const unreadable = (): unknown =>
        name === 'ams'
          ? {
              session_id: live.id,
              namespace: scope.appName,
              user_id: scope.userId,
              messages: [],
              data: { adk_redis: { v: 99 } },
            }
          : managedSession([
              {
                app_name: scope.appName,
                user_id: scope.userId,
                adk_session_id: live.id,
                adk_redis: { v: 99 },
              },
            ]);
      const managedSession = (metadata: Record<string, unknown>[]): unknown => ({
        sessionId: managedStorageId,
        ownerId: 'someone',
        events: metadata.map((m, i) => ({
          eventId: `${i}`.padStart(32, 'f'),
          actorId: 'someone',
          sessionId: managedStorageId,
          role: 'USER',
          content: [{ text: 'text' }],
          createdAt: '2026-01-01T00:00:00Z',
          systemTimestamp: '2026-01-01T00:00:00Z',
          metadata: m,
        })),
      });

      const READS: [string, () => ScriptDecision, (error: unknown) => void][] = [
        [
          'wrong types',
          () =>
            json(
              200,
              name === 'ams'
                ? { session_id: 5, messages: 'x' }
                : { sessionId: 's', ownerId: 'o', events: 'x' },
            ),
          (e) => expect(e).toBeInstanceOf(MalformedResponseError),
        ],
        [
          'missing fields',
          () => json(200, name === 'ams' ? { namespace: 'n' } : { sessionId: 's' }),
          (e) => expect(e).toBeInstanceOf(MalformedResponseError),
        ],
        [
          'an array body',
          () => json(200, [1, 2]),
          (e) => expect(e).toBeInstanceOf(MalformedResponseError),
        ],
        [
          'an HTML page with 200',
          () => html(200),
          (e) => expect(e).toBeInstanceOf(MalformedResponseError),
        ],
        [
          'an HTML page with 502',
          () => html(502),
          (e) => expect((e as BackendError).status).toBe(502),
        ],
        [
          'an HTML page with 403',
          () => html(403),
          (e) => expect((e as BackendError).status).toBe(403),
        ],
        [
          'an empty 200 body',
          () => ({ respond: { status: 200, headers: { 'content-type': 'application/json' } } }),
          (e) => expect(e).toBeInstanceOf(MalformedResponseError),
        ],
        [
          'a JSON null',
          () => json(200, null),
          (e) => expect(e).toBeInstanceOf(MalformedResponseError),
        ],
        [
          'a truncated body',
          () => ({ kind: 'truncate', phase: 'after' }),
          (e) => expect(e).toBeInstanceOf(NetworkError),
        ],
        [
          'unreadable ADK data',
          () => json(200, unreadable()),
          (e) => expect(e).toBeInstanceOf(MalformedResponseError),
        ],
      ];
      for (const [label, decision, check] of READS) {
        const { test, suffix } = known(name, `read:${label}`);
        test(`getSession given ${label}: a typed error, nothing written${suffix}`, async () => {
          r.script(isSessionRead, decision());
          const mark = r.sent();
          const read = await outcome(() => r.service.getSession(key()));
          expect(read.error, describeError(read.error)).toBeInstanceOf(AdkRedisError);
          check(read.error);
          expect(r.writesSince(mark)).toEqual([]);
          // The backend is fine again: nothing was lost.
          expect((await r.service.getSession(key()))?.state.mine).toBe('yes');
        });
        test(`appendEvent whose read gets ${label}: a typed error, nothing written${suffix}`, async () => {
          r.script(isSessionRead, decision());
          const before = snapshotOf(live);
          const mark = r.sent();
          const event = textEvent('never stored');
          const appended = await outcome(() => r.service.appendEvent({ session: live, event }));
          expect(appended.error, describeError(appended.error)).toBeInstanceOf(AdkRedisError);
          check(appended.error);
          expect(r.writesSince(mark)).toEqual([]);
          expect(snapshotOf(live)).toBe(before);
          const read = await r.service.getSession(key());
          expect(read?.events.some((e) => e.id === event.id)).toBe(false);
        });
      }

      it("another tenant's data in answer to a read is never returned", async () => {
        const other = {
          appName: scope.appName,
          userId: uniqueId('other-user'),
          sessionId: live.id,
        };
        await r.service.createSession({ ...other, state: { secret: 'theirs' } });
        // The backend answers our read with the other user's session.
        r.script(
          isSessionRead,
          json(
            200,
            name === 'ams'
              ? {
                  session_id: live.id,
                  namespace: scope.appName,
                  user_id: other.userId,
                  messages: [],
                  data: { secret: 'theirs' },
                }
              : managedSession([
                  {
                    app_name: scope.appName,
                    user_id: other.userId,
                    adk_session_id: live.id,
                    state_delta: { secret: 'theirs' },
                  },
                ]),
          ),
        );
        const mark = r.sent();
        const read = await outcome(() => r.service.getSession(key()));
        if (name === 'ams') {
          // AMS's own index fallback can answer this way: the document is not ours, so no session.
          expect(read.error, describeError(read.error)).toBeUndefined();
          expect(read.value).toBeUndefined();
        } else {
          expect(read.error, describeError(read.error)).toBeInstanceOf(SessionIdCollisionError);
        }
        expect(JSON.stringify(read.value ?? null)).not.toContain('theirs');
        expect(r.writesSince(mark)).toEqual([]);
        expect((await r.service.getSession(key()))?.state).toEqual({ mine: 'yes' });
      });

      const PAGES: [string, unknown][] = [
        ['{}', {}],
        ['null', null],
        [
          'ids that are not strings',
          name === 'ams' ? { sessions: [1, 2], total: 2 } : { items: [1, 2], total: 2 },
        ],
      ];
      for (const [label, body] of PAGES) {
        const { test, suffix } = known(name, `list:${label}`);
        test(`listSessions given a list page of ${label}: a MalformedResponseError${suffix}`, async () => {
          r.script(isList, json(200, body));
          const mark = r.sent();
          const listed = await outcome(() => r.service.listSessions({ ...scope }));
          expect(r.writesSince(mark)).toEqual([]);
          expect(listed.error, describeError(listed.error)).toBeInstanceOf(MalformedResponseError);
        });
      }

      for (const [label, decision] of [
        ['an HTML page with 200', () => html(200)],
        ['wrong types', () => json(200, { session_id: 5 })],
      ] as const) {
        const { test, suffix } = known(name, `write:${label}`);
        test(`a write answered with ${label} after it landed: typed error; it reads back once${suffix}`, async () => {
          r.script(isWrite, { respond: { ...decision().respond, afterForwarding: true } });
          const session = (await r.service.getSession(key()))!;
          const event = textEvent('landed');
          const appended = await outcome(() => r.service.appendEvent({ session, event }));
          live = (await r.service.getSession(key()))!;
          expect(appended.error, describeError(appended.error)).toBeInstanceOf(
            MalformedResponseError,
          );
          expect(session.events.some((e) => e.id === event.id)).toBe(false);
          expect(live.events.filter((e) => e.id === event.id)).toHaveLength(1);
        });
      }
    });
  });
}

hostileSuite('ams', () => Promise.resolve(amsBackend(inject('amsBaseUrl'))));
hostileSuite('ram', () => startRamBackend());
