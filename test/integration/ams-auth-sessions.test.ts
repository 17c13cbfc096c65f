/**
 * Issue 14: with token auth on, a refused token is an AuthenticationError on every session call
 * (not only in checkConnection), with AMS's reason and what to check, never the token.
 */
import { inspect } from 'node:util';
import { createEvent } from '@google/adk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMemoryServer, type RunningMemoryServer } from '../../scripts/lib/memory-server.js';
import { AuthenticationError, RedisSessionMemoryService } from '../../src/index.js';
import { uniqueId } from '../support/ids.js';

// Token auth needs its own server; AMS_AUTH_BASE_URL and AMS_TOKEN point at an existing one.
let server: RunningMemoryServer | undefined;
let apiBaseUrl: string;
let token: string;

beforeAll(async () => {
  if (process.env.AMS_AUTH_BASE_URL && process.env.AMS_TOKEN) {
    apiBaseUrl = process.env.AMS_AUTH_BASE_URL;
    token = process.env.AMS_TOKEN;
    return;
  }
  server = await startMemoryServer({ auth: true });
  apiBaseUrl = server.baseUrl;
  token = server.token!;
});

afterAll(async () => {
  await server?.stop();
});

const service = (apiKey: string | undefined) =>
  new RedisSessionMemoryService({
    backend: 'opensource-agent-memory',
    apiBaseUrl,
    retry: { maxRetries: 0 },
    ...(apiKey === undefined ? {} : { apiKey }),
  });

describe('session calls with a refused token', () => {
  it('work with the right token', async () => {
    const key = { appName: uniqueId('auth-app'), userId: 'u1', sessionId: uniqueId('s') };
    const sessions = service(token);
    const session = await sessions.createSession(key);
    await sessions.appendEvent({
      session,
      event: createEvent({
        invocationId: 'i1',
        author: 'user',
        content: { role: 'user', parts: [{ text: 'hi' }] },
      }),
    });
    expect((await sessions.getSession(key))?.events).toHaveLength(1);
    expect((await sessions.listSessions({ appName: key.appName })).sessions).toHaveLength(1);
    await sessions.deleteSession(key);
  });

  it.each([
    ['a wrong token', 'wrong-token-value', 'Invalid token'],
    ['no token', undefined, 'Missing authorization header'],
  ])('%s: every call throws AuthenticationError', async (_what, apiKey, reason) => {
    const key = { appName: uniqueId('auth-app'), userId: 'u1', sessionId: uniqueId('s') };
    const session = await service(token).createSession(key);
    const refused = service(apiKey);
    const calls: Promise<unknown>[] = [
      refused.getSession(key),
      refused.createSession({ ...key, sessionId: uniqueId('s') }),
      refused.listSessions({ appName: key.appName }),
      refused.listSessions({ appName: key.appName, userId: key.userId }),
      refused.deleteSession(key),
      refused.appendEvent({
        session,
        event: createEvent({
          invocationId: 'i1',
          author: 'user',
          content: { role: 'user', parts: [{ text: 'hi' }] },
        }),
      }),
    ];
    // Settled together: each rejects on its own schedule, and none may be left unhandled meanwhile.
    for (const result of await Promise.allSettled(calls)) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as Error;
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ code: 'ADK_REDIS_AUTHENTICATION', status: 401 });
      expect(error.message).toContain(reason);
      expect(error.message).toContain('AMS_TOKEN');
      if (apiKey !== undefined) expect(inspect(error, { depth: 10 })).not.toContain(apiKey);
    }
    // Nothing was changed by the refused calls.
    expect((await service(token).getSession(key))?.id).toBe(key.sessionId);
  });
});
