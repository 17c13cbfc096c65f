/**
 * One client per backend, built from a resolved {@link ConnectionConfig}: what every service
 * talks to its backend through. Only this module and the services' backend factories know every
 * backend.
 */
import {
  createAgentMemoryServerClient,
  createRedisAgentMemoryClient,
  type AgentMemoryServerClient,
  type RedisAgentMemoryClient,
} from '../clients/index.js';
import { misdirectedAnswer } from './answers.js';
import {
  OPENSOURCE_AGENT_MEMORY_BACKEND,
  type REDIS_AGENT_MEMORY_BACKEND,
  type ServiceBackend,
} from './backend.js';
import type { ConnectionConfig, ResolvedConnectionConfig } from './config.js';

/** A backend's client, and the id of the server (and store) it reaches. */
export type Connection =
  | {
      backend: typeof OPENSOURCE_AGENT_MEMORY_BACKEND;
      client: AgentMemoryServerClient;
      /** Names the server in per-key queues and caches: its base URL. */
      serverId: string;
    }
  | {
      backend: typeof REDIS_AGENT_MEMORY_BACKEND;
      client: RedisAgentMemoryClient;
      /** Names the store in per-key queues and caches: base URL and store id. */
      serverId: string;
    };

/** The client of the configured backend. Responses reach the client with their whole body read. */
export function createConnection(config: ResolvedConnectionConfig): Connection {
  const clientOptions = {
    baseUrl: config.apiBaseUrl,
    timeoutMs: config.timeoutMs,
    ...(config.retry ? { retry: config.retry } : {}),
    fetch: wholeBodyFetch(config.fetch, config.backend, config.storeId),
    ...(config.headers ? { headers: config.headers } : {}),
    ...(config.onDebug ? { onDebug: config.onDebug } : {}),
  };
  if (config.backend === OPENSOURCE_AGENT_MEMORY_BACKEND) {
    const client = createAgentMemoryServerClient({
      ...clientOptions,
      ...(config.apiKey ? { token: config.apiKey } : {}),
    });
    return { backend: config.backend, client, serverId: config.apiBaseUrl };
  }
  const client = createRedisAgentMemoryClient({
    ...clientOptions,
    storeId: config.storeId!,
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
  });
  return { backend: config.backend, client, serverId: `${config.apiBaseUrl} ${config.storeId!}` };
}

// Statuses whose responses have no body (the Response constructor refuses one).
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A fetch that reads each response's whole body before it resolves. The clients' per-attempt
 * timeout and retries wrap the fetch call only: a body that is cut short (connection reset
 * mid-body) or stalls past the timeout would otherwise fail later, in JSON parsing, as a raw
 * TypeError ("terminated") or DOMException (TimeoutError). Read here, the same failures become a
 * NetworkError or TimeoutError, retried like any other. Bodies are small JSON documents that are
 * read whole anyway.
 */
function wholeBodyFetch(
  inner: ConnectionConfig['fetch'],
  backend: ServiceBackend,
  storeId: string | undefined,
): typeof globalThis.fetch {
  return async (input, init) => {
    // Resolved per call, as the clients do, so that replacing globalThis.fetch later still works.
    const response = await (inner ?? globalThis.fetch)(input, init);
    if (response.body === null || NULL_BODY_STATUSES.has(response.status)) return response;
    const body = await response.arrayBuffer();
    // A 4xx that is not the API's own (a 404 that is not "no such session") is thrown here, typed, before any store can
    // read it as a missing session (the transport passes typed errors through).
    if (response.status >= 400 && response.status < 500) {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const misdirected = misdirectedAnswer(
        { backend, method: (init?.method ?? 'GET').toUpperCase(), path: pathOf(url), storeId },
        response.status,
        response.statusText,
        new TextDecoder().decode(body),
      );
      if (misdirected) throw misdirected;
    }
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(unknown)';
  }
}
