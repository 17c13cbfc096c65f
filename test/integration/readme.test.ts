/**
 * README.md as a user reads it. Every TypeScript block runs as written, as a program in its own
 * process (tsx, `adk-redis` resolved to the sources), against the backend its marker names: the
 * real Agent Memory Server of the global setup, the managed API's fake, or both. Gemini is
 * answered by a canned preload and nothing leaves loopback. Each snippet has a check below that
 * asserts what it prints and stores; every block also typechecks. Links work on the package page.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Event } from '@google/adk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  RedisLongTermMemoryService,
  RedisSessionMemoryService,
  createAgentMemoryServerClient,
  createRedisAgentMemoryClient,
  unwrap,
} from '../../src/index.js';
import {
  startFakeRedisAgentMemory,
  type FakeRedisAgentMemory,
} from '../support/fake-redis-agent-memory/index.js';
import { cannedReply } from '../support/readme/canned-reply.js';
import { headings, markdownLinks } from '../support/readme/links.js';
import {
  CANNED_GEMINI,
  REPO_ROOT,
  createSnippetWorkspace,
  runProgram,
  type ProgramResult,
  type SnippetWorkspace,
} from '../support/readme/programs.js';
import { extractSnippets, type SnippetBackend } from '../support/readme/snippets.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const REPOSITORY = 'https://github.com/redis-developer/adk-redis-js/blob/main/';
const snippets = extractSnippets(README);
const amsBaseUrl = inject('amsBaseUrl');
/** Each run starts a process that loads ADK and compiles the sources; a busy machine is slow. */
const TIMEOUT_MS = 120_000;

/** What a check gets: the snippet to run (as often as it needs) and a way to read what it stored. */
interface SnippetContext {
  backend: SnippetBackend;
  /** Runs the snippet with these command-line arguments; fails unless it exits 0. Returns stdout. */
  run: (args?: string[]) => Promise<string>;
  service: RedisSessionMemoryService;
}

const eventText = (event: Event): string =>
  (event.content?.parts ?? []).map((part) => part.text ?? '').join('');

/** The quickstart: a new session, then the same one again by its id, in a new process. */
async function checkQuickstart({ run, service }: SnippetContext): Promise<void> {
  const question = 'Find me a flight to Paris';
  const first = await run();
  const sessionId = /^Session (\S+): 0 stored events$/m.exec(first)?.[1];
  expect(sessionId, first).toBeDefined();
  expect(first).toContain(`planner: ${cannedReply(question, 0)}`);

  const second = await run([sessionId!]);
  expect(second).toContain(`Session ${sessionId}: 2 stored events`);
  // The model was sent the stored turn before the new question.
  expect(second).toContain(`planner: ${cannedReply(question, 2)}`);

  const stored = await service.getSession({
    appName: 'travel-app',
    userId: 'alice',
    sessionId: sessionId!,
  });
  expect(stored?.events.map((event) => [event.author, eventText(event)])).toEqual([
    ['user', question],
    ['planner', cannedReply(question, 0)],
    ['user', question],
    ['planner', cannedReply(question, 2)],
  ]);
  await service.deleteSession({ appName: 'travel-app', userId: 'alice', sessionId: sessionId! });
}

