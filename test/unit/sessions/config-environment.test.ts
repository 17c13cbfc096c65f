/** Environment variables fill unset config fields, per backend; explicit config wins. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../../src/index.js';
import { resolveSessionServiceConfig } from '../../../src/sessions/config.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('environment defaults', () => {
  it('fill the managed backend from REDIS_AGENT_MEMORY_*', () => {
    vi.stubEnv('REDIS_AGENT_MEMORY_API_BASE_URL', 'https://memory.example');
    vi.stubEnv('REDIS_AGENT_MEMORY_API_KEY', 'key-from-env');
    vi.stubEnv('REDIS_AGENT_MEMORY_STORE_ID', 'store-from-env');
    const config = resolveSessionServiceConfig(undefined);
    expect(config).toMatchObject({
      backend: 'redis-agent-memory',
      apiBaseUrl: 'https://memory.example',
      apiKey: 'key-from-env',
      storeId: 'store-from-env',
    });
  });

  it('fill the AMS backend from AMS_BASE_URL and AMS_TOKEN, not from the managed variables', () => {
    vi.stubEnv('AMS_BASE_URL', 'http://ams.example:8000');
    vi.stubEnv('AMS_TOKEN', 'token-from-env');
    vi.stubEnv('REDIS_AGENT_MEMORY_API_KEY', 'managed-key');
    const config = resolveSessionServiceConfig({ backend: 'opensource-agent-memory' });
    expect(config.apiBaseUrl).toBe('http://ams.example:8000');
    expect(config.apiKey).toBe('token-from-env');
  });

  it('never override an explicit value, and ignore empty variables', () => {
    vi.stubEnv('AMS_BASE_URL', 'http://from-env:8000');
    vi.stubEnv('AMS_TOKEN', '');
    const config = resolveSessionServiceConfig({
      backend: 'opensource-agent-memory',
      apiBaseUrl: 'http://explicit:8000',
    });
    expect(config.apiBaseUrl).toBe('http://explicit:8000');
    expect(config.apiKey).toBeUndefined();
  });

  it('validate values from the environment like any other', () => {
    vi.stubEnv('REDIS_AGENT_MEMORY_STORE_ID', 'not a valid id');
    const error = (() => {
      try {
        return resolveSessionServiceConfig({ apiKey: 'k' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).field).toBe('storeId');
  });
});
