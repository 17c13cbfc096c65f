/**
 * The memory ids each user has been shown in this process, so that `update_memory` and
 * `delete_memory` act only on ids that a search, create or get returned for that user (an id the
 * model invents or copies from elsewhere is refused before anything is sent).
 */
import { RecentMap } from '../shared/recent.js';
import type { MemoryScope } from './service.js';

/** Bounds of a {@link KnownMemoryIds}. */
export interface KnownMemoryIdsOptions {
  /** Users remembered at once (least recently seen dropped first; default 10 000). */
  maxUsers?: number;
  /** Ids remembered per user (oldest dropped first; default 1 000). */
  maxIdsPerUser?: number;
}

/** Per (app, user), the memory ids the tools returned to that user, bounded. */
export class KnownMemoryIds {
  private readonly users: RecentMap<string, Set<string>>;
  private readonly maxIdsPerUser: number;

  constructor(options: KnownMemoryIdsOptions = {}) {
    this.users = new RecentMap(options.maxUsers ?? 10_000);
    this.maxIdsPerUser = options.maxIdsPerUser ?? 1_000;
  }

  /** Records ids returned to this user. */
  remember(scope: MemoryScope, ids: Iterable<string>): void {
    const key = scopeKey(scope);
    const known = this.users.get(key) ?? new Set<string>();
    for (const id of ids) {
      known.delete(id); // re-inserted as the newest
      known.add(id);
      if (known.size > this.maxIdsPerUser) known.delete(known.values().next().value!);
    }
    this.users.set(key, known);
  }

  /** Whether this id was returned to this user. */
  has(scope: MemoryScope, id: string): boolean {
    return this.users.get(scopeKey(scope))?.has(id) ?? false;
  }

  /** Forgets an id (deleted, or no longer this user's). */
  forget(scope: MemoryScope, id: string): void {
    this.users.get(scopeKey(scope))?.delete(id);
  }
}

function scopeKey(scope: MemoryScope): string {
  return JSON.stringify([scope.appName, scope.userId]);
}

const registries = new WeakMap<object, KnownMemoryIds>();

/** The registry shared by every tool built on this service (tools built separately agree). */
export function knownIdsOf(service: object): KnownMemoryIds {
  let registry = registries.get(service);
  if (!registry) {
    registry = new KnownMemoryIds();
    registries.set(service, registry);
  }
  return registry;
}
