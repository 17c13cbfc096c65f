/**
 * The services the dev UI runs on, built from one set of connection settings: sessions always,
 * long-term memory unless `--no-memory`. Building them sends nothing; a bad setting throws the
 * library's `ConfigurationError` naming the field.
 */
import type { BaseMemoryService, BaseSessionService } from '@google/adk';
import { RedisLongTermMemoryService } from '../memory/index.js';
import { RedisSessionMemoryService } from '../sessions/index.js';
import type { ServeRequest } from './options.js';

/** The services handed to ADK's API server. */
export interface CliServices {
  readonly sessionService: BaseSessionService;
  /** Unset with `--no-memory`: ADK's server then keeps its own in-process memory. */
  readonly memoryService?: BaseMemoryService;
}

/**
 * Builds the session and memory services from the request; the API key or token and any setting
 * not given as a flag come from the environment, as the services read it.
 * @throws {ConfigurationError} naming the first invalid or missing setting.
 */
export function createCliServices(request: ServeRequest): CliServices {
  const connection = {
    backend: request.backend,
    ...(request.apiBaseUrl !== undefined ? { apiBaseUrl: request.apiBaseUrl } : {}),
    ...(request.storeId !== undefined ? { storeId: request.storeId } : {}),
  };
  const sessionService = new RedisSessionMemoryService(connection);
  if (!request.memory) return { sessionService };
  return { sessionService, memoryService: new RedisLongTermMemoryService(connection) };
}
