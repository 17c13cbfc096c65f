/**
 * A minimal ADK agent whose sessions live in managed Redis Agent Memory.
 *
 *   REDIS_AGENT_MEMORY_API_BASE_URL=https://… REDIS_AGENT_MEMORY_API_KEY=… \
 *   REDIS_AGENT_MEMORY_STORE_ID=… GOOGLE_API_KEY=… npx tsx examples/redis-agent-memory.ts
 */
import { LlmAgent, Runner } from '@google/adk';
import { RedisSessionMemoryService } from 'adk-redis';

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`Set ${name}`);
  return value;
};

const sessionService = new RedisSessionMemoryService({
  backend: 'redis-agent-memory',
  apiBaseUrl: required('REDIS_AGENT_MEMORY_API_BASE_URL'),
  apiKey: required('REDIS_AGENT_MEMORY_API_KEY'),
  storeId: required('REDIS_AGENT_MEMORY_STORE_ID'),
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
