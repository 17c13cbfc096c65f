/**
 * The memory tools that write: `create_memory`, `update_memory` and `delete_memory`. Update and
 * delete act only on ids this user was shown (by search, create or get) and that the service
 * still finds for this user, so a model cannot touch another user's memories by naming their ids.
 */
import { z } from 'zod';
import { MemoryTool, type MemoryToolOptions } from './base.js';
import {
  failure,
  memoryView,
  type CreateMemoryResult,
  type DeleteMemoryFailure,
  type DeleteMemoryResult,
  type MemoryToolFailure,
  type NotDeleted,
  type UpdateMemoryResult,
} from './results.js';
import type { MemoryScope, MemoryToolService } from './service.js';

/** Options of `create_memory` and `update_memory`. */
export interface MemoryWriteToolOptions extends MemoryToolOptions {
  /** The memory types the model may choose (default `semantic` and `episodic`). */
  memoryTypes?: readonly [string, ...string[]];
}

const DEFAULT_TYPES = ['semantic', 'episodic'] as const;

const topics = z
  .array(z.string().trim().min(1))
  .optional()
  .describe('Topics to tag the memory with.');

function memoryTypeSchema(types: readonly [string, ...string[]]) {
  return z
    .enum(types)
    .optional()
    .describe(
      '"semantic" for facts and preferences, "episodic" for events that happened at a time.',
    );
}

function createSchema(types: readonly [string, ...string[]]) {
  return z.object({
    content: z.string().trim().min(1).describe('The memory, as one self-contained sentence.'),
    memory_type: memoryTypeSchema(types),
    topics,
  });
}

/** `create_memory`: stores a memory for the current user. */
export class CreateMemoryTool extends MemoryTool<ReturnType<typeof createSchema>> {
  constructor(memoryService: MemoryToolService, options: MemoryWriteToolOptions = {}) {
    super(
      memoryService,
      createSchema(options.memoryTypes ?? DEFAULT_TYPES),
      {
        name: 'create_memory',
        description:
          'Stores a long-term memory about the current user (a fact, preference or event worth remembering in later conversations). Returns its id.',
      },
      options,
    );
  }

  protected async run(
    args: z.output<ReturnType<typeof createSchema>>,
    scope: MemoryScope,
  ): Promise<CreateMemoryResult | MemoryToolFailure> {
    const metadata: { memoryType?: string; topics?: string[] } = {};
    if (args.memory_type) metadata.memoryType = args.memory_type;
    if (args.topics?.length) metadata.topics = args.topics;
    const { stored } = await this.memoryService.addMemory({
      ...scope,
      memories: [args.content],
      ...(Object.keys(metadata).length > 0 ? { customMetadata: metadata } : {}),
    });
    const id = stored[0];
    if (id === undefined) {
      return failure('error', 'The memory service did not store the memory.', 'memory_error');
    }
    this.knownIds.remember(scope, [id]);
    return { status: 'success' as const, memory_id: id, message: 'Memory stored.' };
  }
}

/** Refuses an id this user was not shown, or that is no longer theirs; undefined when it may be used. */
async function checkOwned(
  service: MemoryToolService,
  known: {
    has(scope: MemoryScope, id: string): boolean;
    forget(scope: MemoryScope, id: string): void;
  },
  scope: MemoryScope,
  memoryId: string,
): Promise<MemoryToolFailure | undefined> {
  if (!known.has(scope, memoryId)) {
    return failure(
      'error',
      `Memory id '${memoryId}' was not returned to this user by search_memory, create_memory or get_memory; call search_memory first and use an id it returns.`,
      'unknown_memory_id',
    );
  }
  if (!(await service.getMemory({ ...scope, memoryId }))) {
    known.forget(scope, memoryId);
    return failure('not_found', `Memory '${memoryId}' no longer exists; search_memory again.`);
  }
  return undefined;
}

