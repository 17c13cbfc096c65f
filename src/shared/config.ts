/**
 * What every service needs to reach its backend: the connection fields, their zod schema, the
 * environment variables that fill them, and one way to validate a service's config built on them.
 * A service's config is {@link ConnectionConfig} plus its own fields; its schema spreads
 * {@link connectionConfigShape} into its own.
 */
import { z } from 'zod';
import {
  ConfigurationError,
  REDIS_AGENT_MEMORY_ID_PATTERN,
  baseUrlSchema,
  fetchOptionSchema,
  isHeaderValue,
  onDebugOptionSchema,
  retryOptionsSchema,
  type DebugEvent,
  type RetryOptions,
} from '../clients/index.js';
import {
  OPENSOURCE_AGENT_MEMORY_BACKEND,
  REDIS_AGENT_MEMORY_BACKEND,
  SERVICE_BACKENDS,
  isServiceBackend,
  type ServiceBackend,
} from './backend.js';

/**
 * How a service reaches its backend. Every field is optional; invalid values throw a
 * `ConfigurationError` naming the field when the service is constructed.
 * @category Config
 */
export interface ConnectionConfig {
  /**
   * Which backend to use (default: `ADK_REDIS_BACKEND` from the environment, else
   * `'redis-agent-memory'`).
   */
  backend?: ServiceBackend;
  /**
   * Base URL of the API, its root without `/v1`. Managed: required, the service's endpoint (default
   * `REDIS_AGENT_MEMORY_API_BASE_URL` from the environment). AMS: default `AMS_BASE_URL` from the
   * environment, else `http://localhost:8000`.
   */
  apiBaseUrl?: string;
  /**
   * The secret sent as `Authorization: Bearer …`: the managed API key, or an AMS token when the
   * server runs with token auth. Never logged or put in an error. Default: `REDIS_AGENT_MEMORY_API_KEY`
   * or, for AMS, `AMS_TOKEN` from the environment.
   */
  apiKey?: string;
  /**
   * Managed backend only: the store id (1–64 letters, digits and `-`). Required there; default
   * `REDIS_AGENT_MEMORY_STORE_ID` from the environment.
   */
  storeId?: string;
  /** Request timeout in seconds (default 30). */
  timeout?: number;
  /** Request timeout in milliseconds; overrides `timeout`. */
  timeoutMs?: number;
  /**
   * Overall deadline of one service call in seconds, across every request it makes, their retries
   * and backoff (default: twice the timeout). A call still running then fails with a
   * `TimeoutError` whose `deadlineMs` is set.
   */
  deadline?: number;
  /** The overall deadline in milliseconds; overrides `deadline`. */
  deadlineMs?: number;
  /** Namespace for every app's data (default: the ADK `appName`). */
  defaultNamespace?: string;
  /** Retry policy of the underlying client (network errors, 408, 429, 5xx; idempotent calls). */
  retry?: RetryOptions;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof globalThis.fetch;
  /** Extra headers sent on every request. */
  headers?: Record<string, string>;
  /** Called for every request, response, retry and error of the underlying client; never sees secrets. */
  onDebug?: (event: DebugEvent) => void;
}

/** A string that is not empty or only whitespace; `what` names it in the message. */
export const nonBlank = (what: string) =>
  z.string().refine((s) => s.trim() !== '', { message: `must not be empty (${what})` });

/** The zod fields of {@link ConnectionConfig}, with defaults; spread into a service's schema. */
export const connectionConfigShape = {
  /** Which backend to use (default `'redis-agent-memory'`). */
  backend: z
    .enum(SERVICE_BACKENDS, {
      message: `must be "${REDIS_AGENT_MEMORY_BACKEND}" or "${OPENSOURCE_AGENT_MEMORY_BACKEND}"`,
    })
    .default(REDIS_AGENT_MEMORY_BACKEND),
  /** Base URL of the API (AMS default `http://localhost:8000`; required for the managed API). */
  apiBaseUrl: baseUrlSchema.optional(),
  /** The API key or AMS token, sent as `Authorization: Bearer …`; never logged. */
  apiKey: nonBlank('the API key or token')
    .refine(isHeaderValue, {
      message: 'must be a valid HTTP header value (the API key or token)',
    })
    .optional(),
  /** Managed backend only: the store id (1–64 letters, digits and `-`). */
  storeId: z
    .string()
    .regex(REDIS_AGENT_MEMORY_ID_PATTERN, { message: 'must be 1-64 letters, digits or "-"' })
    .optional(),
  /** Request timeout in seconds (default 30). */
  timeout: z.number().positive().max(600).default(30),
  /** Request timeout in milliseconds; overrides `timeout`. */
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
  /** Overall deadline of one service call, in seconds (default: twice the timeout). */
  deadline: z.number().positive().max(3600).optional(),
  /** Overall deadline in milliseconds; overrides `deadline`. */
  deadlineMs: z.number().int().min(1).max(3_600_000).optional(),
  /** Namespace for every app's data (default: the ADK `appName`). */
  defaultNamespace: nonBlank('defaultNamespace').optional(),
  /** Retry policy of the underlying client. */
  retry: retryOptionsSchema.optional(),
  /** A `fetch` to use instead of the global one. */
  fetch: fetchOptionSchema.optional(),
  /** Extra headers sent on every request. */
  headers: z.record(z.string(), z.string()).optional(),
  /** Called for every request, response, retry and error of the underlying client. */
  onDebug: onDebugOptionSchema.optional(),
};

