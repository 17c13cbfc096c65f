/**
 * A minimal ADK agent whose sessions live in a self-hosted Agent Memory Server. The first run
 * starts a conversation and prints its session id; a run with that id continues it in a new
 * process, so everything the agent remembers comes from the server.
 *
 *   npm run ams -- start            # or run your own AMS; prints AMS_BASE_URL
 *   AMS_BASE_URL=… npx tsx examples/agent-memory-server.ts
 *   AMS_BASE_URL=… npx tsx examples/agent-memory-server.ts <session id>
 *
 * With GOOGLE_API_KEY (or GEMINI_API_KEY) set, the agent uses Gemini; without one, a small
 * offline model that answers from the conversation history it is sent.
 */
import {
  BaseLlm,
  LlmAgent,
  Runner,
  type BaseLlmConnection,
  type LlmRequest,
  type LlmResponse,
} from '@google/adk';
import { RedisSessionMemoryService } from 'adk-redis';

/** Stands in for Gemini without an API key: recalls the first thing the user said. */
class OfflineModel extends BaseLlm {
  constructor() {
    super({ model: 'offline' });
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- ADK's model interface is async; this model does no I/O
  override async *generateContentAsync(request: LlmRequest): AsyncGenerator<LlmResponse, void> {
    const said = request.contents
      .filter((content) => content.role === 'user')
      .map((content) => content.parts?.map((part) => part.text ?? '').join('') ?? '');
    const text = said.length > 1 ? `You first told me: "${said[0]}"` : 'Noted!';
    yield { content: { role: 'model', parts: [{ text }] } };
  }

  override connect(): Promise<BaseLlmConnection> {
    return Promise.reject(new Error('The offline model has no live mode.'));
  }
}

const geminiKey =
  process.env.GOOGLE_GENAI_API_KEY || process.env.GOOGLE_API_KEY || process.env.GEMINI_API_KEY;

const sessionService = new RedisSessionMemoryService({
  backend: 'opensource-agent-memory',
  apiBaseUrl: process.env.AMS_BASE_URL ?? 'http://localhost:8000',
  apiKey: process.env.AMS_TOKEN, // only when the server runs with token auth
});

const agent = new LlmAgent({
  name: 'assistant',
  model: geminiKey ? 'gemini-2.5-flash' : new OfflineModel(),
  instruction: 'You are a helpful assistant. Be brief.',
});
const runner = new Runner({ appName: 'example_app', agent, sessionService });

// The stored session whose id is the first argument, or a new one.
const session = await sessionService.getOrCreateSession({
  appName: 'example_app',
  userId: 'alice',
  sessionId: process.argv[2],
});
const resumed = session.events.length > 0;
console.log(
  resumed
    ? `Resumed session ${session.id} (${session.events.length} stored events)`
    : `New session ${session.id}`,
);

const text = resumed ? 'What do I like to drink?' : 'Hello! Remember that I like tea.';
console.log(`alice: ${text}`);
for await (const event of runner.runAsync({
  userId: 'alice',
  sessionId: session.id,
  newMessage: { role: 'user', parts: [{ text }] },
})) {
  const reply = event.content?.parts?.map((part) => part.text ?? '').join('');
  if (reply) console.log(`${event.author}: ${reply}`);
}
console.log(`Continue it: npx tsx examples/agent-memory-server.ts ${session.id}`);
