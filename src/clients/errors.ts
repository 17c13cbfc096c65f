/**
 * Typed errors. None of them holds a request, its headers, or any secret: they are built from
 * the method, the path (never the query), the status and the parsed body, with every known secret
 * value redacted from text that came back from the server.
 */

/**
 * Which backend an error or debug event is about, named as the `backend` config option names it
 * (the low-level AMS client is `createAgentMemoryServerClient`, but its backend is
 * `'opensource-agent-memory'`).
 * @category Errors
 */
export type BackendName = 'opensource-agent-memory' | 'redis-agent-memory';

const BACKEND_LABEL: Record<BackendName, string> = {
  'opensource-agent-memory': 'Agent Memory Server',
  'redis-agent-memory': 'Redis Agent Memory',
};

/**
 * Marks every error of this library, whichever copy of the package (ESM or CJS, or two installed
 * versions) made it: `Symbol.for` gives one symbol per process.
 */
const BRAND = Symbol.for('adk-redis.error');

/**
 * Whether `value` is an error thrown by this library. Unlike `instanceof`, it also holds across
 * the ESM and CJS copies of the package (a dual-package hazard) and across versions.
 * @category Errors
 */
export function isAdkRedisError(value: unknown): value is AdkRedisError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}

/**
 * Base class of every error this library throws.
 * @category Errors
 */
export class AdkRedisError extends Error {
  /** The class name (`'BackendError'`, ...), set explicitly so minifiers cannot change it. */
  override name = 'AdkRedisError';
  /**
   * A stable code for programs to branch on (`ADK_REDIS_…`); unlike the message, it does not change
   * between releases.
   */
  readonly code: string = 'ADK_REDIS_ERROR';

  /** A plain object for logs: name, message and the error's own fields (never secrets). */
  toJSON(): Record<string, unknown> {
    const fields: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      message: this.message,
    };
    for (const [key, value] of Object.entries(this)) {
      if (key !== 'name' && key !== 'code' && key !== 'cause') fields[key] = value;
    }
    return fields;
  }
}
Object.defineProperty(AdkRedisError.prototype, BRAND, { value: true });

/**
 * A configuration value is missing or invalid. `field` names it (for example `storeId`).
 * @category Errors
 */
