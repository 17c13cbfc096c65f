/**
 * Runs ADK's API server (and, for `web`, its dev UI) on our services. ADK's server loads the
 * agents itself, exactly as `adk web` does: each agent file is compiled and bundled with esbuild
 * and must export `rootAgent` (or an `App`).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LogLevel, setLogLevel } from '@google/adk';
import { CliError } from './errors.js';
import { loadDevtools, type AdkDevtools } from './devtools.js';
import type { CliLogLevel, ServeRequest } from './options.js';
import { createCliServices } from './services.js';
import { serveSessionListAsArray, type RouteRegistrar } from './session-list-route.js';

const LOG_LEVEL: Record<CliLogLevel, LogLevel> = {
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
};

/** A server that is listening. */
export interface RunningServer {
  /** The address it listens on, with the port it really got (`--port 0` picks one). */
  readonly url: string;
  stop(): Promise<void>;
}

async function assertAgentsPath(path: string): Promise<void> {
  try {
    await stat(path);
  } catch {
    throw new CliError(
      'ADK_REDIS_CLI_AGENTS_DIR',
      `The agents directory ${path} does not exist: pass a directory of agents (or one agent file) as the argument after the command.`,
    );
  }
}

/**
 * Starts the server the request describes.
 * @throws {CliError} when the agents path is missing, the devtools are not installed or the server
 * cannot listen; {@link ConfigurationError} for a bad backend setting.
 */
export async function serve(
  request: ServeRequest,
  devtools?: () => Promise<AdkDevtools>,
): Promise<RunningServer> {
  const agentsDir = resolve(request.agentsDir);
  await assertAgentsPath(agentsDir);
  const services = createCliServices(request);
  const { AdkApiServer } = await loadDevtools(devtools);
  const logLevel = LOG_LEVEL[request.logLevel];
  setLogLevel(logLevel);
  const server = new AdkApiServer({
    agentsDir,
    host: request.host,
    port: request.port,
    serveDebugUI: request.command === 'web',
    logLevel,
    ...services,
  });
  if (request.command === 'web') {
    // Routes registered before start() take precedence over the server's own.
    // `app` is typed by @types/express, which the devtools do not install: read it as unknown.
    const app = (server as { app: unknown }).app as RouteRegistrar;
    serveSessionListAsArray(app, services.sessionService);
  }
  try {
    await server.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError(
      'ADK_REDIS_CLI_START',
      `The server could not listen on ${request.host}:${request.port}: ${reason}. Pick another --port or --host.`,
      { cause: error },
    );
  }
  return { url: server.url, stop: () => server.stop() };
}
