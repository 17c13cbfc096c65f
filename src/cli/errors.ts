/** The CLI's typed errors: each has a stable `code` and says what the user can do about it. */
import { AdkRedisError } from '../clients/index.js';

/** Stable codes of {@link CliError}. */
export type CliErrorCode =
  /** A flag, argument or environment variable is missing or invalid. */
  | 'ADK_REDIS_CLI_USAGE'
  /** `@google/adk-devtools` (an optional peer dependency) is not installed. */
  | 'ADK_REDIS_CLI_DEVTOOLS_MISSING'
  /** The agents directory (or file) does not exist. */
  | 'ADK_REDIS_CLI_AGENTS_DIR'
  /** The server could not start (port in use, bad host, ...). */
  | 'ADK_REDIS_CLI_START';

/** An error the CLI reports as one line on stderr, exiting with status 2 (usage) or 1. */
export class CliError extends AdkRedisError {
  override name = 'CliError';
  constructor(
    /** What went wrong, stable across versions. */
    override readonly code: CliErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The process exit status for this error: 2 for usage errors, 1 otherwise. */
  get exitCode(): number {
    return this.code === 'ADK_REDIS_CLI_USAGE' ? 2 : 1;
  }
}
