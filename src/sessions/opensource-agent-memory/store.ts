/**
 * Sessions on the Agent Memory Server: one working-memory document per ADK session, app and user
 * state in reserved documents of their own (see documents.ts, ids.ts and
 * src/shared/opensource-agent-memory/ids.ts for the layout).
 *
 * AMS has no conditional writes, so an append is read-compare-write: the document's revision must
 * still be the one the live session was based on. Calls for one document are serialised in this
 * process; two processes can still race between the read and the write (documented limitation).
 */
import { randomUUID } from 'node:crypto';
import {
  BackendError,
  MalformedResponseError,
  backendErrorFrom,
  unwrap,
  type AgentMemoryServerClient,
  type AmsMemoryStrategy,
  type AmsModelName,
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
} from '../../shared/opensource-agent-memory/ids.js';
import { RecentMap } from '../../shared/recent.js';
import { runSerially } from '../../shared/serial.js';
import {
  SessionAlreadyExistsError,
  SessionNotFoundError,
  StaleSessionError,
  type SessionKey,
} from '../errors.js';
import type { ListedSession } from '../paging.js';
import { spliceEvents, WrittenEvents } from './written-events.js';
import type { StoredEvent } from '../events.js';
import { applyDelta, emptyState, hasKeys, type ScopedState, type StateMap } from '../state.js';
import type {
  AppendChange,
  PreparedAppend,
  Revision,
  SessionStore,
  StoreOptions,
  StoredSession,
} from '../store.js';
import {
  documentCreatedAt,
  documentEvents,
  documentLastUpdateTime,
  markHandled,
  readScopeEnvelope,
  readSessionEnvelope,
  readSessionState,
  revisionMark,
  scopeData,
  sessionData,
  toAdkEvents,
  UnreadableDocumentError,
  upsertEvent,
  upsertMessage,
  workingMemoryProblem,
  type SessionEnvelope,
} from './documents.js';
import {
  APP_STATE_SESSION_ID,
  stateNamespace,
  userFromStateSessionId,
  userStateSessionId,
} from './ids.js';

/** How the store writes documents. */
export interface OpensourceAgentMemoryStoreOptions extends StoreOptions {
  sessionTtlSeconds?: number | undefined;
  strategy?: AmsMemoryStrategy | undefined;
  modelName?: string | undefined;
  contextWindowMax?: number | undefined;
}

/** Where a document lives in AMS: its ids as sent. */
interface DocumentAddress {
  namespace: string;
  userId?: string;
  sessionId: string;
}

interface ScopeRead {
  doc: AmsWorkingMemory | undefined;
  generation: number;
}

interface PreparedSessionAppend extends PreparedAppend {
  readonly revision: string;
  doc: AmsWorkingMemory;
  envelope: SessionEnvelope | undefined;
}

const LIST_PAGE = 100;
// RediSearch's default MAXSEARCHRESULTS: AMS cannot page past it.
const LIST_WINDOW = 10_000;
const CACHE_LIMIT = 1_000;
const WORKING_MEMORY = '/v1/working-memory/{session_id}';

export class OpensourceAgentMemoryStore implements SessionStore {
  /** Single-writer mode: the last document read or written, per session location. */
  private readonly lastSeen = new RecentMap<string, AmsWorkingMemory>(CACHE_LIMIT);
  /** The events' JSON of each session document this process last wrote. */
  private readonly writtenEvents = new WrittenEvents();
  /** Writes this process made to each scope document, to tell whether an earlier read is current. */
  private readonly scopeWrites = new Map<string, number>();

  constructor(
    private readonly client: AgentMemoryServerClient,
    private readonly options: OpensourceAgentMemoryStoreOptions,
  ) {}

  locationOf(key: SessionKey): string {
    const address = this.sessionAddress(key);
    return JSON.stringify([
      this.options.serverId,
      address.namespace,
      address.userId,
      address.sessionId,
    ]);
  }

