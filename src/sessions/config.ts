/** Configuration of RedisSessionMemoryService: the public shape, its zod schema and defaults. */
import { z } from 'zod';
import {
  ConfigurationError,
  baseUrlSchema,
  isHeaderValue,
  retryOptionsSchema,
  type DebugEvent,
  type RetryOptions,
} from '../clients/index.js';

/** The managed Redis Agent Memory Data Plane API (API key and store id). */
export const REDIS_AGENT_MEMORY_BACKEND = 'redis-agent-memory';
/** The self-hosted Agent Memory Server, where sessions are working memory. */
export const OPENSOURCE_AGENT_MEMORY_BACKEND = 'opensource-agent-memory';
/** The backends a session service can use. */
export type SessionBackendName =
  typeof REDIS_AGENT_MEMORY_BACKEND | typeof OPENSOURCE_AGENT_MEMORY_BACKEND;

/** Long-term memory extraction strategies (AMS `long_term_memory_strategy.strategy`). */
export type ExtractionStrategy = 'discrete' | 'summary' | 'preferences' | 'custom';

/**
 * Configuration of {@link RedisSessionMemoryService}. camelCase equivalents of the Python
 * `adk-redis` fields, plus client options. Every field is optional; invalid values throw a
 * `ConfigurationError` naming the field when the service is constructed.
 */
export interface RedisSessionMemoryServiceConfig {
  /** Which backend stores the sessions (default `'redis-agent-memory'`). */
  backend?: SessionBackendName;
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
  /**
   * Namespace for every app's sessions (default: each session's ADK `appName`). With AMS, when it
   * differs from the app name, stored session ids are qualified by the app (see the README).
   */
  defaultNamespace?: string;
  /**
   * AMS only: the model whose context window sizes server-side summarisation (sent as
   * `model_name` on writes). Must be a model name AMS knows.
   */
  modelName?: string;
  /** AMS only: the context window, in tokens, for server-side summarisation (`context_window_max`). */
  contextWindowMax?: number;
  /** AMS only: long-term memory extraction strategy stored with each session. */
  extractionStrategy?: ExtractionStrategy;
  /** AMS only: options of the extraction strategy (for `custom`, the prompt and so on). */
  extractionStrategyConfig?: Record<string, unknown>;
  /** AMS only: expiry of session documents in seconds, restarted by every write (default: none). */
  sessionTtlSeconds?: number;
  /**
   * Skip the read before each append when this process is the only writer of its sessions: the
   * write is built from the last document this service read or wrote. Stale live sessions of this
   * process are still detected; writes by other processes are not. Default `false`.
   */
  singleWriter?: boolean;
  /** How many sessions `listSessions` reads at once (default 8). */
  listConcurrency?: number;
  /**
   * Managed only: the largest event metadata, in bytes, sent to the service (default 16384, the
   * size Redis documents; raise it if your service accepts more). A larger event throws
   * `EventTooLargeError` before anything is sent.
   */
  maxEventBytes?: number;
  /** Retry policy of the underlying client (network errors, 408, 429, 5xx; idempotent calls). */
  retry?: RetryOptions;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof globalThis.fetch;
  /** Extra headers sent on every request. */
  headers?: Record<string, string>;
  /** Called for every request, response, retry and error of the underlying client; never sees secrets. */
  onDebug?: (event: DebugEvent) => void;
}

const isFunction = (value: unknown): boolean => typeof value === 'function';
const nonBlank = (what: string) =>
  z.string().refine((s) => s.trim() !== '', { message: `must not be empty (${what})` });

