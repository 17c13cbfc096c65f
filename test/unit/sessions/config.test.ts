/**
 * Session service configuration (src/sessions/config.ts): defaults, one ConfigurationError naming
 * the field for each invalid value, camelCase hints for snake_case keys, and no secret in errors.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/clients/index.js';
import { resolveSessionServiceConfig } from '../../../src/sessions/config.js';
import { RedisSessionMemoryService } from '../../../src/sessions/index.js';

/** The self-hosted backend: needs no storeId, so only the field under test can fail. */
const AMS = { backend: 'opensource-agent-memory' } as const;

function configError(run: () => unknown): ConfigurationError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigurationError);
  return caught as ConfigurationError;
}

describe('defaults', () => {
  it.each([
    ['only a storeId', { storeId: 'store-1', apiBaseUrl: 'http://localhost:8000' }],
    ['the AMS backend', { backend: 'opensource-agent-memory' }],
  ])('%s resolves to the documented defaults', (what, input) => {
    const resolved = resolveSessionServiceConfig(input);
    expect(resolved.backend).toBe(
      what === 'only a storeId' ? 'redis-agent-memory' : 'opensource-agent-memory',
    );
    expect(resolved.apiBaseUrl).toBe('http://localhost:8000');
    expect(resolved.timeout).toBe(30);
    expect(resolved.timeoutMs).toBe(30_000);
    expect(resolved.singleWriter).toBe(false);
    expect(resolved.listConcurrency).toBe(8);
    expect(resolved.apiKey).toBeUndefined();
    expect(resolved.sessionTtlSeconds).toBeUndefined();
    expect(resolved.extractionStrategy).toBeUndefined();
  });

  it.each([
    ['no config', undefined],
    ['an empty object', {}],
  ])('%s picks the managed backend, which needs a storeId', (_what, input) => {
    expect(configError(() => resolveSessionServiceConfig(input)).field).toBe('storeId');
  });

  it('timeout is in seconds and becomes timeoutMs', () => {
    expect(resolveSessionServiceConfig({ ...AMS, timeout: 2.5 }).timeoutMs).toBe(2_500);
    expect(resolveSessionServiceConfig({ ...AMS, timeout: 600 }).timeoutMs).toBe(600_000);
  });

  it('timeoutMs overrides timeout', () => {
    expect(resolveSessionServiceConfig({ ...AMS, timeout: 5, timeoutMs: 1_234 }).timeoutMs).toBe(
      1_234,
    );
    expect(resolveSessionServiceConfig({ ...AMS, timeoutMs: 7 }).timeoutMs).toBe(7);
  });

  it('keeps every given valid value', () => {
    const onDebug = (): void => {};
    const resolved = resolveSessionServiceConfig({
      backend: 'opensource-agent-memory',
      apiBaseUrl: 'https://ams.example:9000/base',
      defaultNamespace: 'shared',
      modelName: 'gpt-4o',
      contextWindowMax: 8_000,
      extractionStrategy: 'custom',
      extractionStrategyConfig: { custom_prompt: 'p' },
      sessionTtlSeconds: 3_600,
      singleWriter: true,
      listConcurrency: 64,
      headers: { 'x-team': 'a' },
      onDebug,
    });
    expect(resolved).toMatchObject({
      backend: 'opensource-agent-memory',
      apiBaseUrl: 'https://ams.example:9000/base',
      defaultNamespace: 'shared',
      modelName: 'gpt-4o',
      contextWindowMax: 8_000,
      extractionStrategy: 'custom',
      extractionStrategyConfig: { custom_prompt: 'p' },
      sessionTtlSeconds: 3_600,
      singleWriter: true,
      listConcurrency: 64,
      headers: { 'x-team': 'a' },
    });
    expect(resolved.onDebug).toBe(onDebug);
  });
});

