/**
 * Sessions on the Agent Memory Server: one working-memory document per ADK session holding its
 * state and recent events, history segments for older events (segments.ts), and app and user
 * state in reserved documents of their own (scopes.ts; see documents.ts, ids.ts and
 * src/shared/opensource-agent-memory/ids.ts for the layout).
 *
 * AMS has no conditional writes, so an append is read-compare-write (append.ts): the document's
 * revision must still be the one the live session was based on. Calls for one document are
 * serialised in this process; two processes can still race between the read and the write
 * (documented limitation).
 */
import {
  MalformedResponseError,
  type AgentMemoryServerClient,
  type AmsWorkingMemory,
  type AmsWorkingMemoryUpdate,
} from '../../clients/index.js';
import { OPENSOURCE_AGENT_MEMORY_BACKEND } from '../../shared/backend.js';
import { mapWithConcurrency } from '../../shared/concurrency.js';
import { scopeOf } from '../../shared/namespace.js';
import {
  decodeSessionId,
  encodeId,
  encodeSessionId,
  legacyEncodeId,
  legacyEncodeSessionId,
} from '../../shared/opensource-agent-memory/ids.js';
import {
  SessionAlreadyExistsError,
  SessionNotFoundError,
  StaleSessionError,
  type SessionKey,
} from '../errors.js';
import { KeptCopies } from '../kept.js';
import type { ListedSession } from '../paging.js';
import type { ScopedState } from '../state.js';
import type {
  AppendChange,
  PreparedAppend,
  Revision,
  SessionStore,
  StoreOptions,
  ReadWindow,
  StoredSession,
} from '../store.js';
import { commitSessionAppend, newWriteId, type PreparedSessionAppend } from './append.js';
import {
  FORMAT_VERSION,
  readSessionEnvelope,
  readSessionState,
  revisionMark,
  sessionData,
  UnreadableDocumentError,
  type SessionEnvelope,
} from './documents.js';
import { AmsDocuments, WORKING_MEMORY, type DocumentAddress, type WriteOptions } from './http.js';
import { stateNamespace, userFromStateSessionId } from './ids.js';
import {
  documentCreatedAt,
  documentEvents,
  documentLastUpdateTime,
  toAdkEvents,
} from './messages.js';
import { ScopeDocuments } from './scopes.js';
import { HistorySegments, segmentsFor } from './segments.js';

/** How the store writes documents. */
export interface OpensourceAgentMemoryStoreOptions extends StoreOptions, WriteOptions {}

/** A session's document and where it was found. */
interface FoundSession {
  doc: AmsWorkingMemory;
  envelope: SessionEnvelope | undefined;
  address: DocumentAddress;
}

/** Single-writer mode: the last document read or written, per session location (see kept.ts). */
const keptDocuments = new KeptCopies<FoundSession>();

export class OpensourceAgentMemoryStore implements SessionStore {
  private readonly documents: AmsDocuments;
  private readonly scopes: ScopeDocuments;
  private readonly segments: HistorySegments;

  constructor(
    client: AgentMemoryServerClient,
    private readonly options: OpensourceAgentMemoryStoreOptions,
  ) {
    this.documents = new AmsDocuments(client, options);
    this.scopes = new ScopeDocuments(this.documents, options.serverId);
    this.segments = new HistorySegments(this.documents, options.listConcurrency);
  }

  locationOf(key: SessionKey): string {
    const address = this.sessionAddress(key);
    return JSON.stringify([
      this.options.serverId,
      address.namespace,
      address.userId,
      address.sessionId,
    ]);
  }

  create(key: SessionKey, init: { state: ScopedState; now: number }): Promise<StoredSession> {
    return keptDocuments.write(this.locationOf(key), () => this.createSession(key, init));
  }

