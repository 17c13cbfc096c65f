/**
 * Scenario 1: a multi-turn `Runner.runAsync` conversation with an `LlmAgent` that has a
 * `FunctionTool` writing app, user, session and temp state, and an `outputKey`. Between the turns
 * the process "restarts": a brand-new service, model, agent and Runner continue the same session
 * id, and the model must be sent the whole stored history. Also: after a transfer to a sub-agent,
 * the restarted Runner resumes with that sub-agent (ADK picks it from the stored events' authors).
 */
import { FunctionTool, LlmAgent, Runner, type Event } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScriptedModel, type ScriptedReply } from '../../scripts/lib/scripted-model.js';
import { uniqueId } from '../support/ids.js';
import { e2eBackends, useBackend } from './backends.js';
import { collect, keysWithPrefix, normalised, plainContents, userMessage } from './helpers.js';

const TOOL_RESULT = { booked: true, city: 'Paris', nights: 3 };
const TURN_1_ANSWER = 'Booked 3 nights in Paris.';
const TURN_2_ANSWER = 'Your trip to Paris is 3 nights long.';

/** The agent as each "process" builds it: same definition, its own model. */
function buildAgent(model: ScriptedModel, seenTemp: unknown[]): LlmAgent {
  const bookTrip = new FunctionTool({
    name: 'book_trip',
    description: 'Books a trip to a city for a number of nights.',
    parameters: z.object({ city: z.string(), nights: z.number().int() }),
    execute: ({ city, nights }, context) => {
      if (!context) throw new Error('book_trip needs its tool context');
      context.state.set('app:last_city', city);
      context.state.set('user:nights_booked', nights);
      context.state.set('trip', { city, nights });
      context.state.set('temp:quote', 'EUR 420');
      // The temp key is visible during the invocation that wrote it.
      seenTemp.push(context.state.get('temp:quote'));
      return { booked: true, city, nights };
    },
  });
  return new LlmAgent({
    name: 'planner',
    description: 'Plans trips.',
    instruction: 'Plan trips for the user.',
    model,
    tools: [bookTrip],
    outputKey: 'last_answer',
  });
}

