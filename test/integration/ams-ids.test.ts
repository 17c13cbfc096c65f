/**
 * Awkward app names, user ids and session ids on the real AMS: every id AMS can hold is stored as it
 * is (where the Python adk-redis, which sends ids unchanged, reads it), every other id is stored
 * encoded, and listings return each app's and user's sessions exactly: no session of an id that
 * differs only in case, by a wildcard, a space or an escape.
 */
import { createEvent } from '@google/adk';
import { describe, expect, inject, it } from 'vitest';
import {
  RedisSessionMemoryService,
  createAgentMemoryServerClient,
  unwrap,
} from '../../src/index.js';
import {
  encodeId,
  encodeSessionId,
  isPlainId,
  isPlainSessionId,
} from '../../src/shared/opensource-agent-memory/ids.js';
import { awkwardNames } from '../support/awkward-names.js';

const apiBaseUrl = inject('amsBaseUrl');
const ams = createAgentMemoryServerClient({ baseUrl: apiBaseUrl, retry: { maxRetries: 0 } });
const service = () =>
  new RedisSessionMemoryService({ backend: 'opensource-agent-memory', apiBaseUrl });

/** A short run id, so names stay awkward but never meet another run's on a shared server. */
const RUN = Math.random().toString(36).slice(2, 8);

/** The stored document under these exact ids, as Python would GET it; undefined on 404. */
async function rawDoc(namespace: string, userId: string, sessionId: string) {
  const { data, response } = await ams.GET('/v1/working-memory/{session_id}', {
    params: { path: { session_id: sessionId }, query: { namespace, user_id: userId } },
  });
  if (response.status === 404) return undefined;
  expect(response.status).toBe(200);
  return data;
}

/** Every session id AMS lists under a namespace and user. */
async function rawList(namespace: string, userId: string): Promise<string[]> {
  const page = await unwrap(
    ams.GET('/v1/working-memory/', {
      params: { query: { namespace, user_id: userId, limit: 100 } },
    }),
  );
  return page.sessions;
}

const textEvent = (text: string) =>
  createEvent({
    invocationId: 'inv-1',
    author: 'user',
    content: { role: 'user', parts: [{ text }] },
  });

