/**
 * RedisLongTermMemoryService.checkConnection(): passes where long-term memory answers, and fails
 * typed where a misconfiguration would otherwise look like an empty memory.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  BackendError,
  RedisLongTermMemoryService,
  StoreNotFoundError,
  isAdkRedisError,
} from '../../../src/index.js';
import {
  startFakeRedisAgentMemory,
  type FakeRedisAgentMemory,
} from '../../support/fake-redis-agent-memory/index.js';

describe('RedisLongTermMemoryService.checkConnection', () => {
  let fake: FakeRedisAgentMemory;
  beforeAll(async () => {
    fake = await startFakeRedisAgentMemory();
  });
  afterAll(async () => {
    await fake?.stop();
  });

  it('reports an AMS with long-term memory on, with its version', async () => {
    const service = new RedisLongTermMemoryService({
      backend: 'opensource-agent-memory',
      apiBaseUrl: inject('amsBaseUrl'),
    });
    const report = await service.checkConnection();
    expect(report.backend).toBe('opensource-agent-memory');
    expect(report.serverVersion).toBe('0.15.2');
  });

  it('reports the managed store when it answers', async () => {
    const service = new RedisLongTermMemoryService({
      backend: 'redis-agent-memory',
      apiBaseUrl: fake.baseUrl,
      apiKey: fake.apiKey,
      storeId: fake.storeId,
    });
    const report = await service.checkConnection();
    expect(report).toMatchObject({ backend: 'redis-agent-memory', storeId: fake.storeId });
    expect(fake.violations).toEqual([]);
  });

  it('throws StoreNotFoundError for a store id the service does not know', async () => {
    const service = new RedisLongTermMemoryService({
      backend: 'redis-agent-memory',
      apiBaseUrl: fake.baseUrl,
      apiKey: fake.apiKey,
      storeId: 'no-such-store',
      retry: { maxRetries: 0 },
    });
    const error: unknown = await service.checkConnection().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreNotFoundError);
    expect(isAdkRedisError(error)).toBe(true);
    expect(String(error)).not.toContain(fake.apiKey);
  });

  it('throws a BackendError, not an empty result, when the base URL has an extra path', async () => {
    const service = new RedisLongTermMemoryService({
      backend: 'opensource-agent-memory',
      apiBaseUrl: `${inject('amsBaseUrl')}/v1`,
      retry: { maxRetries: 0 },
    });
    await expect(service.checkConnection()).rejects.toBeInstanceOf(BackendError);
  });
});
