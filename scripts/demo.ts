/**
 * `npm run demo`: an ADK agent with a tool keeps its conversation in Redis agent memory, survives a
 * simulated process restart, and remembers; then a new session recalls, through long-term memory,
 * what the user said in an earlier one.
 *
 * - Backend: a local Agent Memory Server started for the demo (installed into a cached Python 3.12
 *   environment the first time), or `AMS_BASE_URL` if you run one; or the managed Redis Agent
 *   Memory service when REDIS_AGENT_MEMORY_API_BASE_URL, REDIS_AGENT_MEMORY_API_KEY and
 *   REDIS_AGENT_MEMORY_STORE_ID are set.
 * - Model: Gemini when GOOGLE_API_KEY or GEMINI_API_KEY is set, else an offline scripted model.
 */
import { FunctionTool, LlmAgent, Runner, type BaseLlm, type Event } from '@google/adk';
import { z } from 'zod';
import { RedisSessionMemoryService, type RedisSessionMemoryServiceConfig } from '../src/index.js';
import { startMemoryServer, type RunningMemoryServer } from './lib/memory-server.js';
import { runMemoryAct } from './lib/demo-memory-act.js';
import { ScriptedModel } from './lib/scripted-model.js';

const APP = 'travel_demo';
const USER = 'demo-user';
const say = (text: string) => ({ role: 'user', parts: [{ text }] });
const step = (text: string) => console.log(`\n▸ ${text}`);

/** Where sessions go: the managed service when configured, else a local AMS. */
async function chooseBackend(): Promise<{
  config: RedisSessionMemoryServiceConfig;
  server?: RunningMemoryServer;
}> {
  const env = process.env;
  if (
    env.REDIS_AGENT_MEMORY_API_BASE_URL &&
    env.REDIS_AGENT_MEMORY_API_KEY &&
    env.REDIS_AGENT_MEMORY_STORE_ID
  ) {
    step(`Backend: Redis Agent Memory at ${env.REDIS_AGENT_MEMORY_API_BASE_URL}`);
    return {
      config: {
        backend: 'redis-agent-memory',
        apiBaseUrl: env.REDIS_AGENT_MEMORY_API_BASE_URL,
        apiKey: env.REDIS_AGENT_MEMORY_API_KEY,
        storeId: env.REDIS_AGENT_MEMORY_STORE_ID,
      },
    };
  }
  if (env.AMS_BASE_URL) {
    step(`Backend: the Agent Memory Server at ${env.AMS_BASE_URL}`);
    return {
      config: {
        backend: 'opensource-agent-memory',
        apiBaseUrl: env.AMS_BASE_URL,
        apiKey: env.AMS_TOKEN,
      },
    };
  }
  step(
    'Backend: starting a local Agent Memory Server with long-term memory on and a local embeddings endpoint (the first run installs it, about a minute)',
  );
  const server = await startMemoryServer({
    profile: 'long-term-memory',
    log: (line) => console.log(`  … ${line}`),
  });
  return { config: { backend: 'opensource-agent-memory', apiBaseUrl: server.baseUrl }, server };
}

/** Gemini when a key is set; otherwise a script that plays both turns, reading its history. */
function chooseModel(): { model: string | BaseLlm; label: string } {
  if (process.env.GOOGLE_API_KEY || process.env.GEMINI_API_KEY) {
    return { model: 'gemini-2.5-flash', label: 'Gemini (gemini-2.5-flash)' };
  }
  const model = new ScriptedModel([
    { functionCalls: [{ id: 'call-1', name: 'get_weather', args: { city: 'Lisbon' } }] },
    { text: 'It is sunny and 21°C in Lisbon: a good day to walk to the Alfama.' },
    (request) => {
      // Answer only from what the stored history put in front of the model.
      const history = JSON.stringify(request.contents);
      const city = /"city":"([^"]+)"/.exec(history)?.[1] ?? 'nowhere I can recall';
      return {
        content: {
          role: 'model',
          parts: [{ text: `You asked about ${city}, and it was sunny there.` }],
        },
        turnComplete: true,
      };
    },
  ]);
  return { model, label: 'offline scripted model (set GOOGLE_API_KEY to use Gemini)' };
}

function makeRunner(model: string | BaseLlm, sessionService: RedisSessionMemoryService): Runner {
  const getWeather = new FunctionTool({
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: z.object({ city: z.string().describe('City name') }),
    execute: ({ city }, context) => {
      context?.state.set('user:last_city', city);
      return { city, forecast: 'sunny', temperatureC: 21 };
    },
  });
  const agent = new LlmAgent({
    name: 'travel_assistant',
    model,
    instruction: 'You help plan trips. Use get_weather for weather questions. Be brief.',
    tools: [getWeather],
    outputKey: 'last_answer',
  });
  return new Runner({ appName: APP, agent, sessionService });
}

async function ask(runner: Runner, sessionId: string, text: string): Promise<string> {
  console.log(`  user: ${text}`);
  let answer = '';
  for await (const event of runner.runAsync({ userId: USER, sessionId, newMessage: say(text) })) {
    for (const part of event.content?.parts ?? []) {
      if (part.functionCall)
        console.log(
          `  ${event.author} → ${part.functionCall.name}(${JSON.stringify(part.functionCall.args)})`,
        );
      if (part.functionResponse)
        console.log(
          `  ${part.functionResponse.name} → ${JSON.stringify(part.functionResponse.response)}`,
        );
      if (part.text && !part.thought) answer = part.text;
    }
  }
  console.log(`  ${'travel_assistant'}: ${answer}`);
  return answer;
}

function describeEvent(event: Event): string {
  const parts = event.content?.parts ?? [];
  const kinds = parts.map((p) =>
    p.functionCall ? 'function call' : p.functionResponse ? 'function response' : 'text',
  );
  return `${new Date(event.timestamp).toISOString()}  ${event.author}: ${kinds.join(', ') || 'state change'}`;
}

async function main(): Promise<void> {
  const { config, server } = await chooseBackend();
  const { model, label } = chooseModel();
  step(`Model: ${label}`);
  let sessionId: string | undefined;
  let sessions = new RedisSessionMemoryService(config);
  try {
    const session = await sessions.createSession({
      appName: APP,
      userId: USER,
      state: { trip: 'spring' },
    });
    sessionId = session.id;
    step(`Turn 1 in session ${sessionId}`);
    await ask(
      makeRunner(model, sessions),
      sessionId,
      "I'm going to Lisbon. What's the weather there?",
    );

    step('Simulating a restart: a brand-new service and runner, nothing kept in memory');
    sessions = new RedisSessionMemoryService(config);
    await ask(makeRunner(model, sessions), sessionId, 'Which city did I ask you about?');

    step('What is stored');
    const stored = await sessions.getSession({ appName: APP, userId: USER, sessionId });
    for (const event of stored?.events ?? []) console.log(`  ${describeEvent(event)}`);
    console.log(`  state: ${JSON.stringify(stored?.state)}`);

    await runMemoryAct({
      appName: APP,
      userId: USER,
      config,
      sessions: () => new RedisSessionMemoryService(config),
      ...(typeof model === 'string' ? { geminiModel: model } : {}),
      step,
    });
  } finally {
    if (sessionId)
      await sessions.deleteSession({ appName: APP, userId: USER, sessionId }).catch(() => {});
    if (server) {
      step('Stopping the local Agent Memory Server');
      await server.stop();
    }
  }
}

main().catch((error: unknown) => {
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