  async create(key: SessionKey, init: { state: ScopedState; now: number }): Promise<StoredSession> {
    const address = this.sessionAddress(key);
    // Two waves: the three reads at once, then every write at once.
    const [found, appRead, userRead] = await Promise.all([
      this.findSession(key),
      this.readScopeDocument(key, 'app'),
      this.readScopeDocument(key, 'user'),
    ]);
    if (found) throw new SessionAlreadyExistsError(key);
    const envelope: Omit<SessionEnvelope, 'state'> = {
      v: 1,
      kind: 'session',
      app: key.appName,
      user: key.userId,
      session: key.sessionId,
      revision: 1,
      writeId: newWriteId(),
      createdAt: init.now,
      lastUpdateTime: init.now,
      events: [],
    };
    const body: AmsWorkingMemoryUpdate = {
      ...this.retainedFields(undefined),
      namespace: address.namespace,
      user_id: address.userId ?? null,
      messages: [],
      data: sessionData(init.state.session, envelope) as AmsWorkingMemoryUpdate['data'],
    };
    const [putSession, putApp, putUser] = await Promise.allSettled([
      this.putStored(address, body),
      this.updateScope(key, 'app', init.state.app, false, appRead),
      this.updateScope(key, 'user', init.state.user, true, userRead),
    ]);
    if (putApp.status === 'rejected' || putUser.status === 'rejected') {
      // The session must not exist without its scopes: undo it, so a retried create starts over.
      if (putSession.status === 'fulfilled') await this.deleteStored(address).catch(() => {});
      throw (
        putApp.status === 'rejected' ? putApp.reason : (putUser as PromiseRejectedResult).reason
      ) as Error;
    }
    if (putSession.status === 'rejected') throw putSession.reason as Error;
    const [written, app, user] = [putSession.value, putApp.value, putUser.value];
    this.remember(key, written);
    return {
      events: [],
      state: { app, user, session: readSessionState(written, readSessionEnvelope(written)) },
      lastUpdateTime: init.now,
      revision: revisionMark(envelope),
    };
  }

  async read(key: SessionKey): Promise<StoredSession | undefined> {
    const [found, app, user] = await Promise.all([
      this.findSession(key),
      this.readScope(key, 'app'),
      this.readScope(key, 'user'),
    ]);
    if (!found) return undefined;
    const { doc, envelope } = found;
    this.remember(key, doc);
    return {
      events: toAdkEvents(documentEvents(doc, envelope, key.appName), this.options.singleWriter),
      state: { app, user, session: readSessionState(doc, envelope) },
      lastUpdateTime: documentLastUpdateTime(doc, envelope),
      revision: revisionMark(envelope),
    };
  }

  async list(appName: string, userId: string | undefined): Promise<ListedSession[]> {
    const namespace = this.namespaceOf(appName);
    const { appQualifier } = scopeOf(appName, this.options.defaultNamespace);
    const users =
      userId !== undefined
        ? [userId]
        : (await this.listStored(stateNamespace(appName), undefined))
            .map(userFromStateSessionId)
            .filter((user): user is string => user !== undefined);
    const candidates: { userId: string; sessionId: string }[] = [];
    const seen = new Set<string>();
    const perUser = await mapWithConcurrency(users, this.options.listConcurrency, async (user) => ({
      user,
      ids: await this.listStored(namespace, encodeId(user)),
    }));
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
    const result = listed.filter((entry): entry is ListedSession => entry !== undefined);
    return result;
  }

  async delete(key: SessionKey): Promise<void> {
    const address = this.sessionAddress(key);
    // AMS falls back to an index lookup when the exact key is missing, and its TAG match ignores
    // case: deleting a missing session could delete another user's. Delete only what we found.
    const found = await this.findSession(key);
    const location = this.locationOf(key);
    this.lastSeen.delete(location);
    this.writtenEvents.forget(location);
    if (!found) return;
    await this.deleteStored(address);
  }

