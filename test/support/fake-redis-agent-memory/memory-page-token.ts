/**
 * SearchLongTermMemory page tokens. Opaque to clients; inside, the rank key (score and id) of the
 * last record returned, so records deleted or added between pages never shift the rest, and a
 * digest of the search (text, threshold, filter, filterOp) the token was issued for.
 */
import { createHash } from 'node:crypto';
import type { RankKey } from './memory-ranking.js';

interface TokenContent {
  v: 1;
  q: string;
  score: number;
  id: string;
}

/** A digest of what a search matches; equal for equal searches whatever their key order. */
export function searchDigest(search: Record<string, unknown>): string {
  return createHash('sha256').update(canonical(search)).digest('base64url').slice(0, 22);
}

export function encodeSearchToken(digest: string, after: RankKey): string {
  const content: TokenContent = { v: 1, q: digest, score: after.score, id: after.id };
  return Buffer.from(JSON.stringify(content)).toString('base64url');
}

/** The rank key a token continues after, or undefined when it is not ours for this search. */
export function decodeSearchToken(token: string, digest: string): RankKey | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  let content: unknown;
  try {
    content = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const { v, q, score, id } = (content ?? {}) as Partial<TokenContent>;
  if (v !== 1 || q !== digest || typeof id !== 'string') return undefined;
  if (typeof score !== 'number' || !(score >= 0 && score <= 1)) return undefined;
  return { score, id };
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
