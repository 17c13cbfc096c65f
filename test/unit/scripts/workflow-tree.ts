/**
 * A temporary copy of the project for exercising the regeneration workflow: only what
 * `specs:pull` and `generate` need, node_modules symlinked, its own spec cache.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { cachedDocumentPath } from '../../../scripts/lib/spec-documents.js';
import { PROJECT_ROOT, readSources, sha256 } from '../../../scripts/lib/specs.js';

const COPIED = [
  'package.json',
  'tsconfig.json',
  '.prettierrc.json',
  '.prettierignore',
  'scripts',
  'specs',
  'src/generated',
  'test/support/generated',
  'test/support/fake-redis-agent-memory',
  // the AMS harness (imported by specs:pull) serves its model endpoint from here
  'test/support/model-endpoint',
];

export interface Tree {
  root: string;
  /** ADK_REDIS_CACHE_DIR of every command run in the tree. */
  cache: string;
}

export function copyTree(): Tree {
  const base = mkdtempSync(join(tmpdir(), 'adk-redis-regen-'));
  const root = join(base, 'tree');
  for (const entry of COPIED) {
    cpSync(join(PROJECT_ROOT, entry), join(root, entry), { recursive: true });
  }
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  const cache = join(base, 'cache');
  mkdirSync(cache);
  return { root, cache };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function commandEnv(tree: Tree): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ADK_REDIS_CACHE_DIR: tree.cache };
  // What an outer `npm test` exported must not leak into the commands under test.
  for (const key of Object.keys(env)) {
    if (key === 'INIT_CWD' || key.startsWith('npm_')) delete env[key];
  }
  return env;
}

function run(tree: Tree, command: string, args: string[]): Promise<RunResult> {
  // Asynchronous: the test's loopback server must keep serving while the command runs.
  return new Promise((done) => {
    const options = { cwd: tree.root, env: commandEnv(tree), timeout: 60_000 };
    execFile(command, args, options, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** `npm <args>` in the tree: the documented commands, exactly. */
export function npm(tree: Tree, args: string[]): Promise<RunResult> {
  return run(tree, 'npm', args);
}

/**
 * `node --import tsx scripts/<script> <args>` in the tree: what the npm script runs, without
 * npm's start-up time (used for the failure paths; {@link npm} for the documented commands).
 */
export function script(
  tree: Tree,
  name: 'specs-pull.ts' | 'generate.ts',
  args: string[],
): Promise<RunResult> {
  return run(tree, process.execPath, ['--import', 'tsx', `scripts/${name}`, ...args]);
}

/**
 * The pinned managed document from this machine (the project's cache or the copy beside the
 * project), checked against specs/sources.json; undefined when neither is here.
 */
export function pinnedManagedDocument(): Buffer | undefined {
  const source = readSources()['redis-agent-memory'];
  const candidates = [cachedDocumentPath('redis-agent-memory', source.sha256)];
  if (source.path) candidates.push(resolve(PROJECT_ROOT, source.path));
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    if (sha256(bytes) === source.sha256) return bytes;
  }
  return undefined;
}

type JsonObject = Record<string, unknown>;

/** Marks the prose of the added route, to show that it is removed as well. */
export const NEW_PROSE = 'Lists every session of the store with its owner, newest first';

/** The pinned document plus `GET /v1/stores/{storeId}/sessions` and two schemas, version 1.1.0. */
export function newerDocument(pinned: Buffer): Buffer {
  const document = JSON.parse(pinned.toString('utf8')) as {
    info: JsonObject;
    paths: Record<string, JsonObject>;
    components: { schemas: Record<string, JsonObject> };
  };
  document.info.version = '1.1.0';
  const listSessions = document.paths['/v1/stores/{storeId}/session-memory']!.get as JsonObject;
  document.paths['/v1/stores/{storeId}/sessions'] = {
    get: {
      operationId: 'ListSessionSummaries',
      description: NEW_PROSE,
      parameters: [
        {
          name: 'storeId',
          in: 'path',
          required: true,
          schema: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9-]+$' },
        },
        { name: 'sort', in: 'query', schema: { type: 'string', enum: ['created', 'updated'] } },
      ],
      responses: {
        // The error answers of the existing listing, as upstream declares them on every route.
        ...Object.fromEntries(
          Object.entries(listSessions.responses as JsonObject).filter(
            ([status]) => status !== '200',
          ),
        ),
        '200': {
          description: 'ListSessionSummaries 200 response',
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/ListSessionSummariesResponseContent' },
            },
          },
        },
      },
    },
  };
  document.components.schemas.SessionSummaryEntry = {
    type: 'object',
    description: `${NEW_PROSE} (one entry).`,
    properties: {
      sessionId: { type: 'string' },
      ownerId: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
    },
    required: ['sessionId', 'createdAt'],
  };
  document.components.schemas.ListSessionSummariesResponseContent = {
    type: 'object',
    properties: {
      sessions: { type: 'array', items: { $ref: '#/components/schemas/SessionSummaryEntry' } },
    },
    required: ['sessions'],
  };
  return Buffer.from(`${JSON.stringify(document, null, 2)}\n`);
}

/**
 * Type-checks a small program that calls the new route through openapi-fetch with the tree's
 * generated types, and a route the document does not have (`@ts-expect-error`, so that typing
 * everything as `any` fails too). Returns the diagnostics as text; empty means accepted.
 */
export function typecheckNewRoute(tree: Tree): string[] {
  const file = join(tree.root, 'uses-new-route.ts');
  const text = `import createClient from 'openapi-fetch';
import type { paths } from './src/generated/redis-agent-memory.js';

const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:1' });

export async function newestSession(): Promise<string | undefined> {
  const { data } = await client.GET('/v1/stores/{storeId}/sessions', {
    params: { path: { storeId: 'store-1' }, query: { sort: 'updated' } },
  });
  const createdAt: string | undefined = data?.sessions[0]?.createdAt;
  return createdAt === undefined ? undefined : data?.sessions[0]?.sessionId;
}

export async function unknownRoute(): Promise<void> {
  // @ts-expect-error the document has no such route
  await client.GET('/v1/stores/{storeId}/no-such-route', { params: { path: { storeId: 's' } } });
}
`;
  const host = ts.createCompilerHost({});
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
  };
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (resolve(name) === file ? text : readFile(name));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => resolve(name) === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

/**
 * Starts the tree's copy of the fake (so it reads the tree's artifact), asks it for `path` and
 * returns the status and problem body it answered.
 */
export async function askTheFake(
  tree: Tree,
  path: string,
): Promise<{ status: number; body: unknown }> {
  const probe = join(tree.root, 'probe-fake.ts');
  writeFileSync(
    probe,
    `import { startFakeRedisAgentMemory } from './test/support/fake-redis-agent-memory/index.js';
const ram = await startFakeRedisAgentMemory({ authDisabled: true });
try {
  const response = await fetch(ram.baseUrl + ${JSON.stringify(path)}.replace('{storeId}', ram.storeId));
  console.log(JSON.stringify({ status: response.status, body: await response.json() }));
} finally {
  await ram.stop();
}
`,
  );
  const result = await run(tree, process.execPath, ['--import', 'tsx', probe]);
  if (result.code !== 0) throw new Error(`the fake probe failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as { status: number; body: unknown };
}
