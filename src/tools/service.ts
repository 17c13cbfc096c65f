/**
 * What the memory tools and the ingestion plugin need from a long-term memory service: the
 * tenant-scoped methods of `RedisLongTermMemoryService`. Typed structurally so that the tools
 * depend on the contract, not on one class.
 */
import type { Event } from '@google/adk';

/** A memory type: the built-in ones, or a custom type the store accepts. */
export type MemoryToolMemoryType = 'semantic' | 'episodic' | 'message' | (string & {});

/** One long-term memory record as the service returns it. */
export interface MemoryToolRecord {
  id: string;
  /** The memory's text (message records: without the `author: ` prefix). */
  text: string;
  author?: string;
  memoryType: MemoryToolMemoryType;
  topics: string[];
  sessionId?: string;
  createdAt: string;
  updatedAt?: string;
  /** Search only: similarity in [0, 1], higher is closer; absent when the backend gives none. */
  score?: number;
}

/** The app and user a call acts for: always taken from the ADK session, never from the model. */
export interface MemoryScope {
  appName: string;
  userId: string;
}

/** The long-term memory operations the tools call (all scoped to one app and user). */
export interface MemoryToolService {
  search(
    request: MemoryScope & {
      query: string;
      limit?: number;
      filters?: { memoryTypes?: MemoryToolMemoryType[]; topics?: string[]; sessionId?: string };
    },
  ): Promise<MemoryToolRecord[]>;
  addMemory(
    request: MemoryScope & {
      memories: string[];
      customMetadata?: { memoryType?: MemoryToolMemoryType; topics?: string[]; sessionId?: string };
    },
  ): Promise<{ stored: string[] }>;
  getMemory(request: MemoryScope & { memoryId: string }): Promise<MemoryToolRecord | undefined>;
  updateMemory(
    request: MemoryScope & {
      memoryId: string;
      text?: string;
      topics?: string[];
      memoryType?: MemoryToolMemoryType;
    },
  ): Promise<MemoryToolRecord | undefined>;
  deleteMemory(request: MemoryScope & { memoryId: string }): Promise<boolean>;
}

/** What the ingestion plugin needs: an incremental write of session events. */
export interface MemoryIngestionService {
  addEventsToMemory(
    request: MemoryScope & { events: Event[]; sessionId?: string },
  ): Promise<{ stored: string[] }>;
}
