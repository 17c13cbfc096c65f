/**
 * The programs in examples/ run as their headers say (`npx tsx examples/<file>.ts [session id]`
 * from the repository, only the backend's variables set): offline without a Gemini key, and a
 * second run with the printed id continues the stored conversation in a new process. With a key
 * they use Gemini (answered here by a canned preload). Nothing leaves loopback.
 */
import { join } from 'node:path';
import type { Event } from '@google/adk';
import { afterAll, beforeAll, describe, inject, it, type ExpectStatic } from 'vitest';
import { RedisSessionMemoryService } from '../../src/index.js';
import {
  startFakeRedisAgentMemory,
  type FakeRedisAgentMemory,
} from '../support/fake-redis-agent-memory/index.js';
import { cannedReply } from '../support/readme/canned-reply.js';
import { CANNED_GEMINI, LOOPBACK_ONLY, REPO_ROOT, runProgram } from '../support/readme/programs.js';

const amsBaseUrl = inject('amsBaseUrl');
let fake: FakeRedisAgentMemory;

beforeAll(async () => {
  fake = await startFakeRedisAgentMemory();
});
afterAll(async () => {
  await fake?.stop();
});

interface ExampleBackend {
  file: string;
  env(): Record<string, string>;
  service(): RedisSessionMemoryService;
}

const EXAMPLES: Record<string, ExampleBackend> = {
  'agent-memory-server': {
    file: 'examples/agent-memory-server.ts',
    env: () => ({ AMS_BASE_URL: amsBaseUrl }),
    service: () =>
      new RedisSessionMemoryService({ backend: 'opensource-agent-memory', apiBaseUrl: amsBaseUrl }),
  },
  'redis-agent-memory': {
    file: 'examples/redis-agent-memory.ts',
    env: () => ({
      REDIS_AGENT_MEMORY_API_BASE_URL: fake.baseUrl,
      REDIS_AGENT_MEMORY_API_KEY: fake.apiKey,
      REDIS_AGENT_MEMORY_STORE_ID: fake.storeId,
    }),
    service: () =>
      new RedisSessionMemoryService({
        backend: 'redis-agent-memory',
        apiBaseUrl: fake.baseUrl,
        apiKey: fake.apiKey,
        storeId: fake.storeId,
      }),
  },
};

/** Three program starts (each loads ADK and compiles the sources) on a possibly busy machine. */
const TIMEOUT_MS = 180_000;
const FIRST = 'Hello! Remember that I like tea.';
const LATER = 'What do I like to drink?';
const eventText = (event: Event): string =>
  (event.content?.parts ?? []).map((part) => part.text ?? '').join('');

// The two examples are independent programs on different backends: run them side by side.
describe.concurrent.each(Object.entries(EXAMPLES))('examples/%s.ts', (_name, example) => {
  const run = async (expect: ExpectStatic, args: string[], options: { gemini?: boolean } = {}) => {
    const result = await runProgram(join(REPO_ROOT, example.file), {
      args,
      env: { ...example.env(), ...(options.gemini ? { GOOGLE_API_KEY: 'canned-gemini-key' } : {}) },
      preload: options.gemini ? CANNED_GEMINI : LOOPBACK_ONLY,
    });
    expect(result.code, `exit code; stderr:\n${result.stderr}`).toBe(0);
    return result.stdout;
  };

  it(
    'runs offline, resumes by id in a new process, and uses Gemini when a key is set',
    async ({ expect }) => {
      const first = await run(expect, []);
      const sessionId = /^New session (\S+)$/m.exec(first)?.[1];
      expect(sessionId, first).toBeDefined();
      expect(first).toContain(`alice: ${FIRST}\nassistant: Noted!\n`);
      expect(first).toContain(`npx tsx ${example.file} ${sessionId}`);

      // Only the stored history can tell the offline model what was said first.
      const second = await run(expect, [sessionId!]);
      expect(second).toContain(`Resumed session ${sessionId} (2 stored events)`);
      expect(second).toContain(`alice: ${LATER}\nassistant: You first told me: "${FIRST}"\n`);

      const third = await run(expect, [sessionId!], { gemini: true });
      expect(third).toContain(`Resumed session ${sessionId} (4 stored events)`);
      expect(third).toContain(`assistant: ${cannedReply(LATER, 4)}\n`);

      const stored = await example
        .service()
        .getSession({ appName: 'example_app', userId: 'alice', sessionId: sessionId! });
      expect(stored?.events.map((event) => [event.author, eventText(event)])).toEqual([
        ['user', FIRST],
        ['assistant', 'Noted!'],
        ['user', LATER],
        ['assistant', `You first told me: "${FIRST}"`],
        ['user', LATER],
        ['assistant', cannedReply(LATER, 4)],
      ]);
      expect(fake.violations).toEqual([]);
      await example
        .service()
        .deleteSession({ appName: 'example_app', userId: 'alice', sessionId: sessionId! });
    },
    TIMEOUT_MS,
  );
});
