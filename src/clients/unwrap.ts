/** Turns openapi-fetch results into data or typed errors. */
import { AuthenticationError, BackendError, type BackendName } from './errors.js';
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

/** What to check when a backend refuses the credentials, per backend. */
const AUTHENTICATION_HINT: Record<BackendName, string> = {
  'redis-agent-memory':
    'Check apiKey (REDIS_AGENT_MEMORY_API_KEY; the client option apiKey) and its grants on this store.',
  'opensource-agent-memory':
    'The server runs with token auth and did not accept the token: check apiKey (AMS_TOKEN; the client option token).',
};

/**
 * Builds a BackendError from an error response and its parsed body (what openapi-fetch returns
 * as `error`); a 401 or 403 is an {@link AuthenticationError} saying what to check. Secrets are
 * redacted from every text taken from the body.
 */
export function backendErrorFrom(
  response: Response,
  body: unknown,
  fallbackBackend?: BackendName,
): BackendError {
  const context = responseContext(response);
  const redact = context?.redact ?? ((text: string) => text);
  const problem = parseProblem(body, redact);
  const backend = context?.backend ?? fallbackBackend ?? 'opensource-agent-memory';
  const refused = response.status === 401 || response.status === 403;
  const ErrorClass = refused ? AuthenticationError : BackendError;
  return new ErrorClass({
    backend,
    status: response.status,
    method: context?.method ?? 'GET',
    path: context?.path ?? safePath(response.url),
    ...problem,
    ...(problem.title === undefined && response.statusText
      ? { title: redact(response.statusText) }
      : {}),
    ...(context?.retryAfterMs !== undefined ? { retryAfterMs: context.retryAfterMs } : {}),
    ...(refused ? { hint: AUTHENTICATION_HINT[backend] } : {}),
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
 * error status ({@link AuthenticationError} for 401 and 403).
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
