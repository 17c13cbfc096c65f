/**
 * Deprecated aliases (src/sessions/deprecated.ts): they still work, and each warns once per
 * process with a DeprecationWarning coded ADK_REDIS_DEP0001 that names the 0.1.0 removal. The
 * "warned" set is module state, so every test imports a fresh copy of the modules.
 */
import {
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
  type MockInstance,
} from 'vitest';

import type * as deprecatedModule from '../../../src/sessions/deprecated.js';
import type * as serviceModule from '../../../src/sessions/service.js';

type DeprecatedModule = typeof deprecatedModule;
type ServiceModule = typeof serviceModule;

const CONFIG = { backend: 'opensource-agent-memory', apiBaseUrl: 'http://ams.test' } as const;

let emitWarning: MockInstance<typeof process.emitWarning>;

async function freshModules(): Promise<{ deprecated: DeprecatedModule; service: ServiceModule }> {
  vi.resetModules();
  const deprecated = await import('../../../src/sessions/deprecated.js');
  const service = await import('../../../src/sessions/service.js');
  return { deprecated, service };
}

/** The warnings emitted so far, as [message, options]. */
function warnings(): { message: string; type?: string; code?: string }[] {
  return emitWarning.mock.calls.map((call) => {
    const [warning, options] = call as unknown as [
      string | Error,
      { type?: string; code?: string },
    ];
    return {
      message: typeof warning === 'string' ? warning : warning.message,
      ...(options ?? {}),
    };
  });
}

// Transforms the module graph once, so each test's fresh import only re-evaluates it.
beforeAll(async () => {
  await import('../../../src/index.js');
});

beforeEach(() => {
  emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('RedisWorkingMemorySessionService', () => {
  it('is a RedisSessionMemoryService on the configured backend', async () => {
    const { deprecated, service } = await freshModules();
    const instance = new deprecated.RedisWorkingMemorySessionService(CONFIG);
    expect(instance).toBeInstanceOf(service.RedisSessionMemoryService);
    expect(instance.backend).toBe('opensource-agent-memory');
  });

  it('warns exactly once across two constructions', async () => {
    const { deprecated } = await freshModules();
    new deprecated.RedisWorkingMemorySessionService(CONFIG);
    new deprecated.RedisWorkingMemorySessionService(CONFIG);
    const seen = warnings();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'DeprecationWarning', code: 'ADK_REDIS_DEP0001' });
    expect(seen[0]!.message).toContain('RedisWorkingMemorySessionService');
    expect(seen[0]!.message).toContain('RedisSessionMemoryService');
    expect(seen[0]!.message).toContain('0.1.0');
  });

  it('the new name does not warn', async () => {
    const { service } = await freshModules();
    new service.RedisSessionMemoryService(CONFIG);
    expect(emitWarning).not.toHaveBeenCalled();
  });
});

describe('RedisWorkingMemorySessionServiceConfig', () => {
  it('returns its argument unchanged, and {} without one', async () => {
    const { deprecated } = await freshModules();
    const config = { ...CONFIG, sessionTtlSeconds: 60 };
    expect(deprecated.RedisWorkingMemorySessionServiceConfig(config)).toBe(config);
    expect(deprecated.RedisWorkingMemorySessionServiceConfig()).toEqual({});
  });

  it('warns exactly once across two calls', async () => {
    const { deprecated } = await freshModules();
    deprecated.RedisWorkingMemorySessionServiceConfig(CONFIG);
    deprecated.RedisWorkingMemorySessionServiceConfig(CONFIG);
    const seen = warnings();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'DeprecationWarning', code: 'ADK_REDIS_DEP0001' });
    expect(seen[0]!.message).toContain('RedisWorkingMemorySessionServiceConfig');
    expect(seen[0]!.message).toContain('0.1.0');
  });

  it('the config function and the class each warn once, separately', async () => {
    const { deprecated } = await freshModules();
    const config = deprecated.RedisWorkingMemorySessionServiceConfig(CONFIG);
    new deprecated.RedisWorkingMemorySessionService(config);
    new deprecated.RedisWorkingMemorySessionService(config);
    deprecated.RedisWorkingMemorySessionServiceConfig(CONFIG);
    const seen = warnings();
    expect(seen).toHaveLength(2);
    expect(seen.map((w) => w.code)).toEqual(['ADK_REDIS_DEP0001', 'ADK_REDIS_DEP0001']);
    expect(seen[0]!.message).toMatch(/^RedisWorkingMemorySessionServiceConfig is deprecated/);
    expect(seen[1]!.message).toMatch(/^RedisWorkingMemorySessionService is deprecated/);
  });
});

describe('the package entry point', () => {
  it('exports the deprecated names next to the new one', async () => {
    vi.resetModules();
    const entry = await import('../../../src/index.js');
    expect(new entry.RedisWorkingMemorySessionService(CONFIG)).toBeInstanceOf(
      entry.RedisSessionMemoryService,
    );
    expect(warnings()).toHaveLength(1);
  });
});
