/** Configuration of RedisSessionMemoryService: the public shape, its zod schema and defaults. */
import { z } from 'zod';
import { OPENSOURCE_AGENT_MEMORY_BACKEND, REDIS_AGENT_MEMORY_BACKEND } from '../shared/backend.js';
import {
  CONNECTION_OPTION_BACKENDS,
  connectionConfigShape,
  nonBlank,
  resolveServiceConfig,
  warnIgnoredOptions,
  type ConnectionConfig,
  type ResolvedConnectionFields,
} from '../shared/config.js';

export { OPENSOURCE_AGENT_MEMORY_BACKEND, REDIS_AGENT_MEMORY_BACKEND };

/**
 * The backends a session service can use.
 * @category Config
 */
export type SessionBackendName =
  typeof REDIS_AGENT_MEMORY_BACKEND | typeof OPENSOURCE_AGENT_MEMORY_BACKEND;

/**
 * Long-term memory extraction strategies (AMS `long_term_memory_strategy.strategy`).
 * @category Config
 */
export type ExtractionStrategy = 'discrete' | 'summary' | 'preferences' | 'custom';

/**
 * Configuration of {@link RedisSessionMemoryService}. camelCase equivalents of the Python
 * `adk-redis` fields, plus client options. Every field is optional; invalid values throw a
 * `ConfigurationError` naming the field when the service is constructed.
 * @category Config
 */
export interface RedisSessionMemoryServiceConfig extends ConnectionConfig {
  /** Which backend stores the sessions (default: `ADK_REDIS_BACKEND`, else `'redis-agent-memory'`). */
  backend?: SessionBackendName;
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
   * Managed only: the largest event this library stores, in bytes of its metadata JSON (the full
   * ADK event, inline data included; default 4194304, 4 MiB). An event over the service's
   * per-event limit (about 16 KB) is stored as several records; a larger one than this throws
   * `EventTooLargeError` before anything is sent.
   */
  maxEventBytes?: number;
}

/**
 * The zod schema of {@link RedisSessionMemoryServiceConfig}, with defaults applied.
 * @category Config
 */
export const redisSessionMemoryServiceConfigSchema = z
  .object({
    ...connectionConfigShape,
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
      .default(4 * 1024 * 1024),
  })
  .strict();

/** The configuration after validation and defaults. */
export type ResolvedSessionServiceConfig = z.output<typeof redisSessionMemoryServiceConfigSchema> &
  ResolvedConnectionFields;

/** Session options that only one backend reads (the others warn once when given). */
const SESSION_OPTION_BACKENDS = {
  ...CONNECTION_OPTION_BACKENDS,
  modelName: OPENSOURCE_AGENT_MEMORY_BACKEND,
  contextWindowMax: OPENSOURCE_AGENT_MEMORY_BACKEND,
  extractionStrategy: OPENSOURCE_AGENT_MEMORY_BACKEND,
  extractionStrategyConfig: OPENSOURCE_AGENT_MEMORY_BACKEND,
  sessionTtlSeconds: OPENSOURCE_AGENT_MEMORY_BACKEND,
  maxEventBytes: REDIS_AGENT_MEMORY_BACKEND,
} as const;

/**
 * Validates a config and applies defaults. Messages come from the schema, never from the values,
 * so a secret cannot leak into them.
 * @throws {ConfigurationError} naming the first invalid field.
 */
export function resolveSessionServiceConfig(input: unknown): ResolvedSessionServiceConfig {
  const config = resolveServiceConfig(
    redisSessionMemoryServiceConfigSchema,
    input,
    'RedisSessionMemoryService',
  );
  warnIgnoredOptions(input, config.backend, SESSION_OPTION_BACKENDS, 'RedisSessionMemoryService');
  return config;
}