describe.each(e2eBackends())('Runner multi-turn across a restart on $name', (backend) => {
  useBackend(backend);

  it('continues the stored history, state and time after a new service and Runner', async () => {
    const appName = uniqueId('e2e-restart');
    const userId = uniqueId('user');
    const seenTemp: unknown[] = [];

    // --- process 1: turn 1 -------------------------------------------------------------------
    const service1 = backend.service();
    const model1 = new ScriptedModel([
      { functionCalls: [{ name: 'book_trip', args: { city: 'Paris', nights: 3 } }] },
      { text: TURN_1_ANSWER },
    ]);
    const runner1 = new Runner({
      appName,
      agent: buildAgent(model1, seenTemp),
      sessionService: service1,
    });
    const created = await service1.createSession({
      appName,
      userId,
      state: { budget: 'moderate' },
    });
    const sessionId = created.id;

    const turn1 = await collect(
      runner1.runAsync({ userId, sessionId, newMessage: userMessage('Book Paris for 3 nights.') }),
    );
    expect(turn1.map((event) => event.author)).toEqual(['planner', 'planner', 'planner']);
    expect(model1.requests).toHaveLength(2);
    expect(seenTemp).toEqual(['EUR 420']);

    // --- process 2: a brand-new service, model, agent and Runner; turn 2 ----------------------
    const service2 = backend.service();
    const model2 = new ScriptedModel([{ text: TURN_2_ANSWER }]);
    const runner2 = new Runner({
      appName,
      agent: buildAgent(model2, seenTemp),
      sessionService: service2,
    });
    const turn2 = await collect(
      runner2.runAsync({ userId, sessionId, newMessage: userMessage('How long is my trip?') }),
    );
    expect(turn2.map((event) => event.author)).toEqual(['planner']);

    // The model of the new process was sent the whole prior conversation, tool call included.
    expect(model2.requests).toHaveLength(1);
    expect(plainContents(model2.requests[0]!.contents)).toEqual([
      { role: 'user', parts: [{ text: 'Book Paris for 3 nights.' }] },
      {
        role: 'model',
        parts: [{ functionCall: { name: 'book_trip', args: { city: 'Paris', nights: 3 } } }],
      },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'book_trip', response: TOOL_RESULT } }],
      },
      { role: 'model', parts: [{ text: TURN_1_ANSWER }] },
      { role: 'user', parts: [{ text: 'How long is my trip?' }] },
    ]);
    // --- process 3: what storage holds ---------------------------------------------------------
    const service3 = backend.service();
    const stored = await service3.getSession({ appName, userId, sessionId });
    expect(stored).toBeDefined();
    const session = stored!;
    expect(session.state).toEqual({
      budget: 'moderate',
      'app:last_city': 'Paris',
      'user:nights_booked': 3,
      trip: { city: 'Paris', nights: 3 },
      last_answer: TURN_2_ANSWER,
    });
    expect(keysWithPrefix(session.state, 'temp:')).toEqual([]);

    expect(session.events.map((event) => event.author)).toEqual([
      'user',
      'planner',
      'planner',
      'planner',
      'user',
      'planner',
    ]);
    // Every agent event comes back as the Runner yielded it (after appendEvent trimmed temp keys).
    const agentEvents = session.events.filter((event) => event.author !== 'user');
    expect(normalised(agentEvents)).toEqual(normalised([...turn1, ...turn2]));
    // The stored call and response keep the id ADK paired them with (ADK strips it from requests).
    const callId = session.events[1]!.content?.parts?.[0]?.functionCall?.id;
    expect(callId).toMatch(/^adk-/);
    const toolResponse = session.events[2]!;
    expect(toolResponse.content?.parts?.[0]?.functionResponse?.id).toBe(callId);
    expect(toolResponse.content?.parts?.[0]?.functionResponse?.response).toEqual(TOOL_RESULT);
    expect(toolResponse.actions.stateDelta).toEqual({
      'app:last_city': 'Paris',
      'user:nights_booked': 3,
      trip: { city: 'Paris', nights: 3 },
    });
    const lastEvent: Event = session.events.at(-1)!;
    expect(lastEvent.content?.parts?.[0]?.text).toBe(TURN_2_ANSWER);
    expect(lastEvent.actions.stateDelta).toEqual({ last_answer: TURN_2_ANSWER });
    expect(session.lastUpdateTime).toBe(lastEvent.timestamp);

    // App and user keys are shared in their scopes; the session key is not.
    const sibling = await service3.createSession({ appName, userId });
    expect(sibling.state).toEqual({ 'app:last_city': 'Paris', 'user:nights_booked': 3 });
    const stranger = await service3.createSession({ appName, userId: uniqueId('other-user') });
    expect(stranger.state).toEqual({ 'app:last_city': 'Paris' });
  });

  it('resumes with the agent transferred to, after a restart', async () => {
    const appName = uniqueId('e2e-transfer');
    const userId = uniqueId('user');
    const build = (rootReplies: ScriptedReply[], helperReplies: ScriptedReply[]) => {
      const helperModel = new ScriptedModel(helperReplies);
      const helper = new LlmAgent({
        name: 'helper',
        description: 'Handles follow-ups.',
        instruction: 'Help.',
        model: helperModel,
      });
      const root = new LlmAgent({
        name: 'root',
        description: 'Routes requests.',
        instruction: 'Route.',
        model: new ScriptedModel(rootReplies),
        subAgents: [helper],
      });
      return { root, helperModel };
    };

    const service1 = backend.service();
    const { id: sessionId } = await service1.createSession({ appName, userId });
    const first = build(
      [{ functionCalls: [{ name: 'transfer_to_agent', args: { agentName: 'helper' } }] }],
      [{ text: 'Helper here.' }],
    );
    const turn1 = await collect(
      new Runner({ appName, agent: first.root, sessionService: service1 }).runAsync({
        userId,
        sessionId,
        newMessage: userMessage('I need help.'),
      }),
    );
    expect(turn1.map((event) => event.author)).toEqual(['root', 'root', 'helper']);
    expect(turn1[1]!.actions.transferToAgent).toBe('helper');

    // A new process: the root's model has no replies, so only the helper may answer.
    const second = build([], [{ text: 'Still the helper.' }]);
    const turn2 = await collect(
      new Runner({ appName, agent: second.root, sessionService: backend.service() }).runAsync({
        userId,
        sessionId,
        newMessage: userMessage('More help.'),
      }),
    );
    expect(turn2.map((event) => [event.author, event.content?.parts?.[0]?.text])).toEqual([
      ['helper', 'Still the helper.'],
    ]);
    expect(
      plainContents(second.helperModel.requests[0]!.contents).map((content) => content.parts),
    ).toContainEqual([{ text: 'Helper here.' }]);

    const stored = await backend.service().getSession({ appName, userId, sessionId });
    expect(stored!.events.map((event) => event.author)).toEqual([
      'user',
      'root',
      'root',
      'helper',
      'user',
      'helper',
    ]);
    expect(stored!.events[2]!.actions.transferToAgent).toBe('helper');
  });
});
