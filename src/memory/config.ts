/** Configuration of RedisLongTermMemoryService: the public shape, its zod schema and defaults. */
import { z } from 'zod';
import { ConfigurationError } from '../clients/index.js';
import {
  connectionConfigShape,
  nonBlank,
  resolveServiceConfig,
  type ConnectionConfig,
  type ResolvedConnectionFields,
} from '../shared/config.js';

/** A memory type: the built-in ones, or a custom type registered on a managed store. */
export type MemoryType = 'semantic' | 'episodic' | 'message' | (string & {});

/**
 * Configuration of {@link RedisLongTermMemoryService}: camelCase equivalents of the Python
 * `adk-redis` fields, plus the connection options every service shares. Every field is optional;
 * invalid values throw a `ConfigurationError` naming the field when the service is constructed.
 */
export interface RedisLongTermMemoryServiceConfig extends ConnectionConfig {
  /** How many memories `searchMemory` returns at most (1–100, default 10). */
  searchTopK?: number;
  /**
   * The least similarity a search result must have, in [0, 1]; higher is stricter on both
   * backends (managed: sent as `similarityThreshold`; AMS: as `distance_threshold = 1 - value`).
   * Default: none.
   */
  similarityThreshold?: number;
  /**
   * @deprecated Use `similarityThreshold` (= 1 - distanceThreshold). Warns once per process
   * (`ADK_REDIS_DEP0002`); setting both is a `ConfigurationError`.
   */
  distanceThreshold?: number;
  /** Store each event with visible text as a `message` memory (default `true`; `false` stores nothing). */
  storeEventsAsMessages?: boolean;
  /** The memory type of `addMemory` records when none is given (default `'semantic'`). */
  defaultMemoryType?: MemoryType;
  /** Topics added to every record written (default none). */
  defaultTopics?: string[];
  /** The first part of every stable memory id (default `'adk-redis'`, as the Python package). */
  source?: string;
  /** AMS only: rerank search results by recency (default `true`). */
  recencyBoost?: boolean;
  /** AMS only: weight of semantic similarity in the recency rerank (default 0.8). */
  semanticWeight?: number;
  /** AMS only: weight of recency in the rerank (default 0.2). */
  recencyWeight?: number;
  /** AMS only: weight of last access within recency (default 0.6). */
  freshnessWeight?: number;
  /** AMS only: weight of creation time within recency (default 0.4). */
  noveltyWeight?: number;
  /** AMS only: half-life of last access, in days (default 7). */
  halfLifeLastAccessDays?: number;
  /** AMS only: half-life of creation time, in days (default 30). */
  halfLifeCreatedDays?: number;
  /**
   * AMS only: after a write, read every written id back until it is readable (AMS acknowledges
   * creates before indexing them, and can drop them), bounded by the request timeout; a record
   * still missing then is reported in a `MemoryWriteError`. Default `true`; `false` resolves as
   * soon as AMS acknowledges.
   */
  confirmWrites?: boolean;
  /** How many requests one call sends at once (bulk batches, reads by id; default 4). */
  concurrency?: number;
}

const weight = z.number().min(0).max(1);
const halfLife = z.number().positive().max(36_500);
const memoryTypeSchema = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/, {
  message: 'must be a letter then letters, digits, _ or -',
});

/** The zod schema of {@link RedisLongTermMemoryServiceConfig}, with defaults applied. */
export const redisLongTermMemoryServiceConfigSchema = z
  .object({
    ...connectionConfigShape,
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.searchTopK} */
    searchTopK: z.number().int().min(1).max(100).default(10),
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.similarityThreshold} */
    similarityThreshold: z.number().min(0).max(1).optional(),
    /** Deprecated alias of `similarityThreshold` (= 1 - distanceThreshold). */
    distanceThreshold: z.number().min(0).max(1).optional(),
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.storeEventsAsMessages} */
    storeEventsAsMessages: z.boolean().default(true),
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.defaultMemoryType} */
    defaultMemoryType: memoryTypeSchema.default('semantic'),
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.defaultTopics} */
    defaultTopics: z
      .array(
        z
          .string()
          .min(1)
          .max(100)
          .refine((t) => !t.includes(','), { message: 'must not contain a comma' }),
      )
      .max(40)
      .default([]),
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.source} */
    source: nonBlank('source').default('adk-redis'),
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.recencyBoost} */
    recencyBoost: z.boolean().default(true),
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.semanticWeight} */
    semanticWeight: weight.default(0.8),
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.recencyWeight} */
    recencyWeight: weight.default(0.2),
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.freshnessWeight} */
    freshnessWeight: weight.default(0.6),
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.noveltyWeight} */
    noveltyWeight: weight.default(0.4),
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.halfLifeLastAccessDays} */
    halfLifeLastAccessDays: halfLife.default(7),
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.halfLifeCreatedDays} */
    halfLifeCreatedDays: halfLife.default(30),
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.confirmWrites} */
    confirmWrites: z.boolean().default(true),
    /** {@inheritDoc RedisLongTermMemoryServiceConfig.concurrency} */
    concurrency: z.number().int().min(1).max(32).default(4),
  })
  .strict();

/** The configuration after validation and defaults (`distanceThreshold` folded in). */
export type ResolvedMemoryServiceConfig = Omit<
  z.output<typeof redisLongTermMemoryServiceConfigSchema>,
  'distanceThreshold'
> &
  ResolvedConnectionFields;

const SERVICE = 'RedisLongTermMemoryService';
let warnedDistance = false;

/**
 * Validates a config and applies defaults. Messages come from the schema, never from the values,
 * so a secret cannot leak into them.
 * @throws {ConfigurationError} naming the first invalid field.
 */
export function resolveMemoryServiceConfig(input: unknown): ResolvedMemoryServiceConfig {
  const { distanceThreshold, ...config } = resolveServiceConfig(
    redisLongTermMemoryServiceConfigSchema,
    input,
    SERVICE,
  );
  if (distanceThreshold === undefined) return config;
  if (config.similarityThreshold !== undefined) {
    throw new ConfigurationError(
      'distanceThreshold',
      `Invalid ${SERVICE} config "distanceThreshold": set similarityThreshold only (distanceThreshold is its deprecated alias, 1 - similarityThreshold).`,
    );
  }
  if (!warnedDistance) {
    warnedDistance = true;
    process.emitWarning(
      `${SERVICE} config "distanceThreshold" is deprecated; use similarityThreshold = 1 - distanceThreshold. It will be removed in 0.1.0.`,
      { type: 'DeprecationWarning', code: 'ADK_REDIS_DEP0002' },
    );
  }
  return { ...config, similarityThreshold: 1 - distanceThreshold };
}
