/**
 * Maps ADK ids onto AMS keys and tags, injectively and reversibly.
 *
 * AMS builds the Redis key `working_memory[:namespace][:user_id]:session_id`, indexes the three as
 * TAG fields (`,`-separated, trimmed, ASCII case folded) that its listings and long-term searches
 * query with RedisVL's escaping, and routes the session id as a path segment. Measured on AMS
 * 0.15.2 (see {@link isPlainId}), an id round-trips through writes, reads, deletes and exact
 * listings unless it is empty, holds `:` (key collisions), `,` (tag separator), a backtick (never
 * escaped, so it never matches), a control character, a lone surrogate, starts or ends with
 * whitespace (trimmed from tags), is the single `_` (never matches), or is longer than the tags
 * hold. A session id also cannot hold `/` (route; a trailing one is dropped), be `.` or `..`, or
 * start and end with `"` (AMS's listing strips such quotes).
 *
 * Ids AMS can hold are sent unchanged, so sessions stay shared with the Python adk-redis; any other
 * id is sent as `adk~` + lowercase hex of its UTF-8 bytes. No id sent unchanged starts with `adk~`
 * (in any case, as tags fold case), so an encoded id cannot equal an unchanged one.
 *
 * Versions up to 0.0.1 sent only printable ASCII without `: , / ~` and backtick, up to 256
 * characters, unchanged ({@link legacyEncodeId}); ids they stored in another form still decode.
 *
 * Namespaces, user ids and session ids go through here for every service, so data derived from a
 * session (its long-term memories) is found under the same ids. Ids of documents only the session
 * layer reserves live in sessions/opensource-agent-memory/ids.ts.
 */

/** The prefix of every id this library encodes or reserves. */
export const ENCODED_PREFIX = 'adk~';
/**
 * UTF-8 bytes an id sent unchanged may have: AMS 0.15.2's tags matched up to 4096 bytes in our
 * measurements; a quarter of that leaves room for other Redis versions and RedisVL's escaping.
 */
const MAX_PLAIN_BYTES = 1024;
// `,` tag separator, `:` key separator, backtick unescaped in TAG queries, control characters
// (unmatched, or not indexed at all for NUL), lone surrogates (no UTF-8 form).
const UNSAFE = /[:,`\p{Cc}\p{Cs}]/u;
const EDGE_SPACE = /^\s|\s$/u;
const RESERVED_PREFIX = /^adk~/i;

/** Lowercase hex of a string's UTF-8 bytes. */
export const hex = (value: string): string => Buffer.from(value, 'utf8').toString('hex');
/** The string whose UTF-8 bytes `value` is the lowercase hex of; undefined when it is none. */
export const unhex = (value: string): string | undefined => {
  if (!/^(?:[0-9a-f]{2})*$/.test(value)) return undefined;
  const text = Buffer.from(value, 'hex').toString('utf8');
  return hex(text) === value ? text : undefined;
};

/** Whether AMS can hold the id as it is, as a namespace or user id (tags, key parts, queries). */
export function isPlainId(id: string): boolean {
  return (
    id !== '' &&
    id !== '_' &&
    !UNSAFE.test(id) &&
    !EDGE_SPACE.test(id) &&
    !RESERVED_PREFIX.test(id) &&
    Buffer.byteLength(id, 'utf8') <= MAX_PLAIN_BYTES
  );
}

/** Whether AMS can hold the id as it is as a session id: also a path segment AMS lists as it is. */
export function isPlainSessionId(id: string): boolean {
  return (
    isPlainId(id) &&
    !id.includes('/') &&
    id !== '.' &&
    id !== '..' &&
    !(id.startsWith('"') && id.endsWith('"'))
  );
}

/** The id as sent to AMS as a namespace or user id. */
export function encodeId(id: string): string {
  return isPlainId(id) ? id : ENCODED_PREFIX + hex(id);
}

/** The caller's id from an AMS namespace or user id; undefined when we could not have sent it. */
export function decodeId(stored: string): string | undefined {
  const id = decodedCandidate(stored);
  if (id === undefined) return undefined;
  return encodeId(id) === stored || encodeIdV1(id) === stored ? id : undefined;
}

/**
 * The AMS session id. When the namespace is shared by several apps (a `defaultNamespace` other than
 * the app name), the app is part of it: `adk~<hex app>~<hex session>`.
 */
export function encodeSessionId(sessionId: string, appQualifier: string | undefined): string {
  if (appQualifier === undefined) {
    return isPlainSessionId(sessionId) ? sessionId : ENCODED_PREFIX + hex(sessionId);
  }
  return `${ENCODED_PREFIX}${hex(appQualifier)}~${hex(sessionId)}`;
}

/**
 * The caller's session id from an AMS session id, when it belongs to `appQualifier`'s sessions.
 * Session ids stored by earlier versions ({@link legacyEncodeSessionId}) decode too.
 */
export function decodeSessionId(
  stored: string,
  appQualifier: string | undefined,
): string | undefined {
  if (appQualifier === undefined) {
    const id = decodedCandidate(stored);
    if (id === undefined) return undefined;
    const current = encodeSessionId(id, undefined) === stored;
    return current || encodeIdV1(id) === stored ? id : undefined;
  }
  if (!stored.startsWith(ENCODED_PREFIX)) return undefined;
  const [app, session, ...rest] = stored.slice(ENCODED_PREFIX.length).split('~');
  if (rest.length > 0 || app === undefined || session === undefined) return undefined;
  if (unhex(app) !== appQualifier) return undefined;
  return unhex(session);
}

/**
 * The namespace or user id as versions up to 0.0.1 sent it, when that differs from
 * {@link encodeId}: documents they stored for the id are under this form.
 */
export function legacyEncodeId(id: string): string | undefined {
  const legacy = encodeIdV1(id);
  return legacy === encodeId(id) ? undefined : legacy;
}

/**
 * The session id as versions up to 0.0.1 sent it, when that differs from {@link encodeSessionId}
 * (qualified session ids have not changed).
 */
export function legacyEncodeSessionId(
  sessionId: string,
  appQualifier: string | undefined,
): string | undefined {
  if (appQualifier !== undefined) return undefined;
  const legacy = encodeIdV1(sessionId);
  return legacy === encodeSessionId(sessionId, undefined) ? undefined : legacy;
}

/**
 * The rule of versions up to 0.0.1, for every kind of id: printable ASCII without `: , / ~` and
 * backtick, at most 256 characters, not `.` or `..`, sent unchanged; anything else in hex.
 */
export function encodeIdV1(id: string): string {
  const plain = /^[\x21-\x7e]{1,256}$/.test(id) && !/[:,/~`]/.test(id) && id !== '.' && id !== '..';
  return plain ? id : ENCODED_PREFIX + hex(id);
}

/** The id a stored id stands for in either form: itself, or the text of its hex. */
function decodedCandidate(stored: string): string | undefined {
  return stored.startsWith(ENCODED_PREFIX) ? unhex(stored.slice(ENCODED_PREFIX.length)) : stored;
}
