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
    let decoded: string | undefined;
    // A 4xx that is not the API's own (a 404 that is not "no such session") is thrown here, typed, before any store can
    // read it as a missing session (the transport passes typed errors through).
    if (response.status >= 400 && response.status < 500) {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const misdirected = misdirectedAnswer(
        { backend, method: (init?.method ?? 'GET').toUpperCase(), path: pathOf(url), storeId },
        response.status,
        response.statusText,
        (decoded = new TextDecoder().decode(body)),
      );
      if (misdirected) throw misdirected;
    }
    // Not a second Response: its constructor would wrap the bytes in a new stream for openapi-fetch
    // to read back, which showed in the per-call overhead. The light response serves the same reads.
    // Cast once, here: openapi-fetch types its fetch as returning a Response, and reads only the
    // members BufferedResponse has (status, ok, headers, text, json, the parseAs readers, body).
    return new BufferedResponse(response, body, decoded) as unknown as Response;
  };
}

/**
 * A response over a body already read whole: what {@link wholeBodyFetch} hands the client. Reads
 * decode the buffered bytes directly; only a caller that asks for `body` (a stream), `blob` or
 * `formData` gets a real Response built over them, which then serves every later read, so a body
 * is still readable once only, as a Response's. Status, headers, url and type are the received
 * response's.
 */
class BufferedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: Headers;
  readonly url: string;
  readonly redirected: boolean;
  readonly type: ResponseType;
  /** Set when a read took the buffered bytes (not when a real Response serves the reads). */
  private read = false;
  private real: Response | undefined;

  constructor(
    source: Pick<
      Response,
      'status' | 'statusText' | 'ok' | 'headers' | 'url' | 'redirected' | 'type'
    >,
    private readonly buffered: ArrayBuffer,
    /** The body as text, when it was already decoded (a 4xx checked for misdirection). */
    private decoded?: string,
  ) {
    this.status = source.status;
    this.statusText = source.statusText;
    this.ok = source.ok;
    this.headers = source.headers;
    this.url = source.url;
    this.redirected = source.redirected;
    this.type = source.type;
  }

  /** A real Response over the bytes, built on first need and used from then on. */
  private materialized(): Response {
    this.real ??= new Response(this.read ? null : this.buffered, {
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
    });
    return this.real;
  }

  get body(): Response['body'] {
    return this.materialized().body;
  }

  get bodyUsed(): boolean {
    return this.read || (this.real?.bodyUsed ?? false);
  }

  /** Reads the body through `fast` (bytes in hand) or the real Response, once, as a Response does. */
  private async consume<T>(fast: () => T, viaReal: (real: Response) => Promise<T>): Promise<T> {
    if (this.read) throw unusable();
    if (this.real) return viaReal(this.real);
    this.read = true;
    return fast();
  }

  text(): Promise<string> {
    return this.consume(
      () => this.decoded ?? new TextDecoder().decode(this.buffered),
      (real) => real.text(),
    );
  }

  json(): Promise<unknown> {
    // A body that is not JSON rejects with a SyntaxError, as Response.json() does.
    return this.consume(
      () => JSON.parse(this.decoded ?? new TextDecoder().decode(this.buffered)) as unknown,
      (real) => real.json() as Promise<unknown>,
    );
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    // A copy, as a Response's read gives: clones share the buffered bytes.
    return this.consume(
      () => this.buffered.slice(0),
      (real) => real.arrayBuffer(),
    );
  }

  bytes(): Promise<Uint8Array> {
    return this.arrayBuffer().then((buffer) => new Uint8Array(buffer));
  }

  blob(): Promise<Blob> {
    if (this.read) return Promise.reject(unusable());
    return this.materialized().blob();
  }

  formData(): Promise<FormData> {
    if (this.read) return Promise.reject(unusable());
    return this.materialized().formData();
  }

  clone(): BufferedResponse {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    const copy = new BufferedResponse(this, this.buffered, this.decoded);
    if (this.real) copy.real = this.real.clone();
    return copy;
  }
}

function unusable(): TypeError {
  return new TypeError('Body is unusable: Body has already been read');
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(unknown)';
  }
}
