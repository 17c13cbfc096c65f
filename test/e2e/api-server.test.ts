/**
 * Scenario 5: ADK's own API server (`AdkApiServer` from `@google/adk-devtools`) with our session
 * service, driven over HTTP as a client (the dev UI, `adk api_server` users) drives it: create
 * sessions, list, get, run, get again, delete.
 */
import { AdkApiServer } from '@google/adk-devtools';
import { LlmAgent, LogLevel, type Event, type Session } from '@google/adk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedModel } from '../../scripts/lib/scripted-model.js';
import { uniqueId } from '../support/ids.js';
import { e2eBackends, useBackend } from './backends.js';
import { normalised, plainContents } from './helpers.js';

type ServerOptions = NonNullable<ConstructorParameters<typeof AdkApiServer>[0]>;
type AgentLoaderOption = NonNullable<ServerOptions['agentLoader']>;

/**
 * The server only loads agents through an `AgentLoader`, which reads and bundles agent files from
 * a directory (and is not exported). This stands in for it with agents held in memory, providing
 * the methods the server calls: `listAgents` and `getAgentFile(name)` → `{load()}`, disposable.
 */
function inMemoryAgentLoader(agents: Record<string, LlmAgent>): AgentLoaderOption {
  const names = () => Promise.resolve(Object.keys(agents));
  const loader = {
    listAgents: names,
    listApps: names,
    listLoadFailures: () => Promise.resolve([]),
    preloadAgents: () => Promise.resolve(),
    disposeAll: () => Promise.resolve(),
    getAgentFile: (name: string) => {
      const agent = Object.hasOwn(agents, name) ? agents[name] : undefined;
      if (!agent) return Promise.reject(new Error(`No agent named ${name}`));
      return Promise.resolve({
        load: () => Promise.resolve(agent),
        loadAgent: () => Promise.resolve(agent),
        dispose: () => Promise.resolve(),
        [Symbol.asyncDispose]: () => Promise.resolve(),
      });
    },
  };
  // AgentLoader has private members, so nothing but a cast makes a stand-in fit its type.
  return loader as unknown as AgentLoaderOption;
}

interface HttpResult<T> {
  status: number;
  body: T;
}

async function call<T>(
  baseUrl: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<HttpResult<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
}

interface SessionList {
  sessions: Session[];
  totalItems: number;
}

