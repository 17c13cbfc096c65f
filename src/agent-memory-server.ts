/**
 * `adk-redis/agent-memory-server`: the Agent Memory Server's low-level client and its generated
 * OpenAPI types (`paths`, `components`, `operations`).
 * @packageDocumentation
 * @module adk-redis/agent-memory-server
 */
export {
  createAgentMemoryServerClient,
  type AgentMemoryServerClient,
  type AgentMemoryServerClientOptions,
} from './clients/agent-memory-server.js';
export type { paths, components, operations } from './generated/agent-memory-server.js';
export * from './common.js';
