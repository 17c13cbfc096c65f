/**
 * Shared by the reliability tests: both backends as the tests address them, a dedicated AMS that
 * can be restarted while its Redis (and data) stays, and small checks.
 */
import { startMemoryServer } from '../../scripts/lib/memory-server.js';
import {
  AdkRedisError,
  RedisSessionMemoryService,
  type RedisSessionMemoryServiceConfig,
} from '../../src/index.js';
import {
  startFakeRedisAgentMemory,
  type FakeRedisAgentMemory,
  type FakeRedisAgentMemoryOptions,
} from '../support/fake-redis-agent-memory/index.js';

export type BackendName = 'ams' | 'ram';

/** A backend as the tests reach it: the real URL, and a service config for any base URL. */
export interface BackendUnderTest {
  name: BackendName;
  /** Base URL of the backend itself (a proxy forwards here). */
  target: string;
  /** Config of a service talking to `baseUrl` (the backend, or a proxy in front of it). */
  config(
    baseUrl: string,
    extra?: Partial<RedisSessionMemoryServiceConfig>,
  ): RedisSessionMemoryServiceConfig;
  service(
    baseUrl?: string,
    extra?: Partial<RedisSessionMemoryServiceConfig>,
  ): RedisSessionMemoryService;
}

export function amsBackend(target: string, apiKey?: string): BackendUnderTest {
  const config = (baseUrl: string, extra: Partial<RedisSessionMemoryServiceConfig> = {}) => ({
    backend: 'opensource-agent-memory' as const,
    apiBaseUrl: baseUrl,
    ...(apiKey ? { apiKey } : {}),
    ...extra,
  });
  return {
    name: 'ams',
    target,
    config,
    service: (baseUrl = target, extra = {}) =>
      new RedisSessionMemoryService(config(baseUrl, extra)),
  };
}

export interface RamUnderTest extends BackendUnderTest {
  fake: FakeRedisAgentMemory;
}

export async function startRamBackend(
  options: FakeRedisAgentMemoryOptions = {},
): Promise<RamUnderTest> {
  const fake = await startFakeRedisAgentMemory(options);
  const config = (baseUrl: string, extra: Partial<RedisSessionMemoryServiceConfig> = {}) => ({
    backend: 'redis-agent-memory' as const,
    apiBaseUrl: baseUrl,
    apiKey: fake.apiKey,
    storeId: fake.storeId,
    ...extra,
  });
  return {
    name: 'ram',
    target: fake.baseUrl,
    fake,
    config,
    service: (baseUrl = fake.baseUrl, extra = {}) =>
      new RedisSessionMemoryService(config(baseUrl, extra)),
  };
}

/** Small timeouts and backoff, so that faults cost milliseconds. */
export const FAST_CLIENT: Partial<RedisSessionMemoryServiceConfig> = {
  timeoutMs: 400,
  retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 40, maxRetryAfterMs: 1_000 },
};

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The JSON normalisation every stored value goes through (the defined round trip). */
export const jsonNormal = (value: unknown): unknown =>
  value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);

export const isTyped = (error: unknown): error is AdkRedisError => error instanceof AdkRedisError;

/** `Name: message` of anything thrown, for reports. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${error.message.slice(0, 200)}`;
  return `non-error ${typeof error}: ${String(error).slice(0, 200)}`;
}

/** A real AMS of its own, whose AMS process can be restarted while Redis (and every document) stays. */
export interface RestartableAms {
  readonly baseUrl: string;
  restarts: number;
  /** Stops AMS (SIGTERM, then SIGKILL), starts it again and waits for /v1/health. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRestartableAms(): Promise<RestartableAms> {
  const server = await startMemoryServer({
    log: (line) => process.stderr.write(`[restartable-ams] ${line}\n`),
  });
  const handle: RestartableAms = {
    baseUrl: server.baseUrl,
    restarts: 0,
    async restart() {
      await server.restartAms();
      handle.restarts++;
    },
    stop: () => server.stop(),
  };
  return handle;
}
