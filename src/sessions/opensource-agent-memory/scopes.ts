/**
 * The app and user state documents of a session's scopes (reserved documents in a namespace of
 * their own per app, see ids.ts). Errors raised while reading or writing them name the caller's
 * app, user and session, never the reserved document ids.
 */
import {
  MalformedResponseError,
  type AmsWorkingMemory,
  type AmsWorkingMemoryUpdate,
} from '../../clients/index.js';
import { encodeIdV1 } from '../../shared/opensource-agent-memory/ids.js';
import { OPENSOURCE_AGENT_MEMORY_BACKEND } from '../../shared/backend.js';
import { runSerially } from '../../shared/serial.js';
import type { SessionKey } from '../errors.js';
import { applyDelta, emptyState, hasKeys, type StateMap } from '../state.js';
import { readScopeEnvelope, scopeData, UnreadableDocumentError } from './documents.js';
import { WORKING_MEMORY, type AmsDocuments, type DocumentAddress } from './http.js';
import { APP_STATE_SESSION_ID, stateNamespace, userStateSessionId } from './ids.js';

export type ScopeKind = 'app' | 'user';

/** A scope document as read, with this process's write count for it at that moment. */
export interface ScopeRead {
  doc: AmsWorkingMemory | undefined;
  generation: number;
}

export class ScopeDocuments {
  /** Writes this process made to each scope document, to tell whether an earlier read is current. */
  private readonly writes = new Map<string, number>();

  constructor(
    private readonly documents: AmsDocuments,
    private readonly serverId: string,
  ) {}

  /** The scope's state as stored now. */
  async read(key: SessionKey, kind: ScopeKind): Promise<StateMap> {
    const { doc } = await this.readDocument(key, kind);
    return this.envelope(key, kind, doc).state;
  }

  /** A scope document as read now, with this process's write count for it at that moment. */
  async readDocument(key: SessionKey, kind: ScopeKind): Promise<ScopeRead> {
    const address = scopeAddress(key, kind);
    const generation = this.writes.get(this.location(address)) ?? 0;
    const doc = await this.named(key, kind, () => this.documents.get(address));
    return { doc, generation };
  }

  /**
   * Sets keys in the app or user state document and returns its state. Creates the document when
   * `ensure` is set (user documents also register the user for listing across users).
   */
  update(
    key: SessionKey,
    kind: ScopeKind,
    delta: StateMap,
    ensure: boolean,
    earlier?: ScopeRead,
  ): Promise<StateMap> {
    const address = scopeAddress(key, kind);
    const location = this.location(address);
    return runSerially(location, async () => {
      // A read made before this turn is still current unless this process wrote since.
      const current = earlier && earlier.generation === (this.writes.get(location) ?? 0);
      const doc = current
        ? earlier.doc
        : await this.named(key, kind, () => this.documents.get(address));
      const envelope = this.envelope(key, kind, doc);
      if (!hasKeys(delta) && (doc || !ensure)) return envelope.state;
      const state = emptyState();
      applyDelta(state, envelope.state);
      applyDelta(state, delta);
      await this.named(key, kind, () =>
        this.documents.put(address, {
          ...this.documents.retainedFields(doc, false),
          namespace: address.namespace,
          user_id: address.userId ?? null,
          messages: [],
          data: scopeData({
            v: 1,
            kind,
            revision: envelope.revision + 1,
            state,
          }) as AmsWorkingMemoryUpdate['data'],
        }),
      );
      this.writes.set(location, (this.writes.get(location) ?? 0) + 1);
      return state;
    });
  }

  private envelope(key: SessionKey, kind: ScopeKind, doc: AmsWorkingMemory | undefined) {
    try {
      return readScopeEnvelope(doc, kind);
    } catch (error) {
      if (!(error instanceof UnreadableDocumentError)) throw error;
      throw new MalformedResponseError(
        OPENSOURCE_AGENT_MEMORY_BACKEND,
        'GET',
        WORKING_MEMORY,
        `the stored document of ${describeScope(key, kind)}: ${error.message}`,
      );
    }
  }

  /** Runs a request on a scope document; its errors name the caller's ids instead of the document's. */
  private async named<T>(key: SessionKey, kind: ScopeKind, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw renamed(error, scopeAddress(key, kind), describeScope(key, kind));
    }
  }

  private location(address: DocumentAddress): string {
    return JSON.stringify([this.serverId, address]);
  }
}

/** Where a scope's document lives. */
export function scopeAddress(key: SessionKey, kind: ScopeKind): DocumentAddress {
  const namespace = stateNamespace(key.appName);
  // The app document has a reserved user too, so every read and delete names namespace and user.
  // User documents keep the user id form versions up to 0.0.1 gave them (nothing else reads them).
  return kind === 'app'
    ? { namespace, userId: APP_STATE_SESSION_ID, sessionId: APP_STATE_SESSION_ID }
    : { namespace, userId: encodeIdV1(key.userId), sessionId: userStateSessionId(key.userId) };
}

function describeScope(key: SessionKey, kind: ScopeKind): string {
  const owner =
    kind === 'app'
      ? `app ${JSON.stringify(key.appName)}`
      : `user ${JSON.stringify(key.userId)} of app ${JSON.stringify(key.appName)}`;
  return `the ${kind} state of ${owner}, for session ${JSON.stringify(key.sessionId)}`;
}

/**
 * The error with the reserved document's id replaced by the route's template in its path and
 * message, and the scope it was about named: same class, code and fields otherwise, so callers
 * branch on it as before.
 */
function renamed(error: unknown, address: DocumentAddress, scope: string): unknown {
  if (!(error instanceof Error)) return error;
  const withPath = error as Error & { path?: unknown };
  if (typeof withPath.path !== 'string') return error;
  const ids = [address.sessionId, encodeURIComponent(address.sessionId)];
  const mentions = (text: string) => ids.some((id) => text.includes(id));
  if (!mentions(withPath.path) && !mentions(error.message)) return error;
  const scrub = (text: string) =>
    text
      .split(`/v1/working-memory/${encodeURIComponent(address.sessionId)}`)
      .join(WORKING_MEMORY)
      .split(`/v1/working-memory/${address.sessionId}`)
      .join(WORKING_MEMORY)
      .split(address.sessionId)
      .join('{session_id}');
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error & { path: string };
  Object.assign(copy, error);
  Object.defineProperty(copy, 'message', {
    value: `${scrub(error.message)} (about ${scope})`,
    writable: true,
    configurable: true,
  });
  copy.path = scrub(withPath.path);
  Object.defineProperty(copy, 'stack', {
    value: `${copy.name}: ${copy.message}\n${(error.stack ?? '').split('\n').slice(1).join('\n')}`,
    writable: true,
    configurable: true,
  });
  if (error.cause !== undefined) copy.cause = error.cause;
  return copy;
}
