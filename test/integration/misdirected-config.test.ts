/**
 * Issue 14.1 on real servers: the real AMS under a base URL ending in `/v1`, the managed fake with
 * a wrong store id, and the managed backend pointed at the AMS. Each used to read as "no session"
 * (getSession undefined, deleteSession doing nothing); each now throws a typed error, and
 * checkConnection() reports the same before any session call. A correct config still checks out.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  EndpointNotFoundError,
  RedisSessionMemoryService,
  StoreNotFoundError,
  WrongApiError,
} from '../../src/index.js';
import {
  startFakeRedisAgentMemory,
  type FakeRedisAgentMemory,
} from '../support/fake-redis-agent-memory/index.js';

const amsBaseUrl = inject('amsBaseUrl');
const key = { appName: 'misdirected', userId: 'u1', sessionId: 's1' };
let fake: FakeRedisAgentMemory;

beforeAll(async () => {
  fake = await startFakeRedisAgentMemory();
});
afterAll(async () => {
  await fake?.stop();
});

const ams = (apiBaseUrl: string) =>
  new RedisSessionMemoryService({ backend: 'opensource-agent-memory', apiBaseUrl });
const managed = (apiBaseUrl: string, storeId: string) =>
  new RedisSessionMemoryService({ apiBaseUrl, storeId, apiKey: fake.apiKey });

describe('the real AMS', () => {
  it('checks out with the right base URL, naming its version', async () => {
    const report = await ams(amsBaseUrl).checkConnection();
    expect(report.backend).toBe('opensource-agent-memory');
    expect(report.serverVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('a missing session is still undefined', async () => {
    await expect(
      ams(amsBaseUrl).getSession({ ...key, sessionId: 'never-made' }),
    ).resolves.toBeUndefined();
  });

  it.each(['getSession', 'deleteSession', 'checkConnection'] as const)(
    'under %s, a base URL ending in /v1 is an EndpointNotFoundError',
    async (method) => {
      const service = ams(`${amsBaseUrl}/v1`);
      const call = method === 'checkConnection' ? service.checkConnection() : service[method](key);
      await expect(call).rejects.toBeInstanceOf(EndpointNotFoundError);
    },
  );

  it('the managed backend pointed at it is a WrongApiError', async () => {
    await expect(managed(amsBaseUrl, 'store-1').getSession(key)).rejects.toBeInstanceOf(
      WrongApiError,
    );
    await expect(managed(amsBaseUrl, 'store-1').checkConnection()).rejects.toBeInstanceOf(
      WrongApiError,
    );
  });
});

describe('the managed fake', () => {
  it('checks out with the right store', async () => {
    await expect(managed(fake.baseUrl, fake.storeId).checkConnection()).resolves.toMatchObject({
      backend: 'redis-agent-memory',
      storeId: fake.storeId,
    });
  });

  it.each(['getSession', 'deleteSession', 'checkConnection'] as const)(
    'under %s, a wrong store id is a StoreNotFoundError',
    async (method) => {
      const service = managed(fake.baseUrl, 'no-such-store');
      const call = method === 'checkConnection' ? service.checkConnection() : service[method](key);
      await expect(call).rejects.toBeInstanceOf(StoreNotFoundError);
    },
  );

  it('the AMS backend pointed at it is a WrongApiError', async () => {
    await expect(ams(fake.baseUrl).getSession(key)).rejects.toBeInstanceOf(WrongApiError);
  });
});
