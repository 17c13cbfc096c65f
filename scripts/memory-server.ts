/**
 * `npm run ams -- start [--auth] | stop | status`: a real Agent Memory Server for development.
 *
 * `start` prints the base URL (and, with --auth, a bearer token) and leaves the server running;
 * `stop` stops it and removes its data. One server at a time; its pids live in the cache folder.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  cacheDir,
  ensureInstalled,
  startMemoryServer,
  stopProcesses,
} from './lib/memory-server.js';

interface State {
  baseUrl: string;
  redisUrl: string;
  token?: string;
  pids: { redis: number; ams: number };
  dataDir: string;
}

const stateFile = join(cacheDir(), 'run', 'memory-server.json');

function readState(): State | undefined {
  if (!existsSync(stateFile)) return undefined;
  return JSON.parse(readFileSync(stateFile, 'utf8')) as State;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stop(): Promise<void> {
  const state = readState();
  if (!state) {
    console.log('not running');
    return;
  }
  await stopProcesses([state.pids.ams, state.pids.redis], state.dataDir);
  rmSync(stateFile, { force: true });
  console.log(`stopped ${state.baseUrl}`);
}

async function main(): Promise<void> {
  const [command = 'status', ...flags] = process.argv.slice(2);
  const json = flags.includes('--json');
  switch (command) {
    case 'install':
      ensureInstalled();
      return;
    case 'start': {
      const existing = readState();
      if (existing && isAlive(existing.pids.ams)) {
        throw new Error(`already running at ${existing.baseUrl}; run 'npm run ams -- stop' first`);
      }
      const server = await startMemoryServer({ auth: flags.includes('--auth'), detached: true });
      const state: State = {
        baseUrl: server.baseUrl,
        redisUrl: server.redisUrl,
        ...(server.token ? { token: server.token } : {}),
        pids: server.pids,
        dataDir: server.dataDir,
      };
      mkdirSync(join(cacheDir(), 'run'), { recursive: true });
      writeFileSync(stateFile, JSON.stringify(state, null, 2));
      if (json) console.log(JSON.stringify(state));
      else {
        console.log(`AMS_BASE_URL=${server.baseUrl}`);
        if (server.token) console.log(`AMS_TOKEN=${server.token}`);
      }
      return;
    }
    case 'stop':
      return stop();
    case 'status': {
      const state = readState();
      const running = state !== undefined && isAlive(state.pids.ams) && isAlive(state.pids.redis);
      if (json)
        console.log(JSON.stringify({ running, ...(state ? { baseUrl: state.baseUrl } : {}) }));
      else console.log(running ? `running at ${state.baseUrl}` : 'not running');
      if (!running) process.exitCode = 3;
      return;
    }
    default:
      throw new Error(
        `unknown command '${command}' (use start [--auth] [--json] | stop | status | install)`,
      );
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
