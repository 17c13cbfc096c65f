/** The memory tools as one set, sharing one service and one registry of the ids each user saw. */
import type { BaseTool } from '@google/adk';
import type { MemoryToolOptions } from './base.js';
import { KnownMemoryIds, type KnownMemoryIdsOptions } from './known-ids.js';
import { GetMemoryTool, MemoryPromptTool, SearchMemoryTool } from './read-tools.js';
import type { MemoryToolService } from './service.js';
import { CreateMemoryTool, DeleteMemoryTool, UpdateMemoryTool } from './write-tools.js';

/** The default names of the memory tools (the Python adk-redis names). */
export const MEMORY_TOOL_NAMES = [
  'search_memory',
  'create_memory',
  'get_memory',
  'update_memory',
  'delete_memory',
  'memory_prompt',
] as const;

/** One of {@link MEMORY_TOOL_NAMES}. */
export type MemoryToolName = (typeof MEMORY_TOOL_NAMES)[number];

/** Options of {@link createMemoryTools}. */
export interface CreateMemoryToolsOptions extends Pick<MemoryToolOptions, 'onError'> {
  /** Which tools to build (default: all six); for example a read-only agent: `['search_memory', 'get_memory']`. */
  include?: readonly MemoryToolName[];
  /** A prefix for every tool name (for example `travel_` gives `travel_search_memory`). */
  namePrefix?: string;
  /** The largest `limit` the model may ask of search_memory and memory_prompt (default 50). */
  maxLimit?: number;
  /** The memory types the model may choose when creating or updating (default `semantic`, `episodic`). */
  memoryTypes?: readonly [string, ...string[]];
  /** Bounds of the per-user registry of ids the tools showed (ids update/delete accept). */
  knownIds?: KnownMemoryIdsOptions;
}

/**
 * The memory tools on one `RedisLongTermMemoryService`: add them to an agent's `tools`. The user
 * and app always come from the session the agent runs in.
 *
 * @example
 * const memory = new RedisLongTermMemoryService({ backend: 'opensource-agent-memory' });
 * const agent = new LlmAgent({ name: 'assistant', model, tools: createMemoryTools(memory) });
 */
export function createMemoryTools(
  memoryService: MemoryToolService,
  options: CreateMemoryToolsOptions = {},
): BaseTool[] {
  const include = new Set<MemoryToolName>(options.include ?? MEMORY_TOOL_NAMES);
  const shared: MemoryToolOptions = { knownIds: new KnownMemoryIds(options.knownIds) };
  if (options.onError) shared.onError = options.onError;
  const name = (tool: MemoryToolName) => ({
    ...shared,
    name: `${options.namePrefix ?? ''}${tool}`,
  });
  const limits = options.maxLimit !== undefined ? { maxLimit: options.maxLimit } : {};
  const types = options.memoryTypes ? { memoryTypes: options.memoryTypes } : {};
  const builders: Record<MemoryToolName, () => BaseTool> = {
    search_memory: () =>
      new SearchMemoryTool(memoryService, { ...name('search_memory'), ...limits }),
    create_memory: () =>
      new CreateMemoryTool(memoryService, { ...name('create_memory'), ...types }),
    get_memory: () => new GetMemoryTool(memoryService, name('get_memory')),
    update_memory: () =>
      new UpdateMemoryTool(memoryService, { ...name('update_memory'), ...types }),
    delete_memory: () => new DeleteMemoryTool(memoryService, name('delete_memory')),
    memory_prompt: () =>
      new MemoryPromptTool(memoryService, { ...name('memory_prompt'), ...limits }),
  };
  return MEMORY_TOOL_NAMES.filter((tool) => include.has(tool)).map((tool) => builders[tool]());
}