describe('invalid values throw ConfigurationError naming the field', () => {
  it.each<[string, Record<string, unknown>]>([
    ['backend', { backend: 'redis' }],
    ['backend', { backend: 'OPENSOURCE-AGENT-MEMORY' }],
    ['apiBaseUrl', { apiBaseUrl: 'not a url' }],
    ['apiBaseUrl', { apiBaseUrl: 'localhost:8000' }],
    ['apiBaseUrl', { apiBaseUrl: 'ftp://ams.test' }],
    ['apiBaseUrl', { apiBaseUrl: 'http://user:pw@ams.test' }],
    ['apiBaseUrl', { apiBaseUrl: 'http://ams.test/?x=1' }],
    ['apiBaseUrl', { apiBaseUrl: 42 }],
    ['apiKey', { apiKey: '   ' }],
    ['apiKey', { apiKey: 123 }],
    ['timeout', { timeout: 0 }],
    ['timeout', { timeout: -1 }],
    ['timeout', { timeout: 601 }],
    ['timeout', { timeout: '30' }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: 1.5 }],
    ['timeoutMs', { timeoutMs: 600_001 }],
    ['defaultNamespace', { defaultNamespace: '' }],
    ['modelName', { modelName: ' ' }],
    ['contextWindowMax', { contextWindowMax: 0 }],
    ['contextWindowMax', { contextWindowMax: 10.5 }],
    ['sessionTtlSeconds', { sessionTtlSeconds: 0 }],
    ['sessionTtlSeconds', { sessionTtlSeconds: -60 }],
    ['extractionStrategy', { extractionStrategy: 'x' }],
    ['extractionStrategyConfig', { extractionStrategyConfig: 'x' }],
    ['singleWriter', { singleWriter: 'yes' }],
    ['listConcurrency', { listConcurrency: 0 }],
    ['listConcurrency', { listConcurrency: 65 }],
    ['storeId', { backend: 'redis-agent-memory', storeId: '' }],
    ['storeId', { backend: 'redis-agent-memory', storeId: 'store 1' }],
    ['storeId', { backend: 'redis-agent-memory', storeId: 's'.repeat(65) }],
    ['retry.maxRetries', { retry: { maxRetries: -1 } }],
    ['fetch', { fetch: 'not a function' }],
    ['onDebug', { onDebug: {} }],
    ['headers.x', { headers: { x: 1 } }],
  ])('%s: %o', (field, input) => {
    const error = configError(() => resolveSessionServiceConfig({ ...AMS, ...input }));
    expect(error.field).toBe(field);
    expect(error.message).toContain(field.split('.')[0]!);
  });

  it('the service constructor reports the same field', () => {
    const error = configError(
      () =>
        new RedisSessionMemoryService({
          backend: 'opensource-agent-memory',
          sessionTtlSeconds: 0,
        }),
    );
    expect(error.field).toBe('sessionTtlSeconds');
  });

  it('a config that is not an object is refused as a whole', () => {
    for (const input of [null, 'http://ams.test', 42]) {
      expect(configError(() => resolveSessionServiceConfig(input)).field).toBe('(config)');
    }
  });
});

describe('unknown options', () => {
  it('a snake_case key names itself and suggests the camelCase option', () => {
    const error = configError(() =>
      resolveSessionServiceConfig({ ...AMS, api_base_url: 'http://ams.test' }),
    );
    expect(error.field).toBe('api_base_url');
    expect(error.message).toContain('"apiBaseUrl"');
  });

  it.each([
    ['session_ttl_seconds', '"sessionTtlSeconds"'],
    ['context_window_max', '"contextWindowMax"'],
  ])('%s suggests %s', (key, hint) => {
    const error = configError(() => resolveSessionServiceConfig({ ...AMS, [key]: 1 }));
    expect(error.field).toBe(key);
    expect(error.message).toContain(hint);
  });

  it('another unknown key is named without a suggestion', () => {
    const error = configError(() =>
      resolveSessionServiceConfig({ ...AMS, baseUrl: 'http://ams.test' }),
    );
    expect(error.field).toBe('baseUrl');
    expect(error.message).not.toContain('did you mean');
  });
});

describe('secrets never reach an error', () => {
  const SECRET = 'sk-live-7f3a9c1e5b2d4086';

  function expectNoSecret(error: ConfigurationError, secret: string): void {
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error)).not.toContain(secret);
    expect(JSON.stringify(error.toJSON())).not.toContain(secret);
    expect(String(error)).not.toContain(secret);
    expect(error.stack ?? '').not.toContain(secret);
  }

  it('a valid key next to an invalid field', () => {
    const error = configError(() =>
      resolveSessionServiceConfig({ ...AMS, apiKey: SECRET, apiBaseUrl: 'ftp://ams.test' }),
    );
    expect(error.field).toBe('apiBaseUrl');
    expectNoSecret(error, SECRET);
  });

  it('credentials inside apiBaseUrl', () => {
    const error = configError(() =>
      resolveSessionServiceConfig({ ...AMS, apiBaseUrl: `https://key:${SECRET}@ams.test` }),
    );
    expect(error.field).toBe('apiBaseUrl');
    expectNoSecret(error, SECRET);
  });

  it('a key given under a snake_case name', () => {
    const error = configError(() => resolveSessionServiceConfig({ ...AMS, api_key: SECRET }));
    expect(error.field).toBe('api_key');
    expect(error.message).toContain('"apiKey"');
    expectNoSecret(error, SECRET);
  });

  it.each([
    ['a newline', `${SECRET}\nX-Injected: 1`],
    ['a non-Latin-1 character', `${SECRET}✓`],
  ])('a key with %s is refused without being quoted', (_what, badKey) => {
    const error = configError(
      () =>
        new RedisSessionMemoryService({
          backend: 'opensource-agent-memory',
          apiBaseUrl: 'http://ams.test',
          apiKey: badKey,
        }),
    );
    expectNoSecret(error, SECRET);
  });
});

describe('backends', () => {
  it('opensource-agent-memory constructs a service reporting its backend', () => {
    const service = new RedisSessionMemoryService({
      backend: 'opensource-agent-memory',
      apiBaseUrl: 'http://ams.test',
    });
    expect(service.backend).toBe('opensource-agent-memory');
  });
});