export class ConfigurationError extends AdkRedisError {
  override name = 'ConfigurationError';
  override readonly code: string = 'ADK_REDIS_CONFIGURATION';
  constructor(
    /** The option at fault, as a dotted path. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An argument cannot be sent as it is (for example an empty or `..` path parameter). Nothing was sent.
 * @category Errors
 */
export class InvalidArgumentError extends AdkRedisError {
  override name = 'InvalidArgumentError';
  override readonly code: string = 'ADK_REDIS_INVALID_ARGUMENT';
  constructor(
    /** The argument at fault, as a dotted path. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One field-level problem reported by the backend (managed `fields`, or an AMS 422 entry).
 * @category Errors
 */
export interface BackendFieldError {
  /** Where the problem is: a field name, or a dotted location such as `body.messages.0.content`. */
  field: string;
  /** The backend's description of the problem (secrets redacted). */
  message: string;
  /** The rule or error type the backend named, when it did. */
  rule?: string;
}

/**
 * What a backend error is built from.
 * @category Errors
 */
export interface BackendErrorInit {
  /** {@inheritDoc BackendError.backend} */
  backend: BackendName;
  /** {@inheritDoc BackendError.status} */
  status: number;
  /** {@inheritDoc BackendError.method} */
  method: string;
  /** {@inheritDoc BackendError.path} */
  path: string;
  /** {@inheritDoc BackendError.type} */
  type?: string;
  /** {@inheritDoc BackendError.title} */
  title?: string;
  /** {@inheritDoc BackendError.detail} */
  detail?: string;
  /** {@inheritDoc BackendError.fields} */
  fields?: BackendFieldError[];
  /** {@inheritDoc BackendError.retryAfterMs} */
  retryAfterMs?: number;
  /** What to check, appended to the message. */
  hint?: string;
}

// A module function, not a static method: a class that names itself in its body is renamed
// (`_BackendError`) by the bundler, and that name is what a crash prints.
function describeBackendError(init: BackendErrorInit): string {
  const what = init.title ?? init.type;
  let text = `${BACKEND_LABEL[init.backend]} answered ${init.status}${what ? ` ${what}` : ''} to ${init.method} ${init.path}`;
  if (init.detail) text += `: ${init.detail}`;
  if (init.fields?.length) {
    text += ` (${init.fields.map((f) => `${f.field}: ${f.message}`).join('; ')})`;
  }
  if (init.hint) text += `. ${init.hint}`;
  return text;
}

/**
 * The backend answered with an error status. Carries the HTTP status, the problem `type`,
 * `title` and `detail` (managed problem details; AMS `{detail}`), field errors, and the request's
 * method and path.
 * @category Errors
 */
export class BackendError extends AdkRedisError {
  override name = 'BackendError';
  override readonly code: string = 'ADK_REDIS_BACKEND';
  /** Which API answered. */
  readonly backend: BackendName;
  /** The HTTP status code. */
  readonly status: number;
  /** The request's HTTP method. */
  readonly method: string;
  /** The request's URL path, without the query string. */
  readonly path: string;
  /** The problem type URI or code, when the backend sent one. */
  readonly type?: string;
  /** A short summary of the problem (problem `title`, else the status text). */
  readonly title?: string;
  /** The backend's explanation of this occurrence (secrets redacted). */
  readonly detail?: string;
  /** Field-level validation problems, when the backend listed any. */
  readonly fields?: BackendFieldError[];
  /** From `Retry-After`, when the backend sent one. */
  readonly retryAfterMs?: number;

  constructor(init: BackendErrorInit) {
    super(describeBackendError(init));
    this.backend = init.backend;
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    if (init.type !== undefined) this.type = init.type;
    if (init.title !== undefined) this.title = init.title;
    if (init.detail !== undefined) this.detail = init.detail;
    if (init.fields !== undefined) this.fields = init.fields;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

/**
 * The backend did not answer in time: one attempt ran past `timeoutMs`, or (when `deadlineMs` is
 * set) the whole call, retries and backoff included, ran past its overall deadline.
 * @category Errors
 */
export class TimeoutError extends AdkRedisError {
  override name = 'TimeoutError';
  override readonly code: string = 'ADK_REDIS_TIMEOUT';
  constructor(
    /** Which API the request was for. */
    readonly backend: BackendName,
    /** The request's HTTP method. */
    readonly method: string,
    /** The request's URL path, without the query string. */
    readonly path: string,
    /** The per-attempt timeout, in milliseconds. */
    readonly timeoutMs: number,
    /** How many attempts were made. */
    readonly attempts: number,
    /**
     * Set when the overall deadline of the call ran out (config `deadline`/`deadlineMs`), in
     * milliseconds; undefined when a single attempt timed out.
     */
    readonly deadlineMs?: number,
  ) {
    super(
      deadlineMs === undefined
        ? `${BACKEND_LABEL[backend]} did not answer ${method} ${path} within ${timeoutMs} ms` +
            (attempts > 1 ? ` (${attempts} attempts)` : '')
        : `${BACKEND_LABEL[backend]} did not answer ${method} ${path} before the call's overall deadline of ${deadlineMs} ms ran out` +
            ` (${attempts} attempt${attempts === 1 ? '' : 's'}; config deadline, in seconds, or deadlineMs)`,
    );
  }
}

/**
 * The request could not reach the backend (connection refused or reset, DNS failure, ...).
 * @category Errors
 */
export class NetworkError extends AdkRedisError {
  override name = 'NetworkError';
  override readonly code: string = 'ADK_REDIS_NETWORK';
  constructor(
    /** Which API the request was for. */
    readonly backend: BackendName,
    /** The request's HTTP method. */
    readonly method: string,
    /** The request's URL path, without the query string. */
    readonly path: string,
    /** How many attempts were made. */
    readonly attempts: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Could not reach ${BACKEND_LABEL[backend]} for ${method} ${path}: ${reason}` +
        (attempts > 1 ? ` (${attempts} attempts)` : ''),
      options,
    );
  }
}

/**
 * A successful response whose body could not be parsed (not JSON, cut short).
 * @category Errors
 */
export class MalformedResponseError extends AdkRedisError {
  override name = 'MalformedResponseError';
  override readonly code: string = 'ADK_REDIS_MALFORMED_RESPONSE';
  constructor(
    /** Which API the request was for. */
    readonly backend: BackendName,
    /** The request's HTTP method. */
    readonly method: string,
    /** The OpenAPI path template of the call. */
    readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${BACKEND_LABEL[backend]} answered ${method} ${path} with a body that cannot be read: ${reason}`,
      options,
    );
  }
}

/**
 * A 404 that is not the API saying "no such session": the URL reached a server, but no route of the
 * API was there (a base URL with an extra path segment such as `/v1`, a proxy prefix, or a server
 * of another API). Check `apiBaseUrl`: it is the API's root, without `/v1`.
 * @category Errors
 */
export class EndpointNotFoundError extends BackendError {
  override name = 'EndpointNotFoundError';
  override readonly code: string = 'ADK_REDIS_ENDPOINT_NOT_FOUND';
}

/**
 * The managed API does not know the configured store (404 naming the store). Check `storeId`
 * (`REDIS_AGENT_MEMORY_STORE_ID`) and that `apiBaseUrl` is the endpoint of the service that holds it.
 * @category Errors
 */
export class StoreNotFoundError extends BackendError {
  override name = 'StoreNotFoundError';
  override readonly code: string = 'ADK_REDIS_STORE_NOT_FOUND';
}

/**
 * The server that answered is not the configured backend's API (its answer has another shape:
 * an HTML page, another API's error body, a health check of another service). Check `backend` and
 * `apiBaseUrl`.
 * @category Errors
 */
export class WrongApiError extends BackendError {
  override name = 'WrongApiError';
  override readonly code: string = 'ADK_REDIS_WRONG_API';
}

/**
 * The backend refused the credentials (401) or their rights (403). Check `apiKey`
 * (`REDIS_AGENT_MEMORY_API_KEY`, or `AMS_TOKEN` for a server with token auth).
 * @category Errors
 */
export class AuthenticationError extends BackendError {
  override name = 'AuthenticationError';
  override readonly code: string = 'ADK_REDIS_AUTHENTICATION';
}
