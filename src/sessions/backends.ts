/** Builds the store for the configured backend: the only module that knows every backend. */
import { createAgentMemoryServerClient, createRedisAgentMemoryClient } from '../clients/index.js';
import { AgentMemoryServerStore } from './agent-memory-server/store.js';
import { RedisAgentMemoryStore } from './redis-agent-memory/store.js';
import { OPENSOURCE_AGENT_MEMORY_BACKEND, type ResolvedSessionServiceConfig } from './config.js';
import type { SessionStore } from './store.js';

export function createSessionStore(config: ResolvedSessionServiceConfig): SessionStore {
  const clientOptions = {
    baseUrl: config.apiBaseUrl,
    timeoutMs: config.timeoutMs,
    ...(config.retry ? { retry: config.retry } : {}),
    ...(config.fetch ? { fetch: config.fetch } : {}),
    ...(config.headers ? { headers: config.headers } : {}),
    ...(config.onDebug ? { onDebug: config.onDebug } : {}),
  };
  if (config.backend === OPENSOURCE_AGENT_MEMORY_BACKEND) {
    const client = createAgentMemoryServerClient({
      ...clientOptions,
      ...(config.apiKey ? { token: config.apiKey } : {}),
    });
    return new AgentMemoryServerStore(client, {
      serverId: config.apiBaseUrl,
      defaultNamespace: config.defaultNamespace,
      sessionTtlSeconds: config.sessionTtlSeconds,
      strategy: config.extractionStrategy
        ? { strategy: config.extractionStrategy, config: config.extractionStrategyConfig ?? {} }
        : undefined,
      modelName: config.modelName,
      contextWindowMax: config.contextWindowMax,
      singleWriter: config.singleWriter,
      listConcurrency: config.listConcurrency,
    });
  }
  const client = createRedisAgentMemoryClient({
    ...clientOptions,
    storeId: config.storeId!,
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
  });
  return new RedisAgentMemoryStore(client, {
    serverId: `${config.apiBaseUrl} ${config.storeId!}`,
    defaultNamespace: config.defaultNamespace,
    singleWriter: config.singleWriter,
    listConcurrency: config.listConcurrency,
    maxEventBytes: config.maxEventBytes,
  });
}
