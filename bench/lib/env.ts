/**
 * The servers of one bench run: a real Agent Memory Server (started once, or AMS_BASE_URL) and the
 * fake of the managed API in a child process of its own, so its work never lands on the bench's
 * event loop or in the bench's CPU figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RedisSessionMemoryService, type RedisSessionMemoryServiceConfig } from './library.js';
import { startMemoryServer, type RunningMemoryServer } from '../../scripts/lib/memory-server.js';
import { progress } from './report.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type BackendKey = 'ams' | 'managed';
export const BACKENDS: readonly BackendKey[] = ['ams', 'managed'];
export const BACKEND_LABEL: Record<BackendKey, string> = {
  ams: 'AMS 0.15.2 (real)',
  managed: 'managed (fake)',
};

export interface FakeServer {
  baseUrl: string;
  apiKey: string;
  storeId: string;
  stop(): Promise<void>;
}

/** Starts the fake Redis Agent Memory server (test/support) in its own Node process. */
export async function startFakeProcess(): Promise<FakeServer> {
  const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const cli = join(ROOT, 'test', 'support', 'fake-redis-agent-memory', 'cli.ts');
  const child: ChildProcess = spawn(process.execPath, [tsx, cli], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const values: Record<string, string> = {};
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`fake did not start:\n${stderr}`)), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fake exited (${code}) before it was ready:\n${stderr}`));
    });
    lines.on('line', (line) => {
      const match = /^(RAM_[A-Z_]+)=(.*)$/.exec(line);
      if (match) values[match[1]!] = match[2]!;
      if (values.RAM_BASE_URL && values.RAM_API_KEY && values.RAM_STORE_ID) {
        clearTimeout(timer);
        resolveReady();
      }
    });
  });
  child.removeAllListeners('exit');
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    baseUrl: values.RAM_BASE_URL!,
    apiKey: values.RAM_API_KEY!,
    storeId: values.RAM_STORE_ID!,
    async stop() {
      child.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000)),
      ]);
      if (code === 'timeout') child.kill('SIGKILL');
      else if (code !== 0) {
        console.log(`\nWARNING: the fake reported contract violations or failed (exit ${code}):`);
        console.log(stderr.trim().split('\n').slice(0, 20).join('\n'));
      }
    },
  };
}

export interface BenchEnv {
  amsBaseUrl: string;
  fake: FakeServer;
  /** Base URL of a backend. */
  baseUrl(backend: BackendKey): string;
  /** A service on the backend (through `fetch` when given). */
  service(
    backend: BackendKey,
    extra?: Partial<RedisSessionMemoryServiceConfig>,
  ): RedisSessionMemoryService;
  /** The config a service on the backend gets, with `apiBaseUrl` replaceable (proxies). */
  config(
    backend: BackendKey,
    extra?: Partial<RedisSessionMemoryServiceConfig>,
  ): RedisSessionMemoryServiceConfig;
  stop(): Promise<void>;
}

let server: RunningMemoryServer | undefined;

export async function startEnv(needs: { ams: boolean; fake: boolean }): Promise<BenchEnv> {
  let amsBaseUrl = '';
  if (needs.ams) {
    const external = process.env.AMS_BASE_URL?.replace(/\/+$/, '');
    if (external) {
      amsBaseUrl = external;
      progress(`using the Agent Memory Server at ${external} (AMS_BASE_URL)`);
    } else {
      server = await startMemoryServer({ log: (line) => progress(line) });
      amsBaseUrl = server.baseUrl;
    }
  }
  const fake: FakeServer = needs.fake
    ? await startFakeProcess()
    : { baseUrl: '', apiKey: '', storeId: '', stop: () => Promise.resolve() };
  if (needs.fake) progress(`fake managed API at ${fake.baseUrl} (child process)`);

  const config = (
    backend: BackendKey,
    extra: Partial<RedisSessionMemoryServiceConfig> = {},
  ): RedisSessionMemoryServiceConfig =>
    backend === 'ams'
      ? { backend: 'opensource-agent-memory', apiBaseUrl: amsBaseUrl, ...extra }
      : {
          backend: 'redis-agent-memory',
          apiBaseUrl: fake.baseUrl,
          apiKey: fake.apiKey,
          storeId: fake.storeId,
          ...extra,
        };
  return {
    amsBaseUrl,
    fake,
    baseUrl: (backend) => (backend === 'ams' ? amsBaseUrl : fake.baseUrl),
    config,
    service: (backend, extra) => new RedisSessionMemoryService(config(backend, extra)),
    async stop() {
      await fake.stop();
      if (server) {
        progress('stopping the Agent Memory Server');
        await server.stop();
        server = undefined;
      }
    },
  };
}
