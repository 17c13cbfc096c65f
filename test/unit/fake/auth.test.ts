/** Credentials: Bearer or X-Api-Key on every store call, 401 problems otherwise, optional no-auth. */
import { describe, expect, it } from 'vitest';
import { BackendError, unwrap } from '../../../src/index.js';
import { problemOf, useFake } from './helpers.js';

const LIST = '/v1/stores/{storeId}/session-memory' as const;

describe('with auth (default key and store)', () => {
  const ctx = useFake();

  it('uses the documented defaults', () => {
    expect(ctx.fake.apiKey).toBe('fake-api-key');
    expect(ctx.fake.storeId).toBe('fake-store');
    expect(ctx.fake.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each([
    ['no credentials', {}],
    ['a wrong Bearer key', { authorization: 'Bearer wrong' }],
    ['the key without the Bearer scheme', { authorization: 'fake-api-key' }],
    ['Basic auth', { authorization: `Basic ${btoa('user:fake-api-key')}` }],
    ['a wrong X-Api-Key', { 'x-api-key': 'wrong' }],
  ])('answers 401 to %s', async (_name, headers) => {
    const response = await ctx.raw('session-memory?includeAll=true', { auth: false, headers });
    const body = await problemOf(response, 401);
    expect(body.type).toBe('/errors/authentication-failed');
    expect(ctx.fake.requests.map((r) => r.status)).toEqual([401]);
  });

  it('checks credentials before routing and validation under /v1/', async () => {
    for (const path of ['/v1/nothing', 'session-memory/bad_id', 'long-term-memory/m1']) {
      const body = await problemOf(await ctx.raw(path, { auth: false }), 401);
      expect([path, body.type]).toEqual([path, '/errors/authentication-failed']);
    }
  });

  it('accepts the key as Bearer (any scheme case) or as X-Api-Key', async () => {
    const variants: Record<string, string>[] = [
      { authorization: 'Bearer fake-api-key' },
      { authorization: 'bearer fake-api-key' },
      { 'x-api-key': 'fake-api-key' },
    ];
    for (const headers of variants) {
      const response = await ctx.raw('session-memory?includeAll=true', { auth: false, headers });
      expect([headers, response.status]).toEqual([headers, 200]);
    }
  });

  it('works with the typed client in both header modes, and rejects a wrong key', async () => {
    const query = { includeAll: true };
    for (const apiKeyHeader of ['authorization', 'x-api-key'] as const) {
      const page = await unwrap(ctx.client({ apiKeyHeader }).GET(LIST, { params: { query } }));
      expect(page).toEqual({ items: [], total: 0 });
    }
    const error = await unwrap(
      ctx.client({ apiKey: 'wrong-key' }).GET(LIST, { params: { query } }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toMatchObject({ status: 401, type: '/errors/authentication-failed' });
  });

  it('serves /health without credentials', async () => {
    expect((await ctx.raw('/health', { auth: false })).status).toBe(200);
  });
});

describe('with a custom key and store', () => {
  const ctx = useFake({ apiKey: 'k-123', storeId: 'store-9' });

  it('accepts only that key and that store', async () => {
    expect(ctx.fake.apiKey).toBe('k-123');
    expect((await ctx.raw('/v1/stores/store-9/health')).status).toBe(200);
    await problemOf(await ctx.raw('/v1/stores/fake-store/health'), 404);
    const wrongKey = await ctx.raw('/v1/stores/store-9/health', {
      auth: false,
      headers: { authorization: 'Bearer fake-api-key' },
    });
    await problemOf(wrongKey, 401);
  });
});

describe('with auth disabled', () => {
  const ctx = useFake({ authDisabled: true });

  it('accepts requests without credentials', async () => {
    const response = await ctx.raw('session-memory?includeAll=true', { auth: false });
    expect(response.status).toBe(200);
    const client = ctx.client({ apiKey: undefined });
    const page = await unwrap(client.GET(LIST, { params: { query: { includeAll: true } } }));
    expect(page.total).toBe(0);
  });
});
