/**
 * Runs the `adk-redis` CLI from source in a child process, as a user's shell would, and reads the
 * address it prints once it listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** A CLI process that is listening. */
export interface CliProcess {
  /** The API's base URL, as the CLI printed it. */
  readonly url: string;
  /** Everything it wrote so far (for failure messages). */
  output(): string;
  /** Sends SIGTERM and waits for the exit status. */
  stop(): Promise<number | null>;
}

/** Starts `adk-redis <args>` and resolves once it prints its API address. */
export async function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<CliProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`adk-redis did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /API at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`adk-redis exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
