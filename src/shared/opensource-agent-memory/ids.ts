/**
 * Maps ADK ids onto AMS keys and tags, injectively and reversibly.
 *
 * AMS builds the Redis key `working_memory[:namespace][:user_id]:session_id`, indexes the three as
 * comma-separated TAG fields, and routes the session id as a path segment. So `:` (key collisions),
 * `,` (TAG separator), `/` (route), whitespace and control characters (trimmed or unmatched by TAG
 * queries), empty strings (read as "absent") and `.`/`..` (path segments) cannot be stored as they
 * are. Ordinary ids (printable ASCII without those) are sent unchanged, so sessions stay shared with
 * the Python adk-redis; any other id is sent as `adk~` + lowercase hex of its UTF-8 bytes. `~` is
 * never in an ordinary id, so an encoded id cannot equal an ordinary one.
 *
 * Namespaces, user ids and session ids go through here for every service, so data derived from a
 * session (its long-term memories) is found under the same ids. Ids of documents only the session
 * layer reserves live in sessions/opensource-agent-memory/ids.ts.
 */

/** The prefix of every id this library encodes or reserves. */
export const ENCODED_PREFIX = 'adk~';
const MAX_PLAIN_LENGTH = 256;
const PLAIN = /^[\x21-\x7e]+$/;
// A backtick is escaped by nothing on AMS's TAG queries, so it never matches in listings.
const UNSAFE = /[:,/~`]/;

/** Lowercase hex of a string's UTF-8 bytes. */
export const hex = (value: string): string => Buffer.from(value, 'utf8').toString('hex');
/** The string whose UTF-8 bytes `value` is the lowercase hex of; undefined when it is none. */
export const unhex = (value: string): string | undefined => {
  if (!/^(?:[0-9a-f]{2})*$/.test(value)) return undefined;
  const text = Buffer.from(value, 'hex').toString('utf8');
  return hex(text) === value ? text : undefined;
};

/** Whether AMS can hold the id as it is. */
export function isPlainId(id: string): boolean {
  return (
    id.length <= MAX_PLAIN_LENGTH && PLAIN.test(id) && !UNSAFE.test(id) && id !== '.' && id !== '..'
  );
}

/** The id as sent to AMS. */
export function encodeId(id: string): string {
  return isPlainId(id) ? id : ENCODED_PREFIX + hex(id);
}

/** The caller's id from an AMS id; undefined when it is not one we could have produced. */
export function decodeId(stored: string): string | undefined {
  if (!stored.startsWith(ENCODED_PREFIX)) return isPlainId(stored) ? stored : undefined;
  const decoded = unhex(stored.slice(ENCODED_PREFIX.length));
  return decoded !== undefined && !isPlainId(decoded) ? decoded : undefined;
}

/**
 * The AMS session id. When the namespace is shared by several apps (a `defaultNamespace` other than
 * the app name), the app is part of it: `adk~<hex app>~<hex session>`.
 */
export function encodeSessionId(sessionId: string, appQualifier: string | undefined): string {
  if (appQualifier === undefined) return encodeId(sessionId);
  return `${ENCODED_PREFIX}${hex(appQualifier)}~${hex(sessionId)}`;
}

/** The caller's session id from an AMS session id, when it belongs to `appQualifier`'s sessions. */
export function decodeSessionId(
  stored: string,
  appQualifier: string | undefined,
): string | undefined {
  if (appQualifier === undefined) {
    return stored.slice(ENCODED_PREFIX.length).includes('~') ? undefined : decodeId(stored);
  }
  if (!stored.startsWith(ENCODED_PREFIX)) return undefined;
  const [app, session, ...rest] = stored.slice(ENCODED_PREFIX.length).split('~');
  if (rest.length > 0 || app === undefined || session === undefined) return undefined;
  if (unhex(app) !== appQualifier) return undefined;
  return unhex(session);
}
