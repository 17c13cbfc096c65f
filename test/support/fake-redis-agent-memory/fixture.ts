/**
 * One contract-checked fake per test file, with the hooks every managed-backend session test
 * repeats: start it before the file's tests, assert after each test that it saw no contract
 * violation in its own answers, stop it at the end. Call at module level of a test file.
 */
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  RedisSessionMemoryService,
  createRedisAgentMemoryClient,
  type RedisSessionMemoryServiceConfig,
} from '../../../src/index.js';
import {
  startFakeRedisAgentMemory,
  type FakeRedisAgentMemory,
  type FakeRedisAgentMemoryOptions,
} from './index.js';

/** Retries that do not slow a test down (the fake's faults still exercise them). */
export const FAST_RETRY = { baseDelayMs: 1, maxDelayMs: 2 } as const;

export interface FakeRedisAgentMemoryFixtureOptions {
  /** How the fake starts (retention, long-term memory, credentials). */
  fake?: FakeRedisAgentMemoryOptions;
  /** What every `service()` of the file sets unless its argument says otherwise (default: fast retries). */
  serviceDefaults?: Partial<RedisSessionMemoryServiceConfig>;
}

export interface FakeRedisAgentMemoryFixture {
  /** The running fake (available from the file's `beforeAll` on). */
  readonly fake: FakeRedisAgentMemory;
  /** A session service on the fake: its address and credentials, the file's defaults, then `extra`. */
  readonly service: (extra?: Partial<RedisSessionMemoryServiceConfig>) => RedisSessionMemoryService;
  /** A bare API client on the fake, for reading or writing storage behind the service's back. */
  readonly raw: () => ReturnType<typeof createRedisAgentMemoryClient>;
}

export function useFakeRedisAgentMemory(
  options: FakeRedisAgentMemoryFixtureOptions = {},
): FakeRedisAgentMemoryFixture {
  const serviceDefaults = options.serviceDefaults ?? { retry: FAST_RETRY };
  let running: FakeRedisAgentMemory | undefined;
  const fake = (): FakeRedisAgentMemory => {
    if (running === undefined) throw new Error('the fake starts in beforeAll; use it in a test');
    return running;
  };

  beforeAll(async () => {
    running = await startFakeRedisAgentMemory(options.fake);
  });
  afterEach(() => {
    expect(fake().violations).toEqual([]);
  });
  afterAll(async () => {
    await running?.stop();
  });

  return {
    get fake() {
      return fake();
    },
    service: (extra = {}) =>
      new RedisSessionMemoryService({
        apiBaseUrl: fake().baseUrl,
        apiKey: fake().apiKey,
        storeId: fake().storeId,
        ...serviceDefaults,
        ...extra,
      }),
    raw: () =>
      createRedisAgentMemoryClient({
        baseUrl: fake().baseUrl,
        apiKey: fake().apiKey,
        storeId: fake().storeId,
      }),
  };
}