  private async createSession(
    key: SessionKey,
    init: { state: ScopedState; now: number },
  ): Promise<StoredSession> {
    const address = this.sessionAddress(key);
    // Two waves: the three reads at once, then every write at once.
    const [found, appRead, userRead] = await Promise.all([
      this.findSession(key),
      this.scopes.readDocument(key, 'app'),
      this.scopes.readDocument(key, 'user'),
    ]);
    if (found) throw new SessionAlreadyExistsError(key);
    const envelope: Omit<SessionEnvelope, 'state'> = {
      v: FORMAT_VERSION,
      kind: 'session',
      app: key.appName,
      user: key.userId,
      session: key.sessionId,
      revision: 1,
      writeId: newWriteId(),
      createdAt: init.now,
      lastUpdateTime: init.now,
      events: [],
      segments: [],
    };
    const body: AmsWorkingMemoryUpdate = {
      ...this.documents.retainedFields(undefined),
      namespace: address.namespace,
      user_id: address.userId ?? null,
      messages: [],
      data: sessionData(init.state.session, envelope) as AmsWorkingMemoryUpdate['data'],
    };
    const [putSession, putApp, putUser] = await Promise.allSettled([
      this.documents.put(address, body),
      this.scopes.update(key, 'app', init.state.app, false, appRead),
      this.scopes.update(key, 'user', init.state.user, true, userRead),
    ]);
    if (putApp.status === 'rejected' || putUser.status === 'rejected') {
      // The session must not exist without its scopes: undo it, so a retried create starts over.
      if (putSession.status === 'fulfilled') await this.documents.delete(address).catch(() => {});
      throw (
        putApp.status === 'rejected' ? putApp.reason : (putUser as PromiseRejectedResult).reason
      ) as Error;
    }
    if (putSession.status === 'rejected') throw putSession.reason as Error;
    const [written, app, user] = [putSession.value, putApp.value, putUser.value];
    const writtenEnvelope = readSessionEnvelope(written);
    if (this.options.singleWriter) {
      keptDocuments.keepWritten(this.locationOf(key), {
        doc: written,
        address,
        envelope: writtenEnvelope,
      });
    }
    return {
      events: [],
      state: { app, user, session: readSessionState(written, writtenEnvelope) },
      lastUpdateTime: init.now,
      revision: revisionMark(envelope),
    };
  }

  /**
   * The stored session. With a `window` (getSession's `numRecentEvents` / `afterTimestamp`), only
   * the history segments holding events it keeps are fetched: the events returned are then a
   * superset of what the window keeps, in order, which the caller filters as usual.
   */
  async read(key: SessionKey, window?: ReadWindow): Promise<StoredSession | undefined> {
    const mark = keptDocuments.mark();
    const [found, app, user] = await Promise.all([
      this.findSession(key),
      this.scopes.read(key, 'app'),
      this.scopes.read(key, 'user'),
    ]);
    if (!found) return undefined;
    const { doc, envelope, address } = found;
    const recent = documentEvents(doc, envelope, key.appName);
    const refs = segmentsFor(envelope?.segments ?? [], recent.length, window);
    const older = await this.segments.read(key, address, refs);
    if (this.options.singleWriter) keptDocuments.keepRead(this.locationOf(key), mark, found);
    return {
      // Only the document's events are also kept (the single-writer cache), so only they are copied.
      events: [...toAdkEvents(older, false), ...toAdkEvents(recent, this.options.singleWriter)],
      state: { app, user, session: readSessionState(doc, envelope) },
      lastUpdateTime: documentLastUpdateTime(doc, envelope),
      revision: revisionMark(envelope, doc),
    };
  }

