/**
 * Runs the loopback model endpoint for an AMS profile: in this process (tests read its call log and
 * swap its script), or as a detached child process when AMS must outlive the caller (the CLI).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startModelEndpoint,
  type ChatScript,
  type ModelEndpoint,
} from '../../test/support/model-endpoint/index.js';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(PROJECT_ROOT, 'test', 'support', 'model-endpoint', 'cli.ts');
const READY_TIMEOUT_MS = 20_000;

export interface ModelEndpointLaunch {
  /** Run as a detached child process (its own process group) instead of in this process. */
  detached: boolean;
  dimensions: number;
  chatDelayMs: number;
  /** In-process only: the chat script (a child process uses the default). */
  chatScript?: ChatScript;
  /** Where a child process writes its output. */
  logFile: string;
}

export interface LaunchedModelEndpoint {
  baseUrl: string;
  /** Present when the endpoint runs in this process. */
  endpoint?: ModelEndpoint;
  /** Present when it runs as a child process (the leader of its process group). */
  pid?: number;
}

/** Start the endpoint and resolve once it listens. */
export async function launchModelEndpoint(
  launch: ModelEndpointLaunch,
): Promise<LaunchedModelEndpoint> {
  if (!launch.detached) {
    const endpoint = await startModelEndpoint({
      dimensions: launch.dimensions,
      chatDelayMs: launch.chatDelayMs,
      ...(launch.chatScript ? { chatScript: launch.chatScript } : {}),
    });
    return { baseUrl: endpoint.baseUrl, endpoint };
  }
  if (launch.chatScript) {
    throw new Error('a chat script needs the model endpoint in this process (detached: false)');
  }
  const fd = openSync(launch.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        CLI,
        '--port',
        '0',
        '--dimensions',
        String(launch.dimensions),
        '--chat-delay-ms',
        String(launch.chatDelayMs),
      ],
      { cwd: PROJECT_ROOT, detached: true, stdio: ['ignore', fd, fd] },
    );
    child.unref();
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('the model endpoint process did not start');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    const text = readFileSync(launch.logFile, 'utf8');
    const match = /^MODEL_ENDPOINT_URL=(\S+)$/m.exec(text);
    if (match) return { baseUrl: match[1]!, pid };
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  throw new Error(
    `the model endpoint did not start (exit ${child.exitCode ?? child.signalCode}, waited up to ${READY_TIMEOUT_MS} ms):\n${readFileSync(launch.logFile, 'utf8').slice(-2000)}`,
  );
}
