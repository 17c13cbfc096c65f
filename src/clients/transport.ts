/**
 * The `fetch` that both generated clients call through: adds auth and identification headers,
 * applies the per-attempt timeout and the caller's AbortSignal, retries what is safe to retry,
 * and reports to the debug hook. openapi-fetch builds the URL and parses the body; this layer
 * only moves bytes.
 */
import { VERSION } from '../version.js';
import { currentDeadline } from './deadline.js';
import { NetworkError, TimeoutError, isAdkRedisError, type BackendName } from './errors.js';
import type { DebugEvent } from './options.js';
import { containsSecret, type Redactor } from './redact.js';

/**
 * Request header that marks a POST or PATCH as safe to retry (the caller guarantees a repeat has
 * no extra effect). It is removed before the request is sent.
 */
export const RETRY_SAFE_HEADER = 'x-adk-redis-retry-safe';

/** Spread into a request's `headers` to let the client retry a POST or PATCH. */
export const retrySafe: Readonly<Record<string, string>> = Object.freeze({
  [RETRY_SAFE_HEADER]: '1',
});

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** Statuses worth another attempt: timeouts, throttling, transient server faults, managed 424. */
export function isRetryableStatus(status: number): boolean {
  return (
    status === 408 ||
    status === 424 ||
    status === 429 ||
    (status >= 500 && status !== 501 && status !== 505)
  );
}

export interface TransportConfig {
  backend: BackendName;
  /** Headers that carry secrets (Authorization, X-Api-Key); never reported. */
  secretHeaders: Record<string, string>;
  headers: Record<string, string>;
  timeoutMs: number;
  retry: { maxRetries: number; baseDelayMs: number; maxDelayMs: number; maxRetryAfterMs: number };
  fetch: typeof globalThis.fetch;
  onDebug: ((event: DebugEvent) => void) | undefined;
  redact: Redactor;
  /** Randomness for jitter; replaceable in tests. */
  random?: () => number;
}

/** What the transport knows about a response, for building a typed error from it later. */
export interface ResponseContext {
  backend: BackendName;
  method: string;
  path: string;
  redact: Redactor;
  retryAfterMs: number | undefined;
  /** Ends the attempt's timeout; called once the body has been read (see {@link releaseResponse}). */
  release: () => void;
}

const responseContexts = new WeakMap<Response, ResponseContext>();

/**
 * Ends the timeout of the attempt that produced `response`. The timeout covers reading the body,
 * so the client calls this once openapi-fetch has parsed it; until then an unref'd timer stays.
 */
export function releaseResponse(response: Response | undefined): void {
  if (response) responseContexts.get(response)?.release();
}

const attemptTimeouts = new WeakSet<object>();

/** Whether an error is the transport's own attempt timeout (not a caller's abort reason). */
export function isAttemptTimeout(error: unknown): boolean {
  return typeof error === 'object' && error !== null && attemptTimeouts.has(error);
}

/** The context of a response that came through a transport, if it did. */
export function responseContext(response: Response): ResponseContext | undefined {
  return responseContexts.get(response);
}

export const USER_AGENT = `adk-redis-ts/${VERSION} (node ${typeof process !== 'undefined' ? process.version : 'unknown'})`;

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Full-jitter exponential backoff: uniform in [0, min(max, base * 2^retry)). */
export function backoffDelay(
  retry: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise((resolve) => setTimeout(resolve, ms));
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * What openapi-fetch builds for the transport instead of a `Request` (see its `Request` option):
 * the URL, method, headers and body as they are, so that a request is not turned into a stream
 * only to be read back. Building and reading a `Request` showed in the per-request overhead.
 */
export class OutgoingRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: BodyInit | null | undefined;
  readonly signal: AbortSignal | null | undefined;

  constructor(url: string, init: RequestInit = {}) {
    this.url = url;
    this.method = init.method ?? 'GET';
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.body = init.body;
    this.signal = init.signal;
  }
}

