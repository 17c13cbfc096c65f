/**
 * The append path on Redis Agent Memory: an ADK event becomes its record (records.ts), checked
 * against the per-event limit and split into part records when its metadata is over one event's
 * (parts.ts), then POSTed, parts first. The API has no conditional writes: the stale check is the
 * store's read before (prepareAppend), and everything an append sends has settled when it returns,
 * so nothing of it lands afterwards.
 */
import type { RamAddSessionEvent } from '../../clients/index.js';
import { hasOwn, setOwn } from '../../shared/json.js';
import { EventTooLargeError, type SessionKey } from '../errors.js';
import { emptyState, type StateMap } from '../state.js';
import type { AppendChange, PreparedAppend, Revision } from '../store.js';
import type { ManagedSessions } from './http.js';
import {
  PART_CONCURRENCY,
  RECORD_METADATA_BUDGET,
  jsonBytes,
  splitRecord,
  type SplitMark,
  type SplitRecord,
} from './parts.js';
import { METADATA_KEY, eventRecord, revisionAfter, type EventAddress } from './records.js';
import type { ScopeSessions } from './scopes.js';

/** A record checked and encoded: its part records (none when it fits one event), then itself. */
export interface OutgoingRecord {
  parts: RamAddSessionEvent[];
  record: RamAddSessionEvent;
  /** The record's JSON when already encoded. */
  text?: string;
}

/** What prepareAppend read: the revision and session state the append is based on. */
export interface PreparedSessionAppend extends PreparedAppend {
  readonly revision: string;
  readonly state: StateMap;
}

/** What an append writes to, and who keeps its outcome. */
export interface AppendTargets {
  sessions: ManagedSessions;
  scopes: ScopeSessions;
  /** Largest event metadata, in bytes, before any split into part records. */
  maxEventBytes: number;
  /** Single-writer mode: keeps the session state and revision after the append. */
  keepAnswer?: ((state: StateMap, revision: string) => void) | undefined;
}

const jsonEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Appends an event, and its app and user state changes, to a session prepared at
 * `prepared.revision`; returns the revision after it.
 */
export async function commitSessionAppend(
  targets: AppendTargets,
  key: SessionKey,
  address: EventAddress,
  prepared: PreparedSessionAppend,
  change: AppendChange,
): Promise<Revision> {
  const { state: before } = prepared;
  const sessionDelta = emptyState();
  for (const [k, value] of Object.entries(change.sessionState)) {
    if (!hasOwn(before, k) || !jsonEqual(before[k], value)) {
      setOwn(sessionDelta, k, value);
    }
  }
  const pythonDelta = emptyState();
  for (const [k, v] of Object.entries(sessionDelta)) setOwn(pythonDelta, k, v);
  for (const [k, v] of Object.entries(change.appDelta)) setOwn(pythonDelta, `app:${k}`, v);
  for (const [k, v] of Object.entries(change.userDelta)) setOwn(pythonDelta, `user:${k}`, v);
  // Session keys the live state no longer has (an `undefined` value); prefixed keys that another
  // writer left in the session's own state are not the live session's to remove.
  const removed = Object.keys(before).filter(
    (k) => !/^(app|user|temp):/.test(k) && !hasOwn(change.sessionState, k),
  );
  // The stored state after this event, as a reader folding the records would find it.
  const checkpoint = emptyState();
  for (const [k, v] of Object.entries(before)) setOwn(checkpoint, k, v);
  for (const [k, v] of Object.entries(sessionDelta)) setOwn(checkpoint, k, v);
  for (const k of removed) Reflect.deleteProperty(checkpoint, k);
  const { sessions, scopes, maxEventBytes } = targets;
  const record = outgoingRecord(
    key,
    change.event.id,
    eventRecord(key, address, change.event, {
      sessionDelta,
      removed,
      pythonDelta,
      checkpoint,
    }),
    maxEventBytes,
  );
  const appRecord = scopes.changeRecord(key, 'app-state', change.appDelta, change.event.id);
  const userRecord = scopes.changeRecord(key, 'user-state', change.userDelta, change.event.id);
  // One wave: the event and any app/user changes are independent appends. The call settles only
  // when all have, so nothing this append sends lands after it has returned.
  const [posted, ...scopeWrites] = await Promise.allSettled([
    postRecord(sessions, record),
    appRecord && scopes.update(key, 'app-state', appRecord, change.appDelta),
    userRecord && scopes.update(key, 'user-state', userRecord, change.userDelta),
  ]);
  if (posted.status === 'rejected') throw posted.reason as Error;
  const revision = revisionAfter(prepared.revision, posted.value.id, posted.value.count);
  targets.keepAnswer?.(change.sessionState, revision);
  const failed = scopeWrites.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason as Error;
  return revision;
}

