/**
 * Where a session's records live and whom they name: its storage id, namespace and actor ids. A
 * storage id is a SHA-256 that every call needs several times, so the addresses of recently used
 * sessions are kept.
 */
import { scopeOf } from '../../shared/namespace.js';
import {
  managedIdentifier,
  pythonSanitize,
  storageSessionId,
} from '../../shared/redis-agent-memory/ids.js';
import type { SessionKey } from '../errors.js';
import type { EventAddress } from './records.js';

const CACHE_LIMIT = 1000;

export class SessionAddresses {
  private readonly addresses = new Map<string, EventAddress>();

  constructor(private readonly defaultNamespace: string | undefined) {}

  /** The session's address (kept for the next {@link CACHE_LIMIT} sessions at most). */
  of(key: SessionKey): EventAddress {
    const id = `${key.appName}\u0000${key.userId}\u0000${key.sessionId}`;
    let address = this.addresses.get(id);
    if (!address) {
      address = this.compute(key);
      if (this.addresses.size >= CACHE_LIMIT) this.addresses.clear();
      this.addresses.set(id, address);
    }
    return address;
  }

  /** The namespace the app's records are sent with. */
  namespaceOf(appName: string): string {
    return managedIdentifier(scopeOf(appName, this.defaultNamespace).namespace);
  }

  private compute(key: SessionKey): EventAddress {
    const { namespace, appQualifier } = scopeOf(key.appName, this.defaultNamespace);
    return {
      sessionId: storageSessionId(namespace, key.userId, key.sessionId, appQualifier),
      namespace: managedIdentifier(namespace),
      userActor: managedIdentifier(key.userId),
      actorOf: managedIdentifier,
      pythonNamespace: pythonSanitize(namespace),
    };
  }
}
