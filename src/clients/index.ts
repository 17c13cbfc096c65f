/** The hand-written client layer: everything public about it. */
export {
  AdkRedisError,
  AuthenticationError,
  BackendError,
  EndpointNotFoundError,
  StoreNotFoundError,
  WrongApiError,
  isAdkRedisError,
  ConfigurationError,
  InvalidArgumentError,
  MalformedResponseError,
  NetworkError,
  TimeoutError,
  type BackendErrorInit,
  type BackendFieldError,
  type BackendName,
} from './errors.js';
export type { CommonClientOptions, DebugEvent, RetryOptions } from './options.js';
export {
  baseUrlSchema,
  fetchOptionSchema,
  isHeaderValue,
  onDebugOptionSchema,
  retryOptionsSchema,
} from './options.js';
export { RETRY_SAFE_HEADER, USER_AGENT, retrySafe } from './transport.js';
export { backendErrorFrom, unwrap, type FetchResult, type SuccessData } from './unwrap.js';
export {
  createAgentMemoryServerClient,
  type AgentMemoryServerClient,
  type AgentMemoryServerClientOptions,
  type AmsMemoryMessage,
  type AmsMemoryStrategy,
  type AmsModelName,
  type AmsWorkingMemory,
  type AmsWorkingMemoryUpdate,
} from './agent-memory-server.js';
export {
  REDIS_AGENT_MEMORY_ID_PATTERN,
  createRedisAgentMemoryClient,
  type RedisAgentMemoryClient,
  type RedisAgentMemoryClientOptions,
  type RedisAgentMemoryPaths,
  type RamAddSessionEvent,
  type RamMessageRole,
  type RamSessionEvent,
  type RamSessionMemory,
  type RamSessionSummary,
} from './redis-agent-memory.js';
