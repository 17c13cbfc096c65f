/**
 * The `defaults` profile: AMS as users deploy it, its LLM answered by the loopback endpoint. These
 * tests pin down what the session service has to live with: background extraction of unmarked
 * messages, the rewrite of the document that comes with it (and the lost update it causes), and
 * summarisation on PUT when `context_window_max` is passed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAgentMemoryServerClient,
  unwrap,
  type AgentMemoryServerClient,
  type AmsMemoryMessage,
  type AmsWorkingMemory,
} from '../../../src/clients/index.js';
import { startMemoryServer, type RunningMemoryServer } from '../../../scripts/lib/memory-server.js';
import {
  defaultChatScript,
  type ModelCall,
  type ModelEndpoint,
} from '../../support/model-endpoint/index.js';
import { uniqueId } from '../../support/ids.js';
import { until } from './poll.js';

let server: RunningMemoryServer;
let endpoint: ModelEndpoint;
let ams: AgentMemoryServerClient;

beforeAll(async () => {
  // One second is the shortest debounce AMS accepts; it keeps the whole file well under a minute.
  server = await startMemoryServer({ profile: 'defaults', extractionDebounceSeconds: 1 });
  endpoint = server.modelEndpoint!;
  ams = createAgentMemoryServerClient({ baseUrl: server.baseUrl, retry: { maxRetries: 0 } });
});

afterAll(async () => {
  await server?.stop();
});

function message(
  id: string,
  role: string,
  content: string,
  extracted?: 't' | 'f',
): AmsMemoryMessage {
  return {
    id,
    role,
    content,
    created_at: new Date().toISOString(),
    ...(extracted ? { discrete_memory_extracted: extracted } : {}),
  };
}

async function put(
  session: string,
  user: string,
  messages: AmsMemoryMessage[],
  query: { context_window_max?: number } = {},
): Promise<AmsWorkingMemory> {
  return unwrap(
    ams.PUT('/v1/working-memory/{session_id}', {
      params: { path: { session_id: session }, query },
      body: { user_id: user, messages },
    }),
  );
}

async function read(session: string, user: string): Promise<AmsWorkingMemory> {
  return unwrap(
    ams.GET('/v1/working-memory/{session_id}', {
      params: { path: { session_id: session }, query: { user_id: user } },
    }),
  );
}

const ids = (doc: AmsWorkingMemory): string[] => (doc.messages ?? []).map((m) => m.id!);
const marks = (doc: AmsWorkingMemory): string[] =>
  (doc.messages ?? []).map((m) => m.discrete_memory_extracted ?? 'f');

/** The extraction chat calls whose prompt contains `token`. */
const extractionCallsFor = (token: string): ModelCall[] =>
  endpoint.chatCalls('extraction').filter((call) => call.input[0]!.includes(token));

/** The session's long-term memories (a filter-only listing). */
async function longTermMemoriesOf(session: string) {
  const found = await unwrap(
    ams.POST('/v1/long-term-memory/search', {
      body: { session_id: { eq: session }, limit: 100 },
    }),
  );
  return found.memories;
}

