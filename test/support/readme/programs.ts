/**
 * Runs user-facing programs (README snippets, examples) the way a user runs them: `tsx` in a child
 * process, with `adk-redis` and `adk-redis/*` resolved to this repository's sources (the package
 * is not built during tests), only the environment variables a user would set, and a preload that
 * refuses every connection that does not go to loopback.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const TSX_CLI = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
/** Loopback only, and Gemini's REST API answered with a canned reply (see the module). */
export const CANNED_GEMINI = fileURLToPath(new URL('./canned-gemini.ts', import.meta.url));
/** Loopback only. */
export const LOOPBACK_ONLY = fileURLToPath(new URL('./loopback-only.ts', import.meta.url));

export interface ProgramResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Variables on top of PATH and HOME; nothing else of the test's environment is passed on. */
  env?: Record<string, string>;
  args?: string[];
  /** Modules loaded with `--import` before the program (default: {@link LOOPBACK_ONLY}). */
  preload?: string;
  cwd?: string;
  /** Tsconfig whose `paths` resolve `adk-redis` (default: the repository's). */
  tsconfig?: string;
  timeoutMs?: number;
}

/** Runs one TypeScript file with tsx and collects its output; never rejects for a non-zero exit. */
export function runProgram(file: string, options: RunOptions = {}): Promise<ProgramResult> {
  const args = [
    TSX_CLI,
    '--tsconfig',
    options.tsconfig ?? join(REPO_ROOT, 'tsconfig.json'),
    '--import',
    options.preload ?? LOOPBACK_ONLY,
    file,
    ...(options.args ?? []),
  ];
  const env: Record<string, string> = { NO_COLOR: '1', ...options.env };
  for (const name of ['PATH', 'HOME', 'TMPDIR']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return collect(process.execPath, args, {
    cwd: options.cwd ?? REPO_ROOT,
    env,
    timeout: options.timeoutMs ?? 60_000,
  });
}

function collect(
  command: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeout: number },
): Promise<ProgramResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...options,
      stdio: ['ignore', 'pipe', 'pipe'],
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * A scratch directory outside the repository where extracted snippets are written as files. It
 * links the repository's node_modules (so `@google/adk` is the one copy the sources use) and holds
 * a tsconfig that maps `adk-redis` and `adk-redis/*` to the sources.
 */
export interface SnippetWorkspace {
  dir: string;
  tsconfig: string;
  /** Writes `<name>.mts` (as the README tells users to save a program) and returns its path. */
  write(name: string, source: string): Promise<string>;
  /** `tsc --noEmit` over every program written so far (strict, against the sources). */
  typecheck(): Promise<ProgramResult>;
  dispose(): Promise<void>;
}

export async function createSnippetWorkspace(): Promise<SnippetWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), 'adk-redis-readme-'));
  await symlink(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // No "type": "module": the .mts extension alone must make a snippet an ES module.
  await writeFile(join(dir, 'package.json'), JSON.stringify({ private: true }));
  const src = (file: string) => [join(REPO_ROOT, 'src', file)];
  const tsconfig = join(dir, 'tsconfig.json');
  await writeFile(
    tsconfig,
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        types: ['node'],
        typeRoots: [join(REPO_ROOT, 'node_modules', '@types')],
        paths: {
          'adk-redis': src('index.ts'),
          'adk-redis/agent-memory-server': src('agent-memory-server.ts'),
          'adk-redis/redis-agent-memory': src('redis-agent-memory.ts'),
        },
      },
      include: ['*.mts'],
    }),
  );
  return {
    dir,
    tsconfig,
    async write(name, source) {
      const file = join(dir, `${name}.mts`);
      await writeFile(file, source);
      return file;
    },
    typecheck: () =>
      collect(
        process.execPath,
        [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', tsconfig],
        { cwd: dir, timeout: 120_000 },
      ),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
