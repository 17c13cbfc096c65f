/**
 * RedisLongTermMemoryService on the real AMS (the `memory` project's shared `long-term-memory`
 * server): records written directly, confirmed, searchable, kept per tenant, deleted.
 */
import { createEventActions, type Event, type Session } from '@google/adk';
import { describe, expect, inject, it } from 'vitest';
import { createAgentMemoryServerClient, unwrap } from '../../../src/clients/index.js';
import { InvalidArgumentError, RedisLongTermMemoryService } from '../../../src/index.js';
import { uniqueId } from '../../support/ids.js';

const baseUrl = inject('amsBaseUrl');
const service = new RedisLongTermMemoryService({
  backend: 'opensource-agent-memory',
  apiBaseUrl: baseUrl,
});
const ams = createAgentMemoryServerClient({ baseUrl, retry: { maxRetries: 0 } });

const event = (id: string, author: string, text: string, timestamp: number): Event => ({
  id,
  invocationId: 'inv',
  author,
  content: { role: author === 'user' ? 'user' : 'model', parts: [{ text }] },
  actions: createEventActions(),
  timestamp,
});

const sessionOf = (appName: string, userId: string, id: string, events: Event[]): Session => ({
  id,
  appName,
  userId,
  state: {},
  events,
  lastUpdateTime: 0,
});

describe('RedisLongTermMemoryService on AMS', () => {
  it('stores a session as message records, searchable at once, and re-adding it duplicates nothing', async () => {
    const userId = uniqueId('user');
    const t = Date.parse('2026-03-01T10:00:00Z');
    const session = sessionOf('travel', userId, 's1', [
      event('e1', 'user', 'I always book window seats on long flights', t),
      event('e2', 'travel_agent', 'Noted, window seats it is', t + 1000),
    ]);
    await service.addSessionToMemory(session);
    // A second process adds the whole session again: same ids, no duplicates.
    await new RedisLongTermMemoryService({
      backend: 'opensource-agent-memory',
      apiBaseUrl: baseUrl,
    }).addSessionToMemory(session);
    const { memories } = await service.searchMemory({
      appName: 'travel',
      userId,
      query: 'window seats flights',
    });
    expect(memories).toHaveLength(2);
    expect(memories).toContainEqual({
      content: { role: 'user', parts: [{ text: 'I always book window seats on long flights' }] },
      author: 'user',
      timestamp: new Date(t).toISOString(),
    });
    const listed = await service.search({ appName: 'travel', userId, query: '', limit: 100 });
    expect(listed.map((r) => r.sessionId)).toEqual(['s1', 's1']);
  });

  it("never touches the session's working memory", async () => {
    const userId = uniqueId('user');
    await service.addSessionToMemory(
      sessionOf('travel', userId, 'wm-check', [event('e1', 'user', 'hello there', Date.now())]),
    );
    const { response } = await ams.GET('/v1/working-memory/{session_id}', {
      params: { path: { session_id: 'wm-check' }, query: { namespace: 'travel', user_id: userId } },
    });
    expect(response.status).toBe(404);
  });

  it('keeps users and namespaces apart even when the server falls back to dropping the namespace filter', async () => {
    const alice = uniqueId('alice');
    await service.addMemory({
      appName: 'food',
      userId: alice,
      memories: ['Drinks green tea every morning'],
    });
    // Nothing of alice's in app "travel": AMS's fallback would search again without the namespace.
    expect(await service.search({ appName: 'travel', userId: alice, query: 'green tea' })).toEqual(
      [],
    );
    expect(await service.search({ appName: 'FOOD', userId: alice, query: 'green tea' })).toEqual(
      [],
    );
    expect(
      await service.search({ appName: 'food', userId: alice.toUpperCase(), query: 'green tea' }),
    ).toEqual([]);
    const [found] = await service.search({ appName: 'food', userId: alice, query: 'green tea' });
    expect(found).toMatchObject({ text: 'Drinks green tea every morning', memoryType: 'semantic' });
    expect(
      await service.getMemory({ appName: 'travel', userId: alice, memoryId: found!.id }),
    ).toBeUndefined();
  });

  it('updates, gets and deletes by id; erases a session and a user', async () => {
    const userId = uniqueId('user');
    const { stored } = await service.addMemory({
      appName: 'notes',
      userId,
      memories: ['Prefers aisle seats', 'Lives in Lisbon'],
      customMetadata: { sessionId: 'sx', topics: ['profile'] },
    });
    expect(stored).toHaveLength(2);
    const updated = await service.updateMemory({
      appName: 'notes',
      userId,
      memoryId: stored[0]!,
      text: 'Prefers window seats',
    });
    expect(updated).toMatchObject({
      text: 'Prefers window seats',
      topics: ['profile'],
      sessionId: 'sx',
    });
    expect(await service.deleteMemory({ appName: 'notes', userId, memoryId: stored[0]! })).toBe(
      true,
    );
    expect(
      await service.getMemory({ appName: 'notes', userId, memoryId: stored[0]! }),
    ).toBeUndefined();
    await service.addEventsToMemory({
      appName: 'notes',
      userId,
      sessionId: 'sy',
      events: [event('e1', 'user', 'remember my cat Tom', Date.now())],
    });
    expect(
      (await service.deleteMemories({ appName: 'notes', userId, sessionId: 'sy' })).deleted,
    ).toHaveLength(1);
    expect((await service.deleteMemories({ appName: 'notes', userId })).deleted).toEqual([
      stored[1],
    ]);
    const left = await unwrap(
      ams.POST('/v1/long-term-memory/search', { body: { user_id: { eq: userId } } }),
    );
    expect(left.memories).toEqual([]);
  });

  it('confirms many written records by listing them, not by reading each', async () => {
    const calls: string[] = [];
    const counting = new RedisLongTermMemoryService({
      backend: 'opensource-agent-memory',
      apiBaseUrl: baseUrl,
      fetch: (input, init) => {
        const request = new Request(input, init);
        calls.push(`${request.method} ${new URL(request.url).pathname}`);
        return fetch(request);
      },
    });
    const userId = uniqueId('user');
    const memories = Array.from({ length: 150 }, (_, i) => `Fact number ${i} about the user`);
    const { stored } = await counting.addMemory({ appName: 'bulk', userId, memories });
    expect(stored).toHaveLength(150);
    const t = Date.parse('2025-01-01T00:00:00Z');
    const events = Array.from({ length: 30 }, (_, i) =>
      event(`e${i}`, i % 2 ? 'agent' : 'user', `turn ${i} text`, t + i),
    );
    await counting.addSessionToMemory(sessionOf('bulk', userId, 's-long', events));
    expect(calls.filter((c) => c.startsWith('GET')).length).toBeLessThan(10);
    expect(calls.filter((c) => c === 'POST /v1/long-term-memory/')).toHaveLength(3);
    const listed = await service.search({
      appName: 'bulk',
      userId,
      query: '',
      limit: 100,
      filters: { sessionId: 's-long' },
    });
    expect(listed).toHaveLength(30);
    expect((await service.deleteMemories({ appName: 'bulk', userId })).deleted).toHaveLength(180);
  });

  it('refuses a memory type AMS cannot hold, before sending', async () => {
    await expect(
      service.addMemory({
        appName: 'a',
        userId: 'u',
        memories: ['x'],
        customMetadata: { memoryType: 'custom_kind' },
      }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