const checks: Record<string, (context: SnippetContext) => Promise<void>> = {
  'quickstart-managed': checkQuickstart,
  'quickstart-ams': checkQuickstart,

  'memory-quickstart': async ({ run }) => {
    const before = fake.requests.length;
    expect(await run()).toBe('Prefers window seats\n');
    // Written, searched, then read by id (the ownership check) and deleted.
    const calls = fake.requests
      .slice(before)
      .map(({ method, path }) => `${method} ${path.replace(/^.*\/long-term-memory/, '')}`);
    expect(calls.map((call) => call.replace(/adk-[0-9a-f]{32}/, '<id>'))).toEqual([
      'POST ',
      'POST /search',
      'GET /<id>',
      'DELETE ',
    ]);
    const left = await unwrap(
      managedClient().POST('/v1/stores/{storeId}/long-term-memory/search', { body: {} }),
    );
    // Nothing of the snippet's memories is left; what remains are the session service's own
    // state records (owner adk-redis-state, no namespace), which no memory search returns.
    expect(left.items.filter((item) => item.ownerId !== 'adk-redis-state')).toEqual([]);
  },

  'memory-tools': async ({ run }) => {
    const owner = { appName: 'travel-app', userId: 'alice' };
    const memory = new RedisLongTermMemoryService({
      backend: 'redis-agent-memory',
      apiBaseUrl: fake.baseUrl,
      apiKey: fake.apiKey,
      storeId: fake.storeId,
    });
    try {
      const out = await run();
      expect(out).toContain('assistant answered\n');
      // The plugin stored the user's message (and the answer) after the turn.
      expect(out).toContain('user: I always take a window seat\n');
      const stored = await memory.search({ ...owner, query: 'window seat' });
      expect(stored.map((record) => [record.author, record.text])).toContainEqual([
        'user',
        'I always take a window seat',
      ]);
    } finally {
      await memory.deleteMemories(owner);
    }
  },

  'low-level-ams': async ({ run }) => {
    const ams = createAgentMemoryServerClient({ baseUrl: amsBaseUrl });
    const where = { namespace: 'my-app', user_id: 'user-1' };
    const path = { session_id: 'session-1' };
    // A document left by an earlier run must not make the check pass.
    await ams.DELETE('/v1/working-memory/{session_id}', { params: { path, query: where } });

    expect(await run()).toBe('user: Hi!\n');
    const stored = await unwrap(
      ams.GET('/v1/working-memory/{session_id}', { params: { path, query: where } }),
    );
    expect(stored.messages?.map(({ role, content }) => ({ role, content }))).toEqual([
      { role: 'user', content: 'Hi!' },
    ]);
  },

  'low-level-managed': async ({ run }) => {
    const before = fake.requests.length;
    expect(await run()).toBe('USER: Hi!\n');
    // The event was stored first, so the read found the session (a read first answers 404).
    const calls = fake.requests.slice(before).map(({ method, status }) => `${method} ${status}`);
    expect(calls).toEqual(['POST 201', 'GET 200']);
    const stored = await unwrap(
      managedClient().GET('/v1/stores/{storeId}/session-memory/{sessionId}', {
        params: { path: { sessionId: 's-1' } },
      }),
    );
    expect(stored.events.map((event) => event.content)).toEqual([[{ text: 'Hi!' }]]);
  },
};

let fake: FakeRedisAgentMemory;
let workspace: SnippetWorkspace;
const files = new Map<string, string>();
/** `tsc` over every snippet, started before the runs so that it overlaps with them. */
let typecheck: Promise<ProgramResult>;

const managedClient = () =>
  createRedisAgentMemoryClient({
    baseUrl: fake.baseUrl,
    apiKey: fake.apiKey,
    storeId: fake.storeId,
  });

/** What a user has set for each backend (and any Gemini key: the preload answers for Gemini). */
function environment(backend: SnippetBackend): Record<string, string> {
  const gemini = { GOOGLE_API_KEY: 'canned-gemini-key' };
  return backend === 'ams'
    ? { ...gemini, AMS_BASE_URL: amsBaseUrl }
    : {
        ...gemini,
        REDIS_AGENT_MEMORY_API_BASE_URL: fake.baseUrl,
        REDIS_AGENT_MEMORY_API_KEY: fake.apiKey,
        REDIS_AGENT_MEMORY_STORE_ID: fake.storeId,
      };
}

function readerService(backend: SnippetBackend): RedisSessionMemoryService {
  return backend === 'ams'
    ? new RedisSessionMemoryService({ backend: 'opensource-agent-memory', apiBaseUrl: amsBaseUrl })
    : new RedisSessionMemoryService({
        backend: 'redis-agent-memory',
        apiBaseUrl: fake.baseUrl,
        apiKey: fake.apiKey,
        storeId: fake.storeId,
      });
}

