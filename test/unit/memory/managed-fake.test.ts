/** RedisLongTermMemoryService on the managed fake (real HTTP on loopback). */
import { createEventActions, type Event, type Session } from '@google/adk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  MemoryWriteError,
  RedisLongTermMemoryService,
} from '../../../src/index.js';
import { stableMemoryId } from '../../../src/memory/records.js';
import {
  startFakeRedisAgentMemory,
  type FakeRedisAgentMemory,
} from '../../support/fake-redis-agent-memory/index.js';

const event = (id: string, author: string, text: string, timestamp = 1_700_000_000_000): Event => ({
  id,
  invocationId: 'inv',
  author,
  content: { role: author === 'user' ? 'user' : 'model', parts: [{ text }] },
  actions: createEventActions(),
  timestamp,
});

const session = (appName: string, userId: string, id: string, events: Event[]): Session => ({
  id,
  appName,
  userId,
  state: {},
  events,
  lastUpdateTime: 0,
});

describe.each(['reject', 'keep'] as const)('managed memory (existing id: %s)', (existingId) => {
  let fake: FakeRedisAgentMemory;
  let service: RedisLongTermMemoryService;
  const make = (extra: Record<string, unknown> = {}) =>
    new RedisLongTermMemoryService({
      backend: 'redis-agent-memory',
      apiBaseUrl: fake.baseUrl,
      apiKey: fake.apiKey,
      storeId: fake.storeId,
      retry: { maxRetries: 0 },
      ...extra,
    });

  beforeAll(async () => {
    fake = await startFakeRedisAgentMemory({ longTermMemory: { existingId } });
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    fake.reset();
    service = make();
  });

  const posts = () =>
    fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/long-term-memory'));

  it('stores one message record per event with the Python ids, and only new events the second time', async () => {
    const events = [
      event('e1', 'user', 'I like window seats'),
      event('e2', 'travel_agent', 'Noted: window seats'),
    ];
    const s = session('my_app', 'alice', 's1', events);
    await service.addSessionToMemory(s);
    expect(posts()).toHaveLength(1);
    const body = posts()[0]!.body as { memories: Record<string, unknown>[] };
    expect(body.memories[0]).toMatchObject({
      id: stableMemoryId([
        'adk-redis',
        'event',
        'my-app',
        'alice',
        's1',
        'e1',
        'I like window seats',
      ]),
      text: 'user: I like window seats',
      ownerId: 'alice',
      namespace: 'my-app',
      sessionId: 's1',
      memoryType: 'message',
      topics: ['my_app'],
    });
    await service.addSessionToMemory(s);
    expect(posts()).toHaveLength(1);
    s.events.push(event('e3', 'user', 'Also aisle on short hops'));
    await service.addSessionToMemory(s);
    expect(posts()).toHaveLength(2);
    expect((posts()[1]!.body as { memories: unknown[] }).memories).toHaveLength(1);
    // Another process (a new service) re-sends all and duplicates nothing.
    await make().addSessionToMemory(s);
    const found = await service.search({
      appName: 'my_app',
      userId: 'alice',
      query: '',
      limit: 100,
    });
    expect(found).toHaveLength(3);
    expect(fake.violations).toEqual([]);
  });

  it('returns entries that read naturally: author apart from the text, ISO timestamp', async () => {
    await service.addSessionToMemory(
      session('app', 'u', 's', [event('e1', 'user', 'window seats please')]),
    );
    const { memories } = await service.searchMemory({
      appName: 'app',
      userId: 'u',
      query: 'window seats',
    });
    expect(memories).toEqual([
      {
        content: { role: 'user', parts: [{ text: 'window seats please' }] },
        author: 'user',
        timestamp: new Date(1_700_000_000_000).toISOString(),
      },
    ]);
  });

  it('keeps apps that share a sanitised namespace apart, in search, get, update and delete', async () => {
    const apps = ['my_app', 'My-App', 'my:app'];
    for (const appName of apps) {
      await service.addMemory({
        appName,
        userId: 'bob',
        memories: [`likes tea (${appName})`, 'shared text'],
      });
    }
    for (const appName of apps) {
      const found = await service.search({
        appName,
        userId: 'bob',
        query: 'tea shared text',
        limit: 50,
      });
      expect(found.map((r) => r.text).sort()).toEqual(
        [`likes tea (${appName})`, 'shared text'].sort(),
      );
    }
    const mine = await service.search({ appName: 'my_app', userId: 'bob', query: '', limit: 50 });
    for (const record of mine) {
      expect(
        await service.getMemory({ appName: 'my:app', userId: 'bob', memoryId: record.id }),
      ).toBeUndefined();
      expect(
        await service.deleteMemory({ appName: 'my:app', userId: 'bob', memoryId: record.id }),
      ).toBe(false);
      expect(
        await service.updateMemory({
          appName: 'my:app',
          userId: 'bob',
          memoryId: record.id,
          text: 'x',
        }),
      ).toBeUndefined();
    }
    const { deleted } = await service.deleteMemories({ appName: 'my_app', userId: 'bob' });
    expect(deleted).toHaveLength(2);
    expect(
      await service.search({ appName: 'my:app', userId: 'bob', query: '', limit: 50 }),
    ).toHaveLength(2);
    expect(fake.violations).toEqual([]);
  });

  it("ingests 250 memories in three requests and deletes a session's memories", async () => {
    const memories = Array.from({ length: 250 }, (_, i) => `memory number ${i}`);
    const { stored } = await service.addMemory({
      appName: 'a',
      userId: 'u',
      memories,
      customMetadata: { sessionId: 's9', topics: ['bulk'] },
    });
    expect(stored).toHaveLength(250);
    expect(posts()).toHaveLength(3);
    const { deleted } = await service.deleteMemories({
      appName: 'a',
      userId: 'u',
      sessionId: 's9',
    });
    expect(deleted.sort()).toEqual([...stored].sort());
  });

  it('updates and gets a memory of its own', async () => {
    const { stored } = await service.addMemory({
      appName: 'a',
      userId: 'u',
      memories: ['old text'],
    });
    const updated = await service.updateMemory({
      appName: 'a',
      userId: 'u',
      memoryId: stored[0]!,
      text: 'new text',
      topics: ['t'],
    });
    expect(updated).toMatchObject({
      id: stored[0],
      text: 'new text',
      topics: ['t'],
      memoryType: 'semantic',
    });
    expect(
      await service.getMemory({ appName: 'a', userId: 'u', memoryId: stored[0]! }),
    ).toMatchObject({ text: 'new text' });
    expect(
      await service.getMemory({ appName: 'a', userId: 'u', memoryId: 'adk-missing' }),
    ).toBeUndefined();
  });

  it('refuses bad input before sending anything', async () => {
    await expect(
      service.addMemory({ appName: '', userId: 'u', memories: ['x'] }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(
      service.addMemory({ appName: 'a', userId: 'u', memories: ['  '] }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(
      service.search({ appName: 'a', userId: 'u', query: 'x', limit: 101 }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(fake.requests).toHaveLength(0);
  });

  it('reports a partial bulk failure with the ids stored and failed', async () => {
    const custom = await startFakeRedisAgentMemory({
      longTermMemory: { customMemoryTypes: ['note'] },
    });
    try {
      const other = new RedisLongTermMemoryService({
        backend: 'redis-agent-memory',
        apiBaseUrl: custom.baseUrl,
        apiKey: custom.apiKey,
        storeId: custom.storeId,
      });
      await other.addMemory({
        appName: 'a',
        userId: 'u',
        memories: ['kept'],
        customMetadata: { memoryType: 'note' },
      });
      const error = await other
        .addMemory({
          appName: 'a',
          userId: 'u',
          memories: ['refused'],
          customMetadata: { memoryType: 'unknownType' },
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MemoryWriteError);
      expect((error as MemoryWriteError).stored).toEqual([]);
      expect((error as MemoryWriteError).failed).toHaveLength(1);
      expect((error as MemoryWriteError).code).toBe('ADK_REDIS_MEMORY_WRITE_FAILED');
    } finally {
      await custom.stop();
    }
  });
});
