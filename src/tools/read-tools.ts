/** The memory tools that read: `search_memory`, `get_memory` and `memory_prompt`. */
import { z } from 'zod';
import { MemoryTool, type MemoryToolOptions } from './base.js';
import {
  failure,
  memoryView,
  type GetMemoryResult,
  type MemoryPromptResult,
  type MemoryToolFailure,
  type SearchMemoryResult,
} from './results.js';
import type { MemoryScope, MemoryToolRecord, MemoryToolService } from './service.js';

/** Options of the tools that search. */
export interface MemorySearchToolOptions extends MemoryToolOptions {
  /** The largest `limit` the model may ask for (default 50; the service's `searchTopK` when it asks none). */
  maxLimit?: number;
}

const query = z.string().trim().min(1).describe('What to look for, in natural language.');

function limitSchema(maxLimit: number) {
  return z
    .number()
    .int()
    .min(1)
    .max(maxLimit)
    .optional()
    .describe(`How many memories to return at most (1 to ${maxLimit}).`);
}

const searchFilters = {
  memory_types: z
    .array(z.string().min(1))
    .optional()
    .describe(
      'Only memories of these types: "semantic" (facts, preferences), "episodic" (events), "message" (past conversation turns).',
    ),
  topics: z
    .array(z.string().min(1))
    .optional()
    .describe('Only memories tagged with one of these topics.'),
};

function searchSchema(maxLimit: number) {
  return z.object({ query, limit: limitSchema(maxLimit), ...searchFilters });
}

async function searchFor(
  service: MemoryToolService,
  scope: MemoryScope,
  args: { query: string; limit?: number; memory_types?: string[]; topics?: string[] },
): Promise<MemoryToolRecord[]> {
  const filters: { memoryTypes?: string[]; topics?: string[] } = {};
  if (args.memory_types?.length) filters.memoryTypes = args.memory_types;
  if (args.topics?.length) filters.topics = args.topics;
  return service.search({
    ...scope,
    query: args.query,
    ...(args.limit !== undefined ? { limit: args.limit } : {}),
    ...(Object.keys(filters).length > 0 ? { filters } : {}),
  });
}

/** `search_memory`: the user's long-term memories closest to a query. */
export class SearchMemoryTool extends MemoryTool<ReturnType<typeof searchSchema>> {
  constructor(memoryService: MemoryToolService, options: MemorySearchToolOptions = {}) {
    super(
      memoryService,
      searchSchema(options.maxLimit ?? 50),
      {
        name: 'search_memory',
        description:
          "Searches the current user's long-term memory (facts, preferences, past events and conversations) for what is relevant to a query. Returns the memories with their ids, closest first.",
      },
      options,
    );
  }

  protected async run(
    args: z.output<ReturnType<typeof searchSchema>>,
    scope: MemoryScope,
  ): Promise<SearchMemoryResult> {
    const records = await searchFor(this.memoryService, scope, args);
    this.knownIds.remember(
      scope,
      records.map((record) => record.id),
    );
    return { status: 'success', memories: records.map(memoryView), count: records.length };
  }
}

const getSchema = z.object({
  memory_id: z
    .string()
    .trim()
    .min(1)
    .describe('The id of the memory, as search_memory or create_memory returned it.'),
});

/** `get_memory`: one of the user's memories by id (another user's id answers `not_found`). */
export class GetMemoryTool extends MemoryTool<typeof getSchema> {
  constructor(memoryService: MemoryToolService, options: MemoryToolOptions = {}) {
    super(
      memoryService,
      getSchema,
      {
        name: 'get_memory',
        description: "Reads one of the current user's long-term memories by its id.",
      },
      options,
    );
  }

  protected async run(
    args: z.output<typeof getSchema>,
    scope: MemoryScope,
  ): Promise<GetMemoryResult | MemoryToolFailure> {
    const record = await this.memoryService.getMemory({ ...scope, memoryId: args.memory_id });
    if (!record) {
      this.knownIds.forget(scope, args.memory_id);
      return failure(
        'not_found',
        `No memory with id '${args.memory_id}' for this user; use search_memory to find ids.`,
      );
    }
    this.knownIds.remember(scope, [record.id]);
    return { status: 'success' as const, memory: memoryView(record) };
  }
}

function promptSchema(maxLimit: number) {
  return z.object({
    query: z.string().trim().min(1).describe("The user's current query."),
    system_prompt: z.string().optional().describe('Instructions to put before the memories.'),
    limit: limitSchema(maxLimit),
  });
}

/**
 * `memory_prompt`: the query enriched with the user's relevant memories (unlike the Python tool on
 * AMS, the memories found are always in the prompt and counted).
 */
export class MemoryPromptTool extends MemoryTool<ReturnType<typeof promptSchema>> {
  constructor(memoryService: MemoryToolService, options: MemorySearchToolOptions = {}) {
    super(
      memoryService,
      promptSchema(options.maxLimit ?? 50),
      {
        name: 'memory_prompt',
        description:
          "Builds a prompt from the user's query and the long-term memories relevant to it, to answer with what you know about the user.",
      },
      options,
    );
  }

  protected async run(
    args: z.output<ReturnType<typeof promptSchema>>,
    scope: MemoryScope,
  ): Promise<MemoryPromptResult> {
    const records = await searchFor(this.memoryService, scope, args);
    this.knownIds.remember(
      scope,
      records.map((record) => record.id),
    );
    return {
      status: 'success' as const,
      enriched_prompt: enrichedPrompt(args.query, records, args.system_prompt),
      memories_used: records.length,
      memories: records.map(memoryView),
    };
  }
}

/** The prompt: optional instructions, the memories as a list, then the query. */
export function enrichedPrompt(
  query: string,
  records: readonly MemoryToolRecord[],
  systemPrompt?: string,
): string {
  const sections: string[] = [];
  if (systemPrompt?.trim()) sections.push(systemPrompt.trim());
  if (records.length > 0) {
    const lines = records.map((record) => `- ${record.text} (id: ${record.id})`);
    sections.push(`Relevant long-term memories:\n${lines.join('\n')}`);
  } else {
    sections.push('Relevant long-term memories: none found.');
  }
  sections.push(`Current query:\n${query}`);
  return sections.join('\n\n');
}
