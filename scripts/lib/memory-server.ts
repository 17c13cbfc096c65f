/**
 * A real Agent Memory Server (AMS) for tests, benchmarks and the demo.
 *
 * Installs the pinned server into a cached Python 3.12 virtual environment (`scripts/ams/install.ts`),
 * starts a Redis Stack server (JSON + Search modules) and AMS on free loopback ports, and stops
 * both cleanly. Nothing here imitates AMS: it runs the real one. A profile picks its settings (`scripts/ams/profiles.ts`,
 * described in `scripts/ams/PROFILES.md`):
 * - `working-memory` (default): working memory only, no LLM, no embeddings, no background writer.
 * - `long-term-memory`: long-term memory with embeddings from a loopback model endpoint; every
 *   feature that calls an LLM off.
 * - `defaults`: AMS as users deploy it (extraction, summarisation, duplicate merging on), with the
 *   loopback endpoint answering both embeddings and chat completions.
 * Every profile runs offline: HTTP(S) proxies point at a closed loopback port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AMS_VERSION, ensureInstalled, run } from '../ams/install.js';
import { launchModelEndpoint, type LaunchedModelEndpoint } from '../ams/model-endpoint-process.js';
import {
  needsModelEndpoint,
  profileEnv,
  type DefaultsProfileOptions,
  type MemoryServerProfile,
} from '../ams/profiles.js';
import type { ChatScript, ModelEndpoint } from '../../test/support/model-endpoint/index.js';

export { AMS_VERSION, cacheDir, ensureInstalled, findPython312, venvDir } from '../ams/install.js';
export {
  MEMORY_SERVER_PROFILES,
  WORKING_MEMORY_ONLY_ENV,
  type DefaultsProfileOptions,
  type MemoryServerProfile,
} from '../ams/profiles.js';

export interface StartOptions extends DefaultsProfileOptions {
  /** Which settings AMS runs with (default `working-memory`); see `scripts/ams/PROFILES.md`. */
  profile?: MemoryServerProfile;
  /**
   * Size of the loopback embeddings (default 1536, which AMS expects for `text-embedding-3-small`;
   * any other size switches AMS to a matching model name and `REDISVL_VECTOR_DIMENSIONS`).
   */
  embeddingDimensions?: number;
  /** How long the loopback endpoint waits before each chat answer (default 0 ms). */
  chatDelayMs?: number;
  /** What the loopback chat endpoint answers (not with `detached`); default: its default script. */
  chatScript?: ChatScript;
  /** Turn on token auth (`DISABLE_AUTH=false`, `AUTH_MODE=token`) and create one token. */
  auth?: boolean;
  /** Start the processes in their own process groups so they outlive this process (CLI use). */
  detached?: boolean;
  /** Progress lines go here (default: stderr). */
  log?: (line: string) => void;
}

export interface RunningMemoryServer {
  profile: MemoryServerProfile;
  baseUrl: string;
  redisUrl: string;
  /** Bearer token, when started with `auth`. */
  token?: string;
  /** The loopback model endpoint's OpenAI base URL (`…/v1`), for profiles that use one. */
  modelEndpointUrl?: string;
  /**
   * The loopback model endpoint, when it runs in this process (a profile that uses one, started
   * without `detached`): its call log, `setChatScript` and `setChatDelay`.
   */
  modelEndpoint?: ModelEndpoint;
  /** Process group leaders; `modelEndpoint` only when the endpoint runs as a child process. */
  pids: { redis: number; ams: number; modelEndpoint?: number };
  dataDir: string;
  /**
   * Stops the AMS process (SIGTERM, then SIGKILL) and starts it again on the same port and Redis,
   * resolving once `/v1/health` answers. Redis, and every stored document, stays.
   */
  restartAms(): Promise<void>;
  stop(): Promise<void>;
}

const defaultLog = (line: string): void => {
  process.stderr.write(`[memory-server] ${line}\n`);
};

/** A free TCP port on 127.0.0.1 (the OS picks it; a race with another process is possible but rare). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function redisPing(port: number): Promise<boolean> {
  return new Promise((resolvePing) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolvePing(reply.startsWith('+PONG'));
      }
    });
    socket.once('error', () => resolvePing(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolvePing(false);
    });
  });
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  child: ChildProcess,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${what} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${tailOf(logFile)}`,
      );
    }
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} was not ready after ${timeoutMs} ms:\n${tailOf(logFile)}`);
}

function tailOf(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-30).join('\n');
  } catch {
    return '(no log)';
  }
}

async function healthy(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/v1/health`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

function spawnLogged(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
  detached: boolean,
  cwd: string,
): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    // Always a process group of its own, so stop() can signal the whole group.
    const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', fd, fd] });
    if (detached) child.unref();
    else trackForExit(child.pid);
    return child;
  } finally {
    closeSync(fd); // the child holds its own copy
  }
}

const tracked = new Set<number>();
let exitHookInstalled = false;

/** Children of a non-detached start die with this process, even when a test run is interrupted. */
function trackForExit(pid: number | undefined): void {
  if (pid === undefined) return;
  tracked.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of tracked) killGroup(child, 'SIGKILL');
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stop processes by pid (TERM, then KILL after a grace period) and remove the data directory. */
export async function stopProcesses(pids: number[], dataDir: string | undefined): Promise<void> {
  for (const pid of pids) killGroup(pid, 'SIGTERM');
  const deadline = Date.now() + 5000;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids.filter(alive)) killGroup(pid, 'SIGKILL');
  for (const pid of pids) tracked.delete(pid);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