describe('AMS profile defaults', () => {
  it('extracts unmarked messages into long-term memory through the chat endpoint', async () => {
    const session = uniqueId('session');
    const user = uniqueId('user');
    const token = uniqueId('w');
    const said = `I prefer window seats on long flights ${token}`;
    await put(session, user, [
      message('m1', 'user', said),
      message('m2', 'assistant', 'Noted, window seats it is'),
    ]);

    const call = await endpoint.waitForCall(
      (c) => c.kind === 'extraction' && c.input[0]!.includes(token),
      15_000,
    );
    expect(call.model).toBe('gpt-5');
    expect(call.input[0]).toContain(`[USER]: ${said}`);
    expect(call.input[0]).toContain('[ASSISTANT]: Noted, window seats it is');

    // The default script turns each user message into one semantic memory.
    const memories = await until('the extracted memory', async () => {
      const found = await longTermMemoriesOf(session);
      return found.length > 0 ? found : undefined;
    });
    expect(memories).toHaveLength(1);
    expect(memories[0]).toMatchObject({
      text: said,
      memory_type: 'semantic',
      session_id: session,
      user_id: user,
    });

    // The extraction rewrote the document: every message is now marked extracted.
    const doc = await until('the document marked extracted', async () => {
      const current = await read(session, user);
      return marks(current).every((m) => m === 't') ? current : undefined;
    });
    expect(ids(doc)).toEqual(['m1', 'm2']);
    expect(extractionCallsFor(token)).toHaveLength(1);
  });

  it('neither extracts nor rewrites a document whose messages are all marked extracted', async () => {
    const user = uniqueId('user');
    const marked = uniqueId('session');
    const markedToken = uniqueId('marked');
    await put(marked, user, [
      message('m1', 'user', `I like aisle seats ${markedToken}`, 't'),
      message('m2', 'assistant', 'Aisle seats, noted', 't'),
    ]);
    const stored = await read(marked, user);

    // A sentinel session PUT afterwards, unmarked: once its extraction has run, the marked
    // session's would have run too (same debounce, queued earlier).
    const sentinel = uniqueId('session');
    const sentinelToken = uniqueId('sentinel');
    await put(sentinel, user, [message('s1', 'user', `I like trains ${sentinelToken}`)]);
    await until('the sentinel extracted', async () =>
      marks(await read(sentinel, user)).every((m) => m === 't') ? true : undefined,
    );
    expect(extractionCallsFor(sentinelToken)).toHaveLength(1);

    expect(extractionCallsFor(markedToken)).toEqual([]);
    const reread = await read(marked, user);
    expect(reread.updated_at).toBe(stored.updated_at);
    expect(reread.messages).toEqual(stored.messages);
    expect(await longTermMemoriesOf(marked)).toEqual([]);
  });

  it('loses a PUT made during the extraction call: the extraction writes back what it read', async () => {
    const session = uniqueId('session');
    const user = uniqueId('user');
    const token = uniqueId('race');
    // Long enough for a PUT to land while the extraction waits for its answer.
    endpoint.setChatDelay(3_000);
    try {
      await put(session, user, [message('m1', 'user', `I prefer window seats ${token}`)]);
      const call = await endpoint.waitForCall(
        (c) => c.kind === 'extraction' && c.input[0]!.includes(token),
        15_000,
      );
      expect(call.finishedAt).toBeUndefined();

      // The client appends m2. Both messages marked: no second extraction can restore m2.
      const appended = await put(session, user, [
        message('m1', 'user', `I prefer window seats ${token}`, 't'),
        message('m2', 'user', 'and a vegetarian meal', 't'),
      ]);
      expect(ids(appended)).toEqual(['m1', 'm2']);
      expect(call.finishedAt).toBeUndefined();
      expect(ids(await read(session, user))).toEqual(['m1', 'm2']);

      await endpoint.waitForCall((c) => c.seq === call.seq && c.finishedAt !== undefined, 15_000);
      // The extraction indexes its memory after it has written the document back.
      await until('the extracted memory', async () =>
        (await longTermMemoriesOf(session)).length > 0 ? true : undefined,
      );
      const after = await read(session, user);
      expect(ids(after)).toEqual(['m1']);
      expect(marks(after)).toEqual(['t']);
      expect(extractionCallsFor(token)).toHaveLength(1);
    } finally {
      endpoint.setChatDelay(0);
    }
  });

  it('with the appended message unmarked, the loss lasts until a second extraction writes it back', async () => {
    const session = uniqueId('session');
    const user = uniqueId('user');
    const token = uniqueId('race');
    // The second extraction answers well after the first, so the gap between them is observable.
    let seen = 0;
    endpoint.setChatScript(async (input) => {
      const content = await defaultChatScript(input);
      if (input.kind !== 'extraction' || !input.prompt.includes(token)) return content;
      seen += 1;
      return { content: content as string, delayMs: seen === 1 ? 3_000 : 6_000 };
    });
    try {
      await put(session, user, [message('m1', 'user', `I prefer window seats ${token}`)]);
      const first = await endpoint.waitForCall(
        (c) => c.kind === 'extraction' && c.input[0]!.includes(token),
        15_000,
      );
      // What a client that does not mark messages sends: m2 unmarked, so it queues an extraction.
      await put(session, user, [
        message('m1', 'user', `I prefer window seats ${token}`),
        message('m2', 'user', `and a vegetarian meal ${token}`),
      ]);
      expect(first.finishedAt).toBeUndefined();
      const second = await endpoint.waitForCall(
        (c) => c.seq > first.seq && c.kind === 'extraction' && c.input[0]!.includes(token),
        15_000,
      );
      expect(second.input[0]).toContain('vegetarian meal');

      // The first extraction writes back the m1-only document it read …
      const rolledBack = await until('m2 gone', async () => {
        const doc = await read(session, user);
        return ids(doc).length === 1 ? doc : undefined;
      });
      expect(ids(rolledBack)).toEqual(['m1']);
      expect(second.finishedAt).toBeUndefined();
      // … and the second writes back the m1+m2 document it read before that.
      const restored = await until('m2 back', async () => {
        const doc = await read(session, user);
        return ids(doc).length === 2 ? doc : undefined;
      });
      expect(ids(restored)).toEqual(['m1', 'm2']);
      expect(marks(restored)).toEqual(['t', 't']);
      expect(extractionCallsFor(token)).toHaveLength(2);
    } finally {
      endpoint.setChatScript();
    }
  });

  it('summarises on PUT when the messages exceed the context_window_max passed with it', async () => {
    const session = uniqueId('session');
    const user = uniqueId('user');
    const messages = Array.from({ length: 10 }, (_, i) =>
      message(
        `k${i}`,
        i % 2 === 0 ? 'user' : 'assistant',
        `turn${i} mentions subject${i} and enough other words to cost about twenty tokens`,
        't', // keeps extraction out of this test
      ),
    );

    // Without a window the server assumes 16 000 tokens: ten short messages stay as they are.
    const before = endpoint.chatCalls('summarization').length;
    const plain = await put(session, user, messages);
    expect(plain.context ?? null).toBeNull();
    expect(ids(plain)).toEqual(messages.map((m) => m.id));
    expect(endpoint.chatCalls('summarization')).toHaveLength(before);

    const summarised = await put(session, user, messages, { context_window_max: 200 });
    const calls = endpoint.chatCalls('summarization').slice(before);
    expect(calls).toHaveLength(1);

    // The newest messages are kept (a suffix), the older ones go into `context`.
    const kept = ids(summarised);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(messages.length);
    expect(kept).toEqual(messages.slice(messages.length - kept.length).map((m) => m.id));
    const dropped = messages.length - kept.length;
    expect(summarised.context).toBe(calls[0]!.reply);
    expect(summarised.context).toMatch(new RegExp(`^Summary of ${dropped} messages: `));
    for (const m of messages.slice(0, dropped)) expect(calls[0]!.input[0]).toContain(m.content);
    for (const m of messages.slice(dropped)) expect(calls[0]!.input[0]).not.toContain(m.content);

    const stored = await read(session, user);
    expect(stored.context).toBe(summarised.context);
    expect(ids(stored)).toEqual(kept);
  });
});
