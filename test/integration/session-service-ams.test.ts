/**
 * The AMS session backend on the real server, beyond the conformance suite: documents shaped
 * exactly as the Python adk-redis writes them (both directions), retention and strategy settings
 * kept across writes, and server-owned fields surviving our whole-document PUTs.
 */
import { createEvent, createEventActions } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { unwrap, type AgentMemoryServerApi } from '../../src/index.js';
import { uniqueId } from '../support/ids.js';
import { amsClient, service } from './ams-session-service.js';

type Doc = AgentMemoryServerApi.components['schemas']['WorkingMemoryResponse'];

const ams = amsClient();
const getRaw = (sessionId: string, namespace: string, userId: string): Promise<Doc> =>
  unwrap(
    ams.GET('/v1/working-memory/{session_id}', {
      params: { path: { session_id: sessionId }, query: { namespace, user_id: userId } },
    }),
  );

/**
 * What Python adk-redis 0.0.10 leaves in AMS after `create_session(state=...)` and two
 * `append_event` calls: its client's get-or-create PUT, then `data = state`, then messages with
 * ULID ids, `user`/`assistant` roles, the text, and `created_at` from the event time.
 */
async function writeAsPython(namespace: string, userId: string, sessionId: string) {
  const messages = [
    {
      id: '01JF8ZQ5J3W9V1M4K7Q2X6YB8C',
      role: 'user',
      content: 'What is the capital of France?',
      created_at: '2026-03-01T10:00:00.250000Z',
      persisted_at: null,
      discrete_memory_extracted: 'f' as const,
    },
    {
      id: '01JF8ZQ8M1B2C3D4E5F6G7H8J9',
      role: 'assistant',
      content: 'Paris.',
      created_at: '2026-03-01T10:00:02.500000Z',
      persisted_at: null,
      discrete_memory_extracted: 'f' as const,
    },
  ];
  await unwrap(
    ams.PUT('/v1/working-memory/{session_id}', {
      params: { path: { session_id: sessionId } },
      body: {
        messages,
        memories: [],
        data: { color: 'blue', visits: 3 },
        context: null,
        user_id: userId,
        tokens: 0,
        namespace,
        long_term_memory_strategy: { strategy: 'discrete', config: {} },
        ttl_seconds: null,
      },
    }),
  );
  return messages;
}

describe('sessions written by the Python adk-redis', () => {
  it('read back as text events with the stored state, and list for the user and the app', async () => {
    const appName = uniqueId('py-app');
    const userId = uniqueId('py-user');
    const sessionId = uniqueId('py-session');
    const messages = await writeAsPython(appName, userId, sessionId);
    const sessions = service();

    const session = await sessions.getSession({ appName, userId, sessionId });
    expect(session).toBeDefined();
    expect(session!.state).toEqual({ color: 'blue', visits: 3 });
    expect(session!.events.map((e) => e.id)).toEqual(messages.map((m) => m.id));
    expect(session!.events[0]).toMatchObject({
      author: 'user',
      content: { role: 'user', parts: [{ text: 'What is the capital of France?' }] },
      timestamp: Date.parse('2026-03-01T10:00:00.250Z'),
    });
    expect(session!.events[1]).toMatchObject({
      author: appName,
      content: { role: 'model', parts: [{ text: 'Paris.' }] },
      timestamp: Date.parse('2026-03-01T10:00:02.500Z'),
    });

    const forUser = await sessions.listSessions({ appName, userId });
    expect(forUser.sessions.map((s) => s.id)).toEqual([sessionId]);
    expect(forUser.sessions[0]!.lastUpdateTime).toBe(Date.parse('2026-03-01T10:00:02.500Z'));
    // This user never used our service (no user-state document), so listing across users does not
    // know them: finding the session would take a read without user_id, which could reach another
    // tenant's session.
    const forApp = await sessions.listSessions({ appName });
    expect(forApp.sessions).toEqual([]);
  });

  it('take our appends after their messages, keeping every message, marked handled', async () => {
    const appName = uniqueId('py-app');
    const userId = uniqueId('py-user');
    const sessionId = uniqueId('py-session');
    const messages = await writeAsPython(appName, userId, sessionId);
    const sessions = service();
    const session = (await sessions.getSession({ appName, userId, sessionId }))!;
    const event = createEvent({
      invocationId: 'inv-1',
      author: 'user',
      content: { role: 'user', parts: [{ text: 'And of Italy?' }] },
      actions: createEventActions({ stateDelta: { color: 'green' } }),
    });
    await sessions.appendEvent({ session, event });

    const reread = (await sessions.getSession({ appName, userId, sessionId }))!;
    expect(reread.events.map((e) => e.id)).toEqual([...messages.map((m) => m.id), event.id]);
    expect(reread.state).toEqual({ color: 'green', visits: 3 });

    const raw = await getRaw(sessionId, appName, userId);
    // Their messages are kept, marked handled like ours so AMS starts no background rewrite
    // (README, "Server settings on AMS"): AMS then does not extract them itself.
    expect(raw.messages?.slice(0, 2)).toEqual(
      messages.map((m) => ({
        ...m,
        discrete_memory_extracted: 't',
        persisted_at: expect.stringMatching(/^\d{4}-/) as unknown,
      })),
    );
    expect(raw.messages?.[2]).toMatchObject({
      id: event.id,
      role: 'user',
      content: 'And of Italy?',
    });
    // Python reads `data` as the state: the session's keys are there, at the top level.
    expect(raw.data).toMatchObject({ color: 'green', visits: 3 });
  });
});

