/**
 * A `fetch` that records every HTTP exchange the library makes (method, URL, headers, body, start
 * and end times, bytes), passed to the service through its `fetch` option. Requests that overlap
 * in time form one "wave": the number of waves is the number of sequential round trips.
 */

export interface Exchange {
  method: string;
  url: string;
  /** Request headers as sent by the library (lower-case names). */
  headers: [string, string][];
  body: Uint8Array | undefined;
  status: number;
  /** performance.now() when the library called fetch. */
  start: number;
  /** When the response was complete (`full` mode) or its headers arrived (`light` mode). */
  end: number;
  bytesSent: number;
  /** Response body bytes (`full` mode only; -1 otherwise). */
  bytesReceived: number;
}

export type RecordingMode =
  /** Reads each response body before handing it back: exact end times and sizes. */
  | 'full'
  /** Hands the response straight back (for timed runs): end = headers received. */
  | 'light';

function toBytes(body: unknown): Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (typeof body === 'string') return new TextEncoder().encode(body);
  throw new Error(`recording fetch: unsupported body type ${Object.prototype.toString.call(body)}`);
}

export class Recorder {
  private current: Exchange[] = [];
  /** Set false to pass requests through without recording. */
  enabled = true;

  constructor(
    private readonly mode: RecordingMode,
    private readonly inner: typeof globalThis.fetch = globalThis.fetch,
  ) {}

  /** What a request was sent with, converted to an {@link Exchange} only when it is taken. */
  private readonly pending = new Map<Exchange, { headers: unknown; body: unknown }>();

  /** Starts a new capture and returns what the previous one recorded. */
  take(): Exchange[] {
    const taken = this.current;
    this.current = [];
    for (const exchange of taken) this.complete(exchange);
    return taken;
  }

  /** Records exactly what `fn` sends. */
  async capture<T>(fn: () => Promise<T>): Promise<{ value: T; exchanges: Exchange[] }> {
    this.take();
    const value = await fn();
    return { value, exchanges: this.take() };
  }

  // Headers and body are copied after the timed call (in take()), not while it runs, so that the
  // recording costs the library's timing as little as possible.
  private complete(exchange: Exchange): void {
    const sent = this.pending.get(exchange);
    if (!sent) return;
    this.pending.delete(exchange);
    new Headers(sent.headers as HeadersInit | undefined).forEach((value, name) =>
      exchange.headers.push([name, value]),
    );
    exchange.body = toBytes(sent.body);
    exchange.bytesSent = exchange.body?.byteLength ?? 0;
  }

  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    if (!this.enabled) return this.inner(input, init);
    const start = performance.now();
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (
      init?.method ?? (input instanceof Request ? input.method : 'GET')
    ).toUpperCase();
    const exchange: Exchange = {
      method,
      url,
      headers: [],
      body: undefined,
      status: 0,
      start,
      end: start,
      bytesSent: 0,
      bytesReceived: -1,
    };
    this.pending.set(exchange, { headers: init?.headers, body: init?.body });
    this.current.push(exchange);
    const response = await this.inner(input, init);
    exchange.status = response.status;
    if (this.mode === 'light') {
      exchange.end = performance.now();
      return response;
    }
    const buffer = await response.arrayBuffer();
    exchange.end = performance.now();
    exchange.bytesReceived = buffer.byteLength;
    const noBody = response.status === 204 || response.status === 304;
    return new Response(noBody ? null : buffer, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** Groups exchanges into waves: a request issued while another is in flight joins its wave. */
export function waves(exchanges: readonly Exchange[]): Exchange[][] {
  const sorted = [...exchanges].sort((a, b) => a.start - b.start);
  const result: Exchange[][] = [];
  let waveEnd = -Infinity;
  for (const exchange of sorted) {
    if (result.length > 0 && exchange.start < waveEnd) {
      result[result.length - 1]!.push(exchange);
      waveEnd = Math.max(waveEnd, exchange.end);
    } else {
      result.push([exchange]);
      waveEnd = exchange.end;
    }
  }
  return result;
}

/** `GET /v1/working-memory/{id}`-style label with ids collapsed, for printing. */
export function routeOf(exchange: Pick<Exchange, 'method' | 'url'>): string {
  const path = new URL(exchange.url).pathname
    .replace(/\/v1\/stores\/[^/]+/, '/v1/stores/{store}')
    .replace(/\/session-memory\/(?!events$)[^/]+$/, '/session-memory/{id}')
    .replace(/\/working-memory\/[^/]+$/, '/working-memory/{id}');
  return `${exchange.method} ${path}`;
}

/** "GET ×3 ‖ PUT" style description of the waves of one operation. */
export function describeWaves(exchanges: readonly Exchange[]): string {
  return waves(exchanges)
    .map((wave) => {
      const counts = new Map<string, number>();
      for (const exchange of wave)
        counts.set(exchange.method, (counts.get(exchange.method) ?? 0) + 1);
      return [...counts].map(([method, n]) => (n > 1 ? `${method}×${n}` : method)).join('+');
    })
    .join(' → ');
}
