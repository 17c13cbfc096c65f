/**
 * `adk-redis/memory`: the long-term memory service (`RedisLongTermMemoryService`, ADK's
 * `BaseMemoryService` on Redis Agent Memory or the Agent Memory Server), its config, records and
 * errors.
 * @packageDocumentation
 * @module adk-redis/memory
 */
export * from './memory/index.js';
export * from './common.js';
