/**
 * `checkConnection()` of every service: a few cheap calls that prove the backend is reachable, is
 * the API the config names (and which version, when it says), knows the store, and accepts the
 * credentials. Each failure is a typed error that says what to check.
 */
import {
  AuthenticationError,
  BackendError,
  WrongApiError,
  type BackendErrorInit,
} from '../clients/index.js';
import { backendErrorFrom } from '../clients/unwrap.js';
import { OPENSOURCE_AGENT_MEMORY_BACKEND, type ServiceBackend } from './backend.js';
import type { Connection } from './connection.js';

/**
 * What `RedisSessionMemoryService.checkConnection()` found.
 * @category Services
 */
export interface ConnectionReport {
  /** The backend checked. */
  backend: ServiceBackend;
  /** The base URL reached. */
  baseUrl: string;
  /** Managed only: the store checked. */
  storeId?: string;
  /** The server's version, when it tells (AMS's OpenAPI `info.version`). */
  serverVersion?: string;
  /** Managed only: the store's health as the API reports it (`healthy`, `degraded`, ...). */
  storeStatus?: string;
  /** Whether a call that needs the credentials was accepted. */
  authenticated: true;
  /** Time the whole check took, in milliseconds. */
  latencyMs: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const AUTH_HINT = {
  'redis-agent-memory': 'Check apiKey (REDIS_AGENT_MEMORY_API_KEY) and its grants on this store.',
  'opensource-agent-memory':
    'Check apiKey (AMS_TOKEN): the server runs with token auth and did not accept it.',
} as const;

/** A 401/403 as AuthenticationError; any other BackendError unchanged. */
function asAuthenticationError(error: unknown, backend: ServiceBackend): unknown {
  if (!(error instanceof BackendError) || (error.status !== 401 && error.status !== 403)) {
    return error;
  }
  const init: BackendErrorInit = {
    backend: error.backend,
    status: error.status,
    method: error.method,
    path: error.path,
    ...(error.title !== undefined ? { title: error.title } : {}),
    ...(error.type !== undefined ? { type: error.type } : {}),
    hint: AUTH_HINT[backend],
  };
  return new AuthenticationError(init);
}

function wrongApi(
  backend: ServiceBackend,
  method: string,
  path: string,
  what: string,
): WrongApiError {
  return new WrongApiError({
    backend,
    status: 200,
    method,
    path,
    hint: `The server at apiBaseUrl is not the ${what}: check apiBaseUrl and backend.`,
  });
}

/**
 * Checks a connection. AMS: `GET /v1/health` (no auth), `GET /openapi.json` (title and version),
 * then one authenticated listing of a single session. Managed: `GET /v1/stores/{storeId}/health`,
 * which needs the store and the key.
 */
export async function checkConnection(
  connection: Connection,
  baseUrl: string,
  storeId: string | undefined,
): Promise<ConnectionReport> {
  const started = performance.now();
  try {
    if (connection.backend === OPENSOURCE_AGENT_MEMORY_BACKEND) {
      const ams = connection.client;
      const health = await ams.GET('/v1/health');
      if (!health.response.ok || !isObject(health.data) || typeof health.data.now !== 'number') {
        throw wrongApi(connection.backend, 'GET', '/v1/health', 'Agent Memory Server');
      }
      // Not in AMS's typed routes: FastAPI serves it on every server, without auth.
      const described = await (
        ams as unknown as {
          GET: (path: string) => Promise<{ data?: unknown; response: Response }>;
        }
      ).GET('/openapi.json');
      const info = isObject(described.data) ? described.data.info : undefined;
      if (
        !described.response.ok ||
        !isObject(info) ||
        typeof info.title !== 'string' ||
        !/agent memory server/i.test(info.title)
      ) {
        throw wrongApi(connection.backend, 'GET', '/openapi.json', 'Agent Memory Server');
      }
      const listed = await ams.GET('/v1/working-memory/', { params: { query: { limit: 1 } } });
      if (!listed.response.ok) {
        throw backendErrorFrom(listed.response, listed.error);
      }
      return {
        backend: connection.backend,
        baseUrl,
        ...(typeof info.version === 'string' ? { serverVersion: info.version } : {}),
        authenticated: true,
        latencyMs: performance.now() - started,
      };
    }
    const health = await connection.client.GET('/v1/stores/{storeId}/health');
    if (!health.response.ok) {
      throw backendErrorFrom(health.response, health.error);
    }
    const status = isObject(health.data) ? health.data.status : undefined;
    if (typeof status !== 'string') {
      throw wrongApi(
        connection.backend,
        'GET',
        `/v1/stores/${storeId ?? ''}/health`,
        'Redis Agent Memory API',
      );
    }
    return {
      backend: connection.backend,
      baseUrl,
      ...(storeId !== undefined ? { storeId } : {}),
      storeStatus: status,
      authenticated: true,
      latencyMs: performance.now() - started,
    };
  } catch (error) {
    throw asAuthenticationError(error, connection.backend);
  }
}
