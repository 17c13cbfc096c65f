/** ADK list semantics: order by lastUpdateTime with id tie-breaks, then InMemorySessionService's paging arithmetic. */
import type { ListSessionsRequest } from '@google/adk';
import { InvalidArgumentError } from '../clients/index.js';

/** What a backend knows about one listed session. */
export interface ListedSession {
  userId: string;
  sessionId: string;
  lastUpdateTime: number;
  /** Creation time in ms, when known: the order used when the caller asks for none. */
  createdAt?: number;
}

/** One page, and the counts ADK reports with it. */
export interface Page<T> {
  items: T[];
  page: number;
  limit: number;
  totalItems: number;
  totalPages: number;
}

type PagingRequest = Pick<ListSessionsRequest, 'limit' | 'offset' | 'page' | 'order'>;

/** Rejects paging values ADK's arithmetic has no meaning for (negative, fractional, page 0). */
export function validatePaging(request: PagingRequest): void {
  const check = (field: 'limit' | 'offset' | 'page', min: number): void => {
    const value = request[field];
    if (value === undefined || value === null) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new InvalidArgumentError(
        field,
        `listSessions: "${field}" must be an integer >= ${min}, got ${String(value)}.`,
      );
    }
  };
  check('limit', 0);
  check('offset', 0);
  check('page', 1);
  if (request.order !== undefined && request.order !== 'asc' && request.order !== 'desc') {
    throw new InvalidArgumentError('order', `listSessions: "order" must be "asc" or "desc".`);
  }
}

// Code-unit order, so results do not depend on the host's locale.
const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Orders sessions: `asc`/`desc` by lastUpdateTime, ties by session id then user id ascending in
 * both directions; with no order, by creation time (as ADK's in-memory service lists in insertion
 * order), then id.
 */
export function orderSessions<T extends ListedSession>(
  sessions: T[],
  order: 'asc' | 'desc' | undefined,
): T[] {
  const tieBreak = (a: T, b: T): number =>
    byId(a.sessionId, b.sessionId) || byId(a.userId, b.userId);
  const sorted = [...sessions];
  if (order === 'asc') sorted.sort((a, b) => a.lastUpdateTime - b.lastUpdateTime || tieBreak(a, b));
  else if (order === 'desc')
    sorted.sort((a, b) => b.lastUpdateTime - a.lastUpdateTime || tieBreak(a, b));
  else sorted.sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0) || tieBreak(a, b));
  return sorted;
}

/** Slices an ordered list exactly as ADK's InMemorySessionService does. */
export function paginate<T>(all: T[], request: PagingRequest): Page<T> {
  const { limit, offset, page } = request;
  const totalItems = all.length;
  if (limit === undefined || limit === null) {
    if (totalItems === 0) return { items: [], page: 1, limit: 0, totalItems: 0, totalPages: 0 };
    return {
      items: offset ? all.slice(offset) : all,
      page: 1,
      limit: totalItems,
      totalItems,
      totalPages: 1,
    };
  }
  const effectiveOffset = page !== undefined && page !== null ? (page - 1) * limit : (offset ?? 0);
  const effectivePage =
    page !== undefined && page !== null
      ? page
      : limit === 0
        ? 1
        : Math.floor(effectiveOffset / limit) + 1;
  return {
    items: all.slice(effectiveOffset, effectiveOffset + limit),
    page: effectivePage,
    limit,
    totalItems,
    totalPages: limit === 0 ? 0 : Math.ceil(totalItems / limit),
  };
}
