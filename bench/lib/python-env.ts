/**
 * The Python side of the peer comparison: `adk-redis==0.0.10` with `google-adk` and
 * `agent-memory-client` (bench/python/requirements.txt) in a cached Python 3.12 venv of its own,
 * under `${ADK_REDIS_CACHE_DIR:-~/.cache/adk-redis}/bench-py-<hash of the requirements>`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir, findPython312 } from '../../scripts/lib/memory-server.js';
import { ROOT } from './env.js';

export const PEER_DIR = join(ROOT, 'bench', 'python');
const REQUIREMENTS = join(PEER_DIR, 'requirements.txt');

export function peerVenvDir(): string {
  const hash = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex').slice(0, 12);
  return join(cacheDir(), `bench-py-${hash}`);
}

function run(cmd: string, args: string[]): void {
  const result = spawnSync(cmd, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 20 * 60_000,
  });
  if (result.error)
    throw new Error(`${cmd} ${args.join(' ')} could not run: ${result.error.message}`);
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('WARNING: Location'))
      .slice(-20)
      .join('\n');
    throw new Error(
      `${cmd} ${args.slice(0, 4).join(' ')} … exited with ${result.status}:\n${tail}`,
    );
  }
}

/** The venv's python, installing the peer first when the cache has no finished install. */
export function ensurePeerPython(log: (line: string) => void): string {
  const venv = peerVenvDir();
  const python = join(venv, 'bin', 'python');
  const marker = join(venv, '.adk-redis-bench-installed');
  if (existsSync(marker)) return python;
  const started = Date.now();
  log(`first run: installing the Python peer (bench/python/requirements.txt) into ${venv}`);
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(dirname(venv), { recursive: true });
  const base = findPython312();
  log(`using ${base}`);
  run(base, ['-m', 'venv', venv]);
  log('pip install -r bench/python/requirements.txt (a minute or two)');
  run(python, [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '-r',
    REQUIREMENTS,
  ]);
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return python;
}
