/**
 * Every public call of RedisLongTermMemoryService runs under the overall deadline, as the session
 * service's calls do: against a server that never answers in time, each call fails with a
 * TimeoutError that names the deadline, whatever its retries would have allowed.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { RedisLongTermMemoryService, TimeoutError } from '../../../src/index.js';
import { useNock } from '../clients/helpers.js';

useNock();

const RAM = 'https://ram.test';
const AMS = 'http://ams.test';
const owner = { appName: 'app', userId: 'u1' };
// Each attempt times out after 100 ms; two retries would take over 300 ms: the deadline is 160.
const TIMING = {
  timeoutMs: 100,
  deadlineMs: 160,
  retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 1 },
};

/** A server that answers every request, but only after 400 ms. */
function hung(origin: string): void {
  const scope = nock(origin).persist();
  for (const method of ['get', 'post', 'patch', 'delete'] as const) {
    scope[method](/.*/).query(true).delay(400).reply(200, {});
  }
}

const services = {
  'opensource-agent-memory': () =>
    new RedisLongTermMemoryService({
      backend: 'opensource-agent-memory',
      apiBaseUrl: AMS,
      ...TIMING,
    }),
  'redis-agent-memory': () =>
    new RedisLongTermMemoryService({
      backend: 'redis-agent-memory',
      apiBaseUrl: RAM,
      storeId: 'store-1',
      apiKey: 'k',
      ...TIMING,
    }),
};

const event = {
  id: 'e1',
  invocationId: 'i1',
  author: 'user',
  timestamp: 1_700_000_000_000,
  content: { role: 'user', parts: [{ text: 'I like aisle seats' }] },
  actions: {
    stateDelta: {},
    artifactDelta: {},
    requestedAuthConfigs: {},
    requestedToolConfirmations: {},
  },
} as never;

const calls: Record<string, (service: RedisLongTermMemoryService) => Promise<unknown>> = {
  addSessionToMemory: (s) =>
    s.addSessionToMemory({ ...owner, id: 's1', state: {}, events: [event], lastUpdateTime: 0 }),
  addEventsToMemory: (s) => s.addEventsToMemory({ ...owner, events: [event], sessionId: 's1' }),
  addMemory: (s) => s.addMemory({ ...owner, memories: ['prefers aisle seats'] }),
  searchMemory: (s) => s.searchMemory({ ...owner, query: 'seat' }),
  search: (s) => s.search({ ...owner, query: 'seat' }),
  getMemory: (s) => s.getMemory({ ...owner, memoryId: 'adk-1' }),
  updateMemory: (s) => s.updateMemory({ ...owner, memoryId: 'adk-1', text: 'window seats' }),
  deleteMemory: (s) => s.deleteMemory({ ...owner, memoryId: 'adk-1' }),
  'deleteMemories (ids)': (s) => s.deleteMemories({ ...owner, memoryIds: ['adk-1', 'adk-2'] }),
  'deleteMemories (session)': (s) => s.deleteMemories({ ...owner, sessionId: 's1' }),
  'deleteMemories (user)': (s) => s.deleteMemories(owner),
  checkConnection: (s) => s.checkConnection(),
};

async function rejection(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe.each(Object.entries(services))('%s: a hung server', (backend, make) => {
  it.each(Object.keys(calls))(
    '%s fails with a TimeoutError at the overall deadline',
    async (name) => {
      hung(backend === 'redis-agent-memory' ? RAM : AMS);
      const error = await rejection(calls[name]!(make()));
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).deadlineMs).toBe(160);
      expect(error.message).toContain('overall deadline');
    },
  );
});