  private async deleteStored(address: DocumentAddress): Promise<void> {
    await unwrap(
      this.client.DELETE(WORKING_MEMORY, {
        params: { path: { session_id: address.sessionId }, query: this.scopeQuery(address) },
      }),
    );
  }

  async prepareAppend(
    key: SessionKey,
    expectedRevision: Revision | undefined,
  ): Promise<PreparedSessionAppend> {
    const location = this.locationOf(key);
    const cached = this.options.singleWriter ? this.lastSeen.get(location) : undefined;
    const found = cached
      ? { doc: cached, envelope: this.envelopeOf(key, cached) ?? undefined }
      : await this.findSession(key);
    if (!found) throw new SessionNotFoundError(key);
    const { doc, envelope } = found;
    const revision = revisionMark(envelope);
    if (expectedRevision !== undefined && expectedRevision !== revision) {
      throw new StaleSessionError(key, expectedRevision, revision);
    }
    return { revision, doc, envelope };
  }

  async commitAppend(
    key: SessionKey,
    prepared: PreparedAppend,
    change: AppendChange,
  ): Promise<Revision> {
    const { doc, envelope } = prepared as PreparedSessionAppend;
    const address = this.sessionAddress(key);
    const events = upsertEvent(documentEvents(doc, envelope, key.appName), change.event);
    // Marked so that AMS starts no background rewrite of the document (see markHandled).
    const messages = markHandled(
      upsertMessage(
        doc.messages ?? [],
        change.event.id,
        change.text && {
          role: change.text.role,
          content: change.text.content,
          createdAt: messageTime(change.event.timestamp),
        },
      ),
      new Date().toISOString(),
    );
    const writeId = newWriteId();
    const next: Omit<SessionEnvelope, 'state'> = {
      v: 1,
      kind: 'session',
      app: key.appName,
      user: key.userId,
      session: key.sessionId,
      revision: (envelope?.revision ?? 0) + 1,
      writeId,
      createdAt: documentCreatedAt(doc, envelope),
      lastUpdateTime: change.lastUpdateTime,
      events,
    };
    const fields = {
      ...this.retainedFields(doc),
      namespace: address.namespace,
      user_id: address.userId ?? null,
      messages,
    };
    // The document's JSON with the events' text reused from the last write where it can be: the
    // body is built with a placeholder for the events, which their JSON then replaces.
    const location = this.locationOf(key);
    const eventsJson = this.writtenEvents.encode(
      location,
      prepared.revision as string,
      envelope?.events ?? [],
      events,
    );
    const placeholder = `adk-redis:events:${writeId}`;
    const body: AmsWorkingMemoryUpdate = {
      ...fields,
      data: sessionData(change.sessionState, {
        ...next,
        events: placeholder as unknown as StoredEvent[],
      }) as AmsWorkingMemoryUpdate['data'],
    };
    const text =
      spliceEvents(body, placeholder, eventsJson) ??
      JSON.stringify({ ...fields, data: sessionData(change.sessionState, next) });
    // Single-writer mode keeps AMS's answer for the next append; otherwise it is only checked.
    const writeSession = async (): Promise<Revision> => {
      if (!this.options.singleWriter) {
        await this.putAcknowledged(address, body, text, writeId);
      } else {
        const written = await this.putStored(address, body, text);
        // Kept for the next append, so it must be this write's document, not any valid one.
        let echoed: SessionEnvelope | undefined;
        try {
          echoed = readSessionEnvelope(written);
        } catch {
          echoed = undefined;
        }
        if (echoed?.writeId !== writeId) throw notThisWrite();
        this.remember(key, written);
      }
      this.writtenEvents.remember(location, revisionMark(next), events.length, eventsJson);
      return revisionMark(next);
    };
    // The session write and any app/user updates go out together; the call settles only when all
    // have, so nothing this append sends lands after it has returned.
    const [written, ...scopes] = await Promise.allSettled([
      writeSession(),
      hasKeys(change.appDelta) ? this.updateScope(key, 'app', change.appDelta, false) : undefined,
      hasKeys(change.userDelta) ? this.updateScope(key, 'user', change.userDelta, true) : undefined,
    ]);
    if (written.status === 'rejected') throw written.reason as Error;
    const failed = scopes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason as Error;
    return written.value;
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

  private scopeAddress(key: SessionKey, kind: 'app' | 'user'): DocumentAddress {
    const namespace = stateNamespace(key.appName);
    // The app document has a reserved user too, so every read and delete names namespace and user.
    return kind === 'app'
      ? { namespace, userId: APP_STATE_SESSION_ID, sessionId: APP_STATE_SESSION_ID }
      : { namespace, userId: encodeId(key.userId), sessionId: userStateSessionId(key.userId) };
  }

  private scopeQuery(address: DocumentAddress): { namespace: string; user_id?: string } {
    return address.userId === undefined
      ? { namespace: address.namespace }
      : { namespace: address.namespace, user_id: address.userId };
  }

  /**
   * The session's document, when it is really this session's. AMS answers a GET whose exact key is
   * missing with an index lookup that ignores case and echoes the requested session id, so a
   * document is only accepted when its envelope names this session, or, for a document another
   * writer stored without one, when AMS lists that exact id (skipped for ids that came from a list).
   */
  private async findSession(
    key: SessionKey,
    verifyForeign = true,
  ): Promise<{ doc: AmsWorkingMemory; envelope: SessionEnvelope | undefined } | undefined> {
    const address = this.sessionAddress(key);
    const doc = await this.getStored(address);
    if (!doc) return undefined;
    const envelope = this.envelopeOf(key, doc);
    if (envelope === null) return undefined;
    if (envelope === undefined && verifyForeign) {
      const listed = await this.listStored(address.namespace, address.userId);
      if (!listed.includes(address.sessionId)) return undefined;
    }
    return { doc, envelope };
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
      throw this.unreadable(key, error);
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

  // ---- scope documents ----------------------------------------------------------------------

  private async readScope(key: SessionKey, kind: 'app' | 'user'): Promise<StateMap> {
    const { doc } = await this.readScopeDocument(key, kind);
    try {
      return readScopeEnvelope(doc, kind).state;
    } catch (error) {
      throw this.unreadable(key, error);
    }
  }

  /** A scope document as read now, with this process's write count for it at that moment. */
  private async readScopeDocument(key: SessionKey, kind: 'app' | 'user'): Promise<ScopeRead> {
    const address = this.scopeAddress(key, kind);
    const generation = this.scopeWrites.get(this.scopeLocation(address)) ?? 0;
    return { doc: await this.getStored(address), generation };
  }

  private scopeLocation(address: DocumentAddress): string {
    return JSON.stringify([this.options.serverId, address]);
  }

  /**
   * Sets keys in the app or user state document and returns its state. Creates the document when
   * `ensure` is set (user documents also register the user for listing across users).
   */
  private updateScope(
    key: SessionKey,
    kind: 'app' | 'user',
    delta: StateMap,
    ensure: boolean,
    earlier?: ScopeRead,
  ): Promise<StateMap> {
    const address = this.scopeAddress(key, kind);
    const location = this.scopeLocation(address);
    return runSerially(location, async () => {
      // A read made before this turn is still current unless this process wrote since.
      const current = earlier && earlier.generation === (this.scopeWrites.get(location) ?? 0);
      const doc = current ? earlier.doc : await this.getStored(address);
      let envelope;
      try {
        envelope = readScopeEnvelope(doc, kind);
      } catch (error) {
        throw this.unreadable(key, error);
      }
      if (!hasKeys(delta) && (doc || !ensure)) return envelope.state;
      const state = emptyState();
      applyDelta(state, envelope.state);
      applyDelta(state, delta);
      await this.putStored(address, {
        ...this.retainedFields(doc, false),
        namespace: address.namespace,
        user_id: address.userId ?? null,
        messages: [],
        data: scopeData({
          v: 1,
          kind,
          revision: envelope.revision + 1,
          state,
        }) as AmsWorkingMemoryUpdate['data'],
      });
      this.scopeWrites.set(location, (this.scopeWrites.get(location) ?? 0) + 1);
      return state;
    });
  }

  // ---- listing ------------------------------------------------------------------------------

  /** Every session id AMS lists under a namespace (and user), paging by 100. */
  private async listStored(namespace: string, userId: string | undefined): Promise<string[]> {
    const ids: string[] = [];
    for (let offset = 0; ; offset += LIST_PAGE) {
      const page = await unwrap(
        this.client.GET('/v1/working-memory/', {
          params: {
            query: {
              namespace,
              ...(userId !== undefined ? { user_id: userId } : {}),
              limit: LIST_PAGE,
              offset,
            },
          },
        }),
      );
      if (
        typeof page !== 'object' ||
        page === null ||
        !Array.isArray(page.sessions) ||
        !page.sessions.every((id) => typeof id === 'string') ||
        typeof page.total !== 'number'
      ) {
        throw new MalformedResponseError(
          OPENSOURCE_AGENT_MEMORY_BACKEND,
          'GET',
          '/v1/working-memory/',
          'unexpected session list (want {sessions: string[], total: number})',
        );
      }
      if (page.total > LIST_WINDOW) {
        throw new BackendError({
          backend: OPENSOURCE_AGENT_MEMORY_BACKEND,
          status: 200,
          method: 'GET',
          path: '/v1/working-memory/',
          detail: `${page.total} sessions match, more than the ${LIST_WINDOW} AMS can page through; list per user`,
        });
      }
      ids.push(...page.sessions);
      if (page.sessions.length === 0 || offset + LIST_PAGE >= page.total) return ids;
    }
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  /**
   * GETs a document, or undefined on 404 or when the stored namespace and user differ from the
   * address (AMS's index fallback matches them ignoring case).
   */
  private async getStored(address: DocumentAddress): Promise<AmsWorkingMemory | undefined> {
    const { data, error, response } = await this.client.GET(WORKING_MEMORY, {
      params: { path: { session_id: address.sessionId }, query: this.scopeQuery(address) },
    });
    if (response.status === 404) return undefined;
    if (!response.ok) throw backendErrorFrom(response, error);
    const doc = checkDocument(data, 'GET');
    if (doc.session_id !== address.sessionId || (doc.namespace ?? undefined) !== address.namespace)
      return undefined;
    if ((doc.user_id ?? undefined) !== address.userId) return undefined;
    return doc;
  }

  private putQuery(): { model_name?: AmsModelName; context_window_max?: number } {
    const query: { model_name?: AmsModelName; context_window_max?: number } = {};
    if (this.options.modelName) query.model_name = this.options.modelName as AmsModelName;
    if (this.options.contextWindowMax) query.context_window_max = this.options.contextWindowMax;
    return query;
  }

  /**
   * PUTs a document and returns AMS's answer: the document as stored. `text`, when given, is the
   * JSON sent in place of `body`'s.
   */
  private async putStored(
    address: DocumentAddress,
    body: AmsWorkingMemoryUpdate,
    text?: string,
  ): Promise<AmsWorkingMemory> {
    const written = await unwrap(
      this.client.PUT(WORKING_MEMORY, {
        params: { path: { session_id: address.sessionId }, query: this.putQuery() },
        body,
        ...(text === undefined ? {} : { bodySerializer: () => text }),
      }),
    );
    return checkDocument(written, 'PUT');
  }

  /**
   * PUTs a session document when nothing of AMS's answer is kept: the answer is only checked to
   * be the document this write stored (it carries the write's random id), not parsed. A 200 that
   * is not AMS's answer (a proxy's page) is refused all the same, and the whole session is not
   * parsed once more on every append (its size grows with the session). `text` is the JSON sent.
   */
  private async putAcknowledged(
    address: DocumentAddress,
    body: AmsWorkingMemoryUpdate,
    text: string,
    writeId: string,
  ): Promise<void> {
    const answer: unknown = await unwrap(
      this.client.PUT(WORKING_MEMORY, {
        params: { path: { session_id: address.sessionId }, query: this.putQuery() },
        body,
        bodySerializer: () => text,
        parseAs: 'text',
      }),
    );
    if (
      typeof answer !== 'string' ||
      !answer.trimStart().startsWith('{') ||
      !answer.includes(JSON.stringify(writeId))
    ) {
      throw notThisWrite();
    }
  }

  /**
   * The fields a PUT must send back so it does not reset them (PUT replaces the whole document):
   * server-owned ones as read, TTL and strategy from the config or as read.
   */
  private retainedFields(
    doc: AmsWorkingMemory | undefined,
    session = true,
  ): AmsWorkingMemoryUpdate {
    const fields: AmsWorkingMemoryUpdate = {};
    if (doc) {
      if (doc.memories) fields.memories = doc.memories;
      if (doc.context !== undefined) fields.context = doc.context;
      if (doc.tokens !== undefined) fields.tokens = doc.tokens;
      if (doc.created_at !== undefined) fields.created_at = doc.created_at;
      if (doc.last_accessed !== undefined) fields.last_accessed = doc.last_accessed;
      if (doc.long_term_memory_strategy)
        fields.long_term_memory_strategy = doc.long_term_memory_strategy;
      if (doc.ttl_seconds !== undefined) fields.ttl_seconds = doc.ttl_seconds;
    }
    if (session) {
      if (this.options.strategy) fields.long_term_memory_strategy = this.options.strategy;
      if (this.options.sessionTtlSeconds !== undefined) {
        fields.ttl_seconds = this.options.sessionTtlSeconds;
      }
    }
    return fields;
  }

  private remember(key: SessionKey, doc: AmsWorkingMemory): void {
    if (!this.options.singleWriter) return;
    this.lastSeen.set(this.locationOf(key), doc);
  }

  private unreadable(key: SessionKey, error: unknown): Error {
    if (!(error instanceof UnreadableDocumentError)) return error as Error;
    return new MalformedResponseError(
      OPENSOURCE_AGENT_MEMORY_BACKEND,
      'GET',
      WORKING_MEMORY,
      `the stored document of session ${JSON.stringify(key.sessionId)} ${error.message}`,
    );
  }
}

/** A random id for each write of a session document (see {@link SessionEnvelope.writeId}). */
function newWriteId(): string {
  // 48 random bits; randomUUID draws from a pooled buffer, cheaper than a randomBytes call.
  return randomUUID().replace(/-/g, '').slice(0, 12);
}

/** Message time: the event's, but never in the future (AMS rejects more than 300 s ahead). */
function messageTime(timestamp: number): string {
  const now = Date.now();
  const ms = Number.isFinite(timestamp) ? Math.min(timestamp, now) : now;
  return new Date(ms).toISOString();
}

/** AMS answered a session PUT with something other than the document that PUT stored. */
function notThisWrite(): MalformedResponseError {
  return new MalformedResponseError(
    OPENSOURCE_AGENT_MEMORY_BACKEND,
    'PUT',
    WORKING_MEMORY,
    'the answer is not the document this write stored',
  );
}

function checkDocument(data: unknown, method: string): AmsWorkingMemory {
  const problem = workingMemoryProblem(data);
  if (problem !== undefined) {
    throw new MalformedResponseError(
      OPENSOURCE_AGENT_MEMORY_BACKEND,
      method,
      WORKING_MEMORY,
      `unexpected working memory (${problem}: missing or not valid)`,
    );
  }
  return data as AmsWorkingMemory;
}
