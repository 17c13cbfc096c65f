#!/usr/bin/env node
/**
 * `adk-redis`: ADK's dev UI and API server with Redis-backed sessions and long-term memory.
 * Exit status: 0 after a clean stop, 2 for a usage error, 1 for any other failure.
 */
import { AdkRedisError, ConfigurationError, VERSION } from '../common.js';
import { CliError } from './errors.js';
import { USAGE, parseCommandLine, type ServeRequest } from './options.js';
import { serve, type RunningServer } from './serve.js';

/** Where each connection setting comes from on the command line, for configuration errors. */
const FLAG_OF_FIELD: Record<string, string> = {
  backend: '--backend or ADK_REDIS_BACKEND',
  apiBaseUrl: '--api-base-url or REDIS_AGENT_MEMORY_API_BASE_URL / AMS_BASE_URL',
  storeId: '--store-id or REDIS_AGENT_MEMORY_STORE_ID (or --backend opensource-agent-memory)',
  apiKey: 'REDIS_AGENT_MEMORY_API_KEY or AMS_TOKEN',
};

/** How long a stop may take before the process exits anyway (open dev UI streams hold it). */
const STOP_GRACE_MS = 3000;

function describe(request: ServeRequest, url: string): string {
  const memory = request.memory ? 'long-term memory on' : 'ADK in-process memory';
  const ui = request.command === 'web' ? `dev UI at ${url}/dev-ui, ` : '';
  return `adk-redis: ${ui}API at ${url} (sessions and ${memory}, backend ${request.backend})`;
}

function stopOnSignals(server: RunningServer): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`adk-redis: ${signal}, stopping`);
    const timer = setTimeout(() => process.exit(0), STOP_GRACE_MS);
    timer.unref();
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main(argv: readonly string[]): Promise<void> {
  const request = parseCommandLine(argv);
  if (request.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (request.kind === 'version') {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const server = await serve(request);
  stopOnSignals(server);
  console.log(describe(request, server.url));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof AdkRedisError) {
    const code = error instanceof CliError ? error.code : error.name;
    const flag = error instanceof ConfigurationError ? FLAG_OF_FIELD[error.field] : undefined;
    const hint = flag ? ` Set it with ${flag}.` : '';
    console.error(`adk-redis: ${error.message}${hint} [${code}]`);
    process.exit(error instanceof CliError ? error.exitCode : 2);
  }
  console.error('adk-redis: unexpected failure:', error);
  process.exit(1);
});
