/**
 * What the memory tools answer the model: a `status` it can branch on, the data, and for
 * failures an `error` sentence that says what to do next. The typed error behind a failure is
 * kept on the result (not serialised) for callbacks: see {@link memoryToolErrorOf}.
 */
import type { MemoryToolRecord } from './service.js';

/** `success`, `not_found` (no such memory for this user) or `error` (see `error_code`). */
export type MemoryToolStatus = 'success' | 'not_found' | 'error';

/**
 * Why a call failed: `invalid_arguments` (fix the arguments), `unknown_memory_id` (search first),
 * `memory_unavailable` (the memory service is down or slow: try later), `no_session` (the tool ran
 * outside an agent run), `memory_error` (anything else).
 */
export type MemoryToolErrorCode =
  'invalid_arguments' | 'unknown_memory_id' | 'memory_unavailable' | 'no_session' | 'memory_error';

/** A failed call, as the model sees it. */
export interface MemoryToolFailure {
  /** `not_found`: no such memory for this user; `error`: see `error_code`. */
  status: 'not_found' | 'error';
  /** Why it failed (absent for `not_found`). */
  error_code?: MemoryToolErrorCode;
  /** What happened and what to do next, for the model. */
  error: string;
}

/** What every memory tool answers: a status the model can branch on. */
export interface MemoryToolResult {
  /** The outcome. */
  status: MemoryToolStatus;
}

/** `search_memory`'s answer. */
export interface SearchMemoryResult {
  /** Always `success` (failures are a {@link MemoryToolFailure}). */
  status: 'success';
  /** The memories found, closest first. */
  memories: MemoryView[];
  /** How many were found. */
  count: number;
}

/** `create_memory`'s answer. */
export interface CreateMemoryResult {
  /** Always `success`. */
  status: 'success';
  /** The new memory's id (usable with update_memory and delete_memory). */
  memory_id: string;
  /** A short confirmation. */
  message: string;
}

/** `get_memory`'s answer. */
export interface GetMemoryResult {
  /** Always `success`. */
  status: 'success';
  /** The memory. */
  memory: MemoryView;
}

/** `update_memory`'s answer. */
export interface UpdateMemoryResult {
  /** Always `success`. */
  status: 'success';
  /** The memory's id. */
  memory_id: string;
  /** The memory as it is now. */
  memory: MemoryView;
  /** A short confirmation. */
  message: string;
}

/** Why one id was not deleted. */
export interface NotDeleted {
  /** The id. */
  id: string;
  /** `unknown_memory_id`: not shown to this user; `not_found`: no longer exists for this user. */
  reason: 'unknown_memory_id' | 'not_found';
}

/** `delete_memory`'s answer when at least one memory was deleted. */
export interface DeleteMemoryResult {
  /** Always `success`. */
  status: 'success';
  /** How many were deleted. */
  deleted_count: number;
  /** The ids deleted. */
  deleted: string[];
  /** The ids not deleted, and why (absent when all were). */
  not_deleted?: NotDeleted[];
  /** A short confirmation. */
  message: string;
}

/** `delete_memory`'s answer when nothing was deleted. */
export interface DeleteMemoryFailure extends MemoryToolFailure {
  /** Always 0. */
  deleted_count: 0;
  /** Every id, and why it was not deleted. */
  not_deleted: NotDeleted[];
}

/** `memory_prompt`'s answer. */
export interface MemoryPromptResult {
  /** Always `success`. */
  status: 'success';
  /** Optional instructions, the memories found, then the query. */
  enriched_prompt: string;
  /** How many memories the prompt holds. */
  memories_used: number;
  /** Those memories. */
  memories: MemoryView[];
}

/** A memory as the model sees it (snake_case, as the Python tools answer). */
export interface MemoryView {
  /** The memory's id. */
  id: string;
  /** Its text (message records: without the `author: ` prefix). */
  content: string;
  /** `semantic`, `episodic`, `message` or a custom type. */
  memory_type: string;
  /** Its topics. */
  topics: string[];
  /** When it was made, ISO 8601. */
  created_at: string;
  /** When it last changed, ISO 8601, when known. */
  updated_at?: string;
  /** Message records: who said it. */
  author?: string;
  /** The ADK session it came from, when it did. */
  session_id?: string;
  /** Search only: similarity in [0, 1], higher is closer. */
  score?: number;
}

/** A record in the model's shape. */
export function memoryView(record: MemoryToolRecord): MemoryView {
  const view: MemoryView = {
    id: record.id,
    content: record.text,
    memory_type: record.memoryType,
    topics: [...record.topics],
    created_at: record.createdAt,
  };
  if (record.updatedAt !== undefined) view.updated_at = record.updatedAt;
  if (record.author !== undefined) view.author = record.author;
  if (record.sessionId !== undefined) view.session_id = record.sessionId;
  if (record.score !== undefined) view.score = record.score;
  return view;
}

const CAUSE = Symbol.for('adk-redis.memoryToolError');

/** A failure result that carries its typed error (non-enumerable: never sent to the model). */
export function failure(
  status: MemoryToolFailure['status'],
  error: string,
  code?: MemoryToolErrorCode,
  cause?: unknown,
): MemoryToolFailure {
  const result: MemoryToolFailure = { status, error };
  if (code) result.error_code = code;
  if (cause !== undefined)
    Object.defineProperty(result, CAUSE, { value: cause, enumerable: false });
  return result;
}

/**
 * The typed error behind a memory tool's failed result (for example in an `afterToolCallback`),
 * or `undefined` when the result is not a failure caused by an error.
 */
export function memoryToolErrorOf(result: unknown): unknown {
  if (typeof result !== 'object' || result === null) return undefined;
  return (result as Record<symbol, unknown>)[CAUSE];
}
