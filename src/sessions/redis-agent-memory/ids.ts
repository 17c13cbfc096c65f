/**
 * Ids of the sessions the session layer reserves on Redis Agent Memory (app state, user state, the
 * app's user registry). They hash an input that starts with `~`, which no session input can
 * (sanitised namespaces never contain it); see src/shared/redis-agent-memory/ids.ts for the rest.
 */
import { sha256 } from '../../shared/redis-agent-memory/ids.js';

/** Storage ids of an app's reserved sessions. */
export const reservedSessionIds = {
  appState: (appName: string) => sha256(`~adk-redis~app-state\0${appName}`),
  userState: (appName: string, userId: string) =>
    sha256(`~adk-redis~user-state\0${appName}\0${userId}`),
  users: (appName: string) => sha256(`~adk-redis~users\0${appName}`),
};

/** The actor that owns reserved sessions, so no user's listing shows them. */
export const RESERVED_OWNER = 'adk-redis-state';
