/**
 * The backend matrix of the memory end-to-end tests: the real Agent Memory Server with long-term
 * memory on (the `memory` project's shared server) and the managed fake. Each call to `memory()`
 * or `sessions()` is a brand-new service instance, as a restarted process would build.
 */
import { createServer } from 'node:net';
import { expect, inject } from 'vitest';
import { RedisLongTermMemoryService, RedisSessionMemoryService } from '../../../src/index.js';
import {
  startFakeRedisAgentMemory,
  type FakeRedisAgentMemory,
} from '../../support/fake-redis-agent-memory/index.js';

export interface MemoryE2eBackend {
  readonly name: 'opensource-agent-memory' | 'redis-agent-memory';
  start(): Promise<void>;
  stop(): Promise<void>;
  memory(): RedisLongTermMemoryService;
  sessions(): RedisSessionMemoryService;
  /** A memory service whose writes fail (AMS: a closed port; managed: injected 503s). */
  brokenMemory(): Promise<RedisLongTermMemoryService>;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

class AmsBackend implements MemoryE2eBackend {
  readonly name = 'opensource-agent-memory' as const;
  private baseUrl = '';

  start(): Promise<void> {
    this.baseUrl = inject('amsBaseUrl');
    return Promise.resolve();
  }
  stop(): Promise<void> {
    return Promise.resolve();
  }
  memory(): RedisLongTermMemoryService {
    return new RedisLongTermMemoryService({ backend: this.name, apiBaseUrl: this.baseUrl });
  }
  sessions(): RedisSessionMemoryService {
    return new RedisSessionMemoryService({ backend: this.name, apiBaseUrl: this.baseUrl });
  }
  async brokenMemory(): Promise<RedisLongTermMemoryService> {
    return new RedisLongTermMemoryService({
      backend: this.name,
      apiBaseUrl: `http://127.0.0.1:${await closedPort()}`,
      retry: { maxRetries: 0 },
    });
  }
}

class ManagedFakeBackend implements MemoryE2eBackend {
  readonly name = 'redis-agent-memory' as const;
  private fake: FakeRedisAgentMemory | undefined;

  async start(): Promise<void> {
    this.fake = await startFakeRedisAgentMemory({ longTermMemory: { existingId: 'keep' } });
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
  private connection() {
    const fake = this.fake;
    if (!fake) throw new Error('managed fake used before start()');
    return {
      backend: this.name,
      apiBaseUrl: fake.baseUrl,
      apiKey: fake.apiKey,
      storeId: fake.storeId,
    };
  }
  memory(): RedisLongTermMemoryService {
    return new RedisLongTermMemoryService(this.connection());
  }
  sessions(): RedisSessionMemoryService {
    return new RedisSessionMemoryService(this.connection());
  }
  brokenMemory(): Promise<RedisLongTermMemoryService> {
    // A store the API does not know: every memory call fails, while the session service (which
    // also writes long-term records, for app and user state) keeps working on the real store.
    return Promise.resolve(
      new RedisLongTermMemoryService({
        ...this.connection(),
        storeId: 'store-that-does-not-exist',
        retry: { maxRetries: 0 },
      }),
    );
  }
}

/** A fresh matrix per test file. */
export function memoryE2eBackends(): MemoryE2eBackend[] {
  return [new AmsBackend(), new ManagedFakeBackend()];
}
