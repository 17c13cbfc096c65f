// `npm run check:package` (after `npm run build`): checks the package as npm would publish it.
//  1. packs the tarball and checks what is in it (dist for every entry point, README,
//     package.json; nothing from src/, test/, scripts/, specs/...), printing file count and size;
//  2. publint on that tarball (no errors or warnings);
//  3. are-the-types-wrong on that tarball, profile node16 (node16 CJS, node16 ESM, bundler);
//  4. installs the tarball with @google/adk 2.0.0 into a scratch project outside the repo and runs
//     an ADK agent turn from an ESM and from a CJS program against the repo's fake Redis Agent
//     Memory API, then type-checks a TypeScript consumer (module nodenext, ESM and CJS);
//  5. runs the installed `adk-redis` bin there: --help, --version, and `web` without the optional
//     peer @google/adk-devtools, which must fail with ADK_REDIS_CLI_DEVTOOLS_MISSING.
// Any failure exits non-zero with a message saying which check failed and why.
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const ADK_VERSION = '2.0.0';
/** Paths that must never be published ('.': dotfiles and dot-directories such as .ci/). */
const FORBIDDEN = ['src/', 'test/', 'scripts/', 'specs/', 'bench/', 'docs/', 'node_modules/', '.'];
/** Besides dist/, the only files the tarball may hold. */
const ALLOWED_TOP_LEVEL = /^(package\.json|README\.md|LICEN[CS]E(\.md|\.txt)?)$/i;

class CheckError extends Error {}
/** A list for a message: the first ten items and how many more. */
const list = (items) =>
  items.slice(0, 10).join(', ') + (items.length > 10 ? ` and ${items.length - 10} more` : '');
const fail = (message) => {
  throw new CheckError(message);
};
const started = performance.now();
const progress = (message) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${message}`);

/**
 * Runs a command to completion; fails with its output when it exits non-zero or outlives
 * `timeoutMs`.
 */
function run(
  command,
  args,
  { cwd = root, env, timeoutMs = 90_000, what = `${command} ${args.join(' ')}` } = {},
) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
  if (result.error?.code === 'ETIMEDOUT') {
    fail(`${what} took more than ${timeoutMs / 1000} s:\n${result.stdout}${result.stderr}`);
  }
  if (result.error) fail(`${what}: ${result.error.message}`);
  if (result.status !== 0) {
    fail(
      `${what} exited with ${result.status ?? result.signal}:\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

