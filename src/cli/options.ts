/**
 * The command line of `adk-redis`: parses argv and the environment into one typed request, or
 * throws a {@link CliError} that says which flag is wrong. No secret is accepted as a flag (it
 * would show in `ps`): API keys and tokens come from the environment only.
 */
import { parseArgs } from 'node:util';
import {
  OPENSOURCE_AGENT_MEMORY_BACKEND,
  REDIS_AGENT_MEMORY_BACKEND,
  type SessionBackendName,
} from '../sessions/index.js';
import { CliError } from './errors.js';

/** The environment variable that picks the backend when `--backend` is not given. */
export const BACKEND_ENV = 'ADK_REDIS_BACKEND';

/** ADK's `adk web` listens on 8000, which is also the Agent Memory Server's default port. */
export const DEFAULT_PORT = 8080;

/** Log levels of ADK's API server. */
export type CliLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What `adk-redis web` / `adk-redis api_server` should serve. */
export interface ServeRequest {
  readonly kind: 'serve';
  /** `web` serves ADK's dev UI as well as the API; `api_server` serves only the API. */
  readonly command: 'web' | 'api_server';
  /** The agents directory or agent file, resolved against the working directory. */
  readonly agentsDir: string;
  readonly host: string;
  readonly port: number;
  readonly backend: SessionBackendName;
  /** From `--api-base-url`; unset means the backend's environment variable or default. */
  readonly apiBaseUrl?: string;
  /** From `--store-id`; unset means `REDIS_AGENT_MEMORY_STORE_ID`. */
  readonly storeId?: string;
  /** Whether the long-term memory service backs ADK's memory (off with `--no-memory`). */
  readonly memory: boolean;
  readonly logLevel: CliLogLevel;
}

/** What the command line asked for. */
export type CliRequest = ServeRequest | { readonly kind: 'help' } | { readonly kind: 'version' };

const BACKENDS: readonly SessionBackendName[] = [
  REDIS_AGENT_MEMORY_BACKEND,
  OPENSOURCE_AGENT_MEMORY_BACKEND,
];
const LOG_LEVELS: readonly CliLogLevel[] = ['debug', 'info', 'warn', 'error'];
const SECRET_FLAGS = ['--api-key', '--api_key', '--token', '--ams-token'];

/** The `--help` text. */
export const USAGE = `Usage: adk-redis <command> [agents_dir] [options]

Run ADK's dev UI or API server (from @google/adk-devtools) with sessions and long-term memory
on Redis Agent Memory or the Agent Memory Server.

Commands:
  web          serve ADK's dev UI and its API
  api_server   serve the API only

Arguments:
  agents_dir   a directory of agents (<name>.ts|.js, or <name>/agent.ts|.js exporting rootAgent),
               or one agent file; default: the working directory

Options:
  --backend <name>       redis-agent-memory (managed, the default) or opensource-agent-memory
                         (self-hosted AMS); default: $${BACKEND_ENV}, else redis-agent-memory
  --api-base-url <url>   the backend's base URL; default: REDIS_AGENT_MEMORY_API_BASE_URL or
                         AMS_BASE_URL, else http://localhost:8000
  --store-id <id>        managed only; default: REDIS_AGENT_MEMORY_STORE_ID
  --no-memory            keep ADK's in-process memory service instead of long-term memory
  --host <host>          interface to listen on (default 127.0.0.1)
  --port <n>             port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --log-level <level>    debug, info, warn or error (default info)
  -h, --help             show this help
  -v, --version          print the version

Secrets come from the environment only: REDIS_AGENT_MEMORY_API_KEY (managed) or AMS_TOKEN (AMS
with token auth).

Examples:
  AMS_BASE_URL=http://localhost:8000 adk-redis web ./agents --backend opensource-agent-memory
  REDIS_AGENT_MEMORY_STORE_ID=my-store REDIS_AGENT_MEMORY_API_KEY=... adk-redis api_server ./agents
`;

const usage = (message: string) =>
  new CliError('ADK_REDIS_CLI_USAGE', `${message} (run "adk-redis --help" for usage).`);

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usage(`${what} must be one of ${allowed.join(', ')}, not "${value}"`);
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port >= 0 && port <= 65535)) throw usage(`--port must be a number from 0 to 65535`);
  return port;
}

function nonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && value.trim() === '') throw usage(`${flag} must not be empty`);
  return value;
}

/**
 * Parses `adk-redis` arguments (without `node` and the script) and the environment.
 * @throws {CliError} `ADK_REDIS_CLI_USAGE` naming the flag at fault.
 */
export function parseCommandLine(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): CliRequest {
  const secret = argv.find((arg) => SECRET_FLAGS.some((flag) => arg.split('=')[0] === flag));
  if (secret !== undefined) {
    throw usage(
      `${secret.split('=')[0]} is not accepted: a secret on the command line shows in "ps". Set REDIS_AGENT_MEMORY_API_KEY (managed) or AMS_TOKEN (AMS) in the environment instead`,
    );
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        backend: { type: 'string' },
        'api-base-url': { type: 'string' },
        'store-id': { type: 'string' },
        'no-memory': { type: 'boolean' },
        host: { type: 'string' },
        port: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    // node:util's messages name the unknown or malformed option; they hold no values.
    throw usage(error instanceof Error ? error.message.replace(/\.$/, '') : 'invalid arguments');
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const [command, agentsDir, ...extra] = positionals;
  if (command === undefined) throw usage('a command is required: web or api_server');
  if (command !== 'web' && command !== 'api_server') {
    throw usage(`unknown command "${command}": use web or api_server`);
  }
  if (extra.length > 0) throw usage(`unexpected argument "${extra[0]}"`);

  const backendValue = values.backend ?? (env[BACKEND_ENV] || undefined);
  const backend =
    backendValue === undefined
      ? REDIS_AGENT_MEMORY_BACKEND
      : oneOf(backendValue, BACKENDS, values.backend ? '--backend' : BACKEND_ENV);
  const storeId = nonEmpty(values['store-id'], '--store-id');
  if (storeId !== undefined && backend !== REDIS_AGENT_MEMORY_BACKEND) {
    throw usage(`--store-id applies to the ${REDIS_AGENT_MEMORY_BACKEND} backend only`);
  }
  const apiBaseUrl = nonEmpty(values['api-base-url'], '--api-base-url');
  const host = nonEmpty(values.host, '--host') ?? '127.0.0.1';

  return {
    kind: 'serve',
    command,
    agentsDir: agentsDir ?? '.',
    host,
    port: parsePort(values.port),
    backend,
    ...(apiBaseUrl !== undefined ? { apiBaseUrl } : {}),
    ...(storeId !== undefined ? { storeId } : {}),
    memory: !values['no-memory'],
    logLevel: oneOf(values['log-level'] ?? 'info', LOG_LEVELS, '--log-level'),
  };
}
