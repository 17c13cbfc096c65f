/** Options shared by both low-level clients, validated with zod at construction. */
import { z } from 'zod';
import { ConfigurationError, type BackendName } from './errors.js';

/**
 * One request's life as seen by the debug hook. Never carries headers, bodies or the query string.
 * @category Clients
 */
export interface DebugEvent {
  /** Which step of the request this is: sent, answered, about to be retried, or failed. */
  type: 'request' | 'response' | 'retry' | 'error';
  /** Which API the request is for. */
  backend: BackendName;
  /** The request's HTTP method. */
  method: string;
  /** URL path without the query string. */
  path: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** The HTTP status, once a response came (`response`, or `retry` of a retryable status). */
  status?: number;
  /** How long the attempt took, in milliseconds, when it has ended. */
  durationMs?: number;
  /** For `retry`: how long the client waits before the next attempt. */
  delayMs?: number;
  /** For `retry` and `error`: why (for example `status 503`, `timeout`, `network: ECONNRESET`). */
  reason?: string;
}

/**
 * Retry policy: jittered exponential backoff, only for idempotent or caller-marked requests.
 * @category Clients
 */
export interface RetryOptions {
  /** Retries after the first attempt (default 2; 0 turns retries off). */
  maxRetries?: number;
  /** First backoff ceiling in ms (default 200); doubles per retry. */
  baseDelayMs?: number;
  /** Largest backoff in ms (default 5000). */
  maxDelayMs?: number;
  /** A `Retry-After` longer than this (ms, default 30000) is not waited for: the error is returned. */
  maxRetryAfterMs?: number;
}

/**
 * Options every client takes.
 * @category Clients
 */
export interface CommonClientOptions {
  /** The service's base URL, `http://` or `https://`. */
  baseUrl: string;
  /** Per-attempt timeout in ms (default 30000). */
  timeoutMs?: number;
  /** When and how failed requests are retried (see {@link RetryOptions} for the defaults). */
  retry?: RetryOptions;
  /** A `fetch` to use instead of the global one (for proxies, tracing or tests). */
  fetch?: typeof globalThis.fetch;
  /** Extra headers sent on every request. */
  headers?: Record<string, string>;
  /** Called for each request, response, retry and error. It never sees secrets. */
  onDebug?: (event: DebugEvent) => void;
}

const isFunction = (value: unknown): boolean => typeof value === 'function';

/**
 * Tab, printable ASCII and Latin-1 only. Anything else (a newline, a non-Latin-1 character) makes
 * `Headers` throw a TypeError that quotes the value, which would put a secret in an error.
 */
export const isHeaderValue = (value: string): boolean => /^[\t\x20-\x7e\x80-\xff]*$/.test(value);

export const retryOptionsSchema = z
  .object({
    /** {@inheritDoc RetryOptions.maxRetries} */
    maxRetries: z.number().int().min(0).max(10).default(2),
    /** {@inheritDoc RetryOptions.baseDelayMs} */
    baseDelayMs: z.number().min(0).max(60_000).default(200),
    /** {@inheritDoc RetryOptions.maxDelayMs} */
    maxDelayMs: z.number().min(0).max(300_000).default(5_000),
    /** {@inheritDoc RetryOptions.maxRetryAfterMs} */
    maxRetryAfterMs: z.number().min(0).max(3_600_000).default(30_000),
  })
  .strict();

export const baseUrlSchema = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute http:// or https:// URL' });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({
      code: 'custom',
      message: `must use http:// or https://, not ${url.protocol}//`,
    });
  }
  if (url.username || url.password) {
    ctx.addIssue({
      code: 'custom',
      message: 'must not contain credentials; pass the key or token as its own option',
    });
  }
  if (url.search || url.hash) {
    ctx.addIssue({ code: 'custom', message: 'must not contain a query string or fragment' });
  }
});

/** A `fetch` option: any function (called as fetch is). */
export const fetchOptionSchema = z.custom<typeof globalThis.fetch>(isFunction, {
  message: 'must be a fetch-compatible function',
});

/** An `onDebug` option: any function. */
export const onDebugOptionSchema = z.custom<(event: DebugEvent) => void>(isFunction, {
  message: 'must be a function',
});

export const commonOptionsShape = {
  baseUrl: baseUrlSchema,
  timeoutMs: z.number().int().positive().max(600_000).default(30_000),
  retry: retryOptionsSchema.default(retryOptionsSchema.parse({})),
  fetch: fetchOptionSchema.optional(),
  headers: z
    .record(
      z.string(),
      z.string().refine(isHeaderValue, { message: 'must be a valid HTTP header value' }),
    )
    .default({}),
  onDebug: onDebugOptionSchema.optional(),
};

/** A secret string option: never echoed in messages. */
export const secretSchema = (what: string) =>
  z
    .string({ message: `must be a string (${what})` })
    .refine((s) => s.trim() !== '', { message: `must not be empty (${what})` })
    .refine(isHeaderValue, { message: `must be a valid HTTP header value (${what})` });

/**
 * Parses options with a schema; the first problem becomes a ConfigurationError naming the field.
 * Messages come from the schema, never from the values, so secrets cannot leak into them.
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(options)';
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown option(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`
      : issue.message;
  throw new ConfigurationError(field, `Invalid ${what} option "${field}": ${message}`);
}
