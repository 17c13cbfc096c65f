/**
 * State on the managed backend outlives the service's retention: sessions summarised (folded
 * events cleaned up) keep their state, and app and user state outlive the short-term TTL of the
 * sessions that log it. The fake runs a store configured like Redis Cloud's (summarise after a few
 * events keeping the newest, cleanup on, a one-hour TTL on a clock the tests move).
 */
import { createEvent, createEventActions, type Event, type Session } from '@google/adk';
import { describe, expect, it } from 'vitest';
import {
  RedisLongTermMemoryService,
  StaleSessionError,
  getSessionRetention,
  unwrap,
  type RedisSessionMemoryService,
} from '../../../src/index.js';
import { reservedSessionIds } from '../../../src/sessions/redis-agent-memory/ids.js';
import { storageSessionId } from '../../../src/shared/redis-agent-memory/ids.js';
import { useFakeRedisAgentMemory } from '../../support/fake-redis-agent-memory/fixture.js';
import { uniqueId } from '../../support/ids.js';

const HOUR = 3_600_000;
let now = Date.parse('2026-11-29T08:00:00Z');

const fixture = useFakeRedisAgentMemory({
  fake: {
    sessionRetention: {
      summarizeAfter: 6,
      keepRecent: 2,
      cleanup: true,
      ttlSeconds: 3600,
      clock: () => new Date(now),
    },
  },
});
const { service, raw } = fixture;

const SESSION = '/v1/stores/{storeId}/session-memory/{sessionId}' as const;

const alnum = (prefix: string) => `${prefix}${uniqueId('').replace(/[^A-Za-z0-9]/g, '')}`;
const newKey = () => ({ appName: alnum('app'), userId: alnum('user') });

const turn = (author: string, text: string, stateDelta: Record<string, unknown> = {}): Event =>
  createEvent({
    invocationId: 'inv',
    author,
    content: { role: author === 'user' ? 'user' : 'model', parts: [{ text }] },
    actions: createEventActions({ stateDelta }),
  });

/** The stored session as the service returns it by default (retained events only). */
async function storedSession(key: { appName: string; userId: string }, sessionId: string) {
  const id = storageSessionId(key.appName, key.userId, sessionId, undefined);
  const { data, response } = await raw().GET(SESSION, {
    params: { path: { sessionId: id }, query: { includeSummarisedEvents: true } },
  });
  return response.status === 404 ? undefined : data;
}

/** A summarisation cycle (with cleanup) that keeps only the newest `keep` events. */
async function keepOnlyNewest(
  key: { appName: string; userId: string },
  sessionId: string,
  keep: number,
) {
  const stored = (await storedSession(key, sessionId))!;
  fixture.fake.summarize(stored.sessionId, stored.events.length - keep, undefined, true);
}

/** Runs `count` turns, each changing session, user, app and temp state; returns what it set. */
async function runTurns(sessions: RedisSessionMemoryService, session: Session, count: number) {
  for (let i = 0; i < count; i++) {
    await sessions.appendEvent({
      session,
      event: turn(i % 2 ? 'agent' : 'user', `turn ${i}`, {
        turn: i,
        [`s${i % 3}`]: { i, text: `value ${i}` },
        ...(i % 4 === 0 ? { [`user:u${i}`]: `pref ${i}`, 'user:last': i } : {}),
        ...(i % 5 === 1 ? { [`app:a${i}`]: [i], 'app:last': i } : {}),
        'temp:scratch': `t${i}`,
      }),
    });
  }
}

/** What `runTurns` leaves, written out independently of the library. */
function expectedAfter(count: number, initial: Record<string, unknown>) {
  const state: Record<string, unknown> = { ...initial };
  for (let i = 0; i < count; i++) {
    state.turn = i;
    state[`s${i % 3}`] = { i, text: `value ${i}` };
    if (i % 4 === 0) Object.assign(state, { [`user:u${i}`]: `pref ${i}`, 'user:last': i });
    if (i % 5 === 1) Object.assign(state, { [`app:a${i}`]: [i], 'app:last': i });
  }
  return state;
}

const scopes = (state: Record<string, unknown>, prefix: 'app:' | 'user:') =>
  Object.fromEntries(Object.entries(state).filter(([k]) => k.startsWith(prefix)));