  async list(appName: string, userId: string | undefined): Promise<ListedSession[]> {
    const namespace = this.namespaceOf(appName);
    const { appQualifier } = scopeOf(appName, this.options.defaultNamespace);
    const users =
      userId !== undefined
        ? [userId]
        : (await this.documents.list(stateNamespace(appName), undefined))
            .map(userFromStateSessionId)
            .filter((user): user is string => user !== undefined);
    const candidates: { userId: string; sessionId: string }[] = [];
    const seen = new Set<string>();
    // Sessions that versions up to 0.0.1 stored under other forms of the ids are listed too.
    const legacyNamespace = legacyEncodeId(
      scopeOf(appName, this.options.defaultNamespace).namespace,
    );
    const perUser = await mapWithConcurrency(users, this.options.listConcurrency, async (user) => {
      const ids = await this.documents.list(namespace, encodeId(user));
      const legacyUser = legacyEncodeId(user);
      if (legacyNamespace !== undefined || legacyUser !== undefined) {
        ids.push(
          ...(await this.documents.list(
            legacyNamespace ?? namespace,
            legacyUser ?? encodeId(user),
          )),
        );
      }
      return { user, ids };
    });
    for (const { user, ids } of perUser) {
      for (const stored of ids) {
        const sessionId = decodeSessionId(stored, appQualifier);
        if (sessionId === undefined) continue;
        const id = JSON.stringify([user, sessionId]);
        if (seen.has(id)) continue;
        seen.add(id);
        candidates.push({ userId: user, sessionId });
      }
    }
    // Each listed session's document alone is read (bounded: its history is in segments).
    const listed = await mapWithConcurrency(
      candidates,
      this.options.listConcurrency,
      async (candidate): Promise<ListedSession | undefined> => {
        // Listed ids are exact, so a document without our envelope needs no second check.
        const found = await this.findSession({ appName, ...candidate }, false);
        if (!found) return undefined;
        const { doc, envelope } = found;
        return {
          userId: candidate.userId,
          sessionId: candidate.sessionId,
          lastUpdateTime: documentLastUpdateTime(doc, envelope),
          createdAt: documentCreatedAt(doc, envelope),
        };
      },
    );
    return listed.filter((entry): entry is ListedSession => entry !== undefined);
  }

  delete(key: SessionKey): Promise<void> {
    return keptDocuments.write(this.locationOf(key), () => this.deleteSession(key));
  }

  private async deleteSession(key: SessionKey): Promise<void> {
    // AMS falls back to an index lookup when the exact key is missing, and its TAG match ignores
    // case: deleting a missing session could delete another user's. Delete only what we found.
    const absent: DocumentAddress[] = [];
    const found = await this.findSession(key, true, absent);
    if (!found) {
      // A session expired by sessionTtlSeconds leaves its segments (they carry no TTL, see
      // segments.ts): remove those where no document is stored at all (not another's document).
      await Promise.all(absent.map((address) => this.segments.deleteAll(key, address)));
      return;
    }
    // Segments first: if this fails part way, the session is still there to delete again.
    await this.segments.deleteAll(key, found.address);
    await this.documents.delete(found.address);
  }

  async prepareAppend(
    key: SessionKey,
    expectedRevision: Revision | undefined,
  ): Promise<PreparedSessionAppend> {
    const cached = this.options.singleWriter ? keptDocuments.get(this.locationOf(key)) : undefined;
    // The envelope of a kept document was read (or written) with it.
    const found = cached ?? (await this.findSession(key));
    if (!found) throw new SessionNotFoundError(key);
    const { doc, envelope, address } = found;
    const revision = revisionMark(envelope, doc);
    if (expectedRevision !== undefined && expectedRevision !== revision) {
      throw new StaleSessionError(key, expectedRevision, revision);
    }
    return { revision, doc, envelope, address };
  }

  commitAppend(key: SessionKey, prepared: PreparedAppend, change: AppendChange): Promise<Revision> {
    const location = this.locationOf(key);
    const { address } = prepared as PreparedSessionAppend;
    return keptDocuments.write(location, () =>
      commitSessionAppend(
        {
          documents: this.documents,
          segments: this.segments,
          scopes: this.scopes,
          keepAnswer: this.options.singleWriter
            ? (doc, envelope) => keptDocuments.keepWritten(location, { doc, address, envelope })
            : undefined,
        },
        key,
        (prepared as PreparedSessionAppend).address,
        prepared as PreparedSessionAppend,
        change,
      ),
    );
  }

