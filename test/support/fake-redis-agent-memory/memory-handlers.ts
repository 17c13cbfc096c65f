/**
 * What each long-term memory operation does, given a request whose parameters and body already
 * passed the schema checks. Checks the schema cannot express (ids that may also be empty strings,
 * filters without operators, page tokens, registered memory types) answer 400 here.
 */
import type { components } from '../../../src/generated/redis-agent-memory.js';
import { invalid, notFound, type Handler, type Reply, type ValidRequest } from './handlers.js';
import { filterProblems, matchesFilter } from './memory-filter.js';
import { acceptsMemoryType, type ResolvedLongTermMemoryOptions } from './memory-options.js';
import { decodeSearchToken, encodeSearchToken, searchDigest } from './memory-page-token.js';
import { compareRank, rank } from './memory-ranking.js';
import type {
  CreateMemoryRecord,
  FieldsUpdate,
  MemoryChanges,
  MemoryStore,
} from './memory-store.js';
import { problem, type FieldError } from './problems.js';

type Schemas = components['schemas'];
type SearchRequest = Schemas['SearchLongTermMemoryRequestContent'];
type UpdateRequest = Schemas['UpdateLongTermMemoryRequestContent'];

const DEFAULT_SEARCH_LIMIT = 10;
const ID_PATTERN = /^[a-zA-Z0-9-]+$/;

export function createLongTermMemoryHandlers(store: MemoryStore): Record<string, Handler> {
  const { options } = store;
  const memoryId = (r: ValidRequest) => r.params.memoryId as string;
  const noMemory = (r: ValidRequest) => notFound(`Memory ${memoryId(r)} was not found.`);

  return {
    BulkCreateLongTermMemories: (r) => {
      const { memories } = r.body as { memories: CreateMemoryRecord[] };
      const { created, errors } = store.create(memories);
      return { status: 201, body: { created, ...(errors.length ? { errors } : {}) } };
    },

    BulkDeleteLongTermMemories: (r) => {
      const { memoryIds } = r.body as { memoryIds: string[] };
      const { deleted, errors } = store.delete(memoryIds);
      return { status: 200, body: { deleted, ...(errors.length ? { errors } : {}) } };
    },

    GetLongTermMemory: (r) => {
      const record = store.get(memoryId(r));
      return record ? { status: 200, body: record } : noMemory(r);
    },

    SearchLongTermMemory: (r) => search(store, (r.body as SearchRequest | undefined) ?? {}),

    UpdateLongTermMemory: (r) => {
      const read = changesOf((r.body as UpdateRequest | undefined) ?? {}, options);
      if ('errors' in read) return invalid(read.errors);
      const record = store.update(memoryId(r), read.changes);
      return record ? { status: 200, body: record } : noMemory(r);
    },

    UpdateLongTermMemoryFields: (r) => {
      const outcome = store.updateFields(memoryId(r), r.body as FieldsUpdate);
      if (outcome === 'updated') return { status: 200 };
      if (outcome === 'missing') return noMemory(r);
      const what = outcome === 'type-mismatch' ? 'memoryType' : 'namespace';
      const detail = `Memory ${memoryId(r)} does not have the ${what} the update is scoped to.`;
      return options.fieldsScopeMismatch === 'conflict'
        ? { status: 409, body: problem(409, detail) }
        : notFound(detail);
    },
  };
}

/**
 * Ranks the filtered records against `text` (without text, by id alone), drops those under
 * `similarityThreshold` (only with text: there is nothing to be similar to otherwise), and
 * answers the page after the token's rank key.
 */
function search(store: MemoryStore, request: SearchRequest): Reply {
  const { text, similarityThreshold, filter, filterOp = 'all' } = request;
  const problems = filterProblems(filter);
  if (problems.length) return invalid(problems);
  const digest = searchDigest({ text, similarityThreshold, filter, filterOp });
  const after =
    request.pageToken === undefined ? undefined : decodeSearchToken(request.pageToken, digest);
  if (request.pageToken !== undefined && after === undefined) {
    return invalid([
      {
        field: 'pageToken',
        rule: 'pageToken',
        message: 'pageToken is not a token this search returned',
      },
    ]);
  }
  const threshold = text === undefined ? undefined : similarityThreshold;
  const ranked = rank(
    store.all().filter((record) => matchesFilter(record, filter, filterOp)),
    text,
  ).filter(
    (item) =>
      (threshold === undefined || item.score >= threshold) &&
      (after === undefined || compareRank(item, after) > 0),
  );
  const page = ranked.slice(0, request.limit ?? DEFAULT_SEARCH_LIMIT);
  const last = page.at(-1);
  return {
    status: 200,
    body: {
      items: page.map((item) => item.record),
      ...(last && ranked.length > page.length
        ? { nextPageToken: encodeSearchToken(digest, last) }
        : {}),
    },
  };
}

/**
 * UpdateLongTermMemory's body as changes. `namespace` and `sessionId` clear with an empty string;
 * `ownerId` cannot be cleared; given values must be ids (1–64 of `[a-zA-Z0-9-]`).
 */
function changesOf(
  body: UpdateRequest,
  options: ResolvedLongTermMemoryOptions,
): { changes: MemoryChanges } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const id = (field: 'namespace' | 'ownerId' | 'sessionId', clearable: boolean) => {
    const value = body[field];
    if (value === undefined) return undefined;
    if (value === '' && clearable) return null;
    const error = idProblem(field, value);
    if (error) errors.push(error);
    return value;
  };
  const changes: MemoryChanges = {
    text: body.text,
    memoryType: body.memoryType,
    topics: body.topics,
    ownerId: id('ownerId', false) ?? undefined,
    namespace: id('namespace', true),
    sessionId: id('sessionId', true),
  };
  if (body.memoryType !== undefined && !acceptsMemoryType(options, body.memoryType)) {
    errors.push({
      field: 'memoryType',
      rule: 'enum',
      message: `memoryType ${body.memoryType} is neither built in nor registered on the store`,
    });
  }
  return errors.length ? { errors } : { changes };
}

function idProblem(field: string, value: string): FieldError | undefined {
  if (value.length === 0) {
    return { field, rule: 'minLength', message: `${field} cannot be empty` };
  }
  if (value.length > 64) {
    return { field, rule: 'maxLength', message: `${field} is longer than 64 characters` };
  }
  if (!ID_PATTERN.test(value)) {
    return { field, rule: 'pattern', message: `${field} must match ${ID_PATTERN.source}` };
  }
  return undefined;
}