describe('past summarisation with cleanup', () => {
  it('every scope reads back exactly, from this service and a new one; temp keys are not kept', async () => {
    const key = newKey();
    const initial = { start: 'here', 'user:theme': 'dark', 'app:version': 2 };
    const sessions = service();
    const session = await sessions.createSession({
      ...key,
      state: { ...initial, 'temp:boot': 1 },
    });
    await runTurns(sessions, session, 15);
    // The service folded and removed the oldest events as it went, the creation marker among
    // them; one more cycle leaves only the newest event.
    await keepOnlyNewest(key, session.id, 1);
    const stored = (await storedSession(key, session.id))!;
    expect(stored.summary?.summarizedEvents).toBe(15);
    expect(stored.events).toHaveLength(1);

    const expected = expectedAfter(15, initial);
    for (const reader of [sessions, service(), service({ singleWriter: true })]) {
      const read = (await reader.getSession({ ...key, sessionId: session.id }))!;
      expect(read.state).toEqual(expected);
      expect(getSessionRetention(read)).toMatchObject({ creationRecordMissing: true });
    }
    expect(session.state).toEqual(expected);
  });

  it('a session without app or user state, and one summarised down to a split record', async () => {
    const key = newKey();
    const sessions = service();
    const session = await sessions.createSession({ ...key, state: { a: 1 } });
    for (let i = 0; i < 8; i++) {
      await sessions.appendEvent({ session, event: turn('user', `t${i}`, { [`k${i}`]: i }) });
    }
    // A large event (split into part records), then a cycle that keeps only its record: the parts
    // are folded away, and the event with them.
    const big = createEvent({
      invocationId: 'inv',
      author: 'tool',
      content: {
        role: 'user',
        parts: [{ functionResponse: { name: 'search', response: { blob: 'x'.repeat(40_000) } } }],
      },
      actions: createEventActions({ stateDelta: { big: 'yes' } }),
    });
    await sessions.appendEvent({ session, event: big });
    await keepOnlyNewest(key, session.id, 1);
    const read = (await service().getSession({ ...key, sessionId: session.id }))!;
    expect(read.events).toEqual([]);
    const expected: Record<string, unknown> = { a: 1, big: 'yes' };
    for (let i = 0; i < 8; i++) expected[`k${i}`] = i;
    expect(read.state).toEqual(expected);
  });

  it('two live copies are still refused as stale after the service summarised', async () => {
    const key = newKey();
    const writer = service();
    const session = await writer.createSession(key);
    await runTurns(writer, session, 9);
    const copyA = (await service().getSession({ ...key, sessionId: session.id }))!;
    const copyB = (await service().getSession({ ...key, sessionId: session.id }))!;
    const [a, b] = [service(), service()];
    const outcomes = await Promise.allSettled([
      a.appendEvent({ session: copyA, event: turn('user', 'from a', { by: 'a' }) }),
      b.appendEvent({ session: copyB, event: turn('user', 'from b', { by: 'b' }) }),
    ]);
    // Either both raced past the check (then the next append of each is refused), or one lost.
    const later = await Promise.allSettled([
      a.appendEvent({ session: copyA, event: turn('user', 'a again') }),
      b.appendEvent({ session: copyB, event: turn('user', 'b again') }),
    ]);
    const refused = [...outcomes, ...later].filter(
      (o): o is PromiseRejectedResult => o.status === 'rejected',
    );
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.reason).toBeInstanceOf(StaleSessionError);
    // The writer's own copy, based on the state before both, is stale too.
    await expect(
      writer.appendEvent({ session, event: turn('user', 'late') }),
    ).rejects.toBeInstanceOf(StaleSessionError);
  });
});