/** The paths the package.json entry fields and `exports` point at, without the leading `./`. */
function declaredTargets() {
  const targets = new Set(
    [pkg.main, pkg.module, pkg.types, ...Object.values(pkg.bin ?? {})].filter(Boolean),
  );
  const walk = (value) => {
    if (typeof value === 'string') targets.add(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(pkg.exports);
  return [...targets].map((target) => target.replace(/^\.\//, ''));
}

function assertBuilt() {
  const missing = declaredTargets().filter((target) => !existsSync(join(root, target)));
  if (missing.length > 0) {
    fail(`not built (missing ${missing.join(', ')}): run \`npm run build\` first`);
  }
}

/** Packs the package into `dir` with `npm pack` and returns npm's report of the tarball. */
function pack(dir) {
  const [report] = JSON.parse(
    run('npm', ['pack', '--json', '--pack-destination', dir], { what: 'npm pack' }),
  );
  return { ...report, tarball: join(dir, report.filename) };
}

/** Checks the tarball's file list: everything that must ship, nothing that must not. */
function checkContents(report) {
  const files = new Set(report.files.map((file) => file.path));
  const entries = Object.keys(pkg.exports)
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => (subpath === '.' ? 'index' : subpath.slice(2)));
  const required = [
    'package.json',
    'README.md',
    ...declaredTargets(),
    ...entries.flatMap((entry) =>
      ['.js', '.cjs', '.d.ts', '.d.cts'].map((ext) => `dist/${entry}${ext}`),
    ),
    ...['LICENSE', 'LICENSE.md', 'LICENSE.txt'].filter((name) => existsSync(join(root, name))),
  ];
  const missing = [...new Set(required)].filter((file) => !files.has(file));
  if (missing.length > 0) fail(`the tarball lacks ${missing.join(', ')}`);

  const forbidden = [...files].filter((file) =>
    FORBIDDEN.some((prefix) => file.startsWith(prefix)),
  );
  if (forbidden.length > 0) fail(`the tarball must not contain ${list(forbidden)}`);
  const stray = [...files].filter(
    (file) => !file.startsWith('dist/') && !ALLOWED_TOP_LEVEL.test(file),
  );
  if (stray.length > 0) fail(`unexpected files in the tarball: ${list(stray)}`);
  checkSourceMaps(
    report.files.map((file) => file.path).filter((file) => file.endsWith('.map')),
    files,
  );
}

/**
 * Source maps ship on purpose (tsup `sourcemap: true`), so stack traces point at the TypeScript.
 * They must belong to a shipped file and embed their sources, since src/ is not published.
 */
function checkSourceMaps(maps, files) {
  for (const map of maps) {
    if (!files.has(map.slice(0, -'.map'.length))) fail(`${map} belongs to no shipped file`);
    const { sources = [], sourcesContent = [] } = JSON.parse(readFileSync(join(root, map), 'utf8'));
    if (sources.some((_, i) => typeof sourcesContent[i] !== 'string')) {
      fail(`${map} does not embed its sources (src/ is not published)`);
    }
  }
}

async function runPublint(tarball) {
  const data = readFileSync(tarball);
  const { messages, pkg: packed } = await publint({
    pack: { tarball: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) },
    level: 'suggestion',
  });
  for (const message of messages) {
    console.log(`  publint ${message.type}: ${formatMessage(message, packed, { color: false })}`);
  }
  const blocking = messages.filter((message) => message.type !== 'suggestion');
  if (blocking.length > 0) fail(`publint reported ${blocking.length} error(s) or warning(s)`);
  return messages.length;
}

/**
 * are-the-types-wrong with the `node16` profile: node16 from CJS, node16 from ESM and bundler
 * resolution must all find types of the right format for every entry point. The profile ignores
 * node10 (`moduleResolution: node`), which cannot see `exports` subpaths at all; the package
 * needs Node 20 (`engines`), where `exports` always applies.
 */
function runAttw(tarball) {
  const result = spawnSync(bin('attw'), [tarball, '--profile', 'node16', '--format', 'json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    fail(`attw printed no report (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
  const checked = ['node16-cjs', 'node16-esm', 'bundler'];
  const problems = (report.analysis.problems ?? []).filter(
    (problem) => !problem.resolutionKind || checked.includes(problem.resolutionKind),
  );
  if (result.status !== 0 || problems.length > 0) {
    const lines = problems.map(
      (p) => `  ${p.kind} at ${p.entrypoint ?? '?'} (${p.resolutionKind})`,
    );
    fail(`attw found problems (exit ${result.status}):\n${lines.join('\n') || result.stderr}`);
  }
  const entrypoints = Object.keys(report.analysis.entrypoints).filter(
    (e) => e !== './package.json',
  );
  for (const entrypoint of entrypoints) {
    for (const kind of checked) {
      const resolved = report.analysis.entrypoints[entrypoint].resolutions[kind];
      if (!resolved?.resolution?.isTypeScript) fail(`attw: ${entrypoint} has no types for ${kind}`);
    }
  }
  return { entrypoints, checked };
}

/** Starts the repo's fake Redis Agent Memory API in its own process; resolves once it listens. */
function startFakeApi() {
  const child = spawn(bin('tsx'), ['test/support/fake-redis-agent-memory/cli.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  const ready = new Promise((resolve, reject) => {
    const env = {};
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^(RAM_[A-Z_]+)=(.*)$/.exec(line);
      if (match) env[match[1]] = match[2];
      if (env.RAM_BASE_URL && env.RAM_API_KEY && env.RAM_STORE_ID) resolve(env);
    });
    exited.then((code) =>
      reject(new CheckError(`the fake API exited (${code}) before listening:\n${stderr}`)),
    );
    setTimeout(
      () => reject(new CheckError(`the fake API did not start in 30 s:\n${stderr}`)),
      30_000,
    ).unref();
  });
  ready.catch(() => {}); // awaited later; a failure before then must not be an unhandled rejection
  /**
   * Stops it and returns a problem to report, if any: it exits non-zero when it saw contract
   * violations in its own answers.
   */
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const code = await exited;
    return code === 0 || code === 'SIGTERM'
      ? undefined
      : `the fake API exited with ${code}:\n${stderr}`;
  };
  return { ready, stop };
}

/** A scratch project outside the repo with the tarball and @google/adk installed from npm. */
function createScratchProject(dir, tarball) {
  const project = join(dir, 'consumer');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'adk-redis-consumer', private: true }, null, 2),
  );
  run(
    'npm',
    [
      'install',
      tarball,
      `@google/adk@${ADK_VERSION}`,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
    ],
    { cwd: project, what: 'npm install (scratch project)' },
  );
  const version = (name) =>
    JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8')).version;
  if (version('@google/adk') !== ADK_VERSION)
    fail(`@google/adk ${version('@google/adk')} installed`);
  for (const [file, text] of Object.entries(SCRATCH_FILES))
    writeFileSync(join(project, file), text);
  return {
    project,
    versions: `adk-redis ${version('adk-redis')}, @google/adk ${version('@google/adk')}`,
  };
}