/**
 * Start Redis Stack and AMS (and, for profiles that need it, the loopback model endpoint) on free
 * loopback ports and wait until `/v1/health` answers.
 */
export async function startMemoryServer(options: StartOptions = {}): Promise<RunningMemoryServer> {
  const log = options.log ?? defaultLog;
  const detached = options.detached ?? false;
  const profile = options.profile ?? 'working-memory';
  const dimensions = options.embeddingDimensions ?? 1536;
  const install = ensureInstalled(log);
  const dataDir = mkdtempSync(join(tmpdir(), 'adk-redis-ams-'));
  const [redisPort, amsPort] = [await freePort(), await freePort()];
  const redisLog = join(dataDir, 'redis.log');
  const amsLog = join(dataDir, 'ams.log');
  const pids: number[] = [];
  let model: LaunchedModelEndpoint | undefined;
  const stopAll = async (): Promise<void> => {
    await stopProcesses([...pids].reverse(), dataDir);
    await model?.endpoint?.close();
  };
  try {
    if (needsModelEndpoint(profile)) {
      model = await launchModelEndpoint({
        detached,
        dimensions,
        chatDelayMs: options.chatDelayMs ?? 0,
        ...(options.chatScript ? { chatScript: options.chatScript } : {}),
        logFile: join(dataDir, 'model-endpoint.log'),
      });
      if (model.pid !== undefined) pids.push(model.pid);
      log(`loopback model endpoint on ${model.baseUrl}`);
    }
    // Validates the profile options before anything else starts.
    const settings = profileEnv(profile, model?.baseUrl, dimensions, options);
    const redisEnv = {
      ...process.env,
      LD_LIBRARY_PATH: [install.libraryPath, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    };
    const redisArgs = [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--dir',
      dataDir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'yes',
    ];
    for (const module of install.redisModules) redisArgs.push('--loadmodule', module);
    log(`starting Redis Stack on 127.0.0.1:${redisPort}`);
    const redis = spawnLogged(
      install.redisServer,
      redisArgs,
      redisEnv,
      redisLog,
      detached,
      dataDir,
    );
    pids.push(redis.pid!);
    await waitFor('Redis', () => redisPing(redisPort), redis, redisLog, 15_000);

    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    const amsEnv: NodeJS.ProcessEnv = {
      ...process.env,
      ...settings,
      REDIS_URL: redisUrl,
      DISABLE_AUTH: options.auth ? 'false' : 'true',
      AUTH_MODE: options.auth ? 'token' : 'disabled',
    };
    let token: string | undefined;
    if (options.auth) {
      const out = run(
        install.agentMemory,
        ['token', 'add', '--description', 'adk-redis tests', '--format', 'json'],
        { env: amsEnv, cwd: dataDir },
      );
      token = parseToken(out);
    }
    const baseUrl = `http://127.0.0.1:${amsPort}`;
    log(
      `starting Agent Memory Server ${AMS_VERSION} (profile ${profile}) on ${baseUrl}${options.auth ? ' (token auth on)' : ''}`,
    );
    // The data directory as working directory: AMS reads a `.env` from there, and there is none.
    const startAms = async (): Promise<number> => {
      const ams = spawnLogged(
        install.agentMemory,
        ['api', '--host', '127.0.0.1', '--port', String(amsPort), '--task-backend', 'asyncio'],
        amsEnv,
        amsLog,
        detached,
        dataDir,
      );
      pids.push(ams.pid!);
      await waitFor('Agent Memory Server', () => healthy(baseUrl), ams, amsLog, 90_000);
      return ams.pid!;
    };
    const processIds: RunningMemoryServer['pids'] = {
      redis: redis.pid!,
      ams: await startAms(),
      ...(model?.pid !== undefined ? { modelEndpoint: model.pid } : {}),
    };
    log(
      `ready: ${baseUrl} (profile ${profile})${model ? `, model endpoint ${model.baseUrl}` : ''}`,
    );
    return {
      profile,
      baseUrl,
      redisUrl,
      ...(token ? { token } : {}),
      ...(model ? { modelEndpointUrl: model.baseUrl } : {}),
      ...(model?.endpoint ? { modelEndpoint: model.endpoint } : {}),
      pids: processIds,
      dataDir,
      async restartAms() {
        await stopProcesses([processIds.ams], undefined);
        processIds.ams = await startAms();
        log(`Agent Memory Server restarted on ${baseUrl} (pid ${processIds.ams})`);
      },
      async stop() {
        const children = [processIds.ams, processIds.redis];
        if (processIds.modelEndpoint !== undefined) children.push(processIds.modelEndpoint);
        await stopProcesses(children, dataDir);
        await model?.endpoint?.close();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function parseToken(output: string): string {
  const start = output.indexOf('{');
  if (start >= 0) {
    try {
      const parsed = JSON.parse(output.slice(start)) as Record<string, unknown>;
      if (typeof parsed.token === 'string') return parsed.token;
    } catch {
      /* fall through */
    }
  }
  throw new Error('agent-memory token add printed no token');
}
