/** Names kept from earlier releases; each warns once per process. Removed in 0.1.0. */
import type { RedisSessionMemoryServiceConfig } from './config.js';
import { RedisSessionMemoryService } from './service.js';

const warned = new Set<string>();

function warnOnce(oldName: string, newName: string): void {
  if (warned.has(oldName)) return;
  warned.add(oldName);
  process.emitWarning(`${oldName} is deprecated; use ${newName}. It will be removed in 0.1.0.`, {
    type: 'DeprecationWarning',
    code: 'ADK_REDIS_DEP0001',
  });
}

/**
 * @deprecated Use {@link RedisSessionMemoryServiceConfig}. Removed in 0.1.0.
 */
export type RedisWorkingMemorySessionServiceConfig = RedisSessionMemoryServiceConfig;

/**
 * Returns the config unchanged, for code ported from the Python package's config class.
 * @deprecated Use a {@link RedisSessionMemoryServiceConfig} object. Removed in 0.1.0.
 */
export function RedisWorkingMemorySessionServiceConfig(
  config: RedisSessionMemoryServiceConfig = {},
): RedisSessionMemoryServiceConfig {
  warnOnce('RedisWorkingMemorySessionServiceConfig', 'RedisSessionMemoryServiceConfig');
  return config;
}

/**
 * @deprecated Use {@link RedisSessionMemoryService}. Removed in 0.1.0.
 */
export class RedisWorkingMemorySessionService extends RedisSessionMemoryService {
  constructor(config?: RedisSessionMemoryServiceConfig) {
    warnOnce('RedisWorkingMemorySessionService', 'RedisSessionMemoryService');
    super(config);
  }
}
