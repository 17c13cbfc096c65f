/**
 * The shared shape of the memory tools: a zod schema the model sees, arguments checked before
 * anything is sent, the user and app taken from the tool context's session (never from the
 * model), and every failure turned into a result the model can act on while the typed error goes
 * to the developer's `onError` (default: ADK's logger).
 */
import {
  BaseTool,
  getLogger,
  zodObjectToSchema,
  type Context,
  type RunAsyncToolRequest,
} from '@google/adk';
import type { FunctionDeclaration } from '@google/genai';
import type { z } from 'zod';
import { knownIdsOf, type KnownMemoryIds } from './known-ids.js';
import {
  failure,
  memoryToolErrorOf,
  type MemoryToolErrorCode,
  type MemoryToolFailure,
  type MemoryToolResult,
} from './results.js';
import type { MemoryScope, MemoryToolService } from './service.js';

/** Where a memory tool failure happened, for `onError`. */
export interface MemoryToolErrorInfo {
  /** The tool's name. */
  tool: string;
  /** The app and user the call acted for (absent when the tool ran without a session). */
  scope?: MemoryScope;
  /** The arguments the model sent. */
  args: Record<string, unknown>;
  /** What the model was told. */
  result: MemoryToolFailure;
}

/** Options every memory tool takes. */
export interface MemoryToolOptions {
  /** The tool's name as the model sees it (default: the Python package's name). */
  name?: string;
  /** The description the model sees (default: a description of what the tool does). */
  description?: string;
  /**
   * Called with the typed error of every failed call (the model gets a status and a sentence).
   * Default: ADK's logger at warn level.
   */
  onError?: (error: unknown, info: MemoryToolErrorInfo) => void;
  /** The ids shown to each user (default: one registry per service, shared by its tools). */
  knownIds?: KnownMemoryIds;
}

/** The schema type every memory tool declares. */
export type MemoryToolSchema = z.ZodObject<z.ZodRawShape>;

/** A memory tool: declaration from a zod schema, scope from the session, structured results. */
export abstract class MemoryTool<S extends MemoryToolSchema> extends BaseTool {
  /** The ids each user was shown (shared by the tools of one service or toolset). */
  protected readonly knownIds: KnownMemoryIds;
  private readonly onError: (error: unknown, info: MemoryToolErrorInfo) => void;

  protected constructor(
    /** The long-term memory service every call goes to. */
    protected readonly memoryService: MemoryToolService,
    private readonly schema: S,
    defaults: { name: string; description: string },
    options: MemoryToolOptions,
  ) {
    super({
      name: options.name ?? defaults.name,
      description: options.description ?? defaults.description,
    });
    this.knownIds = options.knownIds ?? knownIdsOf(memoryService);
    this.onError = options.onError ?? logError;
  }

  override _getDeclaration(): FunctionDeclaration {
    return {
      name: this.name,
      description: this.description,
      parameters: zodObjectToSchema(this.schema),
    };
  }

  override async runAsync({ args, toolContext }: RunAsyncToolRequest): Promise<unknown> {
    const scope = scopeOf(toolContext);
    let result: MemoryToolResult;
    if (!scope) {
      result = failure('error', 'This tool can only run inside an agent session.', 'no_session');
    } else {
      const parsed = this.schema.safeParse(args ?? {});
      if (!parsed.success) {
        const problems = parsed.error.issues
          .map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`)
          .join('; ');
        result = failure(
          'error',
          `Invalid arguments (${problems}). Fix them and call again.`,
          'invalid_arguments',
          parsed.error,
        );
      } else {
        try {
          result = await this.run(parsed.data, scope);
        } catch (error) {
          result = failureFor(error);
        }
      }
    }
    if (result.status === 'error') {
      const failed = result as MemoryToolFailure;
      this.onError(memoryToolErrorOf(failed) ?? new Error(failed.error), {
        tool: this.name,
        ...(scope ? { scope } : {}),
        args: args ?? {},
        result: failed,
      });
    }
    return result;
  }

  /** The tool's work, with checked arguments, for the session's app and user. */
  protected abstract run(args: z.output<S>, scope: MemoryScope): Promise<MemoryToolResult>;
}

/** The app and user of the tool context's session, or undefined outside a session. */
function scopeOf(toolContext: Context | undefined): MemoryScope | undefined {
  const session = toolContext?.invocationContext?.session;
  if (!session?.appName || !session.userId) return undefined;
  return { appName: session.appName, userId: session.userId };
}

/** What the model is told about a thrown error. */
function failureFor(error: unknown): MemoryToolFailure {
  const { name, status } = (error ?? {}) as { name?: string; status?: number };
  let code: MemoryToolErrorCode = 'memory_error';
  let sentence = 'The memory service refused the request; do not retry it as it is.';
  if (name === 'InvalidArgumentError') {
    code = 'invalid_arguments';
    sentence = `Invalid arguments: ${(error as Error).message}. Fix them and call again.`;
  } else if (
    name === 'TimeoutError' ||
    name === 'NetworkError' ||
    (name === 'BackendError' && typeof status === 'number' && (status >= 500 || status === 429))
  ) {
    code = 'memory_unavailable';
    sentence =
      'The memory service is unavailable right now; tell the user memory is unavailable, or try again later.';
  }
  return failure('error', sentence, code, error);
}

function logError(error: unknown, info: MemoryToolErrorInfo): void {
  getLogger().warn(
    `adk-redis memory tool ${info.tool} failed (${info.result.error_code ?? info.result.status}):`,
    error,
  );
}
