/**
 * Seeded random app names, user ids and session ids made of the characters that id mappings trip
 * over: separators, quotes, wildcards, escapes, whitespace, case, non-ASCII and reserved prefixes.
 */

import { seededRandom } from '../unit/sessions/random.js';

export { seededRandom };

/** Every printable ASCII character that is not a letter or digit, and the space. */
export const ASCII_PUNCTUATION = [...' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];

/** Pieces names are built from; each is one unit of the generated text. */
const PIECES: readonly string[] = [
  ...ASCII_PUNCTUATION,
  'a',
  'A',
  'b',
  'B',
  'z',
  '0',
  '7',
  'App',
  'app',
  'adk~',
  'ADK~',
  'Adk~61',
  'é',
  'É',
  'ß',
  'ü',
  '日本',
  '😀',
  '\u00a0',
  'e\u0301',
  'Travel Planner (beta)',
];

/** Control characters, for names that some mappings must encode. */
const CONTROL = ['\t', '\n', '\r', '\u0000', '\u0001', '\u007f', '\u0085'];

export interface AwkwardNameOptions {
  /** Most pieces per name (default 6). */
  maxPieces?: number;
  /** Also use control characters (default false). */
  control?: boolean;
}

/** One name of 1 to `maxPieces` pieces. */
export function awkwardName(random: () => number, options: AwkwardNameOptions = {}): string {
  const pool = options.control ? [...PIECES, ...CONTROL] : PIECES;
  const count = 1 + Math.floor(random() * (options.maxPieces ?? 6));
  let text = '';
  for (let i = 0; i < count; i++) text += pool[Math.floor(random() * pool.length)]!;
  return text;
}

/** `count` distinct names from `seed`. */
export function awkwardNames(seed: number, count: number, options?: AwkwardNameOptions): string[] {
  const random = seededRandom(seed);
  const names = new Set<string>();
  while (names.size < count) names.add(awkwardName(random, options));
  return [...names];
}