/** Runs one of the smoke programs in the scratch project; it prints one line when it passes. */
function runSmoke(project, file, env) {
  return run(process.execPath, [file], {
    cwd: project,
    env,
    timeoutMs: 30_000,
    what: `node ${file}`,
  }).trim();
}

/**
 * The installed `adk-redis` bin, as `npx adk-redis` runs it, in a project without the optional
 * peer @google/adk-devtools: help and version work; serving says how to install the peer.
 */
function checkCli(project) {
  const cli = join(project, 'node_modules', '.bin', 'adk-redis');
  const runCli = (args, env = {}) =>
    spawnSync(cli, args, {
      cwd: project,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
  const help = runCli(['--help']);
  if (help.status !== 0 || !help.stdout.includes('Usage: adk-redis'))
    fail(`adk-redis --help exited with ${help.status}:\n${help.stdout}${help.stderr}`);
  const version = runCli(['--version']);
  if (version.stdout.trim() !== pkg.version)
    fail(`adk-redis --version printed "${version.stdout.trim()}", not ${pkg.version}`);
  const web = runCli(['web', '.'], {
    ADK_REDIS_BACKEND: 'opensource-agent-memory',
    AMS_BASE_URL: 'http://127.0.0.1:9',
  });
  if (web.status !== 1 || !web.stderr.includes('ADK_REDIS_CLI_DEVTOOLS_MISSING'))
    fail(
      `adk-redis web without @google/adk-devtools should fail with ADK_REDIS_CLI_DEVTOOLS_MISSING; it exited with ${web.status}:\n${web.stderr}`,
    );
  return 'adk-redis bin ok (--help, --version; web without @google/adk-devtools says how to install it)';
}

/**
 * Type-checks the TypeScript consumers with the repo's compiler (module nodenext), declaration
 * files included. Only errors in the consumers or in adk-redis's own .d.ts/.d.cts count:
 * @google/adk's declarations import its optional peers (express, MCP SDK, ...), which a consumer
 * need not install. Returns how many such foreign errors were ignored.
 */
function typecheckConsumer(project) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], {
    cwd: project,
    encoding: 'utf8',
    timeout: 90_000,
  });
  if (result.error) fail(`tsc: ${result.error.message}`);
  const errors = result.stdout.split('\n').filter((line) => /: error TS\d+:/.test(line));
  const ours = errors.filter((line) => /^(consumer\.|node_modules\/adk-redis\/)/.test(line));
  if (ours.length > 0 || (result.status !== 0 && errors.length === 0)) {
    fail(`tsc (TypeScript consumer, module nodenext) failed:\n${ours.join('\n') || result.stdout}`);
  }
  return errors.length - ours.length;
}

// The scratch project's programs. Each imports the package the way a user would: by name.
const SMOKE_BODY = `
const entries = [root, ams, ram];
for (const entry of entries) {
  if (entry.BackendError !== root.BackendError) throw new Error('BackendError differs across entry points');
}
if (typeof ams.createAgentMemoryServerClient !== 'function') throw new Error('no createAgentMemoryServerClient');
if (typeof ram.createRedisAgentMemoryClient !== 'function') throw new Error('no createRedisAgentMemoryClient');
if (root.VERSION !== ${JSON.stringify(pkg.version)}) throw new Error('VERSION is ' + root.VERSION);

class M extends BaseLlm {
  constructor() {
    super({ model: 'm' });
  }
  async *generateContentAsync() {
    yield { content: { role: 'model', parts: [{ text: 'hi' }] }, turnComplete: true };
  }
  connect() {
    throw new Error('no live');
  }
}

async function main() {
  const sessionService = new root.RedisSessionMemoryService({
    backend: 'redis-agent-memory',
    apiBaseUrl: process.env.RAM_BASE_URL,
    apiKey: process.env.RAM_API_KEY,
    storeId: process.env.RAM_STORE_ID,
  });
  const appName = 'smoke';
  const userId = 'u-' + FORMAT;
  const agent = new LlmAgent({ name: 'smoke_agent', model: new M(), instruction: 'Say hi.' });
  const runner = new Runner({ appName, agent, sessionService });
  const session = await sessionService.createSession({ appName, userId });
  let replies = 0;
  for await (const event of runner.runAsync({
    userId,
    sessionId: session.id,
    newMessage: { role: 'user', parts: [{ text: 'hello' }] },
  })) {
    if (event.content?.parts?.[0]?.text === 'hi') replies++;
  }
  const stored = await sessionService.getSession({ appName, userId, sessionId: session.id });
  const events = stored?.events ?? [];
  if (replies !== 1 || events.length !== 2) {
    throw new Error(\`expected 1 reply and 2 stored events, got \${replies} and \${events.length}\`);
  }
  console.log(\`\${FORMAT}: 3 entry points load; a Runner turn stored \${events.length} events (\${events.map((e) => e.author).join(', ')})\`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

const SCRATCH_FILES = {
  'smoke.mjs': `import * as root from 'adk-redis';