function updateSchema(types: readonly [string, ...string[]]) {
  return z
    .object({
      memory_id: z
        .string()
        .trim()
        .min(1)
        .describe('The id of the memory, as search_memory returned it.'),
      content: z.string().trim().min(1).optional().describe('The new text of the memory.'),
      topics: topics.describe('The new topics (replace the old ones).'),
      memory_type: memoryTypeSchema(types),
    })
    .refine(
      (args) =>
        args.content !== undefined || args.topics !== undefined || args.memory_type !== undefined,
      {
        message: 'give content, topics or memory_type to change',
      },
    );
}

/** `update_memory`: changes the text, topics or type of one of the user's memories. */
export class UpdateMemoryTool extends MemoryTool<ReturnType<typeof updateSchema>> {
  constructor(memoryService: MemoryToolService, options: MemoryWriteToolOptions = {}) {
    super(
      memoryService,
      updateSchema(options.memoryTypes ?? DEFAULT_TYPES),
      {
        name: 'update_memory',
        description:
          "Changes one of the current user's long-term memories (when a fact changed). Use an id from search_memory.",
      },
      options,
    );
  }

  protected async run(
    args: z.output<ReturnType<typeof updateSchema>>,
    scope: MemoryScope,
  ): Promise<UpdateMemoryResult | MemoryToolFailure> {
    const refused = await checkOwned(this.memoryService, this.knownIds, scope, args.memory_id);
    if (refused) return refused;
    const updated = await this.memoryService.updateMemory({
      ...scope,
      memoryId: args.memory_id,
      ...(args.content !== undefined ? { text: args.content } : {}),
      ...(args.topics !== undefined ? { topics: args.topics } : {}),
      ...(args.memory_type !== undefined ? { memoryType: args.memory_type } : {}),
    });
    if (!updated) {
      this.knownIds.forget(scope, args.memory_id);
      return failure(
        'not_found',
        `Memory '${args.memory_id}' no longer exists; search_memory again.`,
      );
    }
    return {
      status: 'success' as const,
      memory_id: updated.id,
      memory: memoryView(updated),
      message: 'Memory updated.',
    };
  }
}

const deleteSchema = z.object({
  memory_ids: z
    .array(z.string().trim().min(1))
    .min(1)
    .max(100)
    .describe('The ids of the memories to delete, as search_memory returned them.'),
});

/** `delete_memory`: deletes some of the user's memories (only ids this user was shown). */
export class DeleteMemoryTool extends MemoryTool<typeof deleteSchema> {
  constructor(memoryService: MemoryToolService, options: MemoryToolOptions = {}) {
    super(
      memoryService,
      deleteSchema,
      {
        name: 'delete_memory',
        description:
          "Deletes some of the current user's long-term memories (when the user asks to forget something). Use ids from search_memory.",
      },
      options,
    );
  }

  protected async run(
    args: z.output<typeof deleteSchema>,
    scope: MemoryScope,
  ): Promise<DeleteMemoryResult | DeleteMemoryFailure> {
    const deleted: string[] = [];
    const notDeleted: NotDeleted[] = [];
    for (const memoryId of new Set(args.memory_ids)) {
      const refused = await checkOwned(this.memoryService, this.knownIds, scope, memoryId);
      if (refused) {
        notDeleted.push({
          id: memoryId,
          reason: refused.error_code === 'unknown_memory_id' ? 'unknown_memory_id' : 'not_found',
        });
        continue;
      }
      if (await this.memoryService.deleteMemory({ ...scope, memoryId })) deleted.push(memoryId);
      else notDeleted.push({ id: memoryId, reason: 'not_found' });
      this.knownIds.forget(scope, memoryId);
    }
    if (deleted.length === 0) {
      const unknown = notDeleted.some((entry) => entry.reason === 'unknown_memory_id');
      const result = unknown
        ? failure(
            'error',
            'None of these ids was returned to this user by search_memory; call search_memory first and use the ids it returns.',
            'unknown_memory_id',
          )
        : failure('not_found', 'None of these memories exists any more; search_memory again.');
      return { ...result, deleted_count: 0, not_deleted: notDeleted };
    }
    return {
      status: 'success' as const,
      deleted_count: deleted.length,
      deleted,
      ...(notDeleted.length > 0 ? { not_deleted: notDeleted } : {}),
      message: `Deleted ${deleted.length} memor${deleted.length === 1 ? 'y' : 'ies'}.`,
    };
  }
}