beforeAll(async () => {
  fake = await startFakeRedisAgentMemory();
  workspace = await createSnippetWorkspace();
  for (const snippet of snippets) {
    files.set(snippet.name, await workspace.write(snippet.name, snippet.source));
  }
  typecheck = workspace.typecheck();
});

afterAll(async () => {
  await typecheck?.catch(() => undefined);
  await fake?.stop();
  await workspace?.dispose();
});

describe('README snippets', () => {
  it('every snippet has a check, and every check a snippet', () => {
    expect(snippets.map((s) => s.name).sort()).toEqual(Object.keys(checks).sort());
  });

  it(
    'every snippet typechecks as written',
    async () => {
      const { code, stdout, stderr } = await typecheck;
      expect(stdout + stderr).toBe('');
      expect(code).toBe(0);
    },
    TIMEOUT_MS,
  );

  for (const snippet of snippets) {
    for (const backend of snippet.backends) {
      it(
        `${snippet.name} (README line ${snippet.line}) runs on ${backend}`,
        async () => {
          let runs = 0;
          const run = async (args: string[] = []) => {
            runs += 1;
            const result = await runProgram(files.get(snippet.name)!, {
              args,
              env: environment(backend),
              preload: CANNED_GEMINI,
              tsconfig: workspace.tsconfig,
              cwd: workspace.dir,
            });
            expect(result.code, `exit code; stderr:\n${result.stderr}`).toBe(0);
            return result.stdout;
          };
          await checks[snippet.name]!({ backend, run, service: readerService(backend) });
          expect(runs).toBeGreaterThan(0);
          expect(fake.violations).toEqual([]);
        },
        TIMEOUT_MS,
      );
    }
  }
});

describe('README snippet markers', () => {
  it('refuse a TypeScript block without a marker, naming its line', () => {
    expect(() => extractSnippets('Text\n\n```ts\nconsole.log(1);\n```\n')).toThrow(
      /line 3:.*marker/,
    );
  });

  it('refuse an unknown backend, a missing or repeated name, and a marker without code', () => {
    const block = (marker: string) => `<!-- snippet: ${marker} -->\n\n\`\`\`ts\n1;\n\`\`\`\n`;
    expect(() => extractSnippets(block('cloud x'))).toThrow(/not one of ams, managed, both/);
    expect(() => extractSnippets(block('ams'))).toThrow(/needs exactly one name/);
    expect(() => extractSnippets(block('ams x') + block('both x'))).toThrow(/used twice/);
    expect(() => extractSnippets('<!-- snippet: ams x -->\n\nprose\n')).toThrow(/not followed/);
    expect(() => extractSnippets('<!-- snippet: ams x -->\n```sh\nls\n```\n')).toThrow(
      /before a ```sh block/,
    );
  });

  it('read the backends and the code exactly', () => {
    expect(
      extractSnippets(`x\n<!-- snippet: both a-1 -->\n\`\`\`ts\nconst a = 1;\n\n\`\`\`\n`),
    ).toEqual([{ name: 'a-1', backends: ['ams', 'managed'], source: 'const a = 1;\n', line: 3 }]);
  });
});

describe('README links', () => {
  const links = markdownLinks(README);
  const sections = headings(README);

  it('are absolute to the repository, to the web, or anchors of headings that exist', () => {
    const anchors = new Set(sections.map((heading) => heading.anchor));
    const broken = links.filter(({ target }) =>
      target.startsWith('#')
        ? !anchors.has(target.slice(1))
        : target.startsWith(REPOSITORY)
          ? !existsSync(join(REPO_ROOT, target.slice(REPOSITORY.length).split('#')[0]!))
          : !/^https:\/\//.test(target),
    );
    expect(broken).toEqual([]);
  });

  it('include a table of contents that lists every section', () => {
    const contents = sections.findIndex((heading) => heading.text === 'Contents');
    expect(contents).toBeGreaterThanOrEqual(0);
    const listed = new Set(links.map((link) => link.target));
    const unlisted = sections
      .slice(contents + 1)
      .filter((heading) => heading.level === 2 && !listed.has(`#${heading.anchor}`));
    expect(unlisted).toEqual([]);
  });
});
