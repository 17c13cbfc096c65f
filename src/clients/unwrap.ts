/** Turns openapi-fetch results into data or typed errors. */
import { BackendError, type BackendName } from './errors.js';
import { parseProblem } from './problem.js';
import { responseContext } from './transport.js';

/**
 * The shape openapi-fetch resolves to.
 * @category Clients
 */
export interface FetchResult {
  /** The parsed body of a successful response. */
  data?: unknown;
  /** The parsed body of an error response. */
  error?: unknown;
  /** The raw response (status, headers). */
  response: Response;
}

/**
 * The success data type of an openapi-fetch result.
 * @category Clients
 */
export type SuccessData<R> = R extends {
  /** The success body's type, inferred. */
  data: infer D;
}
  ? D
  : never;

/**
 * Builds a BackendError from an error response and its parsed body (what openapi-fetch returns
 * as `error`). Secrets are redacted from every text taken from the body.
 */
export function backendErrorFrom(
  response: Response,
  body: unknown,
  fallbackBackend?: BackendName,
): BackendError {
  const context = responseContext(response);
  const redact = context?.redact ?? ((text: string) => text);
  const problem = parseProblem(body, redact);
  return new BackendError({
    backend: context?.backend ?? fallbackBackend ?? 'opensource-agent-memory',
    status: response.status,
    method: context?.method ?? 'GET',
    path: context?.path ?? safePath(response.url),
    ...problem,
    ...(problem.title === undefined && response.statusText
      ? { title: redact(response.statusText) }
      : {}),
    ...(context?.retryAfterMs !== undefined ? { retryAfterMs: context.retryAfterMs } : {}),
  });
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(unknown)';
  }
}

/**
 * Awaits an openapi-fetch call and returns its data, or throws a {@link BackendError} for an
 * error status.
 *
 * @example
 * const memory = await unwrap(ams.GET('/v1/working-memory/{session_id}', { params: { path: { session_id: 's1' } } }));
 * @category Clients
 */
export async function unwrap<R extends FetchResult>(call: Promise<R>): Promise<SuccessData<R>> {
  const { data, error, response } = await call;
  if (!response.ok) throw backendErrorFrom(response, error);
  return data as SuccessData<R>;
}
