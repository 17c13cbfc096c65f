import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMemoryServer, type RunningMemoryServer } from '../../scripts/lib/memory-server.js';
import { BackendError, createAgentMemoryServerClient, unwrap } from '../../src/index.js';

// Token auth needs its own server (DISABLE_AUTH=false, AUTH_MODE=token). AMS_AUTH_BASE_URL and
// AMS_TOKEN point at an existing one instead.
let server: RunningMemoryServer | undefined;
let baseUrl: string;
let token: string;

beforeAll(async () => {
  if (process.env.AMS_AUTH_BASE_URL && process.env.AMS_TOKEN) {
    baseUrl = process.env.AMS_AUTH_BASE_URL;
    token = process.env.AMS_TOKEN;
    return;
  }
  server = await startMemoryServer({ auth: true });
  baseUrl = server.baseUrl;
  token = server.token!;
});

afterAll(async () => {
  await server?.stop();
});

describe('Agent Memory Server token auth', () => {
  it('accepts the token and sends it as a bearer token', async () => {
    const ams = createAgentMemoryServerClient({ baseUrl, token });
    const listed = await unwrap(
      ams.GET('/v1/working-memory/', { params: { query: { limit: 1 } } }),
    );
    expect(Array.isArray(listed.sessions)).toBe(true);
  });

  it('rejects a missing token with 401', async () => {
    const ams = createAgentMemoryServerClient({ baseUrl });
    const error = await unwrap(ams.GET('/v1/working-memory/')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).status).toBe(401);
    expect((error as BackendError).detail).toBe('Missing authorization header');
  });

  it('rejects a wrong token with 401 and never shows it', async () => {
    const wrong = `${token}-but-wrong`;
    const ams = createAgentMemoryServerClient({ baseUrl, token: wrong });
    const error = await unwrap(ams.GET('/v1/working-memory/')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).status).toBe(401);
    expect((error as BackendError).detail).toBe('Invalid token');
    for (const text of [
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: 20, showHidden: true }),
    ]) {
      expect(text).not.toContain(wrong);
    }
  });

  it('leaves /v1/health open', async () => {
    const ams = createAgentMemoryServerClient({ baseUrl });
    const health = await unwrap(ams.GET('/v1/health'));
    expect(typeof health.now).toBe('number');
  });
});
