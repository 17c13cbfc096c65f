/**
 * Namespaces and owners of long-term memories on Redis Agent Memory, exactly as the Python
 * adk-redis computes them, so memories written by either package are found by the other.
 */
import { REDIS_AGENT_MEMORY_ID_PATTERN } from '../../clients/index.js';
import { managedIdentifier, pythonSanitize } from '../../shared/redis-agent-memory/ids.js';

/**
 * The memory namespace of `resolved` (`defaultNamespace ?? appName`): the Python sanitising when it
 * gives a valid id, else the session service's injective mapping (`h-` + hash).
 */
export function memoryNamespace(resolved: string): string {
  const sanitized = pythonSanitize(resolved);
  return REDIS_AGENT_MEMORY_ID_PATTERN.test(sanitized) ? sanitized : managedIdentifier(resolved);
}

/** `ownerId` and `sessionId` values: the id itself when valid, else the session service's mapping. */
export const memoryOwner = managedIdentifier;