describe('past the short-term TTL', () => {
  it("user and app state outlive the sessions that logged them: a user's preferences the next morning", async () => {
    const key = newKey();
    const sessions = service();
    const session = await sessions.createSession({
      ...key,
      state: { 'user:theme': 'dark', 'app:motd': 'hello', mine: 1 },
    });
    await runTurns(sessions, session, 4);
    const expected = expectedAfter(4, { 'user:theme': 'dark', 'app:motd': 'hello', mine: 1 });

    // The user keeps talking every 40 minutes: the session lives, the state logs do not.
    for (let i = 0; i < 4; i++) {
      now += 40 * 60_000;
      await sessions.appendEvent({ session, event: turn('user', `still here ${i}`) });
    }
    const alive = (await service().getSession({ ...key, sessionId: session.id }))!;
    expect(alive.state).toEqual(expected);

    // Next morning: every session is gone, the state is not.
    now += 12 * HOUR;
    expect(await service().getSession({ ...key, sessionId: session.id })).toBeUndefined();
    expect(await storedSession(key, session.id)).toBeUndefined();
    const fresh = service();
    const next = await fresh.createSession({ ...key, state: { 'temp:x': 1 } });
    expect(next.state).toEqual({ ...scopes(expected, 'user:'), ...scopes(expected, 'app:') });
    // Another user of the app sees the app state only.
    const other = await fresh.createSession({ appName: key.appName, userId: alnum('other') });
    expect(other.state).toEqual(scopes(expected, 'app:'));

    // And the state keeps changing from there, read back by a new service.
    await fresh.appendEvent({
      session: next,
      event: turn('user', 'hi', { 'user:theme': 'light' }),
    });
    const reread = (await service().getSession({ ...key, sessionId: next.id }))!;
    expect(reread.state).toEqual({
      ...scopes(expected, 'user:'),
      ...scopes(expected, 'app:'),
      'user:theme': 'light',
    });
  });

  it('state logged by an earlier version (no records yet) is kept once read before expiry', async () => {
    const key = newKey();
    const sessions = service();
    const session = await sessions.createSession({ ...key, state: { 'user:old': 'kept' } });
    // Drop the record, as if an earlier version had only logged the change.
    await unwrap(
      raw().DELETE('/v1/stores/{storeId}/long-term-memory', {
        body: {
          memoryIds: fixture.fake.requests
            .filter((r) => r.method === 'POST' && r.path.endsWith('/long-term-memory'))
            .flatMap((r) => (r.body as { memories: { id: string }[] }).memories.map((m) => m.id)),
        },
      }),
    );
    const read = (await service().getSession({ ...key, sessionId: session.id }))!;
    expect(read.state).toEqual({ 'user:old': 'kept' });
    now += 2 * HOUR;
    const next = await service().createSession(key);
    expect(next.state).toEqual({ 'user:old': 'kept' });
  });
});

describe('a long-lived service', () => {
  it('reads app and user state from the logs alone while they are continuous, and from the records once they are not', async () => {
    const key = newKey();
    const [a, b] = [service(), service()];
    const mine = await a.createSession({ ...key, state: { 'user:a': 1 } });
    await a.getSession({ ...key, sessionId: mine.id });
    /** The state `a` reads, and how many record searches that read took. */
    const readByA = async () => {
      const before = fixture.fake.requests.length;
      const read = await a.getSession({ ...key, sessionId: mine.id });
      const searches = fixture.fake.requests
        .slice(before)
        .filter((r) => r.path.endsWith('/long-term-memory/search')).length;
      return { state: read!.state, searches };
    };
    expect(await readByA()).toEqual({ state: { 'user:a': 1 }, searches: 0 });

    // Another process changes the user's state: the log shows it.
    const theirs = await b.createSession(key);
    await b.appendEvent({ session: theirs, event: turn('user', 'b', { 'user:b': 2 }) });
    expect(await readByA()).toEqual({ state: { 'user:a': 1, 'user:b': 2 }, searches: 0 });

    // The user-state log expires (no user-state write for over an hour) and starts again.
    for (let i = 0; i < 2; i++) {
      now += 40 * 60_000;
      await a.appendEvent({ session: mine, event: turn('user', `still ${i}`) });
    }
    await b.appendEvent({ session: theirs, event: turn('user', 'c', { 'user:c': 3 }) }).catch(
      () => {}, // theirs may have expired meanwhile; a new session writes the same way
    );
    const again = await b.createSession({ ...key, state: { 'user:c': 3 } });
    expect(again.state['user:b']).toBe(2);
    const later = await readByA();
    expect(later.state).toEqual({ 'user:a': 1, 'user:b': 2, 'user:c': 3 });
    expect(later.searches).toBeGreaterThan(0);
  });
});

describe('listing across users', () => {
  it("finds every user's live sessions after the registry session was summarised and expired", async () => {
    const appName = alnum('app');
    const sessions = service();
    const users = Array.from({ length: 9 }, (_, i) => `user-${i}-${alnum('u')}`);
    const created = [];
    for (const userId of users) created.push(await sessions.createSession({ appName, userId }));
    // The registry session folded the first users away (summarised with cleanup).
    const registry = await raw().GET(SESSION, {
      params: { path: { sessionId: reservedSessionIds.users(appName) } },
    });
    expect(registry.data?.events.length).toBeLessThan(users.length);
    // Sessions kept alive by their users' turns; the registry is not written for hours.
    for (let hour = 0; hour < 3; hour++) {
      now += 40 * 60_000;
      for (const session of created) {
        await sessions.appendEvent({ session, event: turn('user', `hour ${hour}`) });
      }
    }
    const registryLater = await raw().GET(SESSION, {
      params: { path: { sessionId: reservedSessionIds.users(appName) } },
    });
    expect(registryLater.response.status).toBe(404);
    const listed = await service().listSessions({ appName });
    expect(listed.sessions.map((s) => s.userId).sort()).toEqual([...users].sort());
  });
});