/** The path of an absolute URL, without parsing it (the URL was built by openapi-fetch). */
function pathOf(url: string): string {
  const afterHost = url.indexOf('/', url.indexOf('//') + 2);
  if (afterHost < 0) return '/';
  const end = url.slice(afterHost).search(/[?#]/);
  return end < 0 ? url.slice(afterHost) : url.slice(afterHost, afterHost + end);
}

/** Creates the `fetch` given to openapi-fetch. */
export function createTransport(
  config: TransportConfig,
): (request: Request | OutgoingRequest) => Promise<Response> {
  const random = config.random ?? Math.random;
  const debug = (event: Omit<DebugEvent, 'backend'>): void => {
    if (!config.onDebug) return;
    try {
      config.onDebug({ backend: config.backend, ...event });
    } catch {
      // A failing debug hook must never break a request.
    }
  };

  // Headers every request carries unless it sets its own, merged once instead of per request.
  const defaults = new Headers(config.headers);
  if (!defaults.has('user-agent')) defaults.set('user-agent', USER_AGENT);
  if (!defaults.has('accept')) defaults.set('accept', 'application/json');
  // The marker only counts per request, and never goes on the wire.
  defaults.delete(RETRY_SAFE_HEADER);
  const defaultHeaders: [string, string][] = [];
  defaults.forEach((value, name) => defaultHeaders.push([name, value]));
  const secretHeaders = Object.entries(config.secretHeaders);

  return async function transport(request: Request | OutgoingRequest): Promise<Response> {
    const method = request.method.toUpperCase();
    const url = request.url;
    const path = pathOf(url);
    let headers: Headers;
    let body: string | ArrayBuffer | undefined;
    if (
      request instanceof OutgoingRequest &&
      (request.body == null || typeof request.body === 'string')
    ) {
      // openapi-fetch's own Headers and JSON text: used as they are, no copy and no stream.
      headers = request.headers;
      body = request.body ?? undefined;
    } else {
      // A real Request (middleware is in use) or a body that is not text: let the platform
      // normalise it once, then buffer the bytes so that every attempt can send them.
      const normalised =
        request instanceof OutgoingRequest
          ? new Request(url, { method, headers: request.headers, body: request.body })
          : request;
      headers = new Headers(normalised.headers);
      body = normalised.body ? await normalised.arrayBuffer() : undefined;
    }
    const retrySafeMarked = headers.has(RETRY_SAFE_HEADER);
    if (retrySafeMarked) headers.delete(RETRY_SAFE_HEADER);
    for (const [name, value] of defaultHeaders) if (!headers.has(name)) headers.set(name, value);
    for (const [name, value] of secretHeaders) headers.set(name, value);

    const canRetry = IDEMPOTENT.has(method) || retrySafeMarked;
    const maxAttempts = canRetry ? config.retry.maxRetries + 1 : 1;
    const callerSignal = request.signal ?? undefined;
    if (callerSignal?.aborted) throw callerSignal.reason as Error;
    // The overall deadline of the service call this request belongs to, if any (see deadline.ts).
    const deadline = currentDeadline();
    const deadlineError = (attempts: number): TimeoutError =>
      new TimeoutError(config.backend, method, path, config.timeoutMs, attempts, deadline!.totalMs);

    for (let attempt = 1; ; attempt++) {
      const remainingMs = deadline ? deadline.at - Date.now() : Infinity;
      if (remainingMs <= 0) throw deadlineError(attempt - 1);
      // The attempt ends at its own timeout or at the deadline, whichever comes first.
      const attemptMs = Math.min(config.timeoutMs, remainingMs);
      // One controller per attempt, aborted by its own timer or by the caller. On Node 20 a
      // controller with its timer costs about 4 µs; AbortSignal.timeout alone about 10 µs, with
      // AbortSignal.any about 30 µs. Not reused across requests: undici keeps its listener on a
      // signal it was given until that request is collected, so aborting a reused signal would
      // reach earlier requests (and the listeners pile up).
      const controller = new AbortController();
      const signal = controller.signal;
      let timedOut = false;
      // The pending fetch is rejected by the same handlers that abort it: a custom `fetch` that
      // ignores its signal must not outlive the timeout or the caller's abort either.
      let rejectPending: ((reason: unknown) => void) | undefined;
      const abort = (reason: unknown): void => {
        controller.abort(reason);
        rejectPending?.(reason);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        const reason = new DOMException('The request timed out', 'TimeoutError');
        attemptTimeouts.add(reason);
        abort(reason);
      }, attemptMs);
      timer.unref?.();
      const onCallerAbort = (): void => abort(callerSignal?.reason);
      callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
      const release = (): void => {
        clearTimeout(timer);
        callerSignal?.removeEventListener('abort', onCallerAbort);
      };
      const started = performance.now();
      if (config.onDebug) debug({ type: 'request', method, path, attempt });
      let response: Response;
      try {
        response = await new Promise<Response>((resolve, reject) => {
          rejectPending = reject;
          config.fetch(url, { method, headers, body, signal }).then(resolve, reject);
        });
        rejectPending = undefined;
      } catch (error) {
        release();
        if (callerSignal?.aborted) throw callerSignal.reason as Error;
        // A typed error from the fetch (a response that is not the API's, see shared/connection)
        // is the answer: neither wrapped nor retried.
        if (isAdkRedisError(error)) throw error;
        const reason = timedOut ? 'timeout' : `network: ${config.redact(networkReason(error))}`;
        const delayMs = backoffDelay(
          attempt - 1,
          config.retry.baseDelayMs,
          config.retry.maxDelayMs,
          random,
        );
        const deadlineLeft = deadline ? deadline.at - Date.now() : Infinity;
        if (attempt < maxAttempts && delayMs < deadlineLeft) {
          debug({ type: 'retry', method, path, attempt, delayMs, reason });
          await sleep(delayMs, callerSignal);
          continue;
        }
        debug({
          type: 'error',
          method,
          path,
          attempt,
          reason,
          durationMs: performance.now() - started,
        });
        if (timedOut && deadline && attemptMs < config.timeoutMs) throw deadlineError(attempt);
        if (timedOut)
          throw new TimeoutError(config.backend, method, path, config.timeoutMs, attempt);
        const reasonText = config.redact(networkReason(error));
        // The cause is kept unless a secret shows in it (a custom fetch may quote the headers).
        throw new NetworkError(config.backend, method, path, attempt, reasonText, {
          cause: containsSecret(error, config.redact) ? new Error(reasonText) : error,
        });
      }

      const durationMs = performance.now() - started;
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      if (isRetryableStatus(response.status) && attempt < maxAttempts) {
        const delayMs =
          retryAfterMs ??
          backoffDelay(attempt - 1, config.retry.baseDelayMs, config.retry.maxDelayMs, random);
        const waitAllowed =
          (retryAfterMs === undefined || retryAfterMs <= config.retry.maxRetryAfterMs) &&
          // No retry that could not start before the deadline: the answer in hand is returned.
          (!deadline || Date.now() + delayMs < deadline.at);
        if (waitAllowed) {
          debug({
            type: 'retry',
            method,
            path,
            attempt,
            status: response.status,
            durationMs,
            delayMs,
            reason: `status ${response.status}`,
          });
          await response.body?.cancel().catch(() => undefined);
          release();
          await sleep(delayMs, callerSignal);
          continue;
        }
      }
      if (config.onDebug) {
        debug({ type: 'response', method, path, attempt, status: response.status, durationMs });
      }
      responseContexts.set(response, {
        backend: config.backend,
        method,
        path,
        redact: config.redact,
        retryAfterMs,
        release,
      });
      return response;
    }
  };
}
