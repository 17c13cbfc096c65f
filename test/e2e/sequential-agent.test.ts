/**
 * Scenario 4: `getOrCreateSession` twice gives the one stored session, and a `SequentialAgent` of
 * two `LlmAgent`s run through the Runner stores every sub-agent's events, in order, with the right
 * authors. The same for an ADK 2 `Workflow` of two `LlmAgent`s, whose node-input events ADK
 * appends itself (not through the Runner), checked against ADK's own `InMemorySessionService`.
 */
import {
  FunctionTool,
  InMemorySessionService,
  LlmAgent,
  Runner,
  SequentialAgent,
  Workflow,
  type BaseSessionService,
  type Event,
} from '@google/adk';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScriptedModel } from '../../scripts/lib/scripted-model.js';
import { uniqueId } from '../support/ids.js';
import { e2eBackends, useBackend } from './backends.js';
import { collect, normalised, plainContents, userMessage } from './helpers.js';

const FACT = 'Paris has 20 arrondissements.';
const DRAFT = 'Draft: Paris, a city of 20 arrondissements.';

describe.each(e2eBackends())('getOrCreateSession and a SequentialAgent on $name', (backend) => {
  useBackend(backend);

  it('getOrCreateSession twice returns the same stored session', async () => {
    const appName = uniqueId('e2e-get-or-create');
    const userId = uniqueId('user');
    const sessionId = uniqueId('session');

    const first = await backend
      .service()
      .getOrCreateSession({ appName, userId, sessionId, state: { topic: 'paris' } });
    // A second service (another process) with different initial state: the stored one wins.
    const second = await backend
      .service()
      .getOrCreateSession({ appName, userId, sessionId, state: { topic: 'rome' } });

    expect(first).toMatchObject({ id: sessionId, appName, userId, state: { topic: 'paris' } });
    expect(normalised(second)).toEqual(normalised(first));
    const listed = await backend.service().listSessions({ appName, userId });
    expect(listed.sessions.map((session) => [session.id, session.lastUpdateTime])).toEqual([
      [sessionId, first.lastUpdateTime],
    ]);
  });

  it('stores every sub-agent event of a SequentialAgent in order with its author', async () => {
    const appName = uniqueId('e2e-sequential');
    const userId = uniqueId('user');
    const sessionId = uniqueId('session');

    const lookup = new FunctionTool({
      name: 'lookup',
      description: 'Looks a fact up.',
      parameters: z.object({ query: z.string() }),
      execute: ({ query }) => ({ query, fact: FACT }),
    });
    const researcherModel = new ScriptedModel([
      { functionCalls: [{ name: 'lookup', args: { query: 'paris' } }] },
      { text: FACT },
    ]);
    const writerModel = new ScriptedModel([{ text: DRAFT }]);
    const researcher = new LlmAgent({
      name: 'researcher',
      description: 'Finds facts.',
      instruction: 'Find a fact.',
      model: researcherModel,
      tools: [lookup],
      outputKey: 'fact',
    });
    const writer = new LlmAgent({
      name: 'writer',
      description: 'Writes drafts.',
      instruction: 'Write a draft from {fact}.',
      model: writerModel,
      outputKey: 'draft',
    });
    const pipeline = new SequentialAgent({
      name: 'pipeline',
      description: 'Research, then write.',
      subAgents: [researcher, writer],
    });

    const service = backend.service();
    const session = await service.getOrCreateSession({ appName, userId, sessionId });
    expect(session.id).toBe(sessionId);
    const runner = new Runner({ appName, agent: pipeline, sessionService: service });
    const yielded = await collect(
      runner.runAsync({ userId, sessionId, newMessage: userMessage('Write about Paris.') }),
    );

    // The writer ran after the researcher and saw its work.
    expect(writerModel.requests).toHaveLength(1);
    expect(JSON.stringify(writerModel.requests[0]!.systemInstruction)).toContain(FACT);
    expect(
      plainContents(writerModel.requests[0]!.contents).flatMap((content) =>
        content.parts.flatMap((part) => ('text' in part ? [part.text] : [])),
      ),
    ).toEqual(expect.arrayContaining(['Write about Paris.', expect.stringContaining(FACT)]));

    const stored = await backend.service().getSession({ appName, userId, sessionId });
    expect(stored).toBeDefined();
    expect(
      stored!.events.map((event) => {
        const part = event.content?.parts?.[0];
        return [
          event.author,
          part?.text ?? part?.functionCall?.name ?? part?.functionResponse?.name,
        ];
      }),
    ).toEqual([
      ['user', 'Write about Paris.'],
      ['researcher', 'lookup'],
      ['researcher', 'lookup'],
      ['researcher', FACT],
      ['writer', DRAFT],
    ]);
    expect(stored!.events[2]!.content?.parts?.[0]?.functionResponse?.response).toEqual({
      query: 'paris',
      fact: FACT,
    });
    // Stored exactly as yielded, in the same order (the user's message is not yielded).
    expect(normalised(stored!.events.slice(1))).toEqual(normalised(yielded));
    const timestamps = stored!.events.map((event) => event.timestamp);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    expect(stored!.state).toEqual({ fact: FACT, draft: DRAFT });
    expect(stored!.lastUpdateTime).toBe(stored!.events.at(-1)!.timestamp);
  });

  it("stores a Workflow run exactly as ADK's in-memory service holds it", async () => {
    const appName = uniqueId('e2e-workflow');
    const userId = uniqueId('user');
    const sessionId = uniqueId('session');

    /** Runs a fresh copy of the workflow (fresh models) in `service`; returns what it yielded. */
    const runWorkflow = async (service: BaseSessionService) => {
      const researcher = new LlmAgent({
        name: 'researcher',
        description: 'Finds facts.',
        instruction: 'Find a fact.',
        model: new ScriptedModel([{ text: FACT }]),
        outputKey: 'fact',
      });
      const writer = new LlmAgent({
        name: 'writer',
        description: 'Writes drafts.',
        instruction: 'Write a draft.',
        model: new ScriptedModel([{ text: DRAFT }]),
        outputKey: 'draft',
      });
      const flow = new Workflow({ name: 'flow', edges: [['START', researcher, writer]] });
      await service.getOrCreateSession({ appName, userId, sessionId });
      const runner = new Runner({ appName, agent: flow, sessionService: service });
      return collect(
        runner.runAsync({ userId, sessionId, newMessage: userMessage('Write about Paris.') }),
      );
    };

    const reference = new InMemorySessionService();
    await runWorkflow(reference);
    const yielded = await runWorkflow(backend.service());

    const stored = await backend.service().getSession({ appName, userId, sessionId });
    const expected = await reference.getSession({ appName, userId, sessionId });
    expect(stored).toBeDefined();
    expect(stored!.events.map((event) => [event.author, event.content?.parts?.[0]?.text])).toEqual([
      ['user', 'Write about Paris.'],
      // ADK appends each LlmAgent node's input as a user event of its own.
      ['user', 'Write about Paris.'],
      ['researcher', FACT],
      ['user', FACT],
      ['writer', DRAFT],
    ]);
    // Workflow fields survive storage.
    expect(normalised(stored!.events[4])).toMatchObject({
      output: DRAFT,
      nodeInfo: { path: 'flow.writer', outputFor: ['flow.writer'] },
    });
    // Everything the Runner yielded is stored as yielded.
    const byId = new Map(stored!.events.map((event) => [event.id, event]));
    expect(normalised(yielded.map((event) => byId.get(event.id)))).toEqual(normalised(yielded));
    // The whole session matches ADK's own service, but for the generated ids and times.
    const comparable = (events: Event[]) =>
      normalised(events).map(({ id: _id, timestamp: _t, invocationId: _i, ...rest }) => rest);
    expect(comparable(stored!.events)).toEqual(comparable(expected!.events));
    expect(stored!.state).toEqual(expected!.state);
    expect(stored!.state).toEqual({ fact: FACT, draft: DRAFT });
    expect(stored!.lastUpdateTime).toBe(stored!.events.at(-1)!.timestamp);
  });
});
