/**
 * Option validation of both clients: every invalid option becomes a ConfigurationError that names
 * the field and never quotes a secret; valid options are accepted; defaults show in behaviour.
 */
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AdkRedisError,
  ConfigurationError,
  createAgentMemoryServerClient,
  createRedisAgentMemoryClient,
  REDIS_AGENT_MEMORY_ID_PATTERN,
  type AgentMemoryServerClientOptions,
} from '../../../src/clients/index.js';
import { AMS, RAM, STORE, Wire, debugRecorder, rejectionOf, useNock } from './helpers.js';

useNock();
afterEach(() => {
  vi.restoreAllMocks();
});

function configError(create: () => unknown): ConfigurationError {
  try {
    create();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  return expect.fail('expected a ConfigurationError');
}

const amsWith = (options: Record<string, unknown>) => () =>
  createAgentMemoryServerClient(options as unknown as AgentMemoryServerClientOptions);
const ramWith = (options: Record<string, unknown>) => () =>
  createRedisAgentMemoryClient({
    baseUrl: RAM,
    storeId: STORE,
    ...options,
  });

describe('valid options', () => {
  it('accepts the minimal options of each client', () => {
    expect(() => createAgentMemoryServerClient({ baseUrl: AMS })).not.toThrow();
    expect(() => createRedisAgentMemoryClient({ baseUrl: RAM, storeId: STORE })).not.toThrow();
  });

  it('accepts every option at its documented bounds', () => {
    expect(() =>
      createAgentMemoryServerClient({
        baseUrl: 'https://ams.test:8443/prefix/',
        token: 't',
        timeoutMs: 600_000,
        retry: { maxRetries: 10, baseDelayMs: 60_000, maxDelayMs: 300_000, maxRetryAfterMs: 0 },
        fetch: (input, init) => globalThis.fetch(input, init),
        headers: { 'x-tenant': 'acme', 'x-note': 'caf\u00e9' },
        onDebug: () => undefined,
      }),
    ).not.toThrow();
    expect(() =>
      createRedisAgentMemoryClient({
        baseUrl: RAM,
        storeId: 'a'.repeat(64),
        apiKey: 'key',
        apiKeyHeader: 'x-api-key',
        retry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 0 },
        timeoutMs: 1,
      }),
    ).not.toThrow();
  });

  it('exposes the managed id pattern: 1-64 of A-Z, a-z, 0-9 and "-"', () => {
    expect(REDIS_AGENT_MEMORY_ID_PATTERN.test('Store-01')).toBe(true);
    expect(REDIS_AGENT_MEMORY_ID_PATTERN.test('a'.repeat(64))).toBe(true);
    expect(REDIS_AGENT_MEMORY_ID_PATTERN.test('a'.repeat(65))).toBe(false);
    expect(REDIS_AGENT_MEMORY_ID_PATTERN.test('')).toBe(false);
    expect(REDIS_AGENT_MEMORY_ID_PATTERN.test('store_1')).toBe(false);
  });
});

