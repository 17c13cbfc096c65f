/**
 * Loads `@google/adk-devtools`, an optional peer dependency: only the CLI needs it, so the library
 * does not install it. When it is missing, the error says how to add it.
 */
import type * as Devtools from '@google/adk-devtools';
import { CliError } from './errors.js';

/** The module `@google/adk-devtools`, as the CLI uses it. */
export type AdkDevtools = typeof Devtools;

const PACKAGE = '@google/adk-devtools';

/** How to install the peer (its 2.0.0 release needs the `overrides` the README lists). */
export const DEVTOOLS_INSTALL_HINT = `npm install --save-dev ${PACKAGE}@^2 (see "ADK dev UI" in the adk-redis README for the overrides its 2.0.0 release needs)`;

function isMissingModule(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    error.message.includes(PACKAGE)
  );
}

/**
 * Imports `@google/adk-devtools`. `importer` is for tests.
 * @throws {CliError} `ADK_REDIS_CLI_DEVTOOLS_MISSING` when the package is not installed.
 */
export async function loadDevtools(
  importer: () => Promise<AdkDevtools> = () => import('@google/adk-devtools'),
): Promise<AdkDevtools> {
  try {
    return await importer();
  } catch (error) {
    if (!isMissingModule(error)) throw error;
    throw new CliError(
      'ADK_REDIS_CLI_DEVTOOLS_MISSING',
      `adk-redis web and api_server run ADK's server from ${PACKAGE}, which is not installed. Install it next to adk-redis: ${DEVTOOLS_INSTALL_HINT}.`,
      { cause: error },
    );
  }
}
