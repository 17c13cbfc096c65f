/**
 * Listing an app's sessions. The API lists sessions by owner only, so each app keeps a registry of
 * its users (a reserved session, and long-term records that outlive it) that create fills in and a
 * listing across users reads; each user's sessions are then listed under the actor ids they may be
 * stored by, and each one found is read to check whose it is and to take its times.
 */
import { mapWithConcurrency } from '../../shared/concurrency.js';
import { managedIdentifier, pythonActorId } from '../../shared/redis-agent-memory/ids.js';
import type { SessionKey } from '../errors.js';
import type { ListedSession } from '../paging.js';
import type { SessionAddresses } from './addresses.js';
import type { ManagedSessions } from './http.js';
import { RESERVED_OWNER, reservedSessionIds } from './ids.js';
import { readSession, registeredUsers } from './reading.js';
import { scopeRecord, storedKeyOf } from './records.js';
import type { StateRecords } from './state-records.js';

export class SessionListing {
  /** Users this process has registered in their app's registry. */
  private readonly registered = new Set<string>();

  constructor(
    private readonly sessions: ManagedSessions,
    private readonly stateRecords: StateRecords,
    private readonly addresses: SessionAddresses,
    private readonly listConcurrency: number,
  ) {}

  async list(appName: string, userId: string | undefined): Promise<ListedSession[]> {
    const users = userId !== undefined ? [userId] : await this.registeredUsers(appName);
    const perUser = await mapWithConcurrency(users, this.listConcurrency, async (user) => {
      // Owners: our actor id for the user, and the Python package's (lossy) one when it differs.
      const owners = [
        ...new Set([managedIdentifier(user), pythonActorId(user)].filter((o) => o !== undefined)),
      ];
      const ids = new Set<string>();
      for (const owner of owners) for (const id of await this.sessions.list(owner)) ids.add(id);
      return [...ids].map((storageId) => ({ user, storageId }));
    });
    const listed = await mapWithConcurrency(
      perUser.flat(),
      this.listConcurrency,
      async ({ user, storageId }): Promise<ListedSession | undefined> => {
        const data = await this.sessions.get(storageId);
        const owner = data && storedKeyOf(data);
        if (
          !data ||
          owner?.appName !== appName ||
          owner.userId !== user ||
          owner.sessionId === undefined
        ) {
          return undefined;
        }
        const key = { appName, userId: user, sessionId: owner.sessionId };
        // Only sessions at the address this key maps to (another namespace setting is another store).
        if (this.addresses.of(key).sessionId !== storageId) return undefined;
        const parsed = readSession(data, key, { events: false });
        return {
          userId: user,
          sessionId: owner.sessionId,
          lastUpdateTime: parsed.lastUpdateTime,
          createdAt: parsed.createdAt,
        };
      },
    );
    return listed.filter((entry): entry is ListedSession => entry !== undefined);
  }

  /**
   * Records the user in the app's registry (once per process), so listing across users finds
   * them: an event in the registry session, and a long-term record that outlives it.
   */
  async register(key: SessionKey): Promise<void> {
    const id = JSON.stringify([key.appName, key.userId]);
    if (this.registered.has(id)) return;
    const sessionId = reservedSessionIds.users(key.appName);
    const [logged, kept] = await Promise.allSettled([
      this.sessions.post(
        scopeRecord(sessionId, this.addresses.namespaceOf(key.appName), RESERVED_OWNER, {
          kind: 'user',
          user: key.userId,
        }),
      ),
      // Create only: a registered user's record never changes.
      this.stateRecords.write(sessionId, { [key.userId]: true }, true),
    ]);
    if (logged.status === 'rejected') throw logged.reason as Error;
    if (kept.status === 'rejected') throw kept.reason as Error;
    this.registered.add(id);
  }

  /** The app's registered users: from its registry records and its registry session. */
  private async registeredUsers(appName: string): Promise<string[]> {
    const sessionId = reservedSessionIds.users(appName);
    const [log, kept] = await Promise.all([
      this.sessions.get(sessionId),
      this.stateRecords.read(sessionId),
    ]);
    return [...new Set([...Object.keys(kept), ...registeredUsers(log)])];
  }
}
