/**
 * `npm run ams -- start [options] | stop | status | install`: a real Agent Memory Server for
 * development.
 *
 * `start` prints the base URL (with --auth, a bearer token; with a profile that uses one, the
 * loopback model endpoint's URL) and leaves the server running; `stop` stops it and removes its
 * data. One server at a time; its pids live in the cache folder. Start options:
 *   --profile working-memory|long-term-memory|defaults   (default working-memory)
 *   --auth  --json
 *   --extraction-debounce <s>  --summarization-threshold <x>  --topics-and-entities   (defaults)
 *   --chat-delay-ms <ms>  --embedding-dimensions <n>   (profiles with the model endpoint)
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  MEMORY_SERVER_PROFILES,
  cacheDir,
  ensureInstalled,
  startMemoryServer,
  stopProcesses,
  type MemoryServerProfile,
  type StartOptions,
} from './lib/memory-server.js';

interface State {
  profile?: MemoryServerProfile;
  baseUrl: string;
  redisUrl: string;
  token?: string;
  modelEndpointUrl?: string;
  pids: { redis: number; ams: number; modelEndpoint?: number };
  dataDir: string;
}

const USAGE =
  'use: start [--profile ' +
  MEMORY_SERVER_PROFILES.join('|') +
  '] [--auth] [--json] [--extraction-debounce S] [--summarization-threshold X] ' +
  '[--topics-and-entities] [--chat-delay-ms MS] [--embedding-dimensions N] | stop | status | install';

function numberFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) {
    throw new Error(`--${name} needs a number, got '${value}'`);
  }
  return parsed;
}

/** Start options from the command-line flags (unknown flags are an error). */
function startOptions(args: string[]): StartOptions & { json: boolean } {
  const { values } = parseArgs({
    args,
    options: {
      profile: { type: 'string' },
      auth: { type: 'boolean' },
      json: { type: 'boolean' },
      'extraction-debounce': { type: 'string' },
      'summarization-threshold': { type: 'string' },
      'topics-and-entities': { type: 'boolean' },
      'chat-delay-ms': { type: 'string' },
      'embedding-dimensions': { type: 'string' },
    },
  });
  const profile = (values.profile ?? 'working-memory') as MemoryServerProfile;
  if (!MEMORY_SERVER_PROFILES.includes(profile)) {
    throw new Error(`unknown profile '${values.profile}' (${MEMORY_SERVER_PROFILES.join(', ')})`);
  }
  const debounce = numberFlag('extraction-debounce', values['extraction-debounce']);
  const threshold = numberFlag('summarization-threshold', values['summarization-threshold']);
  const delay = numberFlag('chat-delay-ms', values['chat-delay-ms']);
  const dimensions = numberFlag('embedding-dimensions', values['embedding-dimensions']);
  return {
    profile,
    auth: values.auth ?? false,
    json: values.json ?? false,
    detached: true,
    ...(debounce === undefined ? {} : { extractionDebounceSeconds: debounce }),
    ...(threshold === undefined ? {} : { summarizationThreshold: threshold }),
    ...(values['topics-and-entities'] ? { topicsAndEntities: true } : {}),
    ...(delay === undefined ? {} : { chatDelayMs: delay }),
    ...(dimensions === undefined ? {} : { embeddingDimensions: dimensions }),
  };
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
  const pids = [state.pids.ams, state.pids.redis];
  if (state.pids.modelEndpoint !== undefined) pids.push(state.pids.modelEndpoint);
  await stopProcesses(pids, state.dataDir);
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
      const { json: asJson, ...options } = startOptions(flags);
      const existing = readState();
      if (existing && isAlive(existing.pids.ams)) {
        throw new Error(`already running at ${existing.baseUrl}; run 'npm run ams -- stop' first`);
      }
      const server = await startMemoryServer(options);
      const state: State = {
        profile: server.profile,
        baseUrl: server.baseUrl,
        redisUrl: server.redisUrl,
        ...(server.token ? { token: server.token } : {}),
        ...(server.modelEndpointUrl ? { modelEndpointUrl: server.modelEndpointUrl } : {}),
        pids: server.pids,
        dataDir: server.dataDir,
      };
      mkdirSync(join(cacheDir(), 'run'), { recursive: true });
      writeFileSync(stateFile, JSON.stringify(state, null, 2));
      if (asJson) console.log(JSON.stringify(state));
      else {
        console.log(`AMS_PROFILE=${server.profile}`);
        console.log(`AMS_BASE_URL=${server.baseUrl}`);
        if (server.token) console.log(`AMS_TOKEN=${server.token}`);
        if (server.modelEndpointUrl) console.log(`MODEL_ENDPOINT_URL=${server.modelEndpointUrl}`);
      }
      return;
    }
    case 'stop':
      return stop();
    case 'status': {
      const state = readState();
      const running =
        state !== undefined &&
        isAlive(state.pids.ams) &&
        isAlive(state.pids.redis) &&
        (state.pids.modelEndpoint === undefined || isAlive(state.pids.modelEndpoint));
      const profile = state?.profile ?? 'working-memory';
      if (json) {
        console.log(
          JSON.stringify({
            running,
            ...(state ? { profile, baseUrl: state.baseUrl } : {}),
            ...(state?.modelEndpointUrl ? { modelEndpointUrl: state.modelEndpointUrl } : {}),
          }),
        );
      } else {
        console.log(running ? `running at ${state.baseUrl} (profile ${profile})` : 'not running');
      }
      if (!running) process.exitCode = 3;
      return;
    }
    default:
      throw new Error(`unknown command '${command}' (${USAGE})`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
