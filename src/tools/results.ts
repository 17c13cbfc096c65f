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
  status: 'not_found' | 'error';
  error_code?: MemoryToolErrorCode;
  error: string;
}

/** A memory as the model sees it (snake_case, as the Python tools answer). */
export interface MemoryView {
  id: string;
  content: string;
  memory_type: string;
  topics: string[];
  created_at: string;
  updated_at?: string;
  author?: string;
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
