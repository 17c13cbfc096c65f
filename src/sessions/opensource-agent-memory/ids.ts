/**
 * Ids of the documents the session layer reserves on AMS: app and user state live in a namespace of
 * their own per app. They start with {@link ENCODED_PREFIX}, which no ordinary id does, and hold
 * hex, so they never equal an encoded id (see src/shared/opensource-agent-memory/ids.ts).
 */
import { ENCODED_PREFIX, hex, unhex } from '../../shared/opensource-agent-memory/ids.js';

/** Reserved documents for app and user state live in a namespace of their own per app. */
export function stateNamespace(appName: string): string {
  return `${ENCODED_PREFIX}state~${hex(appName)}`;
}

/** The session id of the app-state document (in {@link stateNamespace}, without a user). */
export const APP_STATE_SESSION_ID = `${ENCODED_PREFIX}app`;

/** The session id of a user's state document; the user is recoverable from it for listing. */
export function userStateSessionId(userId: string): string {
  return `${ENCODED_PREFIX}user~${hex(userId)}`;
}

/** The user of a user-state document id, or undefined for any other id. */
export function userFromStateSessionId(stored: string): string | undefined {
  const prefix = `${ENCODED_PREFIX}user~`;
  return stored.startsWith(prefix) ? unhex(stored.slice(prefix.length)) : undefined;
}
