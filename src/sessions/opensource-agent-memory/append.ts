/**
 * The append path on AMS: a read-compare-write of the session document (AMS has no conditional
 * write), which seals the oldest recent events into history segments first when there are too
 * many, so the document each append reads and rewrites stays bounded (see segments.ts).
 */
import { randomUUID } from 'node:crypto';
import type { AmsWorkingMemory, AmsWorkingMemoryUpdate } from '../../clients/index.js';
import type { SessionKey } from '../errors.js';
import { hasKeys } from '../state.js';
import type { AppendChange, PreparedAppend, Revision } from '../store.js';
import {
  ENVELOPE_KEY,
  FORMAT_VERSION,
  readSessionEnvelope,
  revisionMark,
  sessionData,
  upsertEvent,
  type SessionEnvelope,
} from './documents.js';
import { sessionWriteText } from './body.js';
import { notThisWrite, type AmsDocuments, type DocumentAddress } from './http.js';
import {
  documentCreatedAt,
  documentEvents,
  markHandled,
  messagesOf,
  upsertMessage,
} from './messages.js';
import type { ScopeDocuments } from './scopes.js';
import type { HistorySegments } from './segments.js';

/** A read done before an append: the document and its envelope as they were. */
export interface PreparedSessionAppend extends PreparedAppend {
  readonly revision: string;
  doc: AmsWorkingMemory;
  envelope: SessionEnvelope | undefined;
  /** Where the document is: its address, or where an earlier version stored it. */
  address: DocumentAddress;
}

export interface AppendTargets {
  documents: AmsDocuments;
  segments: HistorySegments;
  scopes: ScopeDocuments;
  /** Single-writer mode: keep AMS's answer for the next append (and check it is this write's). */
  keepAnswer: ((doc: AmsWorkingMemory, envelope: SessionEnvelope) => void) | undefined;
}

/**
 * Writes one append on top of a prepared read: seals history when due, then the session document
 * together with any app and user state updates. Settles only when every write has, so nothing it
 * sends lands after it has returned.
 */
export async function commitSessionAppend(
  targets: AppendTargets,
  key: SessionKey,
  address: DocumentAddress,
  prepared: PreparedSessionAppend,
  change: AppendChange,
): Promise<Revision> {
  const writeSession = async (): Promise<Revision> => {
    const { doc, envelope } = prepared;
    const writeId = newWriteId();
    // Other clients' messages become events here (documentEvents), so trimming the messages to
    // the recent events below loses none of them.
    const events = upsertEvent(documentEvents(doc, envelope, key.appName), change.event);
    const { tail, segments } = await targets.segments.seal(
      key,
      address,
      events,
      envelope?.segments ?? [],
      writeId,
    );
    // Marked so that AMS starts no background rewrite of the document (see markHandled).
    const messages = markHandled(
      messagesOf(
        upsertMessage(
          doc.messages ?? [],
          change.event.id,
          change.text && {
            role: change.text.role,
            content: change.text.content,
            createdAt: messageTime(change.event.timestamp),
          },
        ),
        tail,
      ),
      new Date().toISOString(),
    );
    const next: Omit<SessionEnvelope, 'state'> = {
      v: FORMAT_VERSION,
      kind: 'session',
      app: key.appName,
      user: key.userId,
      session: key.sessionId,
      revision: (envelope?.revision ?? 0) + 1,
      writeId,
      createdAt: documentCreatedAt(doc, envelope),
      lastUpdateTime: change.lastUpdateTime,
      events: tail,
      segments,
    };
    const body: AmsWorkingMemoryUpdate = {
      ...targets.documents.retainedFields(doc),
      namespace: address.namespace,
      user_id: address.userId ?? null,
      messages,
      data: sessionData(change.sessionState, next) as AmsWorkingMemoryUpdate['data'],
    };
    // Single-writer: the document is this process's own from write to write (see body.ts).
    const text = targets.keepAnswer ? sessionWriteText(body) : JSON.stringify(body);
    if (!targets.keepAnswer) {
      await targets.documents.putAcknowledged(address, body, text, writeId);
    } else {
      const written = await targets.documents.putKept(address, body, text, writeId);
      // Kept for the next append, so it must be this write's document, not any valid one (the
      // document as sent is).
      let echoed: SessionEnvelope | undefined;
      try {
        echoed = written.asSent
          ? (body.data![ENVELOPE_KEY] as unknown as SessionEnvelope)
          : readSessionEnvelope(written.doc);
      } catch {
        echoed = undefined;
      }
      if (echoed?.writeId !== writeId) throw notThisWrite();
      targets.keepAnswer(written.doc, echoed);
    }
    return revisionMark(next);
  };
  const [written, ...scopes] = await Promise.allSettled([
    writeSession(),
    hasKeys(change.appDelta)
      ? targets.scopes.update(key, 'app', change.appDelta, false)
      : undefined,
    hasKeys(change.userDelta)
      ? targets.scopes.update(key, 'user', change.userDelta, true)
      : undefined,
  ]);
  if (written.status === 'rejected') throw written.reason as Error;
  const failed = scopes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason as Error;
  return written.value;
}

/** A random id for each write of a session document (see {@link SessionEnvelope.writeId}). */
export function newWriteId(): string {
  // 48 random bits; randomUUID draws from a pooled buffer, cheaper than a randomBytes call.
  return randomUUID().replace(/-/g, '').slice(0, 12);
}

/** Message time: the event's, but never in the future (AMS rejects more than 300 s ahead). */
function messageTime(timestamp: number): string {
  const now = Date.now();
  const ms = Number.isFinite(timestamp) ? Math.min(timestamp, now) : now;
  return new Date(ms).toISOString();
}
