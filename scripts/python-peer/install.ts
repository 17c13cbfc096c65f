/**
 * Installs the pinned Python adk-redis (the package this library's sessions stay compatible with)
 * into a cached Python 3.12 virtual environment of its own, once per lock file, for the interop
 * test. Mirrors scripts/ams/install.ts: same cache directory, same Python 3.12 lookup.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, findPython312, run } from '../ams/install.js';

export const PYTHON_ADK_REDIS_VERSION = '0.0.10';
const HERE = dirname(fileURLToPath(import.meta.url));
const LOCK_FILE = join(HERE, 'requirements.lock');
/** The driver the test runs with the venv's Python (JSON command on stdin, JSON on stdout). */
export const DRIVER = resolve(HERE, 'driver.py');

/** Why the peer could not be installed; `code` is stable, the message says what to do. */
export class PythonPeerInstallError extends Error {
  readonly code = 'PYTHON_PEER_INSTALL_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PythonPeerInstallError';
  }
}

export interface PythonPeer {
  venv: string;
  python: string;
}

const defaultLog = (line: string): void => {
  process.stderr.write(`[python-peer] ${line}\n`);
};

/** The venv directory for the current lock file; a new lock gets a fresh venv. */
export function peerVenvDir(): string {
  const hash = createHash('sha256').update(readFileSync(LOCK_FILE)).digest('hex').slice(0, 12);
  return join(cacheDir(), `python-adk-redis-${PYTHON_ADK_REDIS_VERSION}-${hash}`);
}

/** Install the pinned packages unless a finished install is already cached. */
export function ensurePythonPeer(log: (line: string) => void = defaultLog): PythonPeer {
  const venv = peerVenvDir();
  const peer = { venv, python: join(venv, 'bin', 'python') };
  const marker = join(venv, '.adk-redis-installed');
  if (existsSync(marker)) return peer;

  const started = Date.now();
  log(
    `first run: installing Python adk-redis ${PYTHON_ADK_REDIS_VERSION} (about 60 packages) into ${venv} (one to two minutes)`,
  );
  try {
    rmSync(venv, { recursive: true, force: true });
    mkdirSync(dirname(venv), { recursive: true });
    const python = findPython312();
    log(`using ${python}`);
    run(python, ['-m', 'venv', venv]);
    log('installing pinned Python packages (scripts/python-peer/requirements.lock)');
    const args = ['install', '--quiet', '--disable-pip-version-check', '--no-deps'];
    run(peer.python, ['-m', 'pip', ...args, '-r', LOCK_FILE]);
    // Fails here, not in the middle of a test, when an import is missing from the lock.
    run(peer.python, ['-c', 'import adk_redis.sessions, google.adk.events']);
  } catch (error) {
    rmSync(venv, { recursive: true, force: true });
    throw new PythonPeerInstallError(
      `Could not install Python adk-redis ${PYTHON_ADK_REDIS_VERSION} for the interop test: ` +
        `${error instanceof Error ? error.message : String(error)}\n` +
        'It needs Python 3.12 (or ADK_REDIS_PYTHON) and access to the Python package index; ' +
        'the next run retries from scratch.',
      { cause: error },
    );
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return peer;
}
