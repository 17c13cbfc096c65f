/** The session layer: everything public about it. */
export { RedisSessionMemoryService } from './service.js';
export type { ConnectionReport } from '../shared/check.js';
export {
  OPENSOURCE_AGENT_MEMORY_BACKEND,
  REDIS_AGENT_MEMORY_BACKEND,
  redisSessionMemoryServiceConfigSchema,
  type ExtractionStrategy,
  type RedisSessionMemoryServiceConfig,
  type SessionBackendName,
} from './config.js';
export { getSessionRetention } from './retention.js';
export type { RetentionNote } from './store.js';
export {
  EventTooLargeError,
  SessionAlreadyExistsError,
  SessionIdCollisionError,
  SessionError,
  SessionHistoryMissingError,
  SessionNotFoundError,
  StaleSessionError,
  type SessionKey,
} from './errors.js';
export {
  RedisWorkingMemorySessionService,
  RedisWorkingMemorySessionServiceConfig,
} from './deprecated.js';
