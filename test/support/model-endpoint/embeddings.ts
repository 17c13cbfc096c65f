/**
 * Deterministic lexical embeddings: a hashed bag of words. Each word adds +1 or -1 to one of
 * `dimensions` buckets (both picked from its SHA-256), and the vector is L2-normalised, so texts that
 * share words are close in cosine distance and texts that share none are orthogonal (distance 1).
 * No model, no network: the same text always gives the same vector.
 */
import { createHash } from 'node:crypto';

/** The largest vector the endpoint builds (OpenAI's largest model has 3072). */
export const MAX_EMBEDDING_DIMENSIONS = 4096;

const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-cased words of a text, in order (letters and digits only). */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** The embedding of `text`: unit length, never the zero vector (a text without words maps to e0). */
export function embedText(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of wordsOf(text)) {
    const digest = createHash('sha256').update(word).digest();
    const bucket = digest.readUInt32BE(0) % dimensions;
    vector[bucket]! += (digest[4]! & 1) === 0 ? 1 : -1;
  }
  const norm = Math.hypot(...vector);
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  return vector.map((value) => value / norm);
}

/** The `encoding_format: "base64"` form: little-endian float32 values, base64-encoded. */
export function toBase64Floats(vector: readonly number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => buffer.writeFloatLE(value, index * 4));
  return buffer.toString('base64');
}
