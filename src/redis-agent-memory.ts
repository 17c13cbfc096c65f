/**
 * `adk-redis/redis-agent-memory`: the Redis Agent Memory Data Plane API's low-level client and its
 * generated OpenAPI types (`paths`, `components`, `operations`).
 * @packageDocumentation
 * @module adk-redis/redis-agent-memory
 */
export {
  REDIS_AGENT_MEMORY_ID_PATTERN,
  createRedisAgentMemoryClient,
  type RedisAgentMemoryClient,
  type RedisAgentMemoryClientOptions,
  type RedisAgentMemoryPaths,
} from './clients/redis-agent-memory.js';
export type { paths, components, operations } from './generated/redis-agent-memory.js';
export * from './common.js';