/** The zod schema of {@link ConnectionConfig} alone, with defaults applied. */
export const connectionConfigSchema = z.object(connectionConfigShape).strict();

/** What resolving adds: the base URL, and the timeout and deadline in milliseconds. */
export interface ResolvedConnectionFields {
  /** The base URL, from the config, the environment or (AMS) the default. */
  apiBaseUrl: string;
  /** The per-attempt timeout in milliseconds. */
  timeoutMs: number;
  /** The overall deadline of one service call in milliseconds. */
  deadlineMs: number;
}

/** A connection config after validation and defaults: the timeout is in milliseconds. */
export type ResolvedConnectionConfig = z.output<typeof connectionConfigSchema> &
  ResolvedConnectionFields;

/** The AMS default base URL (AMS's default port on this machine). */
export const DEFAULT_AMS_BASE_URL = 'http://localhost:8000';

/** The environment variable that selects the backend when the config does not. */
export const BACKEND_ENVIRONMENT_VARIABLE = 'ADK_REDIS_BACKEND';

/**
 * Environment variables that fill config fields left unset, per backend. Explicit config always
 * wins; nothing else is read from the environment.
 */
export const CONFIG_ENVIRONMENT = {
  [REDIS_AGENT_MEMORY_BACKEND]: {
    apiBaseUrl: 'REDIS_AGENT_MEMORY_API_BASE_URL',
    apiKey: 'REDIS_AGENT_MEMORY_API_KEY',
    storeId: 'REDIS_AGENT_MEMORY_STORE_ID',
  },
  [OPENSOURCE_AGENT_MEMORY_BACKEND]: {
    apiBaseUrl: 'AMS_BASE_URL',
    apiKey: 'AMS_TOKEN',
  },
} as const satisfies Record<ServiceBackend, Record<string, string>>;

/** Every environment variable the services read. */
export const DOCUMENTED_ENVIRONMENT: readonly string[] = [
  BACKEND_ENVIRONMENT_VARIABLE,
  ...new Set(Object.values(CONFIG_ENVIRONMENT).flatMap((names) => Object.values(names))),
];

// Units named in messages, so that `timeout: 30000` (meant as ms) explains itself.
const FIELD_UNITS: Record<string, string> = {
  timeout: 'seconds',
  timeoutMs: 'milliseconds',
  deadline: 'seconds',
  deadlineMs: 'milliseconds',
  sessionTtlSeconds: 'seconds',
  maxEventBytes: 'bytes',
  'retry.baseDelayMs': 'milliseconds',
  'retry.maxDelayMs': 'milliseconds',
  'retry.maxRetryAfterMs': 'milliseconds',
};

const camelCase = (key: string): string =>
  key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** A service's config schema: the connection fields plus its own. */
type ServiceConfigSchema = z.ZodType<z.output<typeof connectionConfigSchema>>;

/**
 * Validates a service's config and applies defaults (environment first, then the schema's).
 * `service` names the service in messages. Messages come from the schema, never from the values,
 * so a secret cannot leak into them.
 * @throws {ConfigurationError} naming the first invalid field.
 */
