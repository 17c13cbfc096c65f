/**
 * Issue 14.2 on the managed backend's fake, both directions, for many seeded awkward app names,
 * user ids and session ids (separators, quotes, wildcards, whitespace, case, non-ASCII, names that
 * sanitise to nothing): sessions written the way the Python adk-redis writes them are read and
 * appended to here, and ours are found where Python looks (its storage id, its metadata).
 *
 * The Python side is written out here from its documented behaviour (docs: backends.md 4.1 "On
 * RAM", long-term-memory.md 2.3): storage id = first 64 hex of SHA-256 of
 * `sanitised namespace \0 user \0 session`, `actorId` = the sanitised user (or author), metadata
 * `{source, namespace (sanitised), app_name, user_id, adk_session_id, adk_event_id, adk_author,
 * state_delta?}`, state = the merge of every `state_delta`. Only the sanitising is the library's
 * (`pythonSanitize`, checked against the real Python rule in python-sanitize.test.ts).
 */
import { createHash } from 'node:crypto';
import { createEvent, createEventActions, type Event } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../src/index.js';
import { pythonSanitize } from '../../../src/shared/redis-agent-memory/ids.js';
import { awkwardNames } from '../../support/awkward-names.js';
import { useFakeRedisAgentMemory } from '../../support/fake-redis-agent-memory/fixture.js';

const fixture = useFakeRedisAgentMemory();
const { service, raw } = fixture;

const MANAGED_ID = /^[A-Za-z0-9-]{1,64}$/;

/** The Python package's storage session id. */
const pythonStorageId = (appName: string, userId: string, sessionId: string): string =>
  createHash('sha256')
    .update(`${pythonSanitize(appName)}\0${userId}\0${sessionId}`, 'utf8')
    .digest('hex')
    .slice(0, 64);

interface Key {
  appName: string;
  userId: string;
  sessionId: string;
}

/**
 * Seeded awkward keys. Each user id ends with its index, so no two keys share a storage id (a
 * sanitising collision is refused by design and tested elsewhere); session ids are trimmed, as
 * the service trims them.
 */
function awkwardKeys(seed: number, count: number): Key[] {
  const names = awkwardNames(seed, count * 3);
  return Array.from({ length: count }, (_, i) => ({
    appName: names[i * 3]!,
    userId: `${names[i * 3 + 1]!} #${i}`,
    sessionId: names[i * 3 + 2]!.trim() || `s${i}`,
  }));
}

/** Python's `append_event` on the managed API, one text event. */
async function appendAsPython(
  key: Key,
  turn: { id: string; author: string; text: string; at: string; delta?: object },
): Promise<void> {
  await unwrap(
    raw().POST('/v1/stores/{storeId}/session-memory/events', {
      body: {
        sessionId: pythonStorageId(key.appName, key.userId, key.sessionId),
        actorId: pythonSanitize(turn.author === 'user' ? key.userId : turn.author),
        role: turn.author === 'user' ? 'USER' : 'ASSISTANT',
        content: [{ text: turn.text }],
        createdAt: turn.at,
        metadata: {
          source: 'adk-redis',
          namespace: pythonSanitize(key.appName),
          app_name: key.appName,
          user_id: key.userId,
          adk_session_id: key.sessionId,
          adk_event_id: turn.id,
          adk_author: turn.author,
          ...(turn.delta ? { state_delta: turn.delta } : {}),
        },
      },
    }),
  );
}

type Metadata = Record<string, unknown>;

/** What Python's `get_session` reads: the text events and the merged state; undefined on 404. */
async function readAsPython(key: Key) {
  const { data, response } = await raw().GET('/v1/stores/{storeId}/session-memory/{sessionId}', {
    params: { path: { sessionId: pythonStorageId(key.appName, key.userId, key.sessionId) } },
  });
  if (response.status === 404) return undefined;
  expect(response.status).toBe(200);
  const state: Record<string, unknown> = {};
  const events: { id: unknown; author: unknown; text: string; metadata: Metadata }[] = [];
  for (const record of data!.events) {
    const metadata = (record.metadata ?? {}) as Metadata;
    Object.assign(state, metadata.state_delta ?? {});
    const text = record.content
      .map((part) => ('text' in part && typeof part.text === 'string' ? part.text : ''))
      .join(' ');
    if (metadata.adk_event_id !== undefined && text) {
      events.push({ id: metadata.adk_event_id, author: metadata.adk_author, text, metadata });
    }
  }
  return { events, state, records: data!.events };
}

