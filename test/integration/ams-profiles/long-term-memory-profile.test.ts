/**
 * The `long-term-memory` profile (the shared server of the `memory` project): long-term memories
 * are stored, embedded by the loopback endpoint and searchable, and nothing calls an LLM.
 */
import { describe, expect, inject, it } from 'vitest';
import { createAgentMemoryServerClient, unwrap } from '../../../src/clients/index.js';
import type { ModelCall } from '../../support/model-endpoint/index.js';
import { uniqueId } from '../../support/ids.js';
import { until } from './poll.js';

const ams = createAgentMemoryServerClient({
  baseUrl: inject('amsBaseUrl'),
  retry: { maxRetries: 0 },
});
const modelEndpointUrl = inject('modelEndpointUrl');

/** The endpoint's call log (it runs in the global-setup process, so it is read over HTTP). */
async function modelCalls(): Promise<ModelCall[]> {
  const response = await fetch(new URL('/_harness/calls', modelEndpointUrl));
  expect(response.status).toBe(200);
  return ((await response.json()) as { calls: ModelCall[] }).calls;
}

/** The ids of a user's long-term memories (a filter-only listing: no embedding involved). */
async function listIds(userId: string): Promise<string[]> {
  const found = await unwrap(
    ams.POST('/v1/long-term-memory/search', { body: { user_id: { eq: userId }, limit: 100 } }),
  );
  return found.memories.map((memory) => memory.id).sort();
}

describe('AMS profile long-term-memory', () => {
  it('runs the long-term-memory profile with the loopback model endpoint', () => {
    expect(inject('amsProfile')).toBe('long-term-memory');
    expect(new URL(modelEndpointUrl).hostname).toBe('127.0.0.1');
  });

  it('stores created memories, makes them searchable, and ranks the closest words first', async () => {
    const user = uniqueId('user');
    const memories = [
      { id: `${user}-window`, text: 'Prefers window seats on long flights' },
      { id: `${user}-tea`, text: 'Drinks green tea every morning' },
      { id: `${user}-opera`, text: 'Booked two seats for the opera' },
    ];
    const ack = await unwrap(
      ams.POST('/v1/long-term-memory/', {
        body: { memories: memories.map((m) => ({ ...m, user_id: user, namespace: 'travel' })) },
      }),
    );
    expect(ack.status).toBe('ok');

    // Indexing runs after the 200, in the background.
    const expected = memories.map((m) => m.id).sort();
    await until('all three memories listed', async () => {
      const ids = await listIds(user);
      return ids.length === expected.length ? ids : undefined;
    });
    expect(await listIds(user)).toEqual(expected);

    const found = await unwrap(
      ams.POST('/v1/long-term-memory/search', {
        body: { text: 'window seats on long flights', user_id: { eq: user }, limit: 10 },
      }),
    );
    expect(found.memories.map((m) => m.id)).toEqual([
      `${user}-window`,
      `${user}-opera`,
      `${user}-tea`,
    ]);
    const [window, opera, tea] = found.memories;
    expect(window!.dist).toBeLessThan(opera!.dist);
    expect(opera!.dist).toBeLessThan(tea!.dist);
    // No shared word: orthogonal hashed bag-of-words vectors.
    expect(tea!.dist).toBeCloseTo(1, 5);
    expect(window).toMatchObject({ text: memories[0]!.text, user_id: user, namespace: 'travel' });
  });

  it('never calls the chat endpoint, and leaves working-memory documents alone', async () => {
    const user = uniqueId('user');
    const session = uniqueId('session');
    const before = await modelCalls();

    // Unmarked messages: with extraction on, this is what AMS would extract from and rewrite.
    const stored = await unwrap(
      ams.PUT('/v1/working-memory/{session_id}', {
        params: { path: { session_id: session } },
        body: {
          user_id: user,
          messages: [
            { id: 'm1', role: 'user', content: 'I always fly with an aisle seat' },
            { id: 'm2', role: 'assistant', content: 'Noted: aisle seats from now on' },
          ],
        },
      }),
    );
    // A near-duplicate of a stored memory: with duplicate compaction on, this asks for a merge.
    // (Records in one batch are not checked against each other, so they go in two batches.)
    const create = (id: string, text: string) =>
      unwrap(
        ams.POST('/v1/long-term-memory/', { body: { memories: [{ id, text, user_id: user }] } }),
      );
    await create(`${user}-1`, 'User likes aisle seats on trains');
    await until('the first memory stored', async () =>
      (await listIds(user)).length === 1 ? true : undefined,
    );
    await create(`${user}-2`, 'User likes aisle seats on trains a lot');
    await until('the near-duplicate stored beside it', async () =>
      (await listIds(user)).length === 2 ? true : undefined,
    );
    const prompt = await unwrap(
      ams.POST('/v1/memory/prompt', {
        body: { query: 'which seats?', long_term_search: { user_id: { eq: user }, limit: 3 } },
      }),
    );
    expect(JSON.stringify(prompt.messages)).toContain('aisle seats on trains');

    const after = await modelCalls();
    const newCalls = after.filter((call) => call.seq > Math.max(0, ...before.map((c) => c.seq)));
    expect(newCalls.filter((call) => call.route === 'chat')).toEqual([]);
    expect(newCalls.filter((call) => call.route === 'embeddings').length).toBeGreaterThan(0);

    const reread = await unwrap(
      ams.GET('/v1/working-memory/{session_id}', {
        params: { path: { session_id: session }, query: { user_id: user } },
      }),
    );
    expect(reread.messages).toEqual(stored.messages);
    expect(reread.messages?.map((m) => m.discrete_memory_extracted)).toEqual(['f', 'f']);
  });
});
