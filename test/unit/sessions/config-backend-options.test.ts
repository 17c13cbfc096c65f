/**
 * Config that used to be silent or surprising: the backend from ADK_REDIS_BACKEND, the managed
 * backend's required endpoint, options the chosen backend ignores (a warning, once, with a code),
 * nested option paths and units in messages, the overall deadline, and unit tests that do not
 * depend on the shell's environment.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../../src/index.js';
import { resolveSessionServiceConfig } from '../../../src/sessions/config.js';
import { DOCUMENTED_ENVIRONMENT } from '../../../src/shared/config.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function configError(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

const MANAGED = { storeId: 'store-1', apiBaseUrl: 'https://memory.example' };

describe('the unit suite is independent of the shell', () => {
  it('no documented variable is set while unit tests run', () => {
    for (const name of DOCUMENTED_ENVIRONMENT) expect(process.env[name]).toBeUndefined();
    expect(DOCUMENTED_ENVIRONMENT).toEqual(
      expect.arrayContaining(['AMS_BASE_URL', 'AMS_TOKEN', 'ADK_REDIS_BACKEND']),
    );
  });
});

describe('ADK_REDIS_BACKEND', () => {
  it('selects the backend when the config does not', () => {
    vi.stubEnv('ADK_REDIS_BACKEND', 'opensource-agent-memory');
    vi.stubEnv('AMS_BASE_URL', 'http://ams.example:8000');
    expect(resolveSessionServiceConfig({})).toMatchObject({
      backend: 'opensource-agent-memory',
      apiBaseUrl: 'http://ams.example:8000',
    });
  });

  it('loses to an explicit backend', () => {
    vi.stubEnv('ADK_REDIS_BACKEND', 'opensource-agent-memory');
    expect(resolveSessionServiceConfig({ ...MANAGED, backend: 'redis-agent-memory' }).backend).toBe(
      'redis-agent-memory',
    );
  });

  it('an unknown value names the variable', () => {
    vi.stubEnv('ADK_REDIS_BACKEND', 'redis');
    const error = configError(() => resolveSessionServiceConfig({}));
    expect(error.field).toBe('backend');
    expect(error.message).toContain('ADK_REDIS_BACKEND');
  });
});

describe('the managed backend needs its endpoint', () => {
  it('refuses a managed config without apiBaseUrl instead of using the AMS port', () => {
    const error = configError(() => resolveSessionServiceConfig({ storeId: 'store-1' }));
    expect(error.field).toBe('apiBaseUrl');
    expect(error.message).toContain('REDIS_AGENT_MEMORY_API_BASE_URL');
  });

  it('takes it from REDIS_AGENT_MEMORY_API_BASE_URL', () => {
    vi.stubEnv('REDIS_AGENT_MEMORY_API_BASE_URL', 'https://memory.example');
    expect(resolveSessionServiceConfig({ storeId: 'store-1' }).apiBaseUrl).toBe(
      'https://memory.example',
    );
  });

  it('AMS keeps its default', () => {
    expect(resolveSessionServiceConfig({ backend: 'opensource-agent-memory' }).apiBaseUrl).toBe(
      'http://localhost:8000',
    );
  });
});

describe('options the chosen backend ignores', () => {
  it.each([
    ['sessionTtlSeconds', { ...MANAGED, sessionTtlSeconds: 60 }],
    ['modelName', { ...MANAGED, modelName: 'gpt-4o' }],
    ['extractionStrategy', { ...MANAGED, extractionStrategy: 'summary' }],
    ['storeId', { backend: 'opensource-agent-memory', storeId: 'store-1' }],
    ['maxEventBytes', { backend: 'opensource-agent-memory', maxEventBytes: 4096 }],
  ])('%s warns once per process with a code', (option, input) => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    resolveSessionServiceConfig(input);
    resolveSessionServiceConfig(input);
    const mine = warn.mock.calls.filter(([message]) => String(message).includes(`"${option}"`));
    expect(mine).toHaveLength(1);
    expect(mine[0]![1]).toMatchObject({ code: 'ADK_REDIS_W_IGNORED_OPTION' });
  });

  it('options the backend reads do not warn', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    resolveSessionServiceConfig({ ...MANAGED, maxEventBytes: 4096, listConcurrency: 2 });
    resolveSessionServiceConfig({
      backend: 'opensource-agent-memory',
      sessionTtlSeconds: 60,
      contextWindowMax: 1000,
    });
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('messages', () => {
  it('an unknown nested option is named by its full path', () => {
    const error = configError(() =>
      resolveSessionServiceConfig({ ...MANAGED, retry: { retries: 3 } }),
    );
    expect(error.field).toBe('retry.retries');
    expect(error.message).toContain('"retry.retries"');
  });

  it('the timeout error names its unit', () => {
    const error = configError(() => resolveSessionServiceConfig({ ...MANAGED, timeout: 30_000 }));
    expect(error.field).toBe('timeout');
    expect(error.message).toContain('seconds');
  });
});

describe('the overall deadline', () => {
  it('defaults to twice the timeout, in milliseconds', () => {
    expect(resolveSessionServiceConfig({ ...MANAGED, timeout: 5 }).deadlineMs).toBe(10_000);
  });

  it('deadline is in seconds; deadlineMs overrides it', () => {
    expect(resolveSessionServiceConfig({ ...MANAGED, deadline: 45 }).deadlineMs).toBe(45_000);
    expect(
      resolveSessionServiceConfig({ ...MANAGED, deadline: 45, deadlineMs: 40_000 }).deadlineMs,
    ).toBe(40_000);
  });

  it('may not be shorter than one attempt', () => {
    expect(
      configError(() => resolveSessionServiceConfig({ ...MANAGED, timeout: 10, deadline: 5 }))
        .field,
    ).toBe('deadline');
  });
});
