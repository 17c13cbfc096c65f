/**
 * Shared by the reliability tests: both backends as the tests address them, a dedicated AMS that
 * can be restarted while its Redis (and data) stays, and small checks.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import {
  WORKING_MEMORY_ONLY_ENV,
  ensureInstalled,
  startMemoryServer,
  stopProcesses,
} from '../../scripts/lib/memory-server.js';
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

/**
 * A real AMS of its own, whose AMS process can be restarted while Redis (and every stored
 * document) stays. The harness (scripts/lib/memory-server.ts) offers only start and stop of both
 * processes, so `restart` stops the AMS process by its pid and starts a new one, with the
 * harness's settings, on the same port and Redis.
 */
export interface RestartableAms {
  readonly baseUrl: string;
  restarts: number;
  /** Stops AMS (SIGTERM, then SIGKILL), starts it again and waits for /v1/health. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRestartableAms(): Promise<RestartableAms> {
  const log = (line: string): void => {
    process.stderr.write(`[restartable-ams] ${line}\n`);
  };
  const server = await startMemoryServer({ log });
  const install = ensureInstalled(log);
  const port = new URL(server.baseUrl).port;
  let amsPid = server.pids.ams;
  const started: number[] = [];
  const killOnExit = (): void => {
    for (const pid of started) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  process.once('exit', killOnExit);
  const handle: RestartableAms = {
    baseUrl: server.baseUrl,
    restarts: 0,
    async restart() {
      await stopProcesses([amsPid], undefined);
      const fd = openSync(join(server.dataDir, `ams-restart-${handle.restarts + 1}.log`), 'a');
      let child;
      try {
        child = spawn(
          install.agentMemory,
          ['api', '--host', '127.0.0.1', '--port', port, '--task-backend', 'asyncio'],
          {
            env: {
              ...process.env,
              ...WORKING_MEMORY_ONLY_ENV,
              REDIS_URL: server.redisUrl,
              DISABLE_AUTH: 'true',
              AUTH_MODE: 'disabled',
            },
            detached: true,
            stdio: ['ignore', fd, fd],
          },
        );
      } finally {
        closeSync(fd);
      }
      amsPid = child.pid!;
      started.push(amsPid);
      const deadline = Date.now() + 90_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`restarted AMS exited (${child.exitCode})`);
        try {
          const health = await fetch(`${server.baseUrl}/v1/health`, {
            signal: AbortSignal.timeout(1_000),
          });
          if (health.ok) break;
        } catch {
          /* not up yet */
        }
        if (Date.now() > deadline) throw new Error('restarted AMS did not come up in 90 s');
        await sleep(100);
      }
      handle.restarts++;
      log(`AMS restarted on ${server.baseUrl} (pid ${amsPid})`);
    },
    async stop() {
      await stopProcesses(started, undefined);
      await server.stop();
      process.off('exit', killOnExit);
    },
  };
  return handle;
}
