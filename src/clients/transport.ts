/**
 * The `fetch` that both generated clients call through: adds auth and identification headers,
 * applies the per-attempt timeout and the caller's AbortSignal, retries what is safe to retry,
 * and reports to the debug hook. openapi-fetch builds the URL and parses the body; this layer
 * only moves bytes.
 */
import { VERSION } from '../version.js';
import { NetworkError, TimeoutError, type BackendName } from './errors.js';
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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
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

/** Creates the `fetch` given to openapi-fetch. */
export function createTransport(config: TransportConfig): (request: Request) => Promise<Response> {
  const random = config.random ?? Math.random;
  const debug = (event: Omit<DebugEvent, 'backend'>): void => {
    if (!config.onDebug) return;
    try {
      config.onDebug({ backend: config.backend, ...event });
    } catch {
      // A failing debug hook must never break a request.
    }
  };

  return async function transport(request: Request): Promise<Response> {
    const method = request.method.toUpperCase();
    const url = new URL(request.url);
    const path = url.pathname;
    const headers = new Headers(request.headers);
    const retrySafeMarked = headers.has(RETRY_SAFE_HEADER);
    for (const [name, value] of Object.entries(config.headers))
      if (!headers.has(name)) headers.set(name, value);
    headers.delete(RETRY_SAFE_HEADER);
    if (!headers.has('user-agent')) headers.set('user-agent', USER_AGENT);
    if (!headers.has('accept')) headers.set('accept', 'application/json');
    for (const [name, value] of Object.entries(config.secretHeaders)) headers.set(name, value);

    const canRetry = IDEMPOTENT.has(method) || retrySafeMarked;
    const maxAttempts = canRetry ? config.retry.maxRetries + 1 : 1;
    // Buffered once so that every attempt can send the same bytes (bodies are JSON text).
    const body = request.body ? await request.text() : undefined;
    const callerSignal = request.signal;
    if (callerSignal.aborted) throw callerSignal.reason as Error;

    for (let attempt = 1; ; attempt++) {
      // One controller per attempt, aborted by its own timer or by the caller. (Cheaper than
      // AbortSignal.timeout + AbortSignal.any, which showed in the per-request overhead.)
      const controller = new AbortController();
      const signal = controller.signal;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        const reason = new DOMException('The request timed out', 'TimeoutError');
        attemptTimeouts.add(reason);
        controller.abort(reason);
      }, config.timeoutMs);
      timer.unref?.();
      const onCallerAbort = (): void => controller.abort(callerSignal.reason);
      callerSignal.addEventListener('abort', onCallerAbort, { once: true });
      const release = (): void => {
        clearTimeout(timer);
        callerSignal.removeEventListener('abort', onCallerAbort);
      };
      const started = performance.now();
      debug({ type: 'request', method, path, attempt });
      let response: Response;
      try {
        response = await untilAborted(config.fetch(url, { method, headers, body, signal }), signal);
      } catch (error) {
        release();
        if (callerSignal.aborted) throw callerSignal.reason as Error;
        const reason = timedOut ? 'timeout' : `network: ${config.redact(networkReason(error))}`;
        if (attempt < maxAttempts) {
          const delayMs = backoffDelay(
            attempt - 1,
            config.retry.baseDelayMs,
            config.retry.maxDelayMs,
            random,
          );
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
        const waitAllowed =
          retryAfterMs === undefined || retryAfterMs <= config.retry.maxRetryAfterMs;
        if (waitAllowed) {
          const delayMs =
            retryAfterMs ??
            backoffDelay(attempt - 1, config.retry.baseDelayMs, config.retry.maxDelayMs, random);
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
      debug({ type: 'response', method, path, attempt, status: response.status, durationMs });
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

/**
 * Settles with `promise`, or rejects when `signal` aborts first: a custom `fetch` that ignores its
 * signal must not outlive the timeout or the caller's abort.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // The call was already started; its own rejection is expected and must not go unhandled.
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}