  // ---- addresses ----------------------------------------------------------------------------

  private namespaceOf(appName: string): string {
    return encodeId(scopeOf(appName, this.options.defaultNamespace).namespace);
  }

  private sessionAddress(key: SessionKey): DocumentAddress {
    const { namespace, appQualifier } = scopeOf(key.appName, this.options.defaultNamespace);
    return {
      namespace: encodeId(namespace),
      userId: encodeId(key.userId),
      sessionId: encodeSessionId(key.sessionId, appQualifier),
    };
  }

  /**
   * Where versions up to 0.0.1 stored the session, when that differs from {@link sessionAddress}:
   * they sent fewer ids unchanged. Such sessions are read, appended to and deleted where they are.
   */
  private legacySessionAddress(key: SessionKey): DocumentAddress | undefined {
    const { namespace, appQualifier } = scopeOf(key.appName, this.options.defaultNamespace);
    const legacy = {
      namespace: legacyEncodeId(namespace),
      userId: legacyEncodeId(key.userId),
      sessionId: legacyEncodeSessionId(key.sessionId, appQualifier),
    };
    if (Object.values(legacy).every((id) => id === undefined)) return undefined;
    const current = this.sessionAddress(key);
    return {
      namespace: legacy.namespace ?? current.namespace,
      userId: legacy.userId ?? current.userId,
      sessionId: legacy.sessionId ?? current.sessionId,
    };
  }

  /**
   * The session's document where it is now, else where an earlier version stored it. `absent`,
   * when given, collects the addresses tried where AMS stores no document at all.
   */
  private async findSession(
    key: SessionKey,
    verifyForeign = true,
    absent?: DocumentAddress[],
  ): Promise<FoundSession | undefined> {
    const found = await this.findSessionAt(key, this.sessionAddress(key), verifyForeign, absent);
    if (found) return found;
    const legacy = this.legacySessionAddress(key);
    return legacy && this.findSessionAt(key, legacy, verifyForeign, absent);
  }

  /**
   * The session's document, when it is really this session's. AMS answers a GET whose exact key is
   * missing with an index lookup that ignores case and echoes the requested session id, so a
   * document is only accepted when its envelope names this session, or, for a document another
   * writer stored without one, when AMS lists that exact id (skipped for ids that came from a list).
   */
  private async findSessionAt(
    key: SessionKey,
    address: DocumentAddress,
    verifyForeign: boolean,
    absent?: DocumentAddress[],
  ): Promise<FoundSession | undefined> {
    const doc = await this.documents.get(address);
    if (!doc) {
      absent?.push(address);
      return undefined;
    }
    const envelope = this.envelopeOf(key, doc);
    if (envelope === null) return undefined;
    if (envelope === undefined && verifyForeign) {
      const listed = await this.documents.list(address.namespace, address.userId);
      if (!listed.includes(address.sessionId)) return undefined;
    }
    return { doc, envelope, address };
  }

  /**
   * The session envelope, `undefined` for a document another writer stored without one, or `null`
   * when the document belongs to a different ADK session (never expected; treated as absent).
   */
  private envelopeOf(key: SessionKey, doc: AmsWorkingMemory): SessionEnvelope | undefined | null {
    let envelope: SessionEnvelope | undefined;
    try {
      envelope = readSessionEnvelope(doc);
    } catch (error) {
      if (!(error instanceof UnreadableDocumentError)) throw error;
      throw new MalformedResponseError(
        OPENSOURCE_AGENT_MEMORY_BACKEND,
        'GET',
        WORKING_MEMORY,
        `the stored document of session ${JSON.stringify(key.sessionId)} ${error.message}`,
      );
    }
    if (
      envelope &&
      (envelope.app !== key.appName ||
        envelope.user !== key.userId ||
        envelope.session !== key.sessionId)
    ) {
      return null;
    }
    return envelope;
  }
}
