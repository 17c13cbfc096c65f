/**
 * Issue 14: refused credentials are an AuthenticationError on every call, not only in
 * checkConnection(): each session call and the low-level clients' `unwrap`, on both backends, for
 * 401 and 403, with the server's reason and what to check, never the secret.
 */
import { inspect } from 'node:util';
import { createEvent } from '@google/adk';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BackendError,
  RedisSessionMemoryService,
  isAdkRedisError,
  unwrap,
} from '../../../src/index.js';
import { AMS, RAM, STORE, amsClient, ramClient, useNock } from './helpers.js';

useNock();

const SECRET = 'sk-secret-value-123';
const NO_RETRY = { maxRetries: 0 };
const key = { appName: 'app', userId: 'u1', sessionId: 's1' };

/** AMS's answers with token auth on (measured on 0.15.2), and the managed API's problem types. */
const AMS_REFUSALS: [number, object][] = [
  [401, { detail: 'Invalid token' }],
  [403, { detail: 'Not enough permissions' }],
];
const MANAGED_REFUSALS: [number, object][] = [
  [
    401,
    {
      type: '/errors/authentication-failed',
      title: 'Authentication failed',
      status: 401,
      detail: 'The API key is not valid.',
    },
  ],
  [
    403,
    {
      type: '/errors/insufficient-permissions',
      title: 'Insufficient permissions',
      status: 403,
      detail: 'The API key has no access to this store.',
    },
  ],
];

function refuseEverything(origin: string, status: number, body: object): void {
  const scope = nock(origin).persist();
  for (const method of ['get', 'put', 'post', 'delete'] as const) {
    scope[method](/.*/).query(true).reply(status, body);
  }
}

async function rejection(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const services = {
  'opensource-agent-memory': () =>
    new RedisSessionMemoryService({
      backend: 'opensource-agent-memory',
      apiBaseUrl: AMS,
      apiKey: SECRET,
      retry: NO_RETRY,
    }),
  'redis-agent-memory': () =>
    new RedisSessionMemoryService({
      apiBaseUrl: RAM,
      storeId: STORE,
      apiKey: SECRET,
      retry: NO_RETRY,
    }),
};

/** Every session call, each on a fresh service. */
const calls: [string, (service: RedisSessionMemoryService) => Promise<unknown>][] = [
  ['getSession', (s) => s.getSession(key)],
  ['createSession', (s) => s.createSession(key)],
  ['listSessions', (s) => s.listSessions({ appName: key.appName })],
  ['listSessions for a user', (s) => s.listSessions({ appName: key.appName, userId: key.userId })],
  ['deleteSession', (s) => s.deleteSession(key)],
  [
    'appendEvent',
    (s) =>
      s.appendEvent({
        session: {
          ...key,
          id: key.sessionId,
          state: {},
          events: [],
          lastUpdateTime: 0,
        },
        event: createEvent({
          invocationId: 'i1',
          author: 'user',
          content: { role: 'user', parts: [{ text: 'hi' }] },
        }),
      }),
  ],
];

function expectAuthenticationError(
  error: Error,
  backend: keyof typeof services,
  status: number,
  reason: string,
): void {
  expect(error).toBeInstanceOf(AuthenticationError);
  expect(error).toBeInstanceOf(BackendError);
  expect(isAdkRedisError(error)).toBe(true);
  const auth = error as AuthenticationError;
  expect(auth).toMatchObject({
    name: 'AuthenticationError',
    code: 'ADK_REDIS_AUTHENTICATION',
    backend,
    status,
  });
  expect(auth.message).toContain(reason);
  expect(auth.message).toContain(
    backend === 'redis-agent-memory' ? 'REDIS_AGENT_MEMORY_API_KEY' : 'AMS_TOKEN',
  );
  for (const text of [String(error), JSON.stringify(error), inspect(error, { depth: 10 })]) {
    expect(text).not.toContain(SECRET);
  }
}

describe.each([
  ['opensource-agent-memory', AMS, AMS_REFUSALS],
  ['redis-agent-memory', RAM, MANAGED_REFUSALS],
] as const)('%s: refused credentials on every session call', (backend, origin, refusals) => {
  describe.each(refusals)('%i', (status, body) => {
    const reason = (body as { detail: string }).detail;
    it.each(calls)('%s throws AuthenticationError', async (_name, call) => {
      refuseEverything(origin, status, body);
      const error = await rejection(call(services[backend]()));
      expectAuthenticationError(error, backend, status, reason);
    });
  });
});

describe('the low-level clients', () => {
  it.each(AMS_REFUSALS)('AMS %i through unwrap is an AuthenticationError', async (status, body) => {
    nock(AMS).get('/v1/working-memory/').query(true).reply(status, body);
    const client = amsClient({ token: SECRET, retry: NO_RETRY });
    const error = await rejection(unwrap(client.GET('/v1/working-memory/')));
    expectAuthenticationError(
      error,
      'opensource-agent-memory',
      status,
      (body as { detail: string }).detail,
    );
  });

  it.each(MANAGED_REFUSALS)(
    'managed %i through unwrap is an AuthenticationError with the problem type',
    async (status, body) => {
      const path = `/v1/stores/${STORE}/session-memory/s1`;
      nock(RAM).get(path).reply(status, body, { 'content-type': 'application/problem+json' });
      const client = ramClient({ apiKey: SECRET, retry: NO_RETRY });
      const error = await rejection(
        unwrap(
          client.GET('/v1/stores/{storeId}/session-memory/{sessionId}', {
            params: { path: { sessionId: 's1' } },
          }),
        ),
      );
      expectAuthenticationError(
        error,
        'redis-agent-memory',
        status,
        (body as { detail: string }).detail,
      );
      expect((error as AuthenticationError).type).toBe((body as { type: string }).type);
    },
  );

  it('other error statuses stay plain BackendErrors', async () => {
    nock(AMS).get('/v1/working-memory/').query(true).reply(422, { detail: 'bad' });
    const error = await rejection(
      unwrap(amsClient({ retry: NO_RETRY }).GET('/v1/working-memory/')),
    );
    expect(error).toBeInstanceOf(BackendError);
    expect(error).not.toBeInstanceOf(AuthenticationError);
  });
});
