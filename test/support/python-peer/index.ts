/**
 * Runs the real Python adk-redis (installed by scripts/python-peer/install.ts) through its driver:
 * one process per batch of operations, since each start imports google-adk (seconds).
 */
import { spawn } from 'node:child_process';
import { DRIVER, type PythonPeer } from '../../../scripts/python-peer/install.js';

/** What the Python service was configured with (its RedisSessionMemoryServiceConfig fields). */
export type PeerConfig =
  | { backend: 'opensource-agent-memory'; api_base_url: string }
  | { backend: 'redis-agent-memory'; api_base_url: string; api_key: string; store_id: string };

export interface PeerEvent {
  author: string;
  role: 'user' | 'model';
  text: string;
  state_delta?: Record<string, unknown>;
}

export type PeerOp =
  | { op: 'create'; app: string; user: string; session: string; state?: object }
  | { op: 'append'; app: string; user: string; session: string; events: PeerEvent[] }
  | { op: 'get'; app: string; user: string; session: string }
  | { op: 'list'; app: string; user?: string };

/** A session as the Python service returned it. */
export interface PeerSession {
  id: string;
  state: Record<string, unknown>;
  events: { id: string; author: string; text: string }[];
}

export type PeerResult = { ok: unknown } | { error: string };

/** Runs the operations in order in one Python process; one result per operation. */
export async function runPythonPeer(
  peer: PythonPeer,
  config: PeerConfig,
  ops: PeerOp[],
): Promise<PeerResult[]> {
  const child = spawn(peer.python, [DRIVER], {
    // Loopback only: no proxy may sit between the peer and the servers under test.
    env: { ...process.env, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1', PYTHONUTF8: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(JSON.stringify({ config, ops }));
  const code = await new Promise<number | null>((resolveExit, reject) => {
    child.once('error', reject);
    child.once('close', resolveExit);
  });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('[')) {
    const tail = stderr.trim().split('\n').slice(-20).join('\n');
    throw new Error(`Python adk-redis driver exited with ${code}:\n${tail}`);
  }
  return JSON.parse(last) as PeerResult[];
}

/** The value of a successful result; throws with Python's error otherwise. */
export function okOf<T>(result: PeerResult | undefined): T {
  if (result === undefined) throw new Error('no result from the Python driver');
  if ('error' in result) throw new Error(`Python adk-redis failed: ${result.error}`);
  return result.ok as T;
}
