/**
 * Working-memory documents over HTTP: GET, PUT, DELETE and the session list, with the checks every
 * answer needs (AMS's index fallback, malformed bodies) and the fields a PUT must send back.
 */
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
import { workingMemoryProblem } from './documents.js';

/** Where a document lives in AMS: its ids as sent. */
export interface DocumentAddress {
  namespace: string;
  userId?: string;
  sessionId: string;
}

/** How session documents are written (from the service config). */
export interface WriteOptions {
  sessionTtlSeconds?: number | undefined;
  strategy?: AmsMemoryStrategy | undefined;
  modelName?: string | undefined;
  contextWindowMax?: number | undefined;
}

const LIST_PAGE = 100;
// RediSearch's default MAXSEARCHRESULTS: AMS cannot page past it.
const LIST_WINDOW = 10_000;
export const WORKING_MEMORY = '/v1/working-memory/{session_id}';

export class AmsDocuments {
  constructor(
    private readonly client: AgentMemoryServerClient,
    private readonly options: WriteOptions,
  ) {}

  /**
   * GETs a document, or undefined on 404 or when the stored namespace and user differ from the
   * address (AMS's index fallback matches them ignoring case).
   */
  async get(address: DocumentAddress): Promise<AmsWorkingMemory | undefined> {
    const { data, error, response } = await this.client.GET(WORKING_MEMORY, {
      params: { path: { session_id: address.sessionId }, query: scopeQuery(address) },
    });
    if (response.status === 404) return undefined;
    if (!response.ok) throw backendErrorFrom(response, error);
    const doc = checkDocument(data, 'GET');
    if (doc.session_id !== address.sessionId || (doc.namespace ?? undefined) !== address.namespace)
      return undefined;
    if ((doc.user_id ?? undefined) !== address.userId) return undefined;
    return doc;
  }

  /**
   * PUTs a document and returns AMS's answer: the document as stored. `text`, when given, is the
   * JSON sent in place of `body`'s.
   */
  async put(
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
   * PUTs a document when nothing of AMS's answer is kept: the answer is only checked to be the
   * document this write stored (it carries `mark`, a random id of this write), not parsed. A 200
   * that is not AMS's answer (a proxy's page) is refused all the same. `text` is the JSON sent.
   */
  async putAcknowledged(
    address: DocumentAddress,
    body: AmsWorkingMemoryUpdate,
    text: string,
    mark: string,
  ): Promise<void> {
    await this.putMarked(address, body, text, mark);
  }

  /**
   * PUTs a document whose answer is kept (the single-writer cache): the answer is checked to be this
   * write's (it carries `mark`), then kept as the document sent when AMS stored it as sent, which
   * saves parsing a document about twice the size of what was sent on every append; otherwise
   * (AMS summarised the messages on the way in) the answer is parsed and returned. `asSent` says
   * which.
   *
   * "As sent" is read from the top-level `context` of the answer: AMS's summarisation, the only
   * rewrite a PUT does, always replaces it, while every other field it changes (timestamps, token
   * counts, defaults) is one the next write sends back as read anyway. AMS writes `context` after
   * `data` and before everything else of the document, so its last `"context":` key is the
   * top-level one unless the strategy's options hold such a key (then the answer is parsed).
   */
  async putKept(
    address: DocumentAddress,
    body: AmsWorkingMemoryUpdate,
    text: string,
    mark: string,
  ): Promise<{ doc: AmsWorkingMemory; asSent: boolean }> {
    const answer = await this.putMarked(address, body, text, mark);
    if (storedAsSent(answer, body)) {
      return { doc: { ...body, session_id: address.sessionId }, asSent: true };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer);
    } catch {
      throw notThisWrite();
    }
    return { doc: checkDocument(parsed, 'PUT'), asSent: false };
  }

  /** PUTs `text` and returns AMS's answer as text, once it is known to carry `mark`. */
  private async putMarked(
    address: DocumentAddress,
    body: AmsWorkingMemoryUpdate,
    text: string,
    mark: string,
  ): Promise<string> {
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
      !answer.includes(JSON.stringify(mark))
    ) {
      throw notThisWrite();
    }
    return answer;
  }

  async delete(address: DocumentAddress): Promise<void> {
    await unwrap(
      this.client.DELETE(WORKING_MEMORY, {
        params: { path: { session_id: address.sessionId }, query: scopeQuery(address) },
      }),
    );
  }

  /** Every session id AMS lists under a namespace (and user), paging by 100. */
  async list(namespace: string, userId: string | undefined): Promise<string[]> {
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

  /**
   * The fields a PUT must send back so it does not reset them (PUT replaces the whole document):
   * server-owned ones as read, and for session documents TTL and strategy from the config.
   */
  retainedFields(doc: AmsWorkingMemory | undefined, session = true): AmsWorkingMemoryUpdate {
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

  private putQuery(): { model_name?: AmsModelName; context_window_max?: number } {
    const query: { model_name?: AmsModelName; context_window_max?: number } = {};
    if (this.options.modelName) query.model_name = this.options.modelName as AmsModelName;
    if (this.options.contextWindowMax) query.context_window_max = this.options.contextWindowMax;
    return query;
  }
}

function scopeQuery(address: DocumentAddress): { namespace: string; user_id?: string } {
  return address.userId === undefined
    ? { namespace: address.namespace }
    : { namespace: address.namespace, user_id: address.userId };
}

const CONTEXT_KEY = '"context":';

/** Whether AMS's answer to a PUT of `body` has the context sent, so it stored the rest as sent. */
function storedAsSent(answer: string, body: AmsWorkingMemoryUpdate): boolean {
  const strategy = body.long_term_memory_strategy;
  if (strategy && JSON.stringify(strategy).includes(CONTEXT_KEY)) return false;
  const at = answer.lastIndexOf(CONTEXT_KEY);
  if (at < 0) return false;
  const sent =
    body.context === undefined || body.context === null ? 'null' : JSON.stringify(body.context);
  return answer.startsWith(`${sent},`, at + CONTEXT_KEY.length);
}

/** AMS answered a PUT with something other than the document that PUT stored. */
export function notThisWrite(): MalformedResponseError {
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
