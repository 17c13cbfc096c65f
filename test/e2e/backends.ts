/**
 * The backend matrix of the end-to-end tests: every scenario runs once on the real Agent Memory
 * Server (started by the integration project's global setup) and once on the contract-checked fake
 * of the managed Redis Agent Memory API.
 *
 * @example
 * describe.each(e2eBackends)('scenario on $name', (backend) => {
 *   useBackend(backend);
 *   it('...', async () => {
 *     const sessions = backend.service(); // a fresh service, as a new process would hold
 *   });
 * });
 */
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { RedisSessionMemoryService } from '../../src/index.js';
import {
  startFakeRedisAgentMemory,
  type FakeRedisAgentMemory,
} from '../support/fake-redis-agent-memory/index.js';

export interface E2eBackend {
  /** The `backend` config value. */
  readonly name: 'opensource-agent-memory' | 'redis-agent-memory';
  /** Brings the backend up (no-op for AMS, which the global setup runs). */
  start(): Promise<void>;
  /** Asserts the backend saw nothing wrong, then takes it down. */
  stop(): Promise<void>;
  /** A brand-new service instance on this backend (what a restarted process would build). */
  service(): RedisSessionMemoryService;
}

class AgentMemoryServerBackend implements E2eBackend {
  readonly name = 'opensource-agent-memory' as const;
  private apiBaseUrl: string | undefined;

  start(): Promise<void> {
    this.apiBaseUrl = inject('amsBaseUrl');
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  service(): RedisSessionMemoryService {
    if (!this.apiBaseUrl) throw new Error('AMS backend used before start()');
    return new RedisSessionMemoryService({
      backend: 'opensource-agent-memory',
      apiBaseUrl: this.apiBaseUrl,
    });
  }
}

class ManagedFakeBackend implements E2eBackend {
  readonly name = 'redis-agent-memory' as const;
  private fake: FakeRedisAgentMemory | undefined;

  async start(): Promise<void> {
    this.fake = await startFakeRedisAgentMemory();
  }

  async stop(): Promise<void> {
    const fake = this.fake;
    this.fake = undefined;
    if (!fake) return;
    try {
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.stop();
    }
  }

  service(): RedisSessionMemoryService {
    const fake = this.fake;
    if (!fake) throw new Error('managed fake backend used before start()');
    return new RedisSessionMemoryService({
      backend: 'redis-agent-memory',
      apiBaseUrl: fake.baseUrl,
      apiKey: fake.apiKey,
      storeId: fake.storeId,
    });
  }
}

/** A fresh matrix per test file (the fake is started per describe block). */
export function e2eBackends(): E2eBackend[] {
  return [new AgentMemoryServerBackend(), new ManagedFakeBackend()];
}

/** Registers the backend's start/stop around the enclosing describe block. */
export function useBackend(backend: E2eBackend): void {
  beforeAll(() => backend.start());
  afterAll(() => backend.stop());
}
