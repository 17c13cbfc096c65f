/**
 * ListSessions page tokens. Opaque to clients; inside, the position (creation sequence of the last
 * id returned, so deletions between pages never skip a session) and the filter it was issued for.
 */
import type { ListFilter } from './store.js';

interface TokenContent {
  v: 1;
  after: number;
  filter: string;
}

function filterKey(filter: ListFilter): string {
  return 'all' in filter ? 'all' : `owner:${filter.ownerId}`;
}

export function encodePageToken(filter: ListFilter, after: number): string {
  const content: TokenContent = { v: 1, after, filter: filterKey(filter) };
  return Buffer.from(JSON.stringify(content)).toString('base64url');
}

/** The position a token continues from, or undefined when it is not one of ours for this filter. */
export function decodePageToken(token: string, filter: ListFilter): number | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  let content: unknown;
  try {
    content = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const { v, after, filter: key } = (content ?? {}) as Partial<TokenContent>;
  if (v !== 1 || !Number.isInteger(after) || (after as number) < 0) return undefined;
  return key === filterKey(filter) ? after : undefined;
}
