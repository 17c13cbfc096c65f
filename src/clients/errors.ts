/**
 * Typed errors. None of them holds a request, its headers, or any secret: they are built from
 * the method, the path (never the query), the status and the parsed body, with every known secret
 * value redacted from text that came back from the server.
 */

/**
 * Which backend an error or debug event is about, named as the `backend` config option names it
 * (the low-level AMS client is `createAgentMemoryServerClient`, but its backend is
 * `'opensource-agent-memory'`).
 */
export type BackendName = 'opensource-agent-memory' | 'redis-agent-memory';

const BACKEND_LABEL: Record<BackendName, string> = {
  'opensource-agent-memory': 'Agent Memory Server',
  'redis-agent-memory': 'Redis Agent Memory',
};

/** Base class of every error this library throws. */
export class AdkRedisError extends Error {
  /** The class name (`'BackendError'`, ...), set explicitly so minifiers cannot change it. */
  override name = 'AdkRedisError';

  /** A plain object for logs: name, message and the error's own fields (never secrets). */
  toJSON(): Record<string, unknown> {
    const fields: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (key !== 'name' && key !== 'cause') fields[key] = value;
    }
    return fields;
  }
}

/** A configuration value is missing or invalid. `field` names it (for example `storeId`). */
export class ConfigurationError extends AdkRedisError {
  override name = 'ConfigurationError';
  constructor(
    /** The option at fault, as a dotted path. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** An argument cannot be sent as it is (for example an empty or `..` path parameter). Nothing was sent. */
export class InvalidArgumentError extends AdkRedisError {
  override name = 'InvalidArgumentError';
  constructor(
    /** The argument at fault, as a dotted path. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** One field-level problem reported by the backend (managed `fields`, or an AMS 422 entry). */
export interface BackendFieldError {
  /** Where the problem is: a field name, or a dotted location such as `body.messages.0.content`. */
  field: string;
  /** The backend's description of the problem (secrets redacted). */
  message: string;
  /** The rule or error type the backend named, when it did. */
  rule?: string;
}

/** What a backend error is built from. */
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
}

/**
 * The backend answered with an error status. Carries the HTTP status, the problem `type`,
 * `title` and `detail` (managed problem details; AMS `{detail}`), field errors, and the request's
 * method and path.
 */
export class BackendError extends AdkRedisError {
  override name = 'BackendError';
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
    super(BackendError.describe(init));
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

  private static describe(init: BackendErrorInit): string {
    const what = init.title ?? init.type;
    let text = `${BACKEND_LABEL[init.backend]} answered ${init.status}${what ? ` ${what}` : ''} to ${init.method} ${init.path}`;
    if (init.detail) text += `: ${init.detail}`;
    if (init.fields?.length) {
      text += ` (${init.fields.map((f) => `${f.field}: ${f.message}`).join('; ')})`;
    }
    return text;
  }
}

/** A request attempt took longer than `timeoutMs`. */
export class TimeoutError extends AdkRedisError {
  override name = 'TimeoutError';
  constructor(
    /** Which API the request was for. */
    readonly backend: BackendName,
    /** The request's HTTP method. */
    readonly method: string,
    /** The request's URL path, without the query string. */
    readonly path: string,
    /** The per-attempt timeout that ran out, in milliseconds. */
    readonly timeoutMs: number,
    /** How many attempts were made. */
    readonly attempts: number,
  ) {
    super(
      `${BACKEND_LABEL[backend]} did not answer ${method} ${path} within ${timeoutMs} ms` +
        (attempts > 1 ? ` (${attempts} attempts)` : ''),
    );
  }
}

/** The request could not reach the backend (connection refused or reset, DNS failure, ...). */
export class NetworkError extends AdkRedisError {
  override name = 'NetworkError';
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

/** A successful response whose body could not be parsed (not JSON, cut short). */
export class MalformedResponseError extends AdkRedisError {
  override name = 'MalformedResponseError';
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
