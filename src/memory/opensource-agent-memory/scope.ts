/**
 * A tenant's place on the Agent Memory Server (encoded namespace and user, app marker) and the
 * reading of AMS records against it: the ownership check every returned record goes through, and
 * the conversion to backend-neutral records.
 */
import { scopeOf } from '../../shared/namespace.js';
import {
  ENCODED_PREFIX,
  decodeSessionId,
  encodeId,
  hex,
} from '../../shared/opensource-agent-memory/ids.js';
import type { AmsRecord } from '../api-types.js';
import { isoTime, splitAuthor, type MemoryRecord } from '../records.js';
import type { Tenant } from '../store.js';

/** The prefix of the topic that names the app when several apps share a namespace. */
export const APP_TOPIC_PREFIX = `${ENCODED_PREFIX}app~`;
const EPOCH = new Date(0).toISOString();
/** Stored session ids remembered per tenant; past this many the cache starts again. */
const SESSION_IDS_REMEMBERED = 256;

export interface Scope {
  namespace: string;
  user: string;
  appQualifier: string | undefined;
  /** The app topic, when the namespace is shared by several apps. */
  appTopic: string | undefined;
  /** The filter clauses every request of the tenant has, built once (never mutated: frozen). */
  namespaceClause: Readonly<{ eq: string }>;
  userClause: Readonly<{ eq: string }>;
  /** `{any: [appTopic]}`, when there is an app topic. */
  appTopicClause: Readonly<{ any: readonly string[] }> | undefined;
  /** Caller's session ids of stored ones (decoding runs several regular expressions). */
  sessionIds: Map<string, string | undefined>;
}

/** The scope of a tenant, under an optional shared `defaultNamespace`. */
export function amsScopeOf(tenant: Tenant, defaultNamespace: string | undefined): Scope {
  const { namespace, appQualifier } = scopeOf(tenant.appName, defaultNamespace);
  const encodedNamespace = encodeId(namespace);
  const user = encodeId(tenant.userId);
  const appTopic = appQualifier === undefined ? undefined : APP_TOPIC_PREFIX + hex(appQualifier);
  return {
    namespace: encodedNamespace,
    user,
    appQualifier,
    appTopic,
    namespaceClause: Object.freeze({ eq: encodedNamespace }),
    userClause: Object.freeze({ eq: user }),
    appTopicClause:
      appTopic === undefined ? undefined : Object.freeze({ any: Object.freeze([appTopic]) }),
    sessionIds: new Map(),
  };
}

/** Whether a record is this tenant's: exact namespace and user (tags match without case), and app. */
export function owns(scope: Scope, record: AmsRecord): boolean {
  return visibleTopics(scope, record) !== undefined;
}

/**
 * The record's topics without this library's app markers when the record is this tenant's
 * (exact namespace and user, and app: its marker, or no marker at all when the namespace is the
 * app's own); undefined when it is someone else's. One walk over the topics for both.
 */
export function visibleTopics(scope: Scope, record: AmsRecord): string[] | undefined {
  if (record.namespace !== scope.namespace || record.user_id !== scope.user) return undefined;
  const topics = record.topics ?? [];
  const visible: string[] = [];
  let ownMarker = false;
  for (const topic of topics) {
    if (!topic.startsWith(APP_TOPIC_PREFIX)) visible.push(topic);
    else if (scope.appTopic === undefined) return undefined;
    else if (topic === scope.appTopic) ownMarker = true;
  }
  return scope.appTopic === undefined || ownMarker ? visible : undefined;
}

/** A record already checked to be the tenant's, converted (its visible topics when known). */
export function toRecord(
  scope: Scope,
  record: AmsRecord,
  topics: string[] = visibleTopicsOf(record),
): MemoryRecord {
  const memoryType = record.memory_type ?? 'message';
  const split = splitAuthor(memoryType, record.text);
  const sessionId = record.session_id != null ? sessionIdOf(scope, record.session_id) : undefined;
  const createdAt = isoTime(record.created_at, EPOCH);
  const converted: MemoryRecord = {
    id: record.id,
    text: split.text,
    memoryType,
    topics,
    createdAt,
  };
  if (split.author !== undefined) converted.author = split.author;
  if (sessionId !== undefined) converted.sessionId = sessionId;
  if (record.updated_at) converted.updatedAt = isoTime(record.updated_at, createdAt);
  return converted;
}

/** The caller's session id of a stored one (see decodeSessionId), remembered per tenant. */
function sessionIdOf(scope: Scope, stored: string): string | undefined {
  const cache = scope.sessionIds;
  if (cache.has(stored)) return cache.get(stored);
  const decoded = decodeSessionId(stored, scope.appQualifier);
  if (cache.size >= SESSION_IDS_REMEMBERED) cache.clear();
  cache.set(stored, decoded);
  return decoded;
}

/** Topics without any app marker. */
const visibleTopicsOf = (record: AmsRecord): string[] =>
  (record.topics ?? []).filter((topic) => !topic.startsWith(APP_TOPIC_PREFIX));
