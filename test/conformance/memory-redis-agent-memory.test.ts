/**
 * RedisLongTermMemoryService on the managed Redis Agent Memory API, served by the local
 * contract-checked fake, through the memory conformance suite. The API document does not say what
 * a create with an existing id answers, so the suite runs once per plausible answer (the fake's
 * `existingId` switch): re-ingestion must be idempotent, and apps must stay apart, under each.
 * No divergences are declared: every case is part of the contract on this backend.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { RedisLongTermMemoryService } from '../../src/index.js';
import {
  startFakeRedisAgentMemory,
  type FakeRedisAgentMemory,
  type LongTermMemoryOptions,
} from '../support/fake-redis-agent-memory/index.js';
import type { ExtendedMemoryApi } from './memory/harness.js';
import { runMemoryServiceConformance } from './memory/suite.js';

// The suite's view of the extended API must be what the service offers.
const _contract: (s: RedisLongTermMemoryService) => ExtendedMemoryApi = (s) => s;
void _contract;

const EXISTING_ID_ANSWERS: NonNullable<LongTermMemoryOptions['existingId']>[] = [
  'reject',
  'keep',
  'replace',
];

for (const existingId of EXISTING_ID_ANSWERS) {
  describe(`fake answering an existing id with ${existingId}`, () => {
    let fake: FakeRedisAgentMemory;
    beforeAll(async () => {
      fake = await startFakeRedisAgentMemory({ longTermMemory: { existingId } });
    });
    afterAll(async () => {
      expect(fake.violations).toEqual([]);
      await fake.stop();
    });

    runMemoryServiceConformance(
      `RedisLongTermMemoryService on Redis Agent Memory (fake; existing id: ${existingId})`,
      (config = {}) =>
        new RedisLongTermMemoryService({
          backend: 'redis-agent-memory',
          apiBaseUrl: fake.baseUrl,
          apiKey: fake.apiKey,
          storeId: fake.storeId,
          ...config,
        }),
    );
  });
}
