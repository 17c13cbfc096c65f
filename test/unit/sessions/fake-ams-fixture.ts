/**
 * The setup every nock-fake AMS test file repeats: no real network for the file, a fresh
 * {@link FakeAms} per test, interceptors cleared after each, and a service aimed at it.
 * Call at module level of a test file.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import {
  RedisSessionMemoryService,
  type RedisSessionMemoryServiceConfig,
} from '../../../src/sessions/index.js';
import { AMS, FakeAms } from './fake-ams.js';

export interface FakeAmsFixture {
  /** This test's fake server (a new one per test). */
  readonly ams: FakeAms;
  /** A service on the fake with no retries (a fault answers once), then `extra`. */
  readonly service: (extra?: Partial<RedisSessionMemoryServiceConfig>) => RedisSessionMemoryService;
}

export function useFakeAms(): FakeAmsFixture {
  let current: FakeAms | undefined;

  beforeAll(() => {
    nock.disableNetConnect();
  });
  beforeEach(() => {
    current = new FakeAms().install();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.abortPendingRequests();
  });
  afterAll(() => {
    nock.enableNetConnect();
  });

  return {
    get ams() {
      if (current === undefined) throw new Error('the fake AMS is made in beforeEach');
      return current;
    },
    service: (extra = {}) =>
      new RedisSessionMemoryService({
        backend: 'opensource-agent-memory',
        apiBaseUrl: AMS,
        retry: { maxRetries: 0 },
        ...extra,
      }),
  };
}
