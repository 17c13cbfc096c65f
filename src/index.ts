/**
 * adk-redis: durable Google ADK sessions and long-term memory on Redis Agent Memory (managed) and
 * the Redis Agent Memory Server (self-hosted), plus typed low-level clients for both APIs.
 * @packageDocumentation
 * @module adk-redis
 */
export * from './common.js';
export * from './sessions/index.js';
export * from './memory/index.js';
export * from './tools/index.js';
export {
  createAgentMemoryServerClient,
  createRedisAgentMemoryClient,
  REDIS_AGENT_MEMORY_ID_PATTERN,
  type AgentMemoryServerClient,
  type AgentMemoryServerClientOptions,
  type RedisAgentMemoryClient,
  type RedisAgentMemoryClientOptions,
  type RedisAgentMemoryPaths,
} from './clients/index.js';
/** Generated OpenAPI types of the Agent Memory Server (also at `adk-redis/agent-memory-server`). */
export type * as AgentMemoryServerApi from './generated/agent-memory-server.js';
/** Generated OpenAPI types of the Redis Agent Memory API (also at `adk-redis/redis-agent-memory`). */
export type * as RedisAgentMemoryApi from './generated/redis-agent-memory.js';