describe('awkward ids on the real AMS', () => {
  // 24 (app, user, session) triples; the run id sits at one end, so the other end stays awkward.
  // Session ids are trimmed, as the service trims them.
  const names = awkwardNames(20261130, 72);
  const triples = Array.from({ length: 24 }, (_, i) => {
    const [app, user, session] = names.slice(i * 3, i * 3 + 3) as [string, string, string];
    return i % 2 === 0
      ? { appName: `${app}${RUN}`, userId: `${user}${RUN}`, sessionId: `${RUN}${session}`.trim() }
      : { appName: `${RUN}${app}`, userId: `${RUN}${user}`, sessionId: `${session}${RUN}`.trim() };
  });

  it('includes ids sent unchanged and ids sent encoded', () => {
    const all = triples.flatMap((t) => [t.appName, t.userId]);
    expect(all.filter(isPlainId).length).toBeGreaterThan(10);
    expect(all.filter((id) => !isPlainId(id)).length).toBeGreaterThan(5);
  });

  it('stores each session under the ids as they are when AMS can hold them, and reads it back', async () => {
    const sessions = service();
    for (const key of triples) {
      const session = await sessions.createSession({ ...key, state: { marker: key.sessionId } });
      await sessions.appendEvent({ session, event: textEvent(`hello ${key.sessionId}`) });

      const stored = {
        namespace: encodeId(key.appName),
        userId: encodeId(key.userId),
        sessionId: encodeSessionId(key.sessionId, undefined),
      };
      const doc = await rawDoc(stored.namespace, stored.userId, stored.sessionId);
      expect(doc?.namespace, JSON.stringify(key)).toBe(stored.namespace);
      expect(doc?.user_id).toBe(stored.userId);
      expect(doc?.session_id).toBe(stored.sessionId);
      expect(doc?.data).toMatchObject({ marker: key.sessionId });
      expect(doc?.messages?.map((m) => m.content)).toEqual([`hello ${key.sessionId}`]);

      const shared =
        isPlainId(key.appName) && isPlainId(key.userId) && isPlainSessionId(key.sessionId);
      // What the Python package sees: the ids exactly as the caller gave them.
      const asPython = await rawDoc(key.appName, key.userId, key.sessionId).catch(() => undefined);
      const found =
        asPython?.namespace === key.appName &&
        asPython.user_id === key.userId &&
        (asPython.data as { marker?: unknown } | null | undefined)?.marker === key.sessionId;
      expect(found, JSON.stringify(key)).toBe(shared);

      const read = await sessions.getSession(key);
      expect(read?.state).toMatchObject({ marker: key.sessionId });
      expect(read?.events).toHaveLength(1);
    }
  });

  it('shares `Travel Planner (beta)` with the Python package: stored under the names as given', async () => {
    const key = {
      appName: `Travel Planner (beta) ${RUN}`,
      userId: `Ada "Countess" Lovelace #${RUN}`,
      sessionId: `trip été 2026 ${RUN}`,
    };
    const sessions = service();
    const session = await sessions.createSession(key);
    await sessions.appendEvent({ session, event: textEvent('Paris, please') });
    const doc = await rawDoc(key.appName, key.userId, key.sessionId);
    expect([doc?.namespace, doc?.user_id, doc?.session_id]).toEqual([
      key.appName,
      key.userId,
      key.sessionId,
    ]);
    expect(doc?.messages?.map((m) => m.content)).toEqual(['Paris, please']);
    expect(await rawList(key.appName, key.userId)).toEqual([key.sessionId]);
  });

  it('lists each app and user exactly, without the sessions of look-alike ids', async () => {
    // Ids that fold onto each other under case, wildcards, escapes, trimming or tag splitting.
    const looks = [
      ['App', 'app', 'APP'],
      ['a b', 'a', 'b', 'a\\ b'],
      ['a*', 'ab', 'a|b', 'a\\*'],
      ['é', 'É', 'e', 'e\u0301'],
      ['"x"', 'x', "'x'", '(x)', '{x}'],
      ['x-y', 'x_y', 'x.y', 'x@y', 'x=y'],
      ['x#y', 'x$y', 'x%y', 'x&y', 'x+y'],
      ['x!y', 'x;y', 'x^y', '[x]', '<x>'],
      ['s', 'S', 'ß', 'ss'],
      ['日本', '日', '本', '😀'],
    ];
    const sessions = service();
    const expected = new Map<string, string[]>();
    for (const [group, members] of looks.entries()) {
      for (const [i, look] of members.entries()) {
        // Look-alike apps, each with look-alike users.
        const appName = `${RUN}-${group}-${look}`;
        const sessionIds: string[] = [];
        for (const [j, userLook] of members.entries()) {
          const userId = `${userLook}-${RUN}`;
          const sessionId = `${look} ${userLook} ${i}.${j}`;
          await sessions.createSession({ appName, userId, sessionId });
          sessionIds.push(JSON.stringify([userId, sessionId]));
        }
        expected.set(appName, sessionIds.sort());
      }
    }
    for (const [appName, sessionIds] of expected) {
      const listed = await sessions.listSessions({ appName });
      const got = listed.sessions.map((s) => JSON.stringify([s.userId, s.id])).sort();
      expect(got, appName).toEqual(sessionIds);
      for (const entry of sessionIds) {
        const [userId, sessionId] = JSON.parse(entry) as [string, string];
        const mine = await sessions.listSessions({ appName, userId });
        expect(
          mine.sessions.map((s) => s.id),
          `${appName} / ${userId}`,
        ).toEqual([sessionId]);
      }
    }
  });

  it('AMS itself lists look-alike plain ids together when they differ only in ASCII case', async () => {
    // Why the store re-reads every listed session under its exact ids.
    const sessions = service();
    const appName = `${RUN}-case`;
    await sessions.createSession({ appName, userId: 'Kim', sessionId: 'upper' });
    await sessions.createSession({ appName, userId: 'kim', sessionId: 'lower' });
    expect((await rawList(appName, 'kim')).sort()).toEqual(['lower', 'upper']);
    expect(
      (await sessions.listSessions({ appName, userId: 'kim' })).sessions.map((s) => s.id),
    ).toEqual(['lower']);
    await sessions.createSession({ appName, userId: 'É', sessionId: 'upper-e' });
    await sessions.createSession({ appName, userId: 'é', sessionId: 'lower-e' });
    const listed = await sessions.listSessions({ appName, userId: 'é' });
    expect(listed.sessions.map((s) => s.id)).toEqual(['lower-e']);
  });
});
