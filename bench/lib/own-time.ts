/**
 * The library's own time in a call: what it spends with no HTTP request in flight. A `fetch`
 * passed to the service (wrapping the real one, or a recorder) pauses a stopwatch and a CPU meter
 * while any request is in flight, so what they count is the library's work before, between and
 * after its requests: argument checks, building requests, its transport (headers, timers,
 * retries bookkeeping), reading and parsing bodies, validation and conversion.
 *
 * Why not process.cpuUsage() around the whole call minus the same for a bare fetch: it counts every
 * thread of the process for the call's whole duration (V8's background GC, the tsx loader thread),
 * which the bench measured at roughly 20–60 µs per millisecond of waiting; on a request the server
 * answers in 5–30 ms that background alone is larger, and noisier, than the figure sought. Here CPU
 * is read only over the library's own stretches, which last a fraction of a millisecond.
 *
 * A request counts as in flight until its response body has been read to the end: the meter's
 * `fetch` reads it (as a bare fetch's caller does) and hands the library a response over those
 * bytes. So the wire, undici's parsing of the request and response, and the reading of the body
 * off the socket are not counted; the library's own reading of the buffered body is (one read of
 * memory more than it would do on the socket's body: the figure errs high, not low). Not counted
 * either: what undici does for the options the library passes (its abort signal, a Headers object).
 */
export interface OwnTimeResult<T> {
  value: T;
  /** Wall time with no request in flight, in ms. */
  wallMs: number;
  /** CPU time (user + system) of the process over those stretches, in µs. */
  cpuUs: number;
  /** Wall time of the whole call, in ms. */
  totalMs: number;
}

// Statuses whose responses have no body (the Response constructor refuses one).
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export class OwnTime {
  private inFlight = 0;
  private running = false;
  private wallMark = 0;
  private cpuMark: NodeJS.CpuUsage = { user: 0, system: 0 };
  private wallMs = 0;
  private cpuUs = 0;

  constructor(private readonly inner: typeof globalThis.fetch = globalThis.fetch) {}

  private resume(): void {
    this.wallMark = performance.now();
    this.cpuMark = process.cpuUsage();
  }

  private pause(): void {
    const cpu = process.cpuUsage(this.cpuMark);
    this.wallMs += performance.now() - this.wallMark;
    this.cpuUs += cpu.user + cpu.system;
  }

  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    if (this.running && this.inFlight === 0) this.pause();
    this.inFlight += 1;
    try {
      const response = await this.inner(input, init);
      const body = await response.arrayBuffer();
      const noBody = NULL_BODY_STATUSES.has(response.status);
      return new Response(noBody ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } finally {
      this.inFlight -= 1;
      if (this.running && this.inFlight === 0) this.resume();
    }
  };

  /** Runs `fn` (one library call) and returns its own time. Calls must not overlap. */
  async measure<T>(fn: () => Promise<T>): Promise<OwnTimeResult<T>> {
    this.wallMs = 0;
    this.cpuUs = 0;
    this.running = true;
    const started = performance.now();
    this.resume();
    try {
      const value = await fn();
      if (this.inFlight === 0) this.pause();
      return {
        value,
        wallMs: this.wallMs,
        cpuUs: this.cpuUs,
        totalMs: performance.now() - started,
      };
    } finally {
      this.running = false;
    }
  }
}
