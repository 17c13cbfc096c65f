/**
 * Scenario 3: `Runner.runEphemeral` creates a session, runs in it and deletes it afterwards. While
 * it runs the session is stored like any other; afterwards it is gone from reads and listings.
 */
import { LlmAgent, Runner, type Session } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { ScriptedModel } from '../../scripts/lib/scripted-model.js';
import { uniqueId } from '../support/ids.js';
import { e2eBackends, useBackend } from './backends.js';
import { plainContents, userMessage } from './helpers.js';

describe.each(e2eBackends())('Runner.runEphemeral on $name', (backend) => {
  useBackend(backend);

  it('stores the session while it runs and deletes it afterwards', async () => {
    const appName = uniqueId('e2e-ephemeral');
    const userId = uniqueId('user');
    const model = new ScriptedModel([{ text: 'First thought.' }]);
    const agent = new LlmAgent({
      name: 'oneshot',
      description: 'Answers once.',
      instruction: 'Answer once.',
      model,
      outputKey: 'answer',
    });
    const service = backend.service();
    const runner = new Runner({ appName, agent, sessionService: service });
    const observer = backend.service();

    // A session of the same user that must survive the ephemeral one.
    const kept = await observer.createSession({ appName, userId, sessionId: 'kept' });

    let during: Session | undefined;
    const texts: string[] = [];
    for await (const event of runner.runEphemeral({
      userId,
      newMessage: userMessage('Think once.'),
      stateDelta: { mode: 'ephemeral' },
    })) {
      texts.push(event.content?.parts?.[0]?.text ?? '');
      // Mid-run (the generator is paused on this event, which is already appended).
      const listed = await observer.listSessions({ appName, userId });
      const ids = listed.sessions.map((session) => session.id).filter((id) => id !== kept.id);
      expect(ids).toHaveLength(1);
      during = await observer.getSession({ appName, userId, sessionId: ids[0]! });
    }
    expect(texts).toEqual(['First thought.']);
    expect(plainContents(model.requests[0]!.contents)).toEqual([
      { role: 'user', parts: [{ text: 'Think once.' }] },
    ]);

    // While it ran, the session was an ordinary stored session.
    expect(during).toBeDefined();
    const ephemeralId = during!.id;
    expect(ephemeralId).not.toBe(kept.id);
    expect(during!.events.map((event) => [event.author, event.content?.parts?.[0]?.text])).toEqual([
      ['user', 'Think once.'],
      ['oneshot', 'First thought.'],
    ]);
    expect(during!.state).toEqual({ mode: 'ephemeral', answer: 'First thought.' });

    // Afterwards it is gone, for a fresh service too; the other session stays.
    const after = backend.service();
    expect(await after.getSession({ appName, userId, sessionId: ephemeralId })).toBeUndefined();
    const byUser = await after.listSessions({ appName, userId });
    expect(byUser.sessions.map((session) => session.id)).toEqual([kept.id]);
    expect(byUser.totalItems).toBe(1);
    const byApp = await after.listSessions({ appName });
    expect(byApp.sessions.map((session) => [session.userId, session.id])).toEqual([
      [userId, kept.id],
    ]);
    expect(await after.getSession({ appName, userId, sessionId: kept.id })).toMatchObject({
      id: kept.id,
      events: [],
      state: {},
    });
  });
});
