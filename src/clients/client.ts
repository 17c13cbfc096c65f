/** What both backend clients share: options → transport → an openapi-fetch client. */
import createClient, { createQuerySerializer, type Client } from 'openapi-fetch';
import { MalformedResponseError, NetworkError, TimeoutError, type BackendName } from './errors.js';
import { directCall, isDirectCall, type DirectClient } from './direct.js';
import { serializePath } from './path.js';
import { createRedactor } from './redact.js';
import {
  createTransport,
  isAttemptTimeout,
  OutgoingRequest,
  releaseResponse,
  type TransportConfig,
} from './transport.js';
import type { DebugEvent } from './options.js';

export interface ResolvedClientOptions {
  baseUrl: string;
  timeoutMs: number;
  retry: TransportConfig['retry'];
  fetch?: typeof globalThis.fetch | undefined;
  headers: Record<string, string>;
  onDebug?: ((event: DebugEvent) => void) | undefined;
}

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE'] as const;

export function createBackendClient<Paths extends object>(
  backend: BackendName,
  options: ResolvedClientOptions,
  secretHeaders: Record<string, string>,
  boundPathParams: Record<string, string> = {},
): Client<Paths> {
  const secretHeaderNames = new Set([
    'authorization',
    'x-api-key',
    'cookie',
    'proxy-authorization',
  ]);
  const redact = createRedactor(
    [
      ...Object.values(secretHeaders),
      ...Object.entries(options.headers)
        .filter(([name]) => secretHeaderNames.has(name.toLowerCase()))
        .map(([, value]) => value),
    ].flatMap((value) => [value, value.replace(/^Bearer\s+/i, '')]),
  );
  const transport = createTransport({
    backend,
    secretHeaders,
    headers: options.headers,
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    // Resolved per call, so a test or a user can replace globalThis.fetch after construction.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    onDebug: options.onDebug,
    redact,
  });
  const direct: DirectClient = {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    transport,
    // openapi-fetch's default serializer, made once: given none, it makes one per request.
    querySerializer: createQuerySerializer(),
    pathSerializer: (template, params) => serializePath(template, boundPathParams, params),
  };
  const client = createClient<Paths>({
    baseUrl: direct.baseUrl,
    fetch: transport,
    Request: OutgoingRequest as unknown as typeof Request,
    querySerializer: direct.querySerializer,
    pathSerializer: direct.pathSerializer,
  });
  // openapi-fetch calls the path serializer only when `params.path` is given: always give one, so
  // that bound parameters (the store id) are filled in and a missing one is refused before sending.
  // Middleware and a per-call fetch expect a real Request: they get one (the light one is only for
  // the transport's own use).
  const middlewares = new Set<unknown>();
  const withPathParams = (init: unknown): Record<string, unknown> => {
    const options = (init ?? {}) as {
      params?: { path?: unknown };
      middleware?: unknown[];
      fetch?: unknown;
    };
    const needsRequest =
      middlewares.size > 0 || (options.middleware?.length ?? 0) > 0 || options.fetch !== undefined;
    return {
      ...options,
      params: { ...options.params, path: options.params?.path ?? {} },
      ...(needsRequest ? { Request: globalThis.Request } : {}),
    };
  };
  // A 2xx body that is not JSON makes openapi-fetch throw a bare SyntaxError; give it a type. The
  // SyntaxError is not kept as the cause: its message quotes the body, which may echo a secret.
  const malformed = (method: string, path: string) => (error: unknown) => {
    if (error instanceof SyntaxError) {
      throw new MalformedResponseError(backend, method, path, 'not valid JSON');
    }
    // The attempt's timer fired while the body was still arriving.
    if (isAttemptTimeout(error)) {
      throw new TimeoutError(backend, method, path, options.timeoutMs, 1);
    }
    // The connection closed while the body was still arriving (undici: TypeError "terminated").
    if (
      error instanceof TypeError &&
      (error.message === 'terminated' || error.cause !== undefined)
    ) {
      throw new NetworkError(
        backend,
        method,
        path,
        1,
        'the connection closed while the body was read',
      );
    }
    throw error;
  };
  const methods = client as unknown as Record<string, unknown>;
  // Once openapi-fetch has read the body, the attempt's timeout can go.
  const released = (result: unknown): unknown => {
    releaseResponse((result as { response?: Response } | undefined)?.response);
    return result;
  };
  for (const method of METHODS) {
    const call = client[method] as (path: string, init?: unknown) => Promise<unknown>;
    methods[method] = (path: string, init?: unknown) =>
      (middlewares.size === 0 && isDirectCall(init)
        ? directCall(direct, method, path, init)
        : call(path, withPathParams(init))
      ).then(released, malformed(method, path));
  }
  const request = client.request as (m: string, path: string, init?: unknown) => Promise<unknown>;
  methods.request = (method: string, path: string, init?: unknown) =>
    (middlewares.size === 0 && isDirectCall(init)
      ? directCall(direct, method.toUpperCase(), path, init)
      : request(method, path, withPathParams(init))
    ).then(released, malformed(method.toUpperCase(), path));
  const use = client.use.bind(client);
  const eject = client.eject.bind(client);
  client.use = (...middleware) => {
    use(...middleware);
    for (const m of middleware) middlewares.add(m);
  };
  client.eject = (...middleware) => {
    eject(...middleware);
    for (const m of middleware) middlewares.delete(m);
  };
  return client;
}
