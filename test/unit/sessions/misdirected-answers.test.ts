/**
 * Issue 14.1 with nock: a wrong store id, a base URL with an extra `/v1`, or a server of the other
 * API no longer reads as "session not found". getSession and deleteSession (which used to answer
 * `undefined` and do nothing) throw typed errors that say what to check; a real missing session is
 * still `undefined`. Also the overall deadline across retries, and checkConnection().
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  BackendError,
  EndpointNotFoundError,
  RedisSessionMemoryService,
  StoreNotFoundError,
  TimeoutError,
  WrongApiError,
  isAdkRedisError,
} from '../../../src/index.js';
import { useNock } from '../clients/helpers.js';

useNock();

const RAM = 'https://ram.test';
const AMS = 'http://ams.test';
const STORE = 'store-1';
const key = { appName: 'app', userId: 'u1', sessionId: 's1' };
const NO_RETRY = { maxRetries: 0 };

const managed = (extra: object = {}) =>
  new RedisSessionMemoryService({
    apiBaseUrl: RAM,
    storeId: STORE,
    apiKey: 'k',
    retry: NO_RETRY,
    ...extra,
  });
const ams = (apiBaseUrl = AMS, extra: object = {}) =>
  new RedisSessionMemoryService({
    backend: 'opensource-agent-memory',
    apiBaseUrl,
    retry: NO_RETRY,
    ...extra,
  });

const problem404 = (detail: string) => ({
  type: '/errors/resource-not-found',
  title: 'Resource not found',
  status: 404,
  detail,
});

/** Every request to `origin` gets this answer. */
function everything(origin: string, status: number, body: string | object, delayMs = 0): void {
  const scope = nock(origin).persist();
  for (const method of ['get', 'put', 'post', 'delete'] as const) {
    scope[method](/.*/).query(true).delay(delayMs).reply(status, body);
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

describe('managed backend', () => {
  it('a missing session is still undefined, and deleting it is fine', async () => {
    everything(RAM, 404, problem404('Session x was not found.'));
    await expect(managed().getSession(key)).resolves.toBeUndefined();
    await expect(managed().deleteSession(key)).resolves.toBeUndefined();
  });

  it.each(['getSession', 'deleteSession'] as const)(
    '%s with an unknown store throws StoreNotFoundError naming the store',
    async (method) => {
      everything(RAM, 404, problem404(`Store ${STORE} was not found.`));
      const error = await rejection(managed()[method](key));
      expect(error).toBeInstanceOf(StoreNotFoundError);
      expect(error).toBeInstanceOf(BackendError);
      expect((error as StoreNotFoundError).code).toBe('ADK_REDIS_STORE_NOT_FOUND');
      expect(error.message).toContain('"store-1"');
      expect(error.message).toContain('storeId');
    },
  );

  it('pointed at an Agent Memory Server, says so', async () => {
    everything(RAM, 404, { detail: 'Not Found' });
    const error = await rejection(managed().getSession(key));
    expect(error).toBeInstanceOf(WrongApiError);
    expect(error.message).toContain('opensource-agent-memory');
  });

  it('an HTML 404 (a proxy, a wrong path) is not the API', async () => {
    everything(RAM, 404, '<html><body>Not here</body></html>');
    const error = await rejection(managed().getSession(key));
    expect(error).toBeInstanceOf(WrongApiError);
    expect(error.message).toContain('apiBaseUrl');
    expect(error.message).not.toContain('Not here');
  });
});

describe('Agent Memory Server backend', () => {
  it("AMS's own 404 for a missing session is still undefined", async () => {
    everything(AMS, 404, { detail: 'Session s1 not found' });
    await expect(ams().getSession(key)).resolves.toBeUndefined();
  });

  it.each(['getSession', 'deleteSession', 'createSession'] as const)(
    '%s under a base URL ending in /v1 throws EndpointNotFoundError',
    async (method) => {
      everything(AMS, 404, { detail: 'Not Found' });
      const error = await rejection(ams(`${AMS}/v1`)[method](key));
      expect(error).toBeInstanceOf(EndpointNotFoundError);
      expect(isAdkRedisError(error)).toBe(true);
      expect(error.message).toContain('without /v1');
    },
  );

  it('pointed at the managed API, says so', async () => {
    everything(AMS, 404, problem404('No resource at GET /v1/working-memory/s1.'));
    const error = await rejection(ams().getSession(key));
    expect(error).toBeInstanceOf(WrongApiError);
    expect(error.message).toContain('redis-agent-memory');
  });

  it('a non-JSON 404 is not the API', async () => {
    everything(AMS, 404, 'nothing here');
    expect(await rejection(ams().getSession(key))).toBeInstanceOf(WrongApiError);
  });
});

describe('the overall deadline', () => {
  it('bounds a call across its retries, not each attempt alone', async () => {
    // Every attempt hangs for 150 ms past a 100 ms timeout; 2 retries would take ~300 ms.
    everything(AMS, 200, {}, 150);
    const service = ams(AMS, {
      timeoutMs: 100,
      deadlineMs: 160,
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const error = await rejection(service.getSession(key));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).deadlineMs).toBe(160);
    expect((error as TimeoutError).attempts).toBe(2);
    expect(error.message).toContain('overall deadline');
  });

  it('stops a listing fan-out', async () => {
    // The list answers at once, then each session read takes 200 ms, one at a time: the deadline
    // ends the fan-out during the third read, long before that attempt's own timeout.
    nock(AMS)
      .persist()
      .get('/v1/working-memory/')
      .query(true)
      .reply(200, { sessions: ['s1', 's2', 's3', 's4'], total: 4 });
    nock(AMS)
      .persist()
      .get(/\/v1\/working-memory\/s\d$/)
      .query(true)
      .delay(200)
      .reply(200, (uri) => ({
        session_id: uri.split('?')[0]!.split('/').at(-1),
        namespace: 'app',
        user_id: 'u1',
        messages: [],
        data: {},
      }));
    const service = ams(AMS, { timeoutMs: 450, deadlineMs: 450, listConcurrency: 1 });
    const error = await rejection(service.listSessions({ appName: 'app', userId: 'u1' }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).deadlineMs).toBe(450);
  });
});

describe('checkConnection', () => {
  it('AMS: health, identity and version, an authenticated call', async () => {
    nock(AMS)
      .get('/v1/health')
      .reply(200, { now: 1 })
      .get('/openapi.json')
      .reply(200, { info: { title: 'Redis Agent Memory Server', version: '0.15.2' } })
      .get('/v1/working-memory/')
      .query({ limit: 1 })
      .reply(200, { sessions: [], total: 0 });
    const report = await ams().checkConnection();
    expect(report).toMatchObject({
      backend: 'opensource-agent-memory',
      baseUrl: AMS,
      serverVersion: '0.15.2',
      authenticated: true,
    });
    expect(report.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('AMS: a refused token is an AuthenticationError that names AMS_TOKEN', async () => {
    nock(AMS)
      .get('/v1/health')
      .reply(200, { now: 1 })
      .get('/openapi.json')
      .reply(200, { info: { title: 'Redis Agent Memory Server', version: '0.15.2' } })
      .get('/v1/working-memory/')
      .query(true)
      .reply(401, { detail: 'Invalid token' });
    const error = await rejection(ams(AMS, { apiKey: 'wrong' }).checkConnection());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain('AMS_TOKEN');
  });

  it('AMS: another service on the port is a WrongApiError', async () => {
    nock(AMS).get('/v1/health').reply(200, { status: 'ok' });
    expect(await rejection(ams().checkConnection())).toBeInstanceOf(WrongApiError);
  });

  it('managed: the store health, with the store and the key', async () => {
    nock(RAM).get(`/v1/stores/${STORE}/health`).reply(200, { status: 'healthy', features: {} });
    await expect(managed().checkConnection()).resolves.toMatchObject({
      backend: 'redis-agent-memory',
      storeId: STORE,
      storeStatus: 'healthy',
    });
  });

  it('managed: an unknown store, a refused key', async () => {
    nock(RAM)
      .get(`/v1/stores/${STORE}/health`)
      .reply(404, problem404(`Store ${STORE} was not found.`))
      .get(`/v1/stores/${STORE}/health`)
      .reply(401, {
        type: '/errors/authentication-failed',
        title: 'Authentication failed',
        status: 401,
      });
    expect(await rejection(managed().checkConnection())).toBeInstanceOf(StoreNotFoundError);
    const auth = await rejection(managed().checkConnection());
    expect(auth).toBeInstanceOf(AuthenticationError);
    expect(auth.message).toContain('REDIS_AGENT_MEMORY_API_KEY');
  });
});
