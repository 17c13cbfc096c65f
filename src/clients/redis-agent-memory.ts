/**
 * Low-level client for the Redis Agent Memory Data Plane API (managed), typed from its OpenAPI
 * document, with the store id bound into every store path.
 */
import type { Client } from 'openapi-fetch';
import { z } from 'zod';
import type { components, paths } from '../generated/redis-agent-memory.js';
import { createBackendClient } from './client.js';
import {
  commonOptionsShape,
  parseOptions,
  secretSchema,
  type CommonClientOptions,
} from './options.js';

/**
 * The managed API's id format (store, session, actor, owner, namespace ids).
 * @category Clients
 */
export const REDIS_AGENT_MEMORY_ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

/** Path parameters with `storeId` removed (the client fills it in). */
type BindStore<Params> = Params extends { path: infer PathParams }
  ? keyof Omit<PathParams, 'storeId'> extends never
    ? Omit<Params, 'path'> & { path?: never }
    : Omit<Params, 'path'> & { path: Omit<PathParams, 'storeId'> }
  : Params;

/**
 * The managed API's paths as this client exposes them: no `storeId` to pass.
 * @category Clients
 */
export type RedisAgentMemoryPaths<P = paths> = {
  [Path in keyof P]: {
    [Key in keyof P[Path]]: Key extends 'parameters'
      ? BindStore<P[Path][Key]>
      : P[Path][Key] extends {
            /** The operation's parameters, as the spec declares them. */
            parameters: infer Params;
          }
        ? Omit<P[Path][Key], 'parameters'> & {
            /** The operation's parameters, without `storeId` in `path`. */
            parameters: BindStore<Params>;
          }
        : P[Path][Key];
  };
};

/**
 * Options of {@link createRedisAgentMemoryClient}.
 * @category Clients
 */
export interface RedisAgentMemoryClientOptions extends CommonClientOptions {
  /** The service's API key. Optional only for self-managed deployments with auth turned off. */
  apiKey?: string;
  /** The store every call goes to: 1–64 of `[A-Za-z0-9-]`. */
  storeId: string;
  /**
   * How the key is sent: `authorization` (default, `Authorization: Bearer <key>`) or `x-api-key`
   * (for self-managed deployments behind a gateway that owns `Authorization`).
   */
  apiKeyHeader?: 'authorization' | 'x-api-key';
}

/**
 * An openapi-fetch client for every Data Plane route, scoped to one store.
 * @category Clients
 */
export type RedisAgentMemoryClient = Client<RedisAgentMemoryPaths>;

const optionsSchema = z
  .object({
    ...commonOptionsShape,
    apiKey: secretSchema('the Redis Agent Memory API key').optional(),
    storeId: z
      .string({ message: 'is required (the store id from the Redis Cloud console)' })
      .regex(REDIS_AGENT_MEMORY_ID_PATTERN, {
        message: 'must be 1-64 characters of A-Z, a-z, 0-9 and "-"',
      }),
    apiKeyHeader: z.enum(['authorization', 'x-api-key']).default('authorization'),
  })
  .strict();

/**
 * Creates a typed client for the Redis Agent Memory Data Plane API.
 *
 * @example
 * const ram = createRedisAgentMemoryClient({ baseUrl, apiKey, storeId });
 * const { data } = await ram.GET('/v1/stores/{storeId}/session-memory/{sessionId}', {
 *   params: { path: { sessionId: 's1' } },
 * });
 * @throws {ConfigurationError} when an option is invalid.
 * @category Clients
 */
export function createRedisAgentMemoryClient(
  options: RedisAgentMemoryClientOptions,
): RedisAgentMemoryClient {
  const resolved = parseOptions(optionsSchema, options, 'Redis Agent Memory client');
  const secretHeaders: Record<string, string> = {};
  if (resolved.apiKey) {
    if (resolved.apiKeyHeader === 'x-api-key') secretHeaders['x-api-key'] = resolved.apiKey;
    else secretHeaders.authorization = `Bearer ${resolved.apiKey}`;
  }
  return createBackendClient<RedisAgentMemoryPaths>('redis-agent-memory', resolved, secretHeaders, {
    storeId: resolved.storeId,
  });
}

type Schemas = components['schemas'];
/** One stored session event. */
export type RamSessionEvent = Schemas['SessionEvent'];
/** The body of `AddSessionEvent`. */
export type RamAddSessionEvent = Schemas['AddSessionEventRequestContent'];
/** A session as `GetSessionMemory` returns it. */
export type RamSessionMemory = Schemas['GetSessionMemoryResponseContent'];
/** The summary server-side summarisation keeps in place of older events. */
export type RamSessionSummary = Schemas['SessionSummary'];
/** Event roles. */
export type RamMessageRole = Schemas['MessageRole'];
