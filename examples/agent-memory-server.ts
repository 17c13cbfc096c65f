/**
 * A minimal ADK agent whose sessions live in a self-hosted Agent Memory Server.
 *
 *   npm run ams -- start            # or run your own AMS; prints AMS_BASE_URL
 *   AMS_BASE_URL=… GOOGLE_API_KEY=… npx tsx examples/agent-memory-server.ts
 */
import { LlmAgent, Runner } from '@google/adk';
import { RedisSessionMemoryService } from 'adk-redis';

const sessionService = new RedisSessionMemoryService({
  backend: 'opensource-agent-memory',
  apiBaseUrl: process.env.AMS_BASE_URL ?? 'http://localhost:8000',
  apiKey: process.env.AMS_TOKEN, // only when the server runs with token auth
});

const agent = new LlmAgent({
  name: 'assistant',
  model: 'gemini-2.5-flash',
  instruction: 'You are a helpful assistant. Be brief.',
});
const runner = new Runner({ appName: 'example_app', agent, sessionService });

const session = await sessionService.createSession({ appName: 'example_app', userId: 'alice' });
for await (const event of runner.runAsync({
  userId: 'alice',
  sessionId: session.id,
  newMessage: { role: 'user', parts: [{ text: 'Hello! Remember that I like tea.' }] },
})) {
  const text = event.content?.parts?.map((part) => part.text ?? '').join('');
  if (text) console.log(`${event.author}: ${text}`);
}
console.log(`Stored session ${session.id}; run again with that id to continue it.`);
