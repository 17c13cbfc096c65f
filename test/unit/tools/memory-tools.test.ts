/** The memory tools on the managed fake: scope from the session, ids checked, structured failures. */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BackendError,
  createMemoryTools,
  memoryToolErrorOf,
  MEMORY_TOOL_NAMES,
  RedisLongTermMemoryService,
  SearchMemoryTool,
  UpdateMemoryTool,
  type MemoryToolErrorInfo,
} from '../../../src/index.js';
import type { BaseTool } from '@google/adk';
import {
  startFakeRedisAgentMemory,
  type FakeRedisAgentMemory,
} from '../../support/fake-redis-agent-memory/index.js';
import { call, contextFor, named } from './helpers.js';

describe('memory tools on the managed fake', () => {
  let fake: FakeRedisAgentMemory;
  let service: RedisLongTermMemoryService;
  let tools: BaseTool[];
  let onError: ReturnType<typeof vi.fn<(error: unknown, info: MemoryToolErrorInfo) => void>>;
  const alice = contextFor('alice');
  const bob = contextFor('bob');

  beforeAll(async () => {
    fake = await startFakeRedisAgentMemory();
  });
  afterAll(async () => {
    expect(fake.violations).toEqual([]);
    await fake.stop();
  });
  beforeEach(() => {
    fake.reset();
    service = new RedisLongTermMemoryService({
      backend: 'redis-agent-memory',
      apiBaseUrl: fake.baseUrl,
      apiKey: fake.apiKey,
      storeId: fake.storeId,
      retry: { maxRetries: 0 },
    });
    onError = vi.fn<(error: unknown, info: MemoryToolErrorInfo) => void>();
    tools = createMemoryTools(service, { onError });
  });

  const tool = (name: string) => named(tools, name);
  const create = async (context = alice, content = 'Alice prefers aisle seats') => {
    const result = await call(tool('create_memory'), { content, topics: ['travel'] }, context);
    expect(result).toMatchObject({ status: 'success' });
    return result.memory_id as string;
  };

  it('declares the six tools with the Python names and no user, owner or namespace parameter', () => {
    expect(tools.map((t) => t.name)).toEqual([...MEMORY_TOOL_NAMES]);
    for (const t of tools) {
      const declaration = t._getDeclaration();
      const properties = Object.keys(declaration?.parameters?.properties ?? {});
      expect(properties.length).toBeGreaterThan(0);
      for (const forbidden of ['user_id', 'owner_id', 'namespace', 'app_name']) {
        expect(properties).not.toContain(forbidden);
      }
    }
    expect(tool('search_memory')._getDeclaration()?.parameters?.required).toEqual(['query']);
    expect(tool('create_memory')._getDeclaration()?.parameters?.required).toEqual(['content']);
    expect(tool('delete_memory')._getDeclaration()?.parameters?.required).toEqual(['memory_ids']);
  });

  it('creates, finds, reads, updates and deletes a memory of the session user', async () => {
    const id = await create();
    const found = await call(tool('search_memory'), { query: 'aisle seats', limit: 5 }, alice);
    expect(found).toMatchObject({ status: 'success', count: 1 });
    expect(found.memories).toEqual([
      expect.objectContaining({
        id,
        content: 'Alice prefers aisle seats',
        memory_type: 'semantic',
        topics: ['travel'],
      }),
    ]);

    const updated = await call(
      tool('update_memory'),
      { memory_id: id, content: 'Alice prefers window seats' },
      alice,
    );
    expect(updated).toMatchObject({
      status: 'success',
      memory_id: id,
      memory: { content: 'Alice prefers window seats' },
    });
    expect(await call(tool('get_memory'), { memory_id: id }, alice)).toMatchObject({
      status: 'success',
      memory: { id, content: 'Alice prefers window seats' },
    });

    expect(await call(tool('delete_memory'), { memory_ids: [id] }, alice)).toMatchObject({
      status: 'success',
      deleted_count: 1,
      deleted: [id],
    });
    expect(await call(tool('get_memory'), { memory_id: id }, alice)).toMatchObject({
      status: 'not_found',
    });
    expect(onError).not.toHaveBeenCalled();
  });

  it('filters a search by memory type and topics', async () => {
    await create(alice, 'Alice prefers aisle seats');
    await call(
      tool('create_memory'),
      { content: 'Alice flew to Lisbon in May', memory_type: 'episodic', topics: ['trips'] },
      alice,
    );
    const episodic = await call(
      tool('search_memory'),
      { query: 'Alice', memory_types: ['episodic'] },
      alice,
    );
    expect((episodic.memories as { content: string }[]).map((m) => m.content)).toEqual([
      'Alice flew to Lisbon in May',
    ]);
    const travel = await call(tool('search_memory'), { query: 'Alice', topics: ['travel'] }, alice);
    expect((travel.memories as { content: string }[]).map((m) => m.content)).toEqual([
      'Alice prefers aisle seats',
    ]);
  });

  it("never reads another user's memories, even when the model names that user", async () => {
    await create(alice, 'Alice prefers aisle seats');
    for (const args of [
      { query: 'aisle seats', user_id: 'alice' },
      { query: 'aisle seats', user_id: 'alice', namespace: 'travel', owner_id: 'alice' },
    ]) {
      const result = await call(tool('search_memory'), args, bob);
      expect(result).toMatchObject({ status: 'success', count: 0, memories: [] });
    }
    const prompt = await call(
      tool('memory_prompt'),
      { query: 'aisle seats', user_id: 'alice' },
      bob,
    );
    expect(prompt).toMatchObject({ status: 'success', memories_used: 0 });
    expect(prompt.enriched_prompt).not.toContain('Alice prefers');
  });

  it("refuses to update or delete an id the user was not shown (another user's id), and leaves it alone", async () => {
    const aliceId = await create(alice, 'Alice prefers aisle seats');
    const update = await call(
      tool('update_memory'),
      { memory_id: aliceId, content: 'hacked', user_id: 'alice' },
      bob,
    );
    expect(update).toMatchObject({ status: 'error', error_code: 'unknown_memory_id' });
    expect(update.error).toMatch(/search_memory first/);
    const remove = await call(
      tool('delete_memory'),
      { memory_ids: [aliceId], user_id: 'alice' },
      bob,
    );
    expect(remove).toMatchObject({
      status: 'error',
      error_code: 'unknown_memory_id',
      deleted_count: 0,
      not_deleted: [{ id: aliceId, reason: 'unknown_memory_id' }],
    });
    expect(await call(tool('get_memory'), { memory_id: aliceId }, bob)).toMatchObject({
      status: 'not_found',
    });
    expect(
      await service.getMemory({ appName: 'travel', userId: 'alice', memoryId: aliceId }),
    ).toMatchObject({
      text: 'Alice prefers aisle seats',
    });
    // The refusals reached the developer's callback; the not-found read is not an error.
    expect(
      onError.mock.calls.map(([, info]) => [info.tool, info.scope?.userId, info.result.error_code]),
    ).toEqual([
      ['update_memory', 'bob', 'unknown_memory_id'],
      ['delete_memory', 'bob', 'unknown_memory_id'],
    ]);
  });

  it('checks ownership with the service before acting, even for an id it remembers', async () => {
    const aliceId = await create(alice, 'Alice prefers aisle seats');
    // Ids shown to one user never count for another.
    await call(tool('search_memory'), { query: 'aisle' }, alice);
    const shared = createMemoryTools(service);
    // A registry that (wrongly) lists alice's id for bob: the service still refuses.
    const update = new UpdateMemoryTool(service);
    (
      update as unknown as { knownIds: { remember(s: unknown, ids: string[]): void } }
    ).knownIds.remember({ appName: 'travel', userId: 'bob' }, [aliceId]);
    expect(await call(update, { memory_id: aliceId, content: 'hacked' }, bob)).toMatchObject({
      status: 'not_found',
    });
    expect(
      await call(named(shared, 'delete_memory'), { memory_ids: [aliceId] }, bob),
    ).toMatchObject({
      error_code: 'unknown_memory_id',
    });
    expect(
      await service.getMemory({ appName: 'travel', userId: 'alice', memoryId: aliceId }),
    ).toMatchObject({
      text: 'Alice prefers aisle seats',
    });
  });

  it('keeps apps apart: the same user in another app sees nothing', async () => {
    await create(alice, 'Alice prefers aisle seats');
    const otherApp = contextFor('alice', 'banking');
    expect(await call(tool('search_memory'), { query: 'aisle seats' }, otherApp)).toMatchObject({
      count: 0,
    });
  });

  it('tools built separately on one service share the ids each user was shown', async () => {
    const id = await create();
    const search = new SearchMemoryTool(service);
    const update = new UpdateMemoryTool(service);
    expect(await call(update, { memory_id: id, content: 'x' }, alice)).toMatchObject({
      error_code: 'unknown_memory_id',
    });
    await call(search, { query: 'aisle' }, alice);
    expect(
      await call(update, { memory_id: id, content: 'Alice likes exit rows' }, alice),
    ).toMatchObject({
      status: 'success',
    });
  });

  it('answers invalid arguments with what to fix, before anything is sent', async () => {
    const before = fake.requests.length;
    const results = [
      await call(tool('search_memory'), { query: '  ' }, alice),
      await call(tool('search_memory'), { query: 'x', limit: 0 }, alice),
      await call(tool('create_memory'), { content: 'x', memory_type: 'nonsense' }, alice),
      await call(tool('update_memory'), { memory_id: 'adk-1' }, alice),
      await call(tool('delete_memory'), { memory_ids: [] }, alice),
    ];
    for (const result of results) {
      expect(result).toMatchObject({ status: 'error', error_code: 'invalid_arguments' });
      expect(result.error).toMatch(/Fix them and call again/);
    }
    expect(fake.requests.length).toBe(before);
    expect(onError).toHaveBeenCalledTimes(results.length);
  });

  it('answers memory_unavailable when the service is down, and gives the typed error to onError', async () => {
    fake.injectFault({ status: 503, times: 5 });
    const result = await call(tool('search_memory'), { query: 'aisle' }, alice);
    expect(result).toEqual({
      status: 'error',
      error_code: 'memory_unavailable',
      error: expect.stringMatching(/unavailable/) as string,
    });
    const error = memoryToolErrorOf(result);
    expect(error).toBeInstanceOf(BackendError);
    expect(onError).toHaveBeenCalledWith(
      error,
      expect.objectContaining({
        tool: 'search_memory',
        scope: { appName: 'travel', userId: 'alice' },
      }),
    );
    // What the model gets carries no error object.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('memory_prompt puts the memories it found in the prompt and counts them', async () => {
    const id = await create(alice, 'Alice prefers aisle seats');
    const result = await call(
      tool('memory_prompt'),
      { query: 'which seat for alice?', system_prompt: 'Be brief.' },
      alice,
    );
    expect(result).toMatchObject({ status: 'success', memories_used: 1 });
    expect(result.enriched_prompt).toBe(
      `Be brief.\n\nRelevant long-term memories:\n- Alice prefers aisle seats (id: ${id})\n\nCurrent query:\nwhich seat for alice?`,
    );
  });

  it('refuses to run outside a session', async () => {
    const result = await call(tool('search_memory'), { query: 'x' }, {} as never);
    expect(result).toMatchObject({ status: 'error', error_code: 'no_session' });
  });

  it('builds only the tools asked for, with a prefix', () => {
    const some = createMemoryTools(service, {
      include: ['search_memory', 'get_memory'],
      namePrefix: 'travel_',
    });
    expect(some.map((t) => t.name)).toEqual(['travel_search_memory', 'travel_get_memory']);
  });
});
