/**
 * Our service on the managed Redis Agent Memory API, served by the local contract-checked fake
 * (every request and response validated against the API's OpenAPI document), with no divergences.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { RedisSessionMemoryService } from '../../src/index.js';
import {
  startFakeRedisAgentMemory,
  type FakeRedisAgentMemory,
} from '../support/fake-redis-agent-memory/index.js';
import { runSessionServiceConformance } from './suite.js';

let fake: FakeRedisAgentMemory;
beforeAll(async () => {
  fake = await startFakeRedisAgentMemory();
});
afterAll(async () => {
  expect(fake.violations).toEqual([]);
  await fake.stop();
});

const service = (extra: object = {}) =>
  new RedisSessionMemoryService({
    backend: 'redis-agent-memory',
    apiBaseUrl: fake.baseUrl,
    apiKey: fake.apiKey,
    storeId: fake.storeId,
    ...extra,
  });

runSessionServiceConformance('RedisSessionMemoryService on Redis Agent Memory (fake)', () =>
  service(),
);

runSessionServiceConformance(
  'RedisSessionMemoryService on Redis Agent Memory (fake), shared defaultNamespace',
  () => service({ defaultNamespace: 'shared-namespace' }),
);
