/**
 * Scenario 2: a parent `LlmAgent` calls a sub-agent wrapped in an `AgentTool`. ADK runs the
 * sub-agent with the same session service under `appName = <sub-agent name>` and the parent's
 * session id; both sessions are stored and readable on their own.
 */
import { AgentTool, LlmAgent, Runner } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { ScriptedModel } from '../../scripts/lib/scripted-model.js';
import { uniqueId } from '../support/ids.js';
import { e2eBackends, useBackend } from './backends.js';
import { collect, normalised, plainContents, userMessage } from './helpers.js';

const SUB_ANSWER = 'Paris is the capital of France.';
const PARENT_ANSWER = 'The researcher says: Paris is the capital of France.';

describe.each(e2eBackends())('AgentTool sub-agent sessions on $name', (backend) => {
  useBackend(backend);

  it('stores the parent and the sub-agent session separately, both readable', async () => {
    const appName = uniqueId('e2e-parent');
    const userId = uniqueId('user');
    // The sub-agent's name is its app name in storage, so it is unique per test too.
    const subName = uniqueId('researcher');

    const subModel = new ScriptedModel([{ text: SUB_ANSWER }]);
    const researcher = new LlmAgent({
      name: subName,
      description: 'Answers research questions.',
      instruction: 'Answer briefly.',
      model: subModel,
      outputKey: 'finding',
    });
    const parentModel = new ScriptedModel([
      { functionCalls: [{ name: subName, args: { request: 'What is the capital of France?' } }] },
      { text: PARENT_ANSWER },
    ]);
    const coordinator = new LlmAgent({
      name: 'coordinator',
      description: 'Delegates research.',
      instruction: 'Use the researcher.',
      model: parentModel,
      tools: [new AgentTool({ agent: researcher })],
    });

    const service = backend.service();
    const runner = new Runner({ appName, agent: coordinator, sessionService: service });
    const { id: sessionId } = await service.createSession({
      appName,
      userId,
      state: { 'user:locale': 'en-GB', topic: 'geography' },
    });
    const yielded = await collect(
      runner.runAsync({ userId, sessionId, newMessage: userMessage('Ask the researcher.') }),
    );

    // The sub-agent was asked, and the parent's model saw its answer as the tool response.
    expect(plainContents(subModel.requests[0]!.contents)).toEqual([
      { role: 'user', parts: [{ text: 'What is the capital of France?' }] },
    ]);
    expect(plainContents(parentModel.requests[1]!.contents).slice(1)).toEqual([
      {
        role: 'model',
        parts: [
          {
            functionCall: { name: subName, args: { request: 'What is the capital of France?' } },
          },
        ],
      },
      {
        role: 'user',
        parts: [{ functionResponse: { name: subName, response: { result: SUB_ANSWER } } }],
      },
    ]);

    // Read back through a different service instance.
    const reader = backend.service();
    const parent = await reader.getSession({ appName, userId, sessionId });
    const sub = await reader.getSession({ appName: subName, userId, sessionId });
    expect(parent).toBeDefined();
    expect(sub).toBeDefined();

    // The parent's history has the tool call and its response, as the Runner yielded them.
    expect(plainContents(parent!.events.map((event) => event.content!))).toEqual([
      { role: 'user', parts: [{ text: 'Ask the researcher.' }] },
      {
        role: 'model',
        parts: [
          {
            functionCall: { name: subName, args: { request: 'What is the capital of France?' } },
          },
        ],
      },
      {
        role: 'user',
        parts: [{ functionResponse: { name: subName, response: { result: SUB_ANSWER } } }],
      },
      { role: 'model', parts: [{ text: PARENT_ANSWER }] },
    ]);
    expect(parent!.events.map((event) => event.author)).toEqual([
      'user',
      'coordinator',
      'coordinator',
      'coordinator',
    ]);
    expect(normalised(parent!.events.slice(1))).toEqual(normalised(yielded));
    const callId = parent!.events[1]!.content?.parts?.[0]?.functionCall?.id;
    expect(parent!.events[2]!.content?.parts?.[0]?.functionResponse?.id).toBe(callId);
    // AgentTool copies the sub-agent's state changes into the parent's tool context.
    expect(parent!.state).toEqual({
      'user:locale': 'en-GB',
      topic: 'geography',
      finding: SUB_ANSWER,
    });
    expect(parent!.lastUpdateTime).toBe(parent!.events.at(-1)!.timestamp);

    // The sub-agent's own session: its request and its answer, under its own app name.
    expect(sub!.appName).toBe(subName);
    expect(sub!.id).toBe(sessionId);
    expect(sub!.userId).toBe(userId);
    expect(plainContents(sub!.events.map((event) => event.content!))).toEqual([
      { role: 'user', parts: [{ text: 'What is the capital of France?' }] },
      { role: 'model', parts: [{ text: SUB_ANSWER }] },
    ]);
    expect(sub!.events.map((event) => event.author)).toEqual(['user', subName]);
    // ADK created it with the parent's state at the time of the call.
    expect(sub!.state).toEqual({
      'user:locale': 'en-GB',
      topic: 'geography',
      finding: SUB_ANSWER,
    });
    expect(sub!.lastUpdateTime).toBe(sub!.events.at(-1)!.timestamp);

    // Each app lists only its own session.
    const parentList = await reader.listSessions({ appName, userId });
    const subList = await reader.listSessions({ appName: subName, userId });
    expect(parentList.sessions.map((s) => [s.appName, s.id])).toEqual([[appName, sessionId]]);
    expect(subList.sessions.map((s) => [s.appName, s.id])).toEqual([[subName, sessionId]]);

    // Deleting one leaves the other intact.
    await reader.deleteSession({ appName, userId, sessionId });
    expect(await reader.getSession({ appName, userId, sessionId })).toBeUndefined();
    const subAfter = await backend.service().getSession({ appName: subName, userId, sessionId });
    expect(normalised(subAfter)).toEqual(normalised(sub));
  });
});
