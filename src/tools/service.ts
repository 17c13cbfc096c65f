/**
 * What the memory tools and the ingestion plugin need from the long-term memory service: the
 * tenant-scoped methods of `RedisLongTermMemoryService` (a structural pick, so tests and wrappers
 * can stand in for it).
 */
import type { MemoryRecord, MemoryType, RedisLongTermMemoryService } from '../memory/index.js';

/** A memory type: the built-in ones, or a custom type the store accepts. */
export type MemoryToolMemoryType = MemoryType;

/** One long-term memory record as the service returns it. */
export type MemoryToolRecord = MemoryRecord;

/** The app and user a call acts for: always taken from the ADK session, never from the model. */
export interface MemoryScope {
  /** The ADK app name of the session. */
  appName: string;
  /** The ADK user id of the session. */
  userId: string;
}

/** The long-term memory operations the tools call (all scoped to one app and user). */
export type MemoryToolService = Pick<
  RedisLongTermMemoryService,
  'search' | 'addMemory' | 'getMemory' | 'updateMemory' | 'deleteMemory'
>;

/** What the ingestion plugin needs: an incremental write of session events. */
export type MemoryIngestionService = Pick<RedisLongTermMemoryService, 'addEventsToMemory'>;
