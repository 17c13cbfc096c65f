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
 */
export interface ConnectionConfig {
  /** Which backend to use (default `'redis-agent-memory'`). */
  backend?: ServiceBackend;
  /**
   * Base URL of the API (default: `REDIS_AGENT_MEMORY_API_BASE_URL` or, for AMS, `AMS_BASE_URL`
   * from the environment, else `http://localhost:8000`).
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
  /** Base URL of the API (default from the environment, else `http://localhost:8000`). */
  apiBaseUrl: baseUrlSchema.default('http://localhost:8000'),
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

/** A connection config after validation and defaults: the timeout is in milliseconds. */
export type ResolvedConnectionConfig = z.output<typeof connectionConfigSchema> & {
  timeoutMs: number;
};

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
): z.output<S> & { timeoutMs: number } {
  if (input !== undefined && (typeof input !== 'object' || input === null)) {
    throw new ConfigurationError('(config)', `${service} config must be an object.`);
  }
  const result = schema.safeParse(
    withEnvironmentDefaults((input ?? {}) as Record<string, unknown>, process.env),
  );
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]!;
      const hint = key.includes('_') ? ` (did you mean "${camelCase(key)}"?)` : '';
      throw new ConfigurationError(
        key,
        `Invalid ${service} config: unknown option "${key}"${hint}.`,
      );
    }
    const field = issue.path.map(String).join('.') || '(config)';
    throw new ConfigurationError(field, `Invalid ${service} config "${field}": ${issue.message}.`);
  }
  const config = result.data;
  if (config.backend === REDIS_AGENT_MEMORY_BACKEND && config.storeId === undefined) {
    throw new ConfigurationError(
      'storeId',
      `Invalid ${service} config "storeId": required by the "${REDIS_AGENT_MEMORY_BACKEND}" backend (or set backend: "${OPENSOURCE_AGENT_MEMORY_BACKEND}").`,
    );
  }
  return { ...config, timeoutMs: config.timeoutMs ?? Math.round(config.timeout * 1000) };
}

function withEnvironmentDefaults(
  input: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const backend = input.backend ?? REDIS_AGENT_MEMORY_BACKEND;
  if (!isServiceBackend(backend)) return input;
  const names: Record<string, string> = CONFIG_ENVIRONMENT[backend];
  const filled = { ...input };
  for (const [field, variable] of Object.entries(names)) {
    const value = env[variable];
    if (filled[field] === undefined && value !== undefined && value !== '') filled[field] = value;
  }
  return filled;
}
