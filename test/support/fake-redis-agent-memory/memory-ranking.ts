/**
 * The fake's stand-in for semantic search: a deterministic lexical similarity (cosine of
 * lower-cased word-count vectors), in 0..1 like the API's "normalized cosine similarity", so
 * `similarityThreshold` keeps what scores at or above it (higher is stricter).
 */

/** Where a ranked item sits in a result list: best score first, then id (code-unit order). */
export interface RankKey {
  score: number;
  id: string;
}

/** Lower-cased words (runs of letters and digits, any script) and how often each occurs. */
export function wordCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [word] of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/**
 * Cosine similarity of two texts' word-count vectors: 1 for the same words in the same
 * proportions, 0 when no word is shared or either text has no words.
 */
export function lexicalSimilarity(a: string, b: string): number {
  return cosine(wordCounts(a), wordCounts(b));
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  for (const [word, count] of a) dot += count * (b.get(word) ?? 0);
  if (dot === 0) return 0;
  const norm = (v: Map<string, number>) => [...v.values()].reduce((sum, c) => sum + c * c, 0);
  // One square root of an integer product keeps identical and proportional texts at exactly 1.
  return Math.min(1, dot / Math.sqrt(norm(a) * norm(b)));
}

/** Negative when `a` ranks before `b`. */
export function compareRank(a: RankKey, b: RankKey): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Records with their score against `query`, best first. Without a query every record scores 0,
 * so the order is by id alone.
 */
export function rank<T extends { id: string; text: string }>(
  records: Iterable<T>,
  query: string | undefined,
): (RankKey & { record: T })[] {
  const queryWords = query === undefined ? undefined : wordCounts(query);
  const ranked = [...records].map((record) => ({
    record,
    id: record.id,
    score: queryWords ? cosine(queryWords, wordCounts(record.text)) : 0,
  }));
  return ranked.sort(compareRank);
}