describe('invalid common options (Agent Memory Server client)', () => {
  it('reports missing options as a missing baseUrl', () => {
    const error = configError(() =>
      createAgentMemoryServerClient(undefined as unknown as AgentMemoryServerClientOptions),
    );
    expect(error.field).toBe('baseUrl');
  });

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['no baseUrl', {}, 'baseUrl', /baseUrl/],
    ['a baseUrl that is not a URL', { baseUrl: 'not a url' }, 'baseUrl', /absolute http/],
    ['a relative baseUrl', { baseUrl: '/v1' }, 'baseUrl', /absolute http/],
    ['a non-http baseUrl', { baseUrl: 'ftp://ams.test' }, 'baseUrl', /http:\/\/ or https:\/\//],
    ['a baseUrl with a query', { baseUrl: 'http://ams.test/?a=1' }, 'baseUrl', /query/],
    ['a baseUrl with a fragment', { baseUrl: 'http://ams.test/#top' }, 'baseUrl', /fragment/],
    ['a zero timeout', { baseUrl: AMS, timeoutMs: 0 }, 'timeoutMs', /timeoutMs/],
    ['a negative timeout', { baseUrl: AMS, timeoutMs: -5 }, 'timeoutMs', /timeoutMs/],
    ['a fractional timeout', { baseUrl: AMS, timeoutMs: 1.5 }, 'timeoutMs', /timeoutMs/],
    ['a timeout above 10 minutes', { baseUrl: AMS, timeoutMs: 600_001 }, 'timeoutMs', /timeoutMs/],
    ['a string timeout', { baseUrl: AMS, timeoutMs: '1000' }, 'timeoutMs', /timeoutMs/],
    [
      'negative retries',
      { baseUrl: AMS, retry: { maxRetries: -1 } },
      'retry.maxRetries',
      /retry\.maxRetries/,
    ],
    [
      'more than 10 retries',
      { baseUrl: AMS, retry: { maxRetries: 11 } },
      'retry.maxRetries',
      /retry\.maxRetries/,
    ],
    [
      'fractional retries',
      { baseUrl: AMS, retry: { maxRetries: 1.5 } },
      'retry.maxRetries',
      /retry\.maxRetries/,
    ],
    [
      'a negative base delay',
      { baseUrl: AMS, retry: { baseDelayMs: -1 } },
      'retry.baseDelayMs',
      /retry\.baseDelayMs/,
    ],
    [
      'a huge max delay',
      { baseUrl: AMS, retry: { maxDelayMs: 300_001 } },
      'retry.maxDelayMs',
      /retry\.maxDelayMs/,
    ],
    [
      'a huge Retry-After limit',
      { baseUrl: AMS, retry: { maxRetryAfterMs: 3_600_001 } },
      'retry.maxRetryAfterMs',
      /retry\.maxRetryAfterMs/,
    ],
    [
      'an unknown retry option',
      { baseUrl: AMS, retry: { retries: 3 } },
      'retry',
      /unknown option\(s\) "retries"/,
    ],
    ['a fetch that is not a function', { baseUrl: AMS, fetch: 'fetch' }, 'fetch', /fetch/],
    ['an onDebug that is not a function', { baseUrl: AMS, onDebug: {} }, 'onDebug', /function/],
    ['a non-string header', { baseUrl: AMS, headers: { 'x-n': 1 } }, 'headers.x-n', /headers/],
    [
      'a header value with a newline',
      { baseUrl: AMS, headers: { 'x-n': 'a\r\nb' } },
      'headers.x-n',
      /header value/,
    ],
    ['an empty token', { baseUrl: AMS, token: '' }, 'token', /must not be empty/],
    ['a blank token', { baseUrl: AMS, token: '   ' }, 'token', /must not be empty/],
    ['a token that is not a string', { baseUrl: AMS, token: 42 }, 'token', /must be a string/],
    ['an unknown option', { baseUrl: AMS, apiKey: 'k' }, '(options)', /unknown option.*"apiKey"/],
  ];

  it.each(cases)('rejects %s', (_name, options, field, message) => {
    const error = configError(amsWith(options));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('Agent Memory Server client');
    expect(error).toBeInstanceOf(AdkRedisError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigurationError');
    expect(error.toJSON()).toMatchObject({ name: 'ConfigurationError', field });
  });
});

describe('invalid Redis Agent Memory options', () => {
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['no storeId', { storeId: undefined }, 'storeId', /is required/],
    ['an empty storeId', { storeId: '' }, 'storeId', /1-64 characters/],
    ['a storeId with "_"', { storeId: 'store_1' }, 'storeId', /1-64 characters/],
    ['a storeId with "/"', { storeId: 'a/b' }, 'storeId', /1-64 characters/],
    ['a storeId of 65 characters', { storeId: 'a'.repeat(65) }, 'storeId', /1-64 characters/],
    ['an empty apiKey', { apiKey: '' }, 'apiKey', /must not be empty/],
    ['an unknown apiKeyHeader', { apiKeyHeader: 'cookie' }, 'apiKeyHeader', /apiKeyHeader/],
    ['an AMS-only option', { token: 'abcd' }, '(options)', /unknown option.*"token"/],
    ['a baseUrl with credentials', { baseUrl: 'https://u:p@ram.test' }, 'baseUrl', /cred/],
  ];

  it.each(cases)('rejects %s', (_name, options, field, message) => {
    const error = configError(ramWith(options));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('Redis Agent Memory client');
  });
});

