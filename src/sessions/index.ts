/** The session layer: everything public about it. */
export { RedisSessionMemoryService } from './service.js';
export {
  OPENSOURCE_AGENT_MEMORY_BACKEND,
  REDIS_AGENT_MEMORY_BACKEND,
  redisSessionMemoryServiceConfigSchema,
  type ExtractionStrategy,
  type RedisSessionMemoryServiceConfig,
  type SessionBackendName,
} from './config.js';
export {
  SessionAlreadyExistsError,
  SessionError,
  SessionNotFoundError,
  StaleSessionError,
  type SessionKey,
} from './errors.js';
export {
  RedisWorkingMemorySessionService,
  RedisWorkingMemorySessionServiceConfig,
} from './deprecated.js';
