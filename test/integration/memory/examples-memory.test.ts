/**
 * The long-term memory examples run as their headers say (`npx tsx examples/memory-<backend>.ts`,
 * only the backend's variables set, no Gemini key): the fact said in the first session is in
 * long-term memory, and the second session's reply recalls it. AMS: the `memory` project's
 * long-term-memory server; managed: the fake. Nothing leaves loopback.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  startFakeRedisAgentMemory,
  type FakeRedisAgentMemory,
} from '../../support/fake-redis-agent-memory/index.js';
import { LOOPBACK_ONLY, REPO_ROOT, runProgram } from '../../support/readme/programs.js';

let fake: FakeRedisAgentMemory;
beforeAll(async () => {
  fake = await startFakeRedisAgentMemory();
});
afterAll(async () => {
  await fake?.stop();
});

const EXAMPLES: Array<[string, () => Record<string, string>]> = [
  ['memory-agent-memory-server', () => ({ AMS_BASE_URL: inject('amsBaseUrl') })],
  [
    'memory-redis-agent-memory',
    () => ({
      REDIS_AGENT_MEMORY_API_BASE_URL: fake.baseUrl,
      REDIS_AGENT_MEMORY_API_KEY: fake.apiKey,
      REDIS_AGENT_MEMORY_STORE_ID: fake.storeId,
    }),
  ],
];

describe.each(EXAMPLES)('examples/%s.ts', (name, env) => {
  it('stores what the user said and recalls it in a new session, offline', async () => {
    const result = await runProgram(join(REPO_ROOT, 'examples', `${name}.ts`), {
      args: [],
      env: env(),
      preload: LOOPBACK_ONLY,
    });
    expect(result.code, `exit code; stderr:\n${result.stderr}`).toBe(0);
    const lines = result.stdout.split('\n');
    const held = lines.find((line) => line.startsWith('memory holds: '));
    expect(held).toContain('genmaicha');
    const replies = lines.filter((line) => line.startsWith('assistant: '));
    expect(replies.at(-1)).toContain('genmaicha');
  }, 180_000);
});
