/**
 * Long-term memory in agents: tools that let a model manage its user's memories, and automatic
 * ingestion of each turn into long-term memory.
 * @module adk-redis/tools
 */
export {
  MemoryTool,
  type MemoryToolErrorInfo,
  type MemoryToolOptions,
  type MemoryToolSchema,
} from './base.js';
export { KnownMemoryIds, type KnownMemoryIdsOptions } from './known-ids.js';
export {
  GetMemoryTool,
  MemoryPromptTool,
  SearchMemoryTool,
  enrichedPrompt,
  type MemorySearchToolOptions,
} from './read-tools.js';
export {
  CreateMemoryTool,
  DeleteMemoryTool,
  UpdateMemoryTool,
  type MemoryWriteToolOptions,
} from './write-tools.js';
export {
  memoryToolErrorOf,
  type CreateMemoryResult,
  type DeleteMemoryFailure,
  type DeleteMemoryResult,
  type GetMemoryResult,
  type MemoryPromptResult,
  type MemoryToolErrorCode,
  type MemoryToolFailure,
  type MemoryToolResult,
  type MemoryToolStatus,
  type MemoryView,
  type NotDeleted,
  type SearchMemoryResult,
  type UpdateMemoryResult,
} from './results.js';
export {
  MEMORY_TOOL_NAMES,
  createMemoryTools,
  type CreateMemoryToolsOptions,
  type MemoryToolName,
} from './toolset.js';
export {
  MemoryIngestion,
  MemoryIngestionPlugin,
  createMemoryIngestionCallback,
  type MemoryIngestionErrorInfo,
  type MemoryIngestionOptions,
} from './ingestion.js';
export type {
  MemoryIngestionService,
  MemoryScope,
  MemoryToolMemoryType,
  MemoryToolRecord,
  MemoryToolService,
} from './service.js';
