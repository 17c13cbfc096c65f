/**
 * The public entry exports what the README documents for users, and nothing that only the services
 * use (config schemas of the clients, header helpers, `backendErrorFrom`).
 */
import { describe, expect, it } from 'vitest';
import * as amsEntry from '../../src/agent-memory-server.js';
import * as main from '../../src/index.js';
import * as ramEntry from '../../src/redis-agent-memory.js';

const MEMORY = [
  'MemoryError',
  'MemoryWriteError',
  'RedisLongTermMemoryService',
  'redisLongTermMemoryServiceConfigSchema',
];

const TOOLS = [
  'CreateMemoryTool',
  'DeleteMemoryTool',
  'GetMemoryTool',
  'KnownMemoryIds',
  'MEMORY_TOOL_NAMES',
  'MemoryIngestion',
  'MemoryIngestionPlugin',
  'MemoryPromptTool',
  'MemoryTool',
  'SearchMemoryTool',
  'UpdateMemoryTool',
  'createMemoryIngestionCallback',
  'createMemoryTools',
  'enrichedPrompt',
  'memoryToolErrorOf',
];

const SHARED = [
  'AdkRedisError',
  'AuthenticationError',
  'BackendError',
  'ConfigurationError',
  'EndpointNotFoundError',
  'InvalidArgumentError',
  'MalformedResponseError',
  'NetworkError',
  'StoreNotFoundError',
  'TimeoutError',
  'VERSION',
  'WrongApiError',
  'isAdkRedisError',
  'retrySafe',
  'unwrap',
];

describe('public entry points', () => {
  it('adk-redis exports exactly the documented names', () => {
    expect(Object.keys(main).sort()).toEqual(
      [
        ...SHARED,
        ...MEMORY,
        ...TOOLS,
        'EventTooLargeError',
        'OPENSOURCE_AGENT_MEMORY_BACKEND',
        'REDIS_AGENT_MEMORY_BACKEND',
        'REDIS_AGENT_MEMORY_ID_PATTERN',
        'RedisSessionMemoryService',
        'RedisWorkingMemorySessionService',
        'RedisWorkingMemorySessionServiceConfig',
        'SessionAlreadyExistsError',
        'SessionError',
        'SessionHistoryMissingError',
        'SessionIdCollisionError',
        'SessionNotFoundError',
        'StaleSessionError',
        'createAgentMemoryServerClient',
        'createRedisAgentMemoryClient',
        'getSessionRetention',
        'redisSessionMemoryServiceConfigSchema',
      ].sort(),
    );
  });

  it('the client entries export their client and the shared names', () => {
    expect(Object.keys(amsEntry).sort()).toEqual(
      [...SHARED, 'createAgentMemoryServerClient'].sort(),
    );
    expect(Object.keys(ramEntry).sort()).toEqual(
      [...SHARED, 'REDIS_AGENT_MEMORY_ID_PATTERN', 'createRedisAgentMemoryClient'].sort(),
    );
  });

  it('internal helpers are not exported', () => {
    for (const name of [
      'backendErrorFrom',
      'baseUrlSchema',
      'isHeaderValue',
      'retryOptionsSchema',
      'RETRY_SAFE_HEADER',
      'USER_AGENT',
    ]) {
      expect(main).not.toHaveProperty(name);
    }
  });
});