export function resolveServiceConfig<S extends ServiceConfigSchema>(
  schema: S,
  input: unknown,
  service: string,
): z.output<S> & ResolvedConnectionFields {
  if (input !== undefined && (typeof input !== 'object' || input === null)) {
    throw new ConfigurationError('(config)', `${service} config must be an object.`);
  }
  const result = schema.safeParse(
    withEnvironmentDefaults((input ?? {}) as Record<string, unknown>, process.env),
  );
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      // The full dotted path (`retry.retries`), so a nested option is found where it is.
      const key = [...issue.path.map(String), issue.keys[0]!].join('.');
      const last = issue.keys[0]!;
      const hint = last.includes('_') ? ` (did you mean "${camelCase(last)}"?)` : '';
      throw new ConfigurationError(
        key,
        `Invalid ${service} config: unknown option "${key}"${hint}.`,
      );
    }
    const field = issue.path.map(String).join('.') || '(config)';
    const unit = FIELD_UNITS[field] ? ` (${FIELD_UNITS[field]})` : '';
    throw new ConfigurationError(
      field,
      `Invalid ${service} config "${field}"${unit}: ${issue.message}.`,
    );
  }
  const config = result.data;
  if (config.backend === REDIS_AGENT_MEMORY_BACKEND && config.storeId === undefined) {
    throw new ConfigurationError(
      'storeId',
      `Invalid ${service} config "storeId": required by the "${REDIS_AGENT_MEMORY_BACKEND}" backend (or REDIS_AGENT_MEMORY_STORE_ID; or set backend: "${OPENSOURCE_AGENT_MEMORY_BACKEND}").`,
    );
  }
  // The AMS default port means nothing to the managed API: a forgotten endpoint would reach
  // whatever listens there.
  if (config.backend === REDIS_AGENT_MEMORY_BACKEND && config.apiBaseUrl === undefined) {
    throw new ConfigurationError(
      'apiBaseUrl',
      `Invalid ${service} config "apiBaseUrl": required by the "${REDIS_AGENT_MEMORY_BACKEND}" backend: your service's endpoint, such as https://<region>.memory.redis.io (or REDIS_AGENT_MEMORY_API_BASE_URL).`,
    );
  }
  const timeoutMs = config.timeoutMs ?? Math.round(config.timeout * 1000);
  const deadlineMs =
    config.deadlineMs ??
    (config.deadline === undefined ? 2 * timeoutMs : Math.round(config.deadline * 1000));
  if (deadlineMs < timeoutMs) {
    throw new ConfigurationError(
      config.deadlineMs === undefined ? 'deadline' : 'deadlineMs',
      `Invalid ${service} config "${config.deadlineMs === undefined ? 'deadline' : 'deadlineMs'}": the overall deadline (${deadlineMs} ms) must not be shorter than the per-attempt timeout (${timeoutMs} ms).`,
    );
  }
  return {
    ...config,
    apiBaseUrl: config.apiBaseUrl ?? DEFAULT_AMS_BASE_URL,
    timeoutMs,
    deadlineMs,
  };
}

function withEnvironmentDefaults(
  input: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const fromEnvironment = env[BACKEND_ENVIRONMENT_VARIABLE];
  const filled = { ...input };
  if (filled.backend === undefined && fromEnvironment !== undefined && fromEnvironment !== '') {
    if (!isServiceBackend(fromEnvironment)) {
      throw new ConfigurationError(
        'backend',
        `Invalid ${BACKEND_ENVIRONMENT_VARIABLE} in the environment: must be "${REDIS_AGENT_MEMORY_BACKEND}" or "${OPENSOURCE_AGENT_MEMORY_BACKEND}".`,
      );
    }
    filled.backend = fromEnvironment;
  }
  const backend = filled.backend ?? REDIS_AGENT_MEMORY_BACKEND;
  if (!isServiceBackend(backend)) return filled;
  const names: Record<string, string> = CONFIG_ENVIRONMENT[backend];
  for (const [field, variable] of Object.entries(names)) {
    const value = env[variable];
    if (filled[field] === undefined && value !== undefined && value !== '') filled[field] = value;
  }
  return filled;
}

const warnedOptions = new Set<string>();

/**
 * Warns once per process, with code `ADK_REDIS_W_IGNORED_OPTION`, about each option given in
 * `input` that the chosen backend does not use (`onlyFor` maps an option to the one backend that
 * reads it). Explicitly given options only: the environment never fills another backend's fields.
 */
export function warnIgnoredOptions(
  input: unknown,
  backend: ServiceBackend,
  onlyFor: Readonly<Record<string, ServiceBackend>>,
  service: string,
): void {
  if (typeof input !== 'object' || input === null) return;
  for (const [option, owner] of Object.entries(onlyFor)) {
    if (owner === backend || (input as Record<string, unknown>)[option] === undefined) continue;
    const once = `${service} ${option} ${backend}`;
    if (warnedOptions.has(once)) continue;
    warnedOptions.add(once);
    process.emitWarning(
      `${service} option "${option}" does nothing on the "${backend}" backend (it is read only by "${owner}"); remove it or change backend.`,
      { type: 'AdkRedisWarning', code: IGNORED_OPTION_WARNING },
    );
  }
}

/** The warning code of an option the chosen backend ignores. */
export const IGNORED_OPTION_WARNING = 'ADK_REDIS_W_IGNORED_OPTION';

/** Connection options that only one backend reads. */
export const CONNECTION_OPTION_BACKENDS: Readonly<Record<string, ServiceBackend>> = {
  storeId: REDIS_AGENT_MEMORY_BACKEND,
};
