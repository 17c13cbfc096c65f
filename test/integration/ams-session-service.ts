/**
 * What the session-service tests on the real AMS share: the server the global setup started,
 * a session service on it, and a bare client for reading storage behind the service's back.
 */
import { inject } from 'vitest';
import {
  RedisSessionMemoryService,
  createAgentMemoryServerClient,
  type RedisSessionMemoryServiceConfig,
} from '../../src/index.js';

const apiBaseUrl = inject('amsBaseUrl');

/** A service on the test AMS with the library's defaults, then `extra`. */
export const service = (extra: Partial<RedisSessionMemoryServiceConfig> = {}) =>
  new RedisSessionMemoryService({ backend: 'opensource-agent-memory', apiBaseUrl, ...extra });

/** A client on the test AMS that does not retry (a failure shows at once). */
export const amsClient = () =>
  createAgentMemoryServerClient({ baseUrl: apiBaseUrl, retry: { maxRetries: 0 } });
