/** Low-level client for the Agent Memory Server (AMS) HTTP API, typed from its OpenAPI document. */
import type { Client } from 'openapi-fetch';
import { z } from 'zod';
import type { components, paths } from '../generated/agent-memory-server.js';
import { createBackendClient } from './client.js';
import {
  commonOptionsShape,
  parseOptions,
  secretSchema,
  type CommonClientOptions,
} from './options.js';

/**
 * Options of {@link createAgentMemoryServerClient}.
 * @category Clients
 */
export interface AgentMemoryServerClientOptions extends CommonClientOptions {
  /** Bearer token, when the server runs with `AUTH_MODE=token` (or an OAuth2 access token). */
  token?: string;
}

/**
 * An openapi-fetch client for every AMS route (`GET`, `PUT`, `POST`, `DELETE`, ...).
 * @category Clients
 */
export type AgentMemoryServerClient = Client<paths>;

const optionsSchema = z
  .object({ ...commonOptionsShape, token: secretSchema('the AMS bearer token').optional() })
  .strict();

/**
 * Creates a typed client for the Agent Memory Server.
 *
 * @example
 * const ams = createAgentMemoryServerClient({ baseUrl: 'http://localhost:8000' });
 * const { data } = await ams.GET('/v1/working-memory/{session_id}', {
 *   params: { path: { session_id: 's1' }, query: { namespace: 'my-app', user_id: 'u1' } },
 * });
 * @throws {ConfigurationError} when an option is invalid.
 * @category Clients
 */
export function createAgentMemoryServerClient(
  options: AgentMemoryServerClientOptions,
): AgentMemoryServerClient {
  const resolved = parseOptions(optionsSchema, options, 'Agent Memory Server client');
  const secretHeaders: Record<string, string> = resolved.token
    ? { authorization: `Bearer ${resolved.token}` }
    : {};
  return createBackendClient<paths>('opensource-agent-memory', resolved, secretHeaders);
}

type Schemas = components['schemas'];
/** A stored working-memory document as AMS returns it (GET and PUT responses). */
export type AmsWorkingMemory = Schemas['WorkingMemoryResponse'];
/** The body of `PUT /v1/working-memory/{session_id}`: the whole document, replacing what is stored. */
export type AmsWorkingMemoryUpdate = Schemas['UpdateWorkingMemory'];
/** One working-memory message. */
export type AmsMemoryMessage = Schemas['MemoryMessage'];
/** Long-term memory extraction strategy of a working-memory document. */
export type AmsMemoryStrategy = Schemas['MemoryStrategyConfig'];
/** Model names AMS accepts for `model_name` (token budgets for summarisation). */
export type AmsModelName = NonNullable<
  NonNullable<paths['/v1/working-memory/{session_id}']['put']['parameters']['query']>['model_name']
>;
