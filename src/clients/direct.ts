/**
 * The common call, made directly: what openapi-fetch's `coreFetch` does for a call with path and
 * query parameters, a JSON body and headers, and no middleware or per-call fetch, serializers or
 * base URL, step for step with its own helpers (headers merged with its `mergeHeaders`, bodies
 * with its default serializer, the same URL, the same reading of the answer), without the
 * generic machinery around them. Every call the services make is of this kind; measured, the
 * generic path cost about a quarter of a call's own CPU. Any other call goes through openapi-fetch.
 */
import { defaultBodySerializer, mergeHeaders } from 'openapi-fetch';
import { OutgoingRequest } from './transport.js';

/** The options a direct call understands; a call with any other goes through openapi-fetch. */
const DIRECT_OPTIONS = new Set([
  'params',
  'body',
  'bodySerializer',
  'headers',
  'parseAs',
  'signal',
]);

interface DirectInit {
  params?: {
    path?: Record<string, unknown>;
    query?: Record<string, unknown>;
    header?: Record<string, unknown>;
  };
  body?: unknown;
  bodySerializer?: (body: unknown, headers?: Headers) => unknown;
  headers?: Record<string, unknown> | Headers;
  parseAs?: 'json' | 'text' | 'blob' | 'arrayBuffer' | 'stream';
  signal?: AbortSignal | null;
}

/** Whether `init` holds only what a direct call understands. */
export function isDirectCall(init: unknown): init is DirectInit | undefined {
  if (init === undefined) return true;
  if (typeof init !== 'object' || init === null) return false;
  for (const key in init) if (!DIRECT_OPTIONS.has(key)) return false;
  return true;
}

export interface DirectClient {
  baseUrl: string;
  transport: (request: OutgoingRequest) => Promise<Response>;
  pathSerializer: (url: string, params: Record<string, unknown>) => string;
  querySerializer: (query: Record<string, unknown>) => string;
}

/** One call, answered as openapi-fetch answers: `{data, response}` or `{error, response}`. */
export async function directCall(
  client: DirectClient,
  method: string,
  path: string,
  init: DirectInit = {},
): Promise<{ data?: unknown; error?: unknown; response: Response }> {
  const params = init.params ?? {};
  const { body, headers } = init;
  const serializer = init.bodySerializer ?? defaultBodySerializer;
  // A serializer that takes no arguments cannot read the headers it would be given.
  const serializedBody =
    body === undefined
      ? undefined
      : serializer.length === 0
        ? (serializer as () => unknown)()
        : serializer(body, mergeHeaders(undefined, headers as never, params.header as never));
  const finalHeaders = mergeHeaders(
    serializedBody === undefined || serializedBody instanceof FormData
      ? {}
      : { 'Content-Type': 'application/json' },
    undefined,
    headers as never,
    params.header as never,
  );
  let url = client.pathSerializer(`${client.baseUrl}${path}`, params.path ?? {});
  let search = client.querySerializer(params.query ?? {});
  if (search.startsWith('?')) search = search.substring(1);
  if (search) url += `?${search}`;
  const response = await client.transport(
    new OutgoingRequest(url, {
      method,
      headers: finalHeaders,
      body: serializedBody as BodyInit | undefined,
      ...(init.signal !== undefined ? { signal: init.signal } : {}),
    }),
  );
  const contentLength = response.headers.get('Content-Length');
  if (
    response.status === 204 ||
    method === 'HEAD' ||
    (contentLength === '0' && !response.headers.get('Transfer-Encoding')?.includes('chunked'))
  ) {
    return response.ok ? { data: undefined, response } : { error: undefined, response };
  }
  if (response.ok) {
    const parseAs = init.parseAs ?? 'json';
    if (parseAs === 'stream') return { data: response.body, response };
    if (parseAs === 'json' && !contentLength) {
      const raw = await response.text();
      return { data: raw ? (JSON.parse(raw) as unknown) : undefined, response };
    }
    return { data: await (response[parseAs] as () => Promise<unknown>)(), response };
  }
  let error: unknown = await response.text();
  try {
    error = JSON.parse(error as string);
  } catch {
    // Not JSON: the text is the error, as openapi-fetch gives it.
  }
  return { error, response };
}
