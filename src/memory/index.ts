/** The long-term memory service: everything public about it. */
export {
  redisLongTermMemoryServiceConfigSchema,
  type MemoryType,
  type RedisLongTermMemoryServiceConfig,
} from './config.js';
export {
  MemoryError,
  MemoryWriteError,
  type FailedMemoryWrite,
  type MemoryOwner,
} from './errors.js';
export type { AddMemoriesResult, MemoryFilters, MemoryRecord } from './records.js';
export {
  RedisLongTermMemoryService,
  type AddEventsToMemoryRequest,
  type AddMemoryRequest,
  type DeleteMemoriesRequest,
  type DeleteMemoriesResult,
  type MemoryIdRequest,
  type MemoryOwnerRequest,
  type MemorySearchRequest,
  type UpdateMemoryRequest,
} from './service.js';
