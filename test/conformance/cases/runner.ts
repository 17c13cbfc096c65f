/** Runner smoke test: a real ADK Runner drives the service for two turns with a scripted model. */
import {
  BaseLlm,
  LlmAgent,
  Runner,
  stringifyContent,
  type BaseLlmConnection,
  type Event,
  type LlmRequest,
  type LlmResponse,
} from '@google/adk';
import { expect } from 'vitest';
import { defineCases, mustGet } from '../harness.js';

/** Answers each call with the next scripted text; records what it was asked. */
class ScriptedLlm extends BaseLlm {
  readonly requests: LlmRequest[] = [];
  private next = 0;

  constructor(private readonly replies: string[]) {
    super({ model: 'scripted-model' });
  }

  override async *generateContentAsync(request: LlmRequest): AsyncGenerator<LlmResponse, void> {
    this.requests.push(request);
    const text = this.replies[this.next++] ?? 'no more script';
    // Yield from a microtask, like a real model would answer asynchronously.
    await Promise.resolve();
    yield { content: { role: 'model', parts: [{ text }] }, turnComplete: true };
  }

  override connect(): Promise<BaseLlmConnection> {
    throw new Error('ScriptedLlm has no live mode');
  }
}

const say = (text: string) => ({ role: 'user', parts: [{ text }] });

async function drain(events: AsyncGenerator<Event, void, undefined>): Promise<Event[]> {
  const seen: Event[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

export const runnerCases = defineCases('runner', {
  'two-turns': {
    title: 'Runner with an LlmAgent stores both turns and the outputKey state',
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      const model = new ScriptedLlm(['Hello, Ada!', 'You said your name is Ada.']);
      const agent = new LlmAgent({
        name: 'conformance_agent',
        model,
        instruction: 'Be brief.',
        outputKey: 'last_answer',
      });
      const runner = new Runner({ appName, agent, sessionService: service });
      const session = await service.createSession({
        appName,
        userId,
        state: { 'user:name': 'Ada' },
      });

      const first = await drain(
        runner.runAsync({ userId, sessionId: session.id, newMessage: say('Hi, I am Ada.') }),
      );
      expect(first.map(stringifyContent)).toContain('Hello, Ada!');
      const second = await drain(
        runner.runAsync({ userId, sessionId: session.id, newMessage: say('Who am I?') }),
      );
      expect(second.map(stringifyContent)).toContain('You said your name is Ada.');

      // The second turn's request carried the first turn, read back through the service.
      const history = (model.requests[1]?.contents ?? []).map((c) =>
        (c.parts ?? []).map((p) => p.text ?? '').join(''),
      );
      expect(history).toEqual(
        expect.arrayContaining(['Hi, I am Ada.', 'Hello, Ada!', 'Who am I?']),
      );

      const stored = await mustGet(await another(), {
        appName,
        userId,
        sessionId: session.id,
      });
      expect(stored.events.map((e) => [e.author, stringifyContent(e)])).toEqual([
        ['user', 'Hi, I am Ada.'],
        ['conformance_agent', 'Hello, Ada!'],
        ['user', 'Who am I?'],
        ['conformance_agent', 'You said your name is Ada.'],
      ]);
      expect(stored.state['last_answer']).toBe('You said your name is Ada.');
      expect(stored.state['user:name']).toBe('Ada');
      expect(stored.lastUpdateTime).toBe(stored.events.at(-1)?.timestamp);
    },
  },
});