describe('deleteSession', () => {
  it('removes the session; user and app state outlive it', async () => {
    const key = newKey();
    const sessions = service();
    const session = await sessions.createSession({
      ...key,
      state: { 'user:name': 'Ada', 'app:flag': true, own: 'x' },
    });
    await sessions.appendEvent({ session, event: turn('user', 'hi', { 'user:city': 'Rome' }) });
    await sessions.deleteSession({ ...key, sessionId: session.id });
    expect(await sessions.getSession({ ...key, sessionId: session.id })).toBeUndefined();
    expect(await storedSession(key, session.id)).toBeUndefined();
    const next = await service().createSession(key);
    expect(next.state).toEqual({ 'user:name': 'Ada', 'user:city': 'Rome', 'app:flag': true });
  });
});

describe('state records are not memories', () => {
  it('no search of the memory service, nor one like the Python package sends, returns them', async () => {
    const key = newKey();
    const sessions = service();
    await sessions.createSession({
      ...key,
      state: { 'user:favourite': 'pizza margherita', 'app:banner': 'pizza day' },
    });
    // They exist: a search without filters finds them (and so would any client that sends none).
    const everything = await unwrap(
      raw().POST('/v1/stores/{storeId}/long-term-memory/search', {
        body: { text: 'pizza', limit: 100 },
      }),
    );
    const scopeIds = [
      reservedSessionIds.appState(key.appName),
      reservedSessionIds.userState(key.appName, key.userId),
    ];
    const stateIds = new Set(
      everything.items
        .filter((m) => m.ownerId === 'adk-redis-state' && scopeIds.includes(m.sessionId!))
        .map((m) => m.id),
    );
    expect(stateIds.size).toBe(2);

    const memory = new RedisLongTermMemoryService({
      backend: 'redis-agent-memory',
      apiBaseUrl: fixture.fake.baseUrl,
      apiKey: fixture.fake.apiKey,
      storeId: fixture.fake.storeId,
    });
    for (const userId of [key.userId, 'adk-redis-state']) {
      const found = await memory.searchMemory({ appName: key.appName, userId, query: 'pizza' });
      expect(found.memories).toEqual([]);
    }
    // The Python adk-redis's search: owner and namespace, filterOp all.
    const python = await unwrap(
      raw().POST('/v1/stores/{storeId}/long-term-memory/search', {
        body: {
          text: 'pizza',
          limit: 100,
          filter: { ownerId: { eq: 'adk-redis-state' }, namespace: { eq: key.appName } },
          filterOp: 'all',
        },
      }),
    );
    expect(python.items).toEqual([]);
    // None has a namespace, which any namespace filter of `eq`, `in` or `all` needs.
    for (const item of everything.items.filter((m) => stateIds.has(m.id))) {
      expect(item.namespace).toBeUndefined();
    }
  });
});

describe('request counts', () => {
  const count = async (run: () => Promise<unknown>) => {
    const before = fixture.fake.requests.length;
    await run();
    return fixture.fake.requests.slice(before).map((r) => `${r.method} ${r.path.split('/').pop()}`);
  };

  it('an append without app or user change is unchanged; each changed key adds one update', async () => {
    const key = newKey();
    const sessions = service();
    const session = await sessions.createSession({ ...key, state: { 'user:a': 1 } });
    expect(
      await count(() => sessions.appendEvent({ session, event: turn('user', 'hi', { x: 1 }) })),
    ).toEqual([
      'GET ' + storageSessionId(key.appName, key.userId, session.id, undefined),
      'POST events',
    ]);
    const withUser = await count(() =>
      sessions.appendEvent({ session, event: turn('user', 'hi', { 'user:a': 2, 'user:b': 3 }) }),
    );
    // The read, the event, the user-state log entry; an update per key (a create when new).
    expect(withUser.filter((r) => r === 'POST events')).toHaveLength(2);
    expect(withUser.filter((r) => r.startsWith('PATCH'))).toHaveLength(2);
    expect(withUser.filter((r) => r === 'POST long-term-memory')).toHaveLength(1);
    expect(withUser).toHaveLength(6);
  });
});
