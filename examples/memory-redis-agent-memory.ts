/**
 * Long-term memory on Redis Agent Memory (the managed service): in one session the user says something
 * about themselves and `MemoryIngestionPlugin` adds it to long-term memory; in a new session,
 * ADK's `PreloadMemoryTool` finds it and puts it in front of the model, which recalls it.
 *
 *   export REDIS_AGENT_MEMORY_API_BASE_URL=… REDIS_AGENT_MEMORY_API_KEY=… REDIS_AGENT_MEMORY_STORE_ID=…
 *   npx tsx examples/memory-redis-agent-memory.ts
 *
 * Offline, `npm run fake:ram` runs the repository's fake of the managed API and prints the values
 * to use (RAM_BASE_URL, RAM_API_KEY, RAM_STORE_ID).
 *
 * With GOOGLE_API_KEY (or GEMINI_API_KEY) set, the agent uses Gemini; without one, a small
 * offline model that answers from the memories it is sent.
 */
import {
  BaseLlm,
  LlmAgent,
  PreloadMemoryTool,
  Runner,
  type BaseLlmConnection,
  type LlmRequest,
  type LlmResponse,
} from '@google/adk';
import {
  MemoryIngestionPlugin,
  RedisLongTermMemoryService,
  RedisSessionMemoryService,
} from 'adk-redis';

/** Stands in for Gemini without an API key: repeats what the past conversations say. */
class OfflineModel extends BaseLlm {
  constructor() {
    super({ model: 'offline' });
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- ADK's model interface is async; this model does no I/O
  override async *generateContentAsync(request: LlmRequest): AsyncGenerator<LlmResponse, void> {
    const instruction = JSON.stringify(request.config?.systemInstruction ?? '');
    const recalled = /<PAST_CONVERSATIONS>[\s\S]*?user: ([^\\]+)/.exec(instruction)?.[1];
    const text = recalled ? `I remember you said: "${recalled}"` : 'Noted!';
    yield { content: { role: 'model', parts: [{ text }] } };
  }

  override connect(): Promise<BaseLlmConnection> {
    return Promise.reject(new Error('The offline model has no live mode.'));
  }
}

const geminiKey =
  process.env.GOOGLE_GENAI_API_KEY || process.env.GOOGLE_API_KEY || process.env.GEMINI_API_KEY;
// The API key and store id come from REDIS_AGENT_MEMORY_API_KEY / REDIS_AGENT_MEMORY_STORE_ID.
const connection = {
  backend: 'redis-agent-memory',
  apiBaseUrl: process.env.REDIS_AGENT_MEMORY_API_BASE_URL,
} as const;
const sessionService = new RedisSessionMemoryService(connection);
const memoryService = new RedisLongTermMemoryService(connection);

const appName = 'memory_example';
const userId = `user-${Date.now()}`;
const runner = new Runner({
  appName,
  agent: new LlmAgent({
    name: 'assistant',
    model: geminiKey ? 'gemini-2.5-flash' : new OfflineModel(),
    instruction: 'You are a helpful assistant. Use what you remember about the user.',
    tools: [new PreloadMemoryTool()],
  }),
  sessionService,
  memoryService,
  plugins: [new MemoryIngestionPlugin({ authors: ['user'] })],
});

async function say(sessionId: string, text: string): Promise<void> {
  console.log(`user: ${text}`);
  const newMessage = { role: 'user', parts: [{ text }] };
  for await (const event of runner.runAsync({ userId, sessionId, newMessage })) {
    const reply = event.content?.parts?.map((part) => part.text ?? '').join('');
    if (event.author === 'assistant' && reply) console.log(`assistant: ${reply}`);
  }
}

const first = await sessionService.createSession({ appName, userId });
await say(first.id, 'My favourite tea is genmaicha.');

const held = await memoryService.search({ appName, userId, query: '' });
console.log(`memory holds: ${held.map((record) => `"${record.text}"`).join(', ')}`);

const second = await sessionService.createSession({ appName, userId });
await say(second.id, 'What tea should I bring to the office?');