describe.each(e2eBackends())('ADK API server on $name', (backend) => {
  useBackend(backend);

  const appName = uniqueId('e2e-api');
  const model = new ScriptedModel([{ text: 'Bonjour! How can I help?' }]);
  const agent = new LlmAgent({
    name: 'greeter',
    description: 'Greets.',
    instruction: 'Greet the user.',
    model,
    outputKey: 'greeting',
  });
  let server: AdkApiServer | undefined;
  let baseUrl = '';

  beforeAll(async () => {
    server = new AdkApiServer({
      host: '127.0.0.1',
      port: 0,
      sessionService: backend.service(),
      agentLoader: inMemoryAgentLoader({ [appName]: agent }),
      logLevel: LogLevel.ERROR,
    });
    await server.start();
    baseUrl = server.url;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates, lists, gets, runs, gets and deletes sessions over HTTP', async () => {
    const userId = uniqueId('user');
    const sessionId = uniqueId('session');
    const sessions = `/apps/${encodeURIComponent(appName)}/users/${encodeURIComponent(userId)}/sessions`;

    const apps = await call<string[]>(baseUrl, 'GET', '/list-apps');
    expect(apps).toEqual({ status: 200, body: [appName] });

    // Create with a given id and initial state (temp keys dropped, scoped keys kept).
    const created = await call<Session>(baseUrl, 'POST', `${sessions}/${sessionId}`, {
      state: { mood: 'curious', 'user:lang': 'fr', 'temp:draft': 'x' },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: sessionId,
      appName,
      userId,
      state: { mood: 'curious', 'user:lang': 'fr' },
      events: [],
    });
    expect(Object.keys(created.body.state).sort()).toEqual(['mood', 'user:lang']);

    // Creating it again is refused by the server (it checks with getSession first).
    const again = await call<{ error: string }>(baseUrl, 'POST', `${sessions}/${sessionId}`, {
      state: {},
    });
    expect(again.status).toBe(400);
    expect(again.body.error).toContain('Session already exists');

    // Create without an id: the service picks one.
    const generated = await call<Session>(baseUrl, 'POST', sessions, { state: { mood: 'calm' } });
    expect(generated.status).toBe(200);
    const otherId = generated.body.id;
    expect(otherId).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.body.state).toEqual({ mood: 'calm', 'user:lang': 'fr' });

    const listed = await call<SessionList>(baseUrl, 'GET', sessions);
    expect(listed.status).toBe(200);
    expect(listed.body.totalItems).toBe(2);
    expect(listed.body.sessions.map((session) => session.id).sort()).toEqual(
      [sessionId, otherId].sort(),
    );
    for (const session of listed.body.sessions) {
      expect(session).toMatchObject({ appName, userId, state: {}, events: [] });
    }

    const fetched = await call<Session>(baseUrl, 'GET', `${sessions}/${sessionId}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({
      id: sessionId,
      state: { mood: 'curious', 'user:lang': 'fr' },
      events: [],
    });

    // Run a turn.
    const run = await call<Event[]>(baseUrl, 'POST', '/run', {
      appName,
      userId,
      sessionId,
      newMessage: { role: 'user', parts: [{ text: 'Hello there' }] },
      stateDelta: { visits: 1 },
    });
    expect(run.status).toBe(200);
    expect(run.body.map((event) => [event.author, event.content?.parts?.[0]?.text])).toEqual([
      ['greeter', 'Bonjour! How can I help?'],
    ]);
    expect(plainContents(model.requests[0]!.contents)).toEqual([
      { role: 'user', parts: [{ text: 'Hello there' }] },
    ]);

    // Get shows the stored turn.
    const afterRun = await call<Session>(baseUrl, 'GET', `${sessions}/${sessionId}`);
    expect(afterRun.status).toBe(200);
    expect(
      afterRun.body.events.map((event) => [event.author, event.content?.parts?.[0]?.text]),
    ).toEqual([
      ['user', 'Hello there'],
      ['greeter', 'Bonjour! How can I help?'],
    ]);
    expect(afterRun.body.events[0]!.actions.stateDelta).toEqual({ visits: 1 });
    expect(afterRun.body.events[1]).toEqual(normalised(run.body[0]));
    expect(afterRun.body.state).toEqual({
      mood: 'curious',
      'user:lang': 'fr',
      visits: 1,
      greeting: 'Bonjour! How can I help?',
    });
    expect(afterRun.body.lastUpdateTime).toBe(afterRun.body.events[1]!.timestamp);
    // What the server answered is what storage holds, for any other reader.
    const direct = await backend.service().getSession({ appName, userId, sessionId });
    expect(normalised(direct)).toEqual(afterRun.body);

    // Delete; then it is gone from get and list, and a second delete is a 404.
    const deleted = await call<unknown>(baseUrl, 'DELETE', `${sessions}/${sessionId}`);
    expect(deleted.status).toBe(204);
    const gone = await call<{ error: string }>(baseUrl, 'GET', `${sessions}/${sessionId}`);
    expect(gone.status).toBe(404);
    const listedAfter = await call<SessionList>(baseUrl, 'GET', sessions);
    expect(listedAfter.body.sessions.map((session) => session.id)).toEqual([otherId]);
    const deletedAgain = await call<{ error: string }>(
      baseUrl,
      'DELETE',
      `${sessions}/${sessionId}`,
    );
    expect(deletedAgain.status).toBe(404);

    // Running in a missing session is a 404, and stores nothing.
    const runMissing = await call<{ error: string }>(baseUrl, 'POST', '/run', {
      appName,
      userId,
      sessionId,
      newMessage: { role: 'user', parts: [{ text: 'Anyone?' }] },
    });
    expect(runMissing.status).toBe(404);
    expect(await backend.service().getSession({ appName, userId, sessionId })).toBeUndefined();
  });
});
