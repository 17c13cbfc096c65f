/**
 * RedisLongTermMemoryService on the real Agent Memory Server through the memory conformance suite.
 * The integration project's shared server has long-term memory off, so this file starts its own
 * with the harness's `long-term-memory` profile (loopback hashed bag-of-words embeddings, every
 * LLM feature off; scripts/ams/PROFILES.md). No divergences are declared: the AMS traps (namespace
 * fallback, global ids, background indexing) are the service's to handle.
 */
import { afterAll, beforeAll } from 'vitest';
import { startMemoryServer, type RunningMemoryServer } from '../../scripts/lib/memory-server.js';
import { RedisLongTermMemoryService } from '../../src/index.js';
import { runMemoryServiceConformance } from './memory/suite.js';

let server: RunningMemoryServer;
beforeAll(async () => {
  server = await startMemoryServer({ profile: 'long-term-memory' });
});
afterAll(async () => {
  await server?.stop();
});

// Each factory() call is a separate service (as a second process would hold) on the same server.
runMemoryServiceConformance(
  'RedisLongTermMemoryService on the Agent Memory Server',
  (config = {}) =>
    new RedisLongTermMemoryService({
      backend: 'opensource-agent-memory',
      apiBaseUrl: server.baseUrl,
      ...config,
    }),
  { timeoutMs: 60_000 },
);
