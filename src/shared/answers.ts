/**
 * Tells the API's own "not found" from a 404 that means the configuration is wrong: a missing
 * store, a base URL with an extra path segment (`…/v1`), or a server of the other API. Without
 * this, `getSession` would read such a 404 as "no session" and ADK would report the user's history
 * gone. Only the shape of the answer is used; no text from it is put in an error (it could echo
 * anything back).
 */
import {
  EndpointNotFoundError,
  StoreNotFoundError,
  WrongApiError,
  type BackendError,
  type BackendErrorInit,
} from '../clients/index.js';
import { OPENSOURCE_AGENT_MEMORY_BACKEND, type ServiceBackend } from './backend.js';

/** The request an answer came for. */
export interface AnsweredRequest {
  backend: ServiceBackend;
  method: string;
  /** The URL path, without the query. */
  path: string;
  /** The managed store id, for the message. */
  storeId?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A managed problem-details body: `type` and `title` strings (backends.md 3.6). */
const isProblem = (body: unknown): body is { type: string; title: string; detail?: unknown } =>
  isObject(body) && typeof body.type === 'string' && typeof body.title === 'string';

/** AMS's error body (FastAPI): `{detail: string}` and nothing of a problem's. */
const isFastApiDetail = (body: unknown): body is { detail: string } =>
  isObject(body) && typeof body.detail === 'string' && !('type' in body);

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const OTHER_BACKEND_HINT = {
  'redis-agent-memory': `The server answered like an Agent Memory Server: for it, set backend: "${OPENSOURCE_AGENT_MEMORY_BACKEND}"; for Redis Agent Memory, set apiBaseUrl to your service's endpoint.`,
  'opensource-agent-memory':
    'The server answered like the managed Redis Agent Memory API: for it, set backend: "redis-agent-memory" and storeId; for an Agent Memory Server, check apiBaseUrl.',
} as const;

const ROUTE_HINT = {
  'redis-agent-memory':
    "No route of the Redis Agent Memory API is there: check apiBaseUrl (your service's endpoint, without /v1 or any other path).",
  'opensource-agent-memory':
    'No route of the Agent Memory Server is there: check apiBaseUrl (the server root, such as http://localhost:8000, without /v1).',
} as const;

/**
 * The typed error a 4xx answer stands for when it is not the API's own: a 404 that is not the API
 * saying that the thing asked for is missing, or any 4xx in the other backend's error shape;
 * undefined when the answer is the API's (the caller handles it as before).
 */
export function misdirectedAnswer(
  request: AnsweredRequest,
  status: number,
  // Not put in the error: like the body, it may echo a secret (no redactor here).
  _statusText: string,
  bodyText: string,
): BackendError | undefined {
  if (status < 400 || status >= 500) return undefined;
  const body = parse(bodyText);
  // Any 4xx in the other API's error shape: the config names the wrong backend.
  if (status !== 404) {
    const other =
      request.backend === OPENSOURCE_AGENT_MEMORY_BACKEND ? isProblem(body) : isFastApiDetail(body);
    if (!other) return undefined;
    return new WrongApiError({
      backend: request.backend,
      status,
      method: request.method,
      path: request.path,
      hint: OTHER_BACKEND_HINT[request.backend],
    });
  }
  const init: BackendErrorInit = {
    backend: request.backend,
    status,
    method: request.method,
    path: request.path,
  };
  if (request.backend === OPENSOURCE_AGENT_MEMORY_BACKEND) {
    // AMS names what it did not find ("Session s1 not found"); Starlette's route miss is the
    // fixed text "Not Found".
    if (isFastApiDetail(body) && body.detail !== 'Not Found') return undefined;
    if (isFastApiDetail(body))
      return new EndpointNotFoundError({ ...init, hint: ROUTE_HINT[request.backend] });
    if (isProblem(body))
      return new WrongApiError({ ...init, hint: OTHER_BACKEND_HINT[request.backend] });
    return new WrongApiError({
      ...init,
      hint: `The answer is not an Agent Memory Server's (${body === undefined ? 'not JSON' : 'another JSON shape'}). ${ROUTE_HINT[request.backend]}`,
    });
  }
  if (isProblem(body)) {
    if (typeof body.detail === 'string' && /\bstore\b/i.test(body.detail)) {
      return new StoreNotFoundError({
        ...init,
        detail: `store ${JSON.stringify(request.storeId ?? '')} was not found`,
        hint: 'Check storeId (REDIS_AGENT_MEMORY_STORE_ID) and that apiBaseUrl is the endpoint of the service that holds it.',
      });
    }
    return undefined;
  }
  if (isFastApiDetail(body)) {
    return new WrongApiError({ ...init, hint: OTHER_BACKEND_HINT[request.backend] });
  }
  return new WrongApiError({
    ...init,
    hint: `The answer is not the Redis Agent Memory API's (${body === undefined ? 'not JSON' : 'another JSON shape'}). ${ROUTE_HINT[request.backend]}`,
  });
}