/**
 * The record as it will be sent, once its metadata is known to be within `maxEventBytes`
 * (checked before anything is sent, so a refused event leaves no partial write behind): as it
 * is when it fits one event, else split into part records and itself.
 */
export function outgoingRecord(
  key: SessionKey,
  eventId: string,
  record: RamAddSessionEvent,
  maxEventBytes: number,
): OutgoingRecord {
  const { text, metadataBytes } = encodeRecord(record);
  if (metadataBytes > maxEventBytes) {
    throw new EventTooLargeError(key, eventId, metadataBytes, maxEventBytes);
  }
  if (metadataBytes <= RECORD_METADATA_BUDGET) return { parts: [], record, text };
  try {
    return fitRecord(record, eventId);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // Only ids or an author of kilobytes leave no room: refused like an event over the limit.
    throw new EventTooLargeError(key, eventId, metadataBytes, RECORD_METADATA_BUDGET);
  }
}

/**
 * POSTs a record's parts (several at once; their order does not matter), then the record, whose
 * arrival makes them readable; returns its id and how many records were sent.
 */
export async function postRecord(
  sessions: ManagedSessions,
  outgoing: OutgoingRecord,
): Promise<{ id: string; count: number }> {
  let failure: { error: unknown } | undefined;
  let next = 0;
  // Like mapWithConcurrency, but after a failure no new part starts and the call settles only
  // when the parts in flight have, so nothing of a failed append lands after it returned.
  const worker = async (): Promise<void> => {
    while (!failure && next < outgoing.parts.length) {
      const part = outgoing.parts[next++]!;
      await sessions.post(part).catch((error: unknown) => {
        failure ??= { error };
      });
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(PART_CONCURRENCY, outgoing.parts.length) }, worker),
  );
  if (failure) throw failure.error;
  const id = await sessions.post(outgoing.record, outgoing.text);
  return { id, count: outgoing.parts.length + 1 };
}

/**
 * Splits a session record whose metadata is over {@link RECORD_METADATA_BUDGET} (see
 * {@link encodeRecord}): its `adk_redis` value moves to part records. When even the rest is over
 * (a large Python `state_delta`), that copy is left out: the Python package then misses that state
 * change, this library does not.
 * @throws RangeError when the record cannot fit at all (ids and author alone over the budget).
 */
function fitRecord(record: RamAddSessionEvent, of: string): SplitRecord {
  const metadata = record.metadata as Record<string, unknown>;
  const ours = metadata[METADATA_KEY] as Record<string, unknown>;
  const payloadText = JSON.stringify(ours);
  // What stays: the kind and time, an empty state where a session record has one, and the
  // checkpoint when it fits (it then survives the loss of the parts to summarisation).
  const mark = (withCheckpoint: boolean) => (split: SplitMark) => ({
    v: 1,
    kind: ours.kind,
    ...('ts' in ours ? { ts: ours.ts } : {}),
    ...('state' in ours ? { state: {} } : {}),
    ...(withCheckpoint && 'checkpoint' in ours ? { checkpoint: ours.checkpoint } : {}),
    split,
  });
  const withoutPython = { ...metadata };
  delete withoutPython.state_delta;
  // In order of preference: everything; our checkpoint over the Python copy of the change; the
  // Python copy over our checkpoint; neither (this library still reads both from the parts).
  const attempts: [Record<string, unknown>, boolean][] = [
    [metadata, true],
    [withoutPython, true],
    [metadata, false],
    [withoutPython, false],
  ];
  for (const [meta, withCheckpoint] of attempts) {
    const fitted = splitRecord(
      { ...record, metadata: meta },
      METADATA_KEY,
      payloadText,
      mark(withCheckpoint),
      of,
    );
    if (jsonBytes(fitted.record.metadata) <= RECORD_METADATA_BUDGET) return fitted;
  }
  throw new RangeError('the record does not fit in one event even without its payload');
}

/** A record's JSON text, and the bytes of its metadata as sent (the service limits them). */
export function encodeRecord(record: RamAddSessionEvent): { text: string; metadataBytes: number } {
  const { metadata, ...rest } = record;
  const metadataText = JSON.stringify(metadata ?? null);
  const restText = JSON.stringify(rest);
  // The metadata is serialised once, for the size check and the body alike.
  const text =
    metadata === undefined
      ? restText
      : `${restText.slice(0, -1)}${restText.length > 2 ? ',' : ''}"metadata":${metadataText}}`;
  return { text, metadataBytes: Buffer.byteLength(metadataText, 'utf8') };
}
