/**
 * Memory in real agents, end to end on both backends with an offline scripted model: session 1
 * tells the agent a fact and the ingestion plugin stores it; after a restart (new services, new
 * runner), session 2 finds it through ADK's PreloadMemoryTool and LoadMemoryTool, and manages a
 * memory through our tools. A second user never sees the first user's memories on any path, and a
 * turn completes when memory is down (the typed error reaches the plugin's onError).
 */
import {
  LlmAgent,
  LoadMemoryTool,
  PreloadMemoryTool,
  Runner,
  type BaseTool,
  type LlmResponse,
} from '@google/adk';
import type { Content } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ScriptedModel, type ScriptedReply } from '../../../scripts/lib/scripted-model.js';
import {
  BackendError,
  createMemoryTools,
  MemoryIngestionPlugin,
  NetworkError,
  type MemoryIngestionErrorInfo,
  type RedisLongTermMemoryService,
} from '../../../src/index.js';
import { uniqueId } from '../../support/ids.js';
import { collect, userMessage } from '../../e2e/helpers.js';
import { memoryE2eBackends, type MemoryE2eBackend } from './e2e-backends.js';

const FACT = 'My favourite city is Lisbon';
const QUESTION = 'Which favourite city did I tell you about?';

/** The function responses the model was sent in its latest request, by tool name. */
function lastResponses(
  request: { contents?: Content[] } | undefined,
): Record<string, Record<string, unknown>> {
  const last = request?.contents?.at(-1);
  const out: Record<string, Record<string, unknown>> = {};
  for (const part of last?.parts ?? []) {
    if (part.functionResponse?.name) {
      out[part.functionResponse.name] = part.functionResponse.response as Record<string, unknown>;
    }
  }
  return out;
}

function call(name: string, args: Record<string, unknown>): LlmResponse {
  return {
    content: { role: 'model', parts: [{ functionCall: { name, args } }] },
    turnComplete: true,
  };
}

/** One "process": fresh services, model, agent and runner. */
function processWith(
  backend: MemoryE2eBackend,
  appName: string,
  replies: ScriptedReply[],
  tools: (memory: RedisLongTermMemoryService) => BaseTool[],
  options: { memory?: RedisLongTermMemoryService; plugin?: MemoryIngestionPlugin } = {},
) {
  const memory = options.memory ?? backend.memory();
  const sessions = backend.sessions();
  const model = new ScriptedModel(replies);
  const agent = new LlmAgent({
    name: 'assistant',
    instruction: 'Help the user.',
    model,
    tools: tools(memory),
  });
  const plugin = options.plugin ?? new MemoryIngestionPlugin();
  const runner = new Runner({
    appName,
    agent,
    sessionService: sessions,
    memoryService: memory,
    plugins: [plugin],
  });
  const turn = async (userId: string, text: string) => {
    const session = await sessions.createSession({ appName, userId });
    const events = await collect(
      runner.runAsync({ userId, sessionId: session.id, newMessage: userMessage(text) }),
    );
    return { session, events };
  };
  return { memory, model, turn };
}

const finalText = (events: { content?: { parts?: { text?: string }[] } }[]) =>
  events.at(-1)?.content?.parts?.[0]?.text;

