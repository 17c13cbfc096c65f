/**
 * Our service on the real Agent Memory Server (started by the integration project's global setup)
 * against the whole contract, with no declared divergences.
 */
import { inject } from 'vitest';
import { RedisSessionMemoryService } from '../../src/index.js';
import { runSessionServiceConformance } from './suite.js';

const apiBaseUrl = inject('amsBaseUrl');

// Each factory() call is a separate service (as a second process would hold) on the same server.
runSessionServiceConformance(
  'RedisSessionMemoryService on the Agent Memory Server',
  () => new RedisSessionMemoryService({ backend: 'opensource-agent-memory', apiBaseUrl }),
  { timeoutMs: 60_000 },
);

runSessionServiceConformance(
  'RedisSessionMemoryService on the Agent Memory Server, shared defaultNamespace',
  () =>
    new RedisSessionMemoryService({
      backend: 'opensource-agent-memory',
      apiBaseUrl,
      defaultNamespace: 'adk-redis-conformance-shared',
    }),
  { timeoutMs: 60_000 },
);
