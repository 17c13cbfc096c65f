/**
 * App and user state as long-term memory records, so it outlives the session memory it is also
 * logged in: the service expires a session after the store's short-term TTL (one hour by default)
 * and folds old events into a summary, while long-term records stay for the long-term TTL.
 *
 * One record per state key, with a fixed id (a hash of the scope and the key): writing a key is one
 * update of its record, so writers of different keys never overwrite each other. The record holds
 * the key and its JSON value in `text`, is owned by the reserved actor and has no namespace, so no
 * search of this library's memory service or of the Python adk-redis (both filter on an exact
 * namespace, which never matches a record without one) returns it. Its `sessionId` is the scope's
 * reserved session id, which a filtered search lists them by.
 */
import {
  BackendError,
  MalformedResponseError,
  backendErrorFrom,
  retrySafe,
  unwrap,
  type RedisAgentMemoryClient,
} from '../../clients/index.js';
import { REDIS_AGENT_MEMORY_BACKEND } from '../../shared/backend.js';
import { mapWithConcurrency } from '../../shared/concurrency.js';
import { isPlainObject, setOwn } from '../../shared/json.js';
import { sha256 } from '../../shared/redis-agent-memory/ids.js';
import { emptyState, type StateMap } from '../state.js';
import { RESERVED_OWNER } from './ids.js';

const MEMORIES = '/v1/stores/{storeId}/long-term-memory';
const MEMORY = '/v1/stores/{storeId}/long-term-memory/{memoryId}';
const SEARCH = '/v1/stores/{storeId}/long-term-memory/search';
/** The API's limits: records per bulk create and per search page, characters of `text`. */
const BATCH = 100;
const MAX_TEXT = 50_000;
/** How many records one write updates at once. */
const CONCURRENCY = 8;
/** The marker key in a state record's text. */
const MARKER = 'adk_redis_state';

/** A record's id: the scope's reserved session id and the key, hashed (64 hex characters). */
export function stateRecordId(scopeId: string, key: string): string {
  return sha256(`~adk-redis~state-key\0${scopeId}\0${key}`);
}

/** A state record's text: the key and its value, as JSON; undefined when over the API's limit. */
export function stateRecordText(key: string, value: unknown): string | undefined {
  const text = JSON.stringify({ [MARKER]: 1, key, value });
  return text.length <= MAX_TEXT ? text : undefined;
}

/** The key and value a record of `scopeId` holds, or undefined when it is not one. */
export function readStateRecord(
  record: { id?: unknown; text?: unknown; ownerId?: unknown; sessionId?: unknown },
  scopeId: string,
): { key: string; value: unknown } | undefined {
  if (record.ownerId !== RESERVED_OWNER || record.sessionId !== scopeId) return undefined;
  if (typeof record.text !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.text);
  } catch {
    return undefined;
  }
  if (!isPlainObject(parsed) || parsed[MARKER] !== 1 || typeof parsed.key !== 'string') {
    return undefined;
  }
  // The id binds the key to the scope: a record copied under another id does not count.
  if (record.id !== stateRecordId(scopeId, parsed.key)) return undefined;
  return { key: parsed.key, value: parsed.value };
}

export class StateRecords {
  constructor(private readonly client: RedisAgentMemoryClient) {}

  /** Every key the scope's records hold, with its value. */
  async read(scopeId: string): Promise<StateMap> {
    const state = emptyState();
    let pageToken: string | undefined;
    do {
      const page = await unwrap(
        this.client.POST(SEARCH, {
          body: {
            filter: { ownerId: { eq: RESERVED_OWNER }, sessionId: { eq: scopeId } },
            filterOp: 'all',
            limit: BATCH,
            ...(pageToken ? { pageToken } : {}),
          },
          headers: retrySafe,
        }),
      );
      if (page.nextPageToken !== undefined && page.nextPageToken === pageToken) {
        throw new MalformedResponseError(
          REDIS_AGENT_MEMORY_BACKEND,
          'POST',
          SEARCH,
          'the service returned the same page token twice',
        );
      }
      for (const item of page.items) {
        const entry = readStateRecord(item, scopeId);
        if (entry) setOwn(state, entry.key, entry.value);
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    return state;
  }

  /**
   * Writes each key of `delta` to its record: an update, or a create when the record is missing.
   * With `createOnly`, existing records are left alone (a backfill from an older log).
   * Keys whose value is over the API's text limit are skipped; returns them.
   */
  async write(scopeId: string, delta: StateMap, createOnly = false): Promise<string[]> {
    const tooLarge: string[] = [];
    const records: { id: string; text: string }[] = [];
    for (const [key, value] of Object.entries(delta)) {
      const text = stateRecordText(key, value);
      if (text === undefined) tooLarge.push(key);
      else records.push({ id: stateRecordId(scopeId, key), text });
    }
    const missing = createOnly
      ? records
      : (
          await mapWithConcurrency(records, CONCURRENCY, async (record) =>
            (await this.update(record.id, record.text)) ? undefined : record,
          )
        ).filter((r) => r !== undefined);
    const refused = await this.create(scopeId, missing);
    if (!createOnly) {
      // Created by another writer in between: it exists now, so an update lands.
      await mapWithConcurrency(refused, CONCURRENCY, async (record) => {
        if (!(await this.update(record.id, record.text))) {
          throw new BackendError({
            backend: REDIS_AGENT_MEMORY_BACKEND,
            status: 404,
            method: 'PATCH',
            path: MEMORY,
            detail: 'a state record was refused on create and is missing on update',
          });
        }
      });
    }
    return tooLarge;
  }

  /** Updates a record's text; false when it does not exist. */
  private async update(id: string, text: string): Promise<boolean> {
    const { response, error } = await this.client.PATCH(MEMORY, {
      params: { path: { memoryId: id } },
      body: { text },
      headers: retrySafe,
    });
    if (response.status === 404) return false;
    if (!response.ok) throw backendErrorFrom(response, error);
    return true;
  }

  /** Creates records; returns those the service refused (their id is taken). */
  private async create(
    scopeId: string,
    records: { id: string; text: string }[],
  ): Promise<{ id: string; text: string }[]> {
    const refused: { id: string; text: string }[] = [];
    for (let start = 0; start < records.length; start += BATCH) {
      const batch = records.slice(start, start + BATCH);
      const answer = await unwrap(
        this.client.POST(MEMORIES, {
          body: {
            memories: batch.map((record) => ({
              id: record.id,
              text: record.text,
              ownerId: RESERVED_OWNER,
              sessionId: scopeId,
            })),
          },
          headers: retrySafe,
        }),
      );
      const created = new Set(answer.created);
      refused.push(...batch.filter((record) => !created.has(record.id)));
    }
    return refused;
  }
}