describe('secrets in configuration errors', () => {
  // These values are invalid as HTTP header values. Without validation at construction, `Headers`
  // throws a TypeError quoting the whole value on the first request: the secret in an error.
  const badSecrets = [
    'sk-live-SECRET\nX-Injected: 1',
    'sk-live-SECRET\u2026ellipsis',
    'sk-live-SECRET\u0000nul',
  ];

  it.each(badSecrets)(
    'refuses an API key that is not a header value, without quoting it',
    (key) => {
      const error = configError(ramWith({ apiKey: key }));
      expect(error.field).toBe('apiKey');
      expect(error.message).toMatch(/header value/);
      expect(error.message).not.toContain('sk-live-SECRET');
      expect(JSON.stringify(error)).not.toContain('sk-live-SECRET');
      expect(String(error.stack)).not.toContain('sk-live-SECRET');
    },
  );

  it.each(badSecrets)('refuses such a token too, without quoting it', (token) => {
    const error = configError(amsWith({ baseUrl: AMS, token }));
    expect(error.field).toBe('token');
    expect(error.message).not.toContain('sk-live-SECRET');
  });

  it('refuses a secret header value that is not a header value, without quoting it', () => {
    const error = configError(amsWith({ baseUrl: AMS, headers: { cookie: 'sid=SECRET\n' } }));
    expect(error.field).toBe('headers.cookie');
    expect(error.message).not.toContain('SECRET');
  });

  it('does not echo credentials placed in the baseUrl', () => {
    const error = configError(amsWith({ baseUrl: 'http://user:pw-S3CRET@ams.test' }));
    expect(error.field).toBe('baseUrl');
    expect(error.message).toMatch(/must not contain credentials/);
    expect(error.message).not.toContain('pw-S3CRET');
    expect(JSON.stringify(error)).not.toContain('pw-S3CRET');
  });

  it('does not echo a valid secret when another option is invalid', () => {
    const error = configError(ramWith({ apiKey: 'valid-S3CRET-key', timeoutMs: -1 }));
    expect(error.field).toBe('timeoutMs');
    expect(error.message).not.toContain('valid-S3CRET-key');
  });
});

describe('defaults', () => {
  // The attempt's timer is armed with the timeout; which delays were asked for is what matters.
  const armedDelays = (spy: { mock: { calls: unknown[][] } }): unknown[] =>
    spy.mock.calls.map((call) => call[1]);

  it('times each attempt out after 30 s by default', async () => {
    const timer = vi.spyOn(globalThis, 'setTimeout');
    nock(AMS).get('/v1/health').reply(200, { now: 1 });
    await createAgentMemoryServerClient({ baseUrl: AMS }).GET('/v1/health');
    expect(armedDelays(timer)).toContain(30_000);
  });

  it('uses the configured timeout instead', async () => {
    const timer = vi.spyOn(globalThis, 'setTimeout');
    nock(AMS).get('/v1/health').reply(200, { now: 1 });
    await createAgentMemoryServerClient({ baseUrl: AMS, timeoutMs: 1234 }).GET('/v1/health');
    expect(armedDelays(timer)).toContain(1234);
    expect(armedDelays(timer)).not.toContain(30_000);
  });

  it('retries twice with full jitter under 200 ms, doubling, by default', async () => {
    // random() = 0.5 makes each delay half its ceiling: 0.5 * 200 and 0.5 * 400.
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const wire = new Wire();
    nock(AMS)
      .get('/v1/health')
      .times(3)
      .reply(wire.reply(() => [503, { detail: 'busy' }]));
    const { events, onDebug } = debugRecorder();
    const { response } = await createAgentMemoryServerClient({ baseUrl: AMS, onDebug }).GET(
      '/v1/health',
    );
    expect(response.status).toBe(503);
    expect(wire.count).toBe(3);
    expect(events.filter((e) => e.type === 'retry').map((e) => e.delayMs)).toEqual([100, 200]);
  });

  it('waits for a Retry-After of up to 30 s by default, not longer', async () => {
    const controller = new AbortController();
    const { events, onDebug } = debugRecorder();
    const client = createAgentMemoryServerClient({
      baseUrl: AMS,
      onDebug: (event) => {
        onDebug(event);
        // The planned wait is reported before it starts; stop there instead of waiting 30 s.
        if (event.type === 'retry') controller.abort();
      },
    });
    nock(AMS).get('/v1/health').reply(503, {}, { 'Retry-After': '30' });
    await rejectionOf(client.GET('/v1/health', { signal: controller.signal }));
    expect(events.find((e) => e.type === 'retry')?.delayMs).toBe(30_000);

    nock(AMS).get('/v1/health').reply(503, {}, { 'Retry-After': '31' });
    const { response } = await client.GET('/v1/health');
    expect(response.status).toBe(503);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(1);
  });

  it('sends the managed API key as a Bearer token by default', async () => {
    const wire = new Wire();
    nock(RAM)
      .get('/health')
      .reply(wire.reply(() => [200, { status: 'healthy' }]));
    await createRedisAgentMemoryClient({ baseUrl: RAM, storeId: STORE, apiKey: 'key-1' }).GET(
      '/health',
    );
    expect(wire.requests[0]?.headers.authorization).toBe('Bearer key-1');
  });
});