describe.each(memoryE2eBackends())('memory in agents on $name', (backend) => {
  const appName = uniqueId('e2e-memory');
  const alice = uniqueId('alice');
  const bob = uniqueId('bob');
  beforeAll(() => backend.start());
  afterAll(() => backend.stop());

  it(
    'session 1: the plugin ingests the fact the user tells the agent',
    { timeout: 120_000 },
    async () => {
      const onError = vi.fn();
      const onIngested = vi.fn();
      const p1 = processWith(backend, appName, [{ text: 'Noted: Lisbon.' }], () => [], {
        plugin: new MemoryIngestionPlugin({ onError, onIngested }),
      });
      const { session, events } = await p1.turn(alice, FACT);
      expect(finalText(events)).toBe('Noted: Lisbon.');
      expect(onError).not.toHaveBeenCalled();
      expect(onIngested).toHaveBeenCalledTimes(1);
      expect(onIngested.mock.calls[0]?.[0]).toMatchObject({ userId: alice, sessionId: session.id });
      expect((onIngested.mock.calls[0]?.[0] as { stored: string[] }).stored).toHaveLength(2);
    },
  );

  it('session 2 after a restart: PreloadMemoryTool puts the fact in the past conversations block', async () => {
    const p2 = processWith(backend, appName, [{ text: 'Lisbon.' }], () => [
      new PreloadMemoryTool(),
    ]);
    await p2.turn(alice, QUESTION);
    const instruction = String(p2.model.requests[0]?.systemInstruction);
    expect(instruction).toContain('<PAST_CONVERSATIONS>');
    expect(instruction).toContain(`user: ${FACT}`);
    expect(instruction).not.toContain(`user: user: ${FACT}`);
  });

  it('session 2 after a restart: the model calls LoadMemoryTool and gets the fact back', async () => {
    const p2 = processWith(
      backend,
      appName,
      [
        { functionCalls: [{ name: 'load_memory', args: { query: 'favourite city' } }] },
        { text: 'Lisbon.' },
      ],
      () => [new LoadMemoryTool()],
    );
    await p2.turn(alice, QUESTION);
    const loaded = lastResponses(p2.model.requests[1]);
    const memories = (loaded.load_memory?.memories ?? []) as { content: string; author?: string }[];
    expect(memories).toContainEqual(expect.objectContaining({ content: FACT, author: 'user' }));
  });

  it('session 2 after a restart: the model creates, finds, updates and deletes a memory with our tools', async () => {
    let memoryId = '';
    const seen: Record<string, Record<string, unknown>>[] = [];
    const p2 = processWith(
      backend,
      appName,
      [
        () =>
          call('create_memory', {
            content: 'Alice is allergic to peanuts',
            memory_type: 'semantic',
            topics: ['health'],
          }),
        (request) => {
          seen.push(lastResponses(request));
          return call('search_memory', { query: 'allergic to peanuts' });
        },
        (request) => {
          const responses = lastResponses(request);
          seen.push(responses);
          const found = (responses.search_memory?.memories ?? []) as {
            id: string;
            content: string;
          }[];
          memoryId =
            found.find((m) => m.content === 'Alice is allergic to peanuts')?.id ?? 'not-found';
          return call('update_memory', {
            memory_id: memoryId,
            content: 'Alice is allergic to peanuts and cashews',
          });
        },
        (request) => {
          seen.push(lastResponses(request));
          return call('delete_memory', { memory_ids: [memoryId] });
        },
        (request) => {
          seen.push(lastResponses(request));
          return { content: { role: 'model', parts: [{ text: 'Done.' }] }, turnComplete: true };
        },
      ],
      (memory) => createMemoryTools(memory),
    );
    const { events } = await p2.turn(
      alice,
      'Remember I am allergic to peanuts, then fix it, then forget it.',
    );
    expect(finalText(events)).toBe('Done.');
    expect(seen[0]?.create_memory).toMatchObject({ status: 'success', memory_id: memoryId });
    expect(seen[1]?.search_memory).toMatchObject({ status: 'success' });
    expect(seen[2]?.update_memory).toMatchObject({
      status: 'success',
      memory: {
        id: memoryId,
        content: 'Alice is allergic to peanuts and cashews',
        topics: ['health'],
      },
    });
    expect(seen[3]?.delete_memory).toMatchObject({
      status: 'success',
      deleted_count: 1,
      deleted: [memoryId],
    });
    expect(await p2.memory.getMemory({ appName, userId: alice, memoryId })).toBeUndefined();
  });

  it("a second user never sees the first user's memories through any path", async () => {
    const [aliceFact] = await backend
      .memory()
      .search({ appName, userId: alice, query: FACT, limit: 1 });
    expect(aliceFact?.text).toBe(FACT);
    const aliceId = aliceFact!.id;

    const preload = processWith(backend, appName, [{ text: 'I do not know.' }], () => [
      new PreloadMemoryTool(),
    ]);
    await preload.turn(bob, QUESTION);
    expect(String(preload.model.requests[0]?.systemInstruction)).not.toContain('Lisbon');

    const load = processWith(
      backend,
      appName,
      [
        { functionCalls: [{ name: 'load_memory', args: { query: 'my favourite city' } }] },
        { text: '?' },
      ],
      () => [new LoadMemoryTool()],
    );
    await load.turn(bob, QUESTION);
    const loaded = lastResponses(load.model.requests[1]).load_memory;
    expect(loaded).toBeDefined();
    expect(JSON.stringify(loaded)).not.toContain('Lisbon');

    const seen: Record<string, Record<string, unknown>>[] = [];
    const record = (request: { contents?: Content[] }) => seen.push(lastResponses(request));
    const tools = processWith(
      backend,
      appName,
      [
        () => call('search_memory', { query: 'my favourite city', user_id: alice }),
        (request) => (
          record(request),
          call('memory_prompt', { query: 'my favourite city', user_id: alice })
        ),
        (request) => (record(request), call('get_memory', { memory_id: aliceId })),
        (request) => (
          record(request),
          call('update_memory', { memory_id: aliceId, content: 'Bob was here', user_id: alice })
        ),
        (request) => (
          record(request),
          call('delete_memory', { memory_ids: [aliceId], user_id: alice })
        ),
        (request) => (
          record(request),
          { content: { role: 'model', parts: [{ text: 'ok' }] }, turnComplete: true }
        ),
      ],
      (memory) => createMemoryTools(memory, { onError: () => undefined }),
    );
    await tools.turn(bob, 'Tell me what Alice said.');
    expect(JSON.stringify(seen)).not.toContain('Lisbon');
    expect(seen[0]?.search_memory).toMatchObject({ status: 'success' });
    expect(seen[1]?.memory_prompt).toMatchObject({ status: 'success' });
    expect(seen[2]?.get_memory).toMatchObject({ status: 'not_found' });
    expect(seen[3]?.update_memory).toMatchObject({
      status: 'error',
      error_code: 'unknown_memory_id',
    });
    expect(seen[4]?.delete_memory).toMatchObject({
      status: 'error',
      error_code: 'unknown_memory_id',
    });
    expect(
      await backend.memory().getMemory({ appName, userId: alice, memoryId: aliceId }),
    ).toMatchObject({ text: FACT });
  });

  it('memory down: the turn completes and the typed error reaches the plugin', async () => {
    const onError = vi.fn<(error: unknown, info: MemoryIngestionErrorInfo) => void>();
    const down = processWith(backend, appName, [{ text: 'Still here.' }], () => [], {
      memory: await backend.brokenMemory(),
      plugin: new MemoryIngestionPlugin({ onError }),
    });
    const { session, events } = await down.turn(alice, 'I moved to Porto');
    expect(finalText(events)).toBe('Still here.');
    expect(onError).toHaveBeenCalledTimes(1);
    const [error, info] = onError.mock.calls[0]!;
    expect(error).toBeInstanceOf(
      backend.name === 'opensource-agent-memory' ? NetworkError : BackendError,
    );
    expect(info).toMatchObject({ appName, userId: alice, sessionId: session.id });
    expect(info.eventIds).toHaveLength(2);
  });
});
