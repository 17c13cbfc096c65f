/**
 * The backends, by the one name each has everywhere: the `backend` config option, errors' and
 * debug events' `backend` field, and the folders of backend-specific code.
 */
import type { BackendName } from '../clients/index.js';

/** The managed Redis Agent Memory Data Plane API (API key and store id). */
export const REDIS_AGENT_MEMORY_BACKEND = 'redis-agent-memory';
/** The self-hosted Agent Memory Server, where sessions are working memory. */
export const OPENSOURCE_AGENT_MEMORY_BACKEND = 'opensource-agent-memory';

/** Every backend, the default first. */
export const SERVICE_BACKENDS = [
  REDIS_AGENT_MEMORY_BACKEND,
  OPENSOURCE_AGENT_MEMORY_BACKEND,
] as const;

/** A backend's name. */
export type ServiceBackend = (typeof SERVICE_BACKENDS)[number];

// The clients name the same backends in their errors and debug events: both lists must agree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const namesAgree: Same<ServiceBackend, BackendName> = true;
void namesAgree;

/** Whether a value names a backend. */
export function isServiceBackend(value: unknown): value is ServiceBackend {
  return (SERVICE_BACKENDS as readonly unknown[]).includes(value);
}