/** Python's `list_sessions` for an app and user: every session, read, filtered by its metadata. */
async function listAsPython(appName: string, userId: string): Promise<string[]> {
  const found: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await unwrap(
      raw().GET('/v1/stores/{storeId}/session-memory', {
        params: { query: { includeAll: true, limit: 1000, ...(pageToken ? { pageToken } : {}) } },
      }),
    );
    for (const storageId of page.items) {
      const doc = await unwrap(
        raw().GET('/v1/stores/{storeId}/session-memory/{sessionId}', {
          params: { path: { sessionId: storageId } },
        }),
      );
      const metadata = (doc.events[0]?.metadata ?? {}) as Metadata;
      if (
        metadata.app_name === appName &&
        metadata.user_id === userId &&
        typeof metadata.adk_session_id === 'string'
      ) {
        found.push(metadata.adk_session_id);
      }
    }
    pageToken = page.nextPageToken;
  } while (pageToken);
  return found;
}

const textEvent = (author: string, text: string, delta?: Record<string, unknown>): Event =>
  createEvent({
    invocationId: 'inv',
    author,
    content: { role: author === 'user' ? 'user' : 'model', parts: [{ text }] },
    ...(delta ? { actions: createEventActions({ stateDelta: delta }) } : {}),
  });

const PYTHON_WRITES = awkwardKeys(20261130, 24).filter(
  // Python's write fails when the sanitised user is not a valid actor id: no such session exists.
  (key) => MANAGED_ID.test(pythonSanitize(key.userId)),
);
const WE_WRITE = awkwardKeys(20261201, 24);

describe('the seeded keys', () => {
  it('are awkward: separators, whitespace, non-ASCII, names that sanitise to nothing', () => {
    const all = [...PYTHON_WRITES, ...WE_WRITE];
    expect(PYTHON_WRITES.length).toBeGreaterThan(15);
    expect(all.some((k) => pythonSanitize(k.appName) === '')).toBe(true);
    expect(all.some((k) => /[^\x20-\x7e]/.test(k.appName + k.userId))).toBe(true);
    expect(all.some((k) => /\s/.test(k.appName))).toBe(true);
    expect(all.filter((k) => MANAGED_ID.test(k.appName)).length).toBeLessThan(all.length / 2);
  });
});

describe('sessions the Python adk-redis wrote, here', () => {
  it.each(PYTHON_WRITES)('$appName / $userId / $sessionId', async (key) => {
    await appendAsPython(key, {
      id: 'py-1',
      author: 'user',
      text: `Plan ${key.sessionId}`,
      at: '2026-03-01T10:00:00.250Z',
      delta: { city: key.appName },
    });
    await appendAsPython(key, {
      id: 'py-2',
      author: 'travel_agent',
      text: 'Done.',
      at: '2026-03-01T10:00:03Z',
    });
    const sessions = service();

    const session = await sessions.getSession(key);
    expect(session?.state).toEqual({ city: key.appName });
    expect(session?.events.map((e) => [e.id, e.author, e.content?.parts?.[0]?.text])).toEqual([
      ['py-1', 'user', `Plan ${key.sessionId}`],
      ['py-2', 'travel_agent', 'Done.'],
    ]);
    const listed = await sessions.listSessions({ appName: key.appName, userId: key.userId });
    expect(listed.sessions.map((s) => s.id)).toEqual([key.sessionId]);

    // Our append lands in the same stored session, where Python reads it.
    const back = textEvent('user', 'And back?');
    await sessions.appendEvent({ session: session!, event: back });
    const python = await readAsPython(key);
    expect(python?.events.map((e) => [e.id, e.text])).toEqual([
      ['py-1', `Plan ${key.sessionId}`],
      ['py-2', 'Done.'],
      [back.id, 'And back?'],
    ]);
    expect(python?.events[2]?.metadata).toMatchObject({
      namespace: pythonSanitize(key.appName),
      app_name: key.appName,
      user_id: key.userId,
      adk_session_id: key.sessionId,
      adk_author: 'user',
    });
  });
});

describe('sessions we wrote, where the Python adk-redis looks', () => {
  it.each(WE_WRITE)('$appName / $userId / $sessionId', async (key) => {
    const sessions = service();
    const session = await sessions.createSession({ ...key, state: { lang: 'it' } });
    const event = textEvent('user', `Ciao ${key.userId}`, { mood: 'happy' });
    await sessions.appendEvent({ session, event });

    const python = await readAsPython(key);
    expect(python, 'Python finds the session under its storage id').toBeDefined();
    expect(python!.state).toEqual({ lang: 'it', mood: 'happy' });
    const ours = python!.events.find((e) => e.id === event.id);
    expect(ours?.text).toBe(`Ciao ${key.userId}`);
    for (const record of python!.records) {
      expect(record.metadata).toMatchObject({
        source: 'adk-redis',
        namespace: pythonSanitize(key.appName),
        app_name: key.appName,
        user_id: key.userId,
        adk_session_id: key.sessionId,
      });
    }
    expect(await listAsPython(key.appName, key.userId)).toEqual([key.sessionId]);
  });
});
