/**
 * The demo's cross-session act: in one session the user says something about themselves; the
 * ingestion plugin adds the turn to long-term memory; in a brand-new session, ADK's
 * PreloadMemoryTool puts what memory found in front of the model, which recalls it. Then it prints
 * what memory holds for the user.
 */
import {
  LlmAgent,
  LogLevel,
  PreloadMemoryTool,
  Runner,
  type BaseLlm,
  type BaseSessionService,
  type LlmRequest,
  setLogLevel,
} from '@google/adk';
import {
  MemoryIngestionPlugin,
  RedisLongTermMemoryService,
  type RedisLongTermMemoryServiceConfig,
} from '../../src/index.js';
import { ScriptedModel } from './scripted-model.js';

/** What the act needs from the demo. */
export interface MemoryActOptions {
  appName: string;
  userId: string;
  /** The connection settings the sessions use; memory uses the same. */
  config: RedisLongTermMemoryServiceConfig;
  sessions: () => BaseSessionService;
  /** Gemini's model name, or undefined to script the model offline. */
  geminiModel?: string;
  step: (text: string) => void;
}

const FACT = "I'm vegetarian, and I always book a window seat.";
const QUESTION = 'Book me a lunch on the flight. Anything you should know about me?';

/** Offline: answers turn 2 only from the memories PreloadMemoryTool put in the request. */
function scriptedModel(): ScriptedModel {
  return new ScriptedModel([
    { text: 'Noted: vegetarian meals, window seats.' },
    (request: LlmRequest) => {
      const instruction = JSON.stringify(request.config?.systemInstruction ?? '');
      const recalled = /PAST_CONVERSATIONS/.test(instruction) && /vegetarian/i.test(instruction);
      const text = recalled
        ? 'From our earlier conversation: you are vegetarian, so a vegetarian meal, by the window.'
        : 'I have nothing on file about you yet.';
      return { content: { role: 'model', parts: [{ text }] }, turnComplete: true };
    },
  ]);
}

async function turn(runner: Runner, userId: string, sessionId: string, text: string) {
  console.log(`  user: ${text}`);
  let answer = '';
  const newMessage = { role: 'user', parts: [{ text }] };
  for await (const event of runner.runAsync({ userId, sessionId, newMessage })) {
    for (const part of event.content?.parts ?? [])
      if (part.text && !part.thought) answer = part.text;
  }
  console.log(`  assistant: ${answer}`);
}

/** Runs the act; deletes what it wrote (sessions and memories) before it returns. */
export async function runMemoryAct(options: MemoryActOptions): Promise<void> {
  const { appName, userId, step } = options;
  // ADK logs plugin registration at info level; the act prints what matters itself.
  setLogLevel(LogLevel.ERROR);
  const model: string | BaseLlm = options.geminiModel ?? scriptedModel();
  const memory = new RedisLongTermMemoryService(options.config);
  const build = (sessionService: BaseSessionService) =>
    new Runner({
      appName,
      agent: new LlmAgent({
        name: 'concierge',
        model,
        instruction: 'You book travel. Use what you remember about the user. Be brief.',
        tools: [new PreloadMemoryTool()],
      }),
      sessionService,
      memoryService: memory,
      plugins: [
        new MemoryIngestionPlugin({
          authors: ['user'],
          onError: (error) => console.log(`  (memory write failed: ${String(error)})`),
        }),
      ],
    });
  const created: string[] = [];
  const sessions = options.sessions();
  try {
    const first = await sessions.createSession({ appName, userId });
    created.push(first.id);
    step(`Long-term memory: session ${first.id} (the plugin adds the user's words to memory)`);
    await turn(build(sessions), userId, first.id, FACT);

    step('What long-term memory holds for this user');
    for (const record of await memory.search({ appName, userId, query: '' })) {
      console.log(`  [${record.memoryType}] ${record.author ?? '-'}: ${record.text}`);
    }

    const laterSessions = options.sessions();
    const second = await laterSessions.createSession({ appName, userId });
    created.push(second.id);
    step(`A new session ${second.id}, a fresh runner: PreloadMemoryTool recalls the first one`);
    await turn(build(laterSessions), userId, second.id, QUESTION);
  } finally {
    const stored = await memory.search({ appName, userId, query: '', limit: 100 }).catch(() => []);
    await memory
      .deleteMemories({ appName, userId, memoryIds: stored.map((r) => r.id) })
      .catch(() => undefined);
    for (const sessionId of created) {
      await sessions.deleteSession({ appName, userId, sessionId }).catch(() => undefined);
    }
  }
}