import * as ams from 'adk-redis/agent-memory-server';
import * as ram from 'adk-redis/redis-agent-memory';
import { BaseLlm, LlmAgent, Runner } from '@google/adk';
const FORMAT = 'esm';
${SMOKE_BODY}`,
  'smoke.cjs': `const root = require('adk-redis');
const ams = require('adk-redis/agent-memory-server');
const ram = require('adk-redis/redis-agent-memory');
const { BaseLlm, LlmAgent, Runner } = require('@google/adk');
const FORMAT = 'cjs';
${SMOKE_BODY}`,
  'tsconfig.json': JSON.stringify(
    {
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        lib: ['es2023', 'dom'],
        types: [],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
      },
      files: ['consumer.mts', 'consumer.cts'],
    },
    null,
    2,
  ),
  ...Object.fromEntries(
    ['mts', 'cts'].map((ext) => [
      `consumer.${ext}`,
      `import type { BaseSessionService } from '@google/adk';
import {
  BackendError,
  RedisSessionMemoryService,
  type AgentMemoryServerApi,
  type RedisSessionMemoryServiceConfig,
  type SessionKey,
} from 'adk-redis';
import {
  createAgentMemoryServerClient,
  type AgentMemoryServerClient,
  type components,
} from 'adk-redis/agent-memory-server';
import type { RedisAgentMemoryClient } from 'adk-redis/redis-agent-memory';

const config: RedisSessionMemoryServiceConfig = { backend: 'opensource-agent-memory', timeout: 5 };
// @ts-expect-error an unknown option is a type error
const wrong: RedisSessionMemoryServiceConfig = { store_id: 'x' };
// The service is an ADK session service, as the consumer's own @google/adk sees it.
export const service: BaseSessionService = new RedisSessionMemoryService(config);
export const client: AgentMemoryServerClient = createAgentMemoryServerClient({
  baseUrl: 'http://localhost:8000',
});
export type WorkingMemoryResponse = components['schemas']['WorkingMemoryResponse'];
export type SameWorkingMemoryResponse = AgentMemoryServerApi.components['schemas']['WorkingMemoryResponse'];
export type Ram = RedisAgentMemoryClient;
export const key: SessionKey = { appName: 'a', userId: 'u', sessionId: 's' };
export const status = (error: unknown): number | undefined =>
  error instanceof BackendError ? error.status : undefined;
export { wrong };
`,
    ]),
  ),
};

async function main() {
  assertBuilt();
  const work = mkdtempSync(join(tmpdir(), 'adk-redis-package-'));
  try {
    const report = pack(work);
    checkContents(report);
    const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
    progress(
      `packed ${report.filename}: ${report.files.length} files, ${kib(report.size)} packed, ${kib(report.unpackedSize)} unpacked; contents ok`,
    );

    const publintMessages = await runPublint(report.tarball);
    progress(`publint: no errors or warnings (${publintMessages} suggestion(s))`);
    const attw = runAttw(report.tarball);
    progress(
      `attw --profile node16: no problems (${attw.entrypoints.join(', ')} × ${attw.checked.join(', ')}; node10 ignored)`,
    );

    progress(`installing the tarball and @google/adk@${ADK_VERSION} into a scratch project...`);
    const fake = startFakeApi();
    let fakeProblem;
    try {
      const { project, versions } = createScratchProject(work, report.tarball);
      const env = await fake.ready;
      progress(`installed ${versions}; fake Redis Agent Memory API at ${env.RAM_BASE_URL}`);
      for (const file of ['smoke.mjs', 'smoke.cjs']) progress(runSmoke(project, file, env));
      progress(checkCli(project));
      progress('type-checking the TypeScript consumer (module nodenext, .mts and .cts)...');
      const ignored = typecheckConsumer(project);
      progress(
        `TypeScript consumer ok (${ignored} error(s) in @google/adk's own declarations ignored)`,
      );
    } finally {
      fakeProblem = await fake.stop();
    }
    if (fakeProblem) fail(fakeProblem);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  progress('package ok');
}

main().catch((error) => {
  console.error(
    `check:package FAILED: ${error instanceof CheckError ? error.message : error.stack}`,
  );
  process.exit(1);
});