/** The zod schema of {@link RedisSessionMemoryServiceConfig}, with defaults applied. */
export const redisSessionMemoryServiceConfigSchema = z
  .object({
    /** {@inheritDoc RedisSessionMemoryServiceConfig.backend} */
    backend: z
      .enum([REDIS_AGENT_MEMORY_BACKEND, OPENSOURCE_AGENT_MEMORY_BACKEND], {
        message: `must be "${REDIS_AGENT_MEMORY_BACKEND}" or "${OPENSOURCE_AGENT_MEMORY_BACKEND}"`,
      })
      .default(REDIS_AGENT_MEMORY_BACKEND),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.apiBaseUrl} */
    apiBaseUrl: baseUrlSchema.default('http://localhost:8000'),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.apiKey} */
    apiKey: nonBlank('the API key or token')
      .refine(isHeaderValue, {
        message: 'must be a valid HTTP header value (the API key or token)',
      })
      .optional(),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.storeId} */
    storeId: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, { message: 'must be 1-64 letters, digits or "-"' })
      .optional(),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.timeout} */
    timeout: z.number().positive().max(600).default(30),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.timeoutMs} */
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.defaultNamespace} */
    defaultNamespace: nonBlank('defaultNamespace').optional(),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.modelName} */
    modelName: nonBlank('modelName').optional(),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.contextWindowMax} */
    contextWindowMax: z.number().int().min(1).optional(),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.extractionStrategy} */
    extractionStrategy: z.enum(['discrete', 'summary', 'preferences', 'custom']).optional(),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.extractionStrategyConfig} */
    extractionStrategyConfig: z.record(z.string(), z.unknown()).optional(),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.sessionTtlSeconds} */
    sessionTtlSeconds: z.number().int().min(1).optional(),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.singleWriter} */
    singleWriter: z.boolean().default(false),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.listConcurrency} */
    listConcurrency: z.number().int().min(1).max(64).default(8),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.maxEventBytes} */
    maxEventBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(16_384),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.retry} */
    retry: retryOptionsSchema.optional(),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.fetch} */
    fetch: z
      .custom<typeof globalThis.fetch>(isFunction, {
        message: 'must be a fetch-compatible function',
      })
      .optional(),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.headers} */
    headers: z.record(z.string(), z.string()).optional(),
    /** {@inheritDoc RedisSessionMemoryServiceConfig.onDebug} */
    onDebug: z
      .custom<(event: DebugEvent) => void>(isFunction, { message: 'must be a function' })
      .optional(),
  })
  .strict();

/** The configuration after validation and defaults. */
export type ResolvedSessionServiceConfig = z.output<
  typeof redisSessionMemoryServiceConfigSchema
> & {
  timeoutMs: number;
};

const camelCase = (key: string): string =>
  key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Validates a config and applies defaults. Messages come from the schema, never from the values,
 * so a secret cannot leak into them.
 * @throws {ConfigurationError} naming the first invalid field.
 */
export function resolveSessionServiceConfig(input: unknown): ResolvedSessionServiceConfig {
  if (input !== undefined && (typeof input !== 'object' || input === null)) {
    throw new ConfigurationError('(config)', 'RedisSessionMemoryService config must be an object.');
  }
  const result = redisSessionMemoryServiceConfigSchema.safeParse(
    withEnvironmentDefaults((input ?? {}) as Record<string, unknown>, process.env),
  );
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]!;
      const hint = key.includes('_') ? ` (did you mean "${camelCase(key)}"?)` : '';
      throw new ConfigurationError(
        key,
        `Invalid RedisSessionMemoryService config: unknown option "${key}"${hint}.`,
      );
    }
    const field = issue.path.map(String).join('.') || '(config)';
    throw new ConfigurationError(
      field,
      `Invalid RedisSessionMemoryService config "${field}": ${issue.message}.`,
    );
  }
  const config = result.data;
  if (config.backend === REDIS_AGENT_MEMORY_BACKEND && config.storeId === undefined) {
    throw new ConfigurationError(
      'storeId',
      `Invalid RedisSessionMemoryService config "storeId": required by the "${REDIS_AGENT_MEMORY_BACKEND}" backend (or set backend: "${OPENSOURCE_AGENT_MEMORY_BACKEND}").`,
    );
  }
  return { ...config, timeoutMs: config.timeoutMs ?? Math.round(config.timeout * 1000) };
}

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
} as const;

function withEnvironmentDefaults(
  input: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): Record<string, unknown> {
  const backend = input.backend ?? REDIS_AGENT_MEMORY_BACKEND;
  const names: Record<string, string> | undefined =
    backend === REDIS_AGENT_MEMORY_BACKEND || backend === OPENSOURCE_AGENT_MEMORY_BACKEND
      ? CONFIG_ENVIRONMENT[backend]
      : undefined;
  if (!names) return input;
  const filled = { ...input };
  for (const [field, variable] of Object.entries(names)) {
    const value = env[variable];
    if (filled[field] === undefined && value !== undefined && value !== '') filled[field] = value;
  }
  return filled;
}