describe('sessions we write, as the Python adk-redis reads them', () => {
  it('keep ordinary ids, the app as namespace, and one user/assistant message per text event', async () => {
    const appName = uniqueId('our-app');
    const userId = uniqueId('our-user');
    const sessionId = uniqueId('our-session');
    const sessions = service();
    const session = await sessions.createSession({
      appName,
      userId,
      sessionId,
      state: { topic: 'travel' },
    });
    const question = createEvent({
      invocationId: 'inv-1',
      author: 'user',
      content: { role: 'user', parts: [{ text: 'Book a' }, { text: 'flight' }] },
      timestamp: Date.parse('2026-03-01T10:00:00.123Z'),
    });
    const call = createEvent({
      invocationId: 'inv-1',
      author: 'planner',
      content: {
        role: 'model',
        parts: [{ functionCall: { id: 'c1', name: 'search_flights', args: { to: 'PAR' } } }],
      },
      timestamp: Date.parse('2026-03-01T10:00:01.000Z'),
    });
    const answer = createEvent({
      invocationId: 'inv-1',
      author: 'planner',
      content: {
        role: 'model',
        parts: [{ text: 'thinking…', thought: true }, { text: 'Booked.' }],
      },
      timestamp: Date.parse('2026-03-01T10:00:02.000Z'),
    });
    for (const event of [question, call, answer]) await sessions.appendEvent({ session, event });

    // The Python package GETs with namespace = app name and the raw user and session ids.
    const raw = await getRaw(sessionId, appName, userId);
    expect(raw.session_id).toBe(sessionId);
    expect(raw.namespace).toBe(appName);
    expect(raw.user_id).toBe(userId);
    expect(raw.messages?.map((m) => [m.id, m.role, m.content, m.created_at])).toEqual([
      [question.id, 'user', 'Book a flight', '2026-03-01T10:00:00.123000Z'],
      [answer.id, 'assistant', 'Booked.', '2026-03-01T10:00:02Z'],
    ]);
    expect(raw.data).toMatchObject({ topic: 'travel' });
  });
});

describe('retention, strategy and server-owned fields', () => {
  it('send ttl_seconds and the extraction strategy on every write, and keep what the server owns', async () => {
    const appName = uniqueId('ttl-app');
    const userId = uniqueId('ttl-user');
    const sessionId = uniqueId('ttl-session');
    const sessions = service({
      sessionTtlSeconds: 900,
      extractionStrategy: 'summary',
      extractionStrategyConfig: { max_summary_length: 200 },
    });
    const session = await sessions.createSession({ appName, userId, sessionId });
    const created = await getRaw(sessionId, appName, userId);
    expect(created.ttl_seconds).toBe(900);
    expect(created.long_term_memory_strategy).toEqual({
      strategy: 'summary',
      config: { max_summary_length: 200 },
    });

    // The server (summaries, promotion to long-term memory) writes fields we never set.
    const first = createEvent({
      invocationId: 'inv-1',
      author: 'user',
      content: { role: 'user', parts: [{ text: 'first' }] },
    });
    await sessions.appendEvent({ session, event: first });
    const stored = await getRaw(sessionId, appName, userId);
    const persistedAt = '2026-03-01T11:00:00Z';
    await unwrap(
      ams.PUT('/v1/working-memory/{session_id}', {
        params: { path: { session_id: sessionId } },
        body: {
          ...stored,
          context: 'Summary: the user said first.',
          tokens: 42,
          messages: stored.messages!.map((m) => ({ ...m, persisted_at: persistedAt })),
        },
      }),
    );
    const reloaded = (await sessions.getSession({ appName, userId, sessionId }))!;
    await sessions.appendEvent({
      session: reloaded,
      event: createEvent({
        invocationId: 'inv-2',
        author: 'agent',
        content: { role: 'model', parts: [{ text: 'second' }] },
      }),
    });

    const after = await getRaw(sessionId, appName, userId);
    expect(after.context).toBe('Summary: the user said first.');
    expect(after.tokens).toBe(42);
    expect(after.ttl_seconds).toBe(900);
    expect(after.long_term_memory_strategy?.strategy).toBe('summary');
    expect(after.created_at).toBe(created.created_at);
    expect(after.messages?.[0]).toMatchObject({
      id: first.id,
      persisted_at: '2026-03-01T11:00:00Z',
    });
    expect(after.messages?.map((m) => m.content)).toEqual(['first', 'second']);
  });

  it('keep a TTL another writer set when none is configured', async () => {
    const appName = uniqueId('ttl-app');
    const userId = uniqueId('ttl-user');
    const sessionId = uniqueId('ttl-session');
    const sessions = service();
    const session = await sessions.createSession({ appName, userId, sessionId });
    const stored = await getRaw(sessionId, appName, userId);
    await unwrap(
      ams.PUT('/v1/working-memory/{session_id}', {
        params: { path: { session_id: sessionId } },
        body: { ...stored, ttl_seconds: 1234 },
      }),
    );
    // Another writer touched the document: reload, as StaleSessionError would ask.
    const reloaded = (await sessions.getSession({ appName, userId, sessionId }))!;
    expect(reloaded.id).toBe(session.id);
    await sessions.appendEvent({
      session: reloaded,
      event: createEvent({
        invocationId: 'i',
        author: 'user',
        content: { parts: [{ text: 'x' }] },
      }),
    });
    expect((await getRaw(sessionId, appName, userId)).ttl_seconds).toBe(1234);
  });
});
