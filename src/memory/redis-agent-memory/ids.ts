/**
 * Namespaces and owners of long-term memories on Redis Agent Memory, exactly as the Python
 * adk-redis computes them, so memories written by either package are found by the other.
 */
import { REDIS_AGENT_MEMORY_ID_PATTERN } from '../../clients/index.js';
import { managedIdentifier } from '../../shared/redis-agent-memory/ids.js';

/**
 * The Python package's `sanitize_managed_identifier` (lossy): surrounding whitespace trimmed, each
 * run of characters other than letters, digits and `-` becomes one `-`, and leading and trailing
 * `-` are stripped. (Session storage ids use the session service's own rule.)
 */
export function pythonManagedIdentifier(value: string): string {
  return value
    .trim()
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The memory namespace of `resolved` (`defaultNamespace ?? appName`): the Python sanitising when it
 * gives a valid id, else the session service's injective mapping (`h-` + hash).
 */
export function memoryNamespace(resolved: string): string {
  const sanitized = pythonManagedIdentifier(resolved);
  return REDIS_AGENT_MEMORY_ID_PATTERN.test(sanitized) ? sanitized : managedIdentifier(resolved);
}

/** `ownerId` and `sessionId` values: the id itself when valid, else the session service's mapping. */
export const memoryOwner = managedIdentifier;
