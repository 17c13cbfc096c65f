/** Builds the store for the configured backend: the session layer's only module that knows every backend. */
import { OPENSOURCE_AGENT_MEMORY_BACKEND } from '../shared/backend.js';
import { createConnection } from '../shared/connection.js';
import { OpensourceAgentMemoryStore } from './opensource-agent-memory/store.js';
import { RedisAgentMemoryStore } from './redis-agent-memory/store.js';
import type { ResolvedSessionServiceConfig } from './config.js';
import type { SessionStore } from './store.js';

export function createSessionStore(config: ResolvedSessionServiceConfig): SessionStore {
  const connection = createConnection(config);
  const common = {
    serverId: connection.serverId,
    defaultNamespace: config.defaultNamespace,
    singleWriter: config.singleWriter,
    listConcurrency: config.listConcurrency,
  };
  if (connection.backend === OPENSOURCE_AGENT_MEMORY_BACKEND) {
    return new OpensourceAgentMemoryStore(connection.client, {
      ...common,
      sessionTtlSeconds: config.sessionTtlSeconds,
      strategy: config.extractionStrategy
        ? { strategy: config.extractionStrategy, config: config.extractionStrategyConfig ?? {} }
        : undefined,
      modelName: config.modelName,
      contextWindowMax: config.contextWindowMax,
    });
  }
  return new RedisAgentMemoryStore(connection.client, {
    ...common,
    maxEventBytes: config.maxEventBytes,
  });
}
