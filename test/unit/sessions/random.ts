/** Deterministic random inputs for the property-style tests of the session layer. */

/** mulberry32: a small seeded PRNG, so every run sees the same inputs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POOLS: readonly (readonly [number, number])[] = [
  [0x61, 0x7a], // a-z
  [0x30, 0x39], // 0-9
  [0x21, 0x7e], // printable ASCII, including : , / ~
  [0x00, 0x20], // control characters and space
  [0xa0, 0xff], // Latin-1
  [0x0370, 0x03ff], // Greek
  [0x4e00, 0x4fff], // CJK
  [0xe000, 0xe0ff], // private use
  [0xfff0, 0xfffd], // specials, including U+FFFD
  [0x1f300, 0x1f6ff], // emoji (astral: a surrogate pair in UTF-16)
  [0x10000, 0x10ffff], // any astral code point
];

const SPECIAL = [':', ',', '/', '~', ' ', '\t', '\n', '.', 'adk~', '%', '\u0000'];

/**
 * A well-formed (no lone surrogate) string of 0 to `maxLength` code points mixing ASCII, separators,
 * control characters, Latin-1, BMP and astral characters.
 */
export function randomWellFormedString(random: () => number, maxLength = 12): string {
  const length = Math.floor(random() * (maxLength + 1));
  let text = '';
  for (let i = 0; i < length; i++) {
    if (random() < 0.15) {
      text += SPECIAL[Math.floor(random() * SPECIAL.length)]!;
      continue;
    }
    const [low, high] = POOLS[Math.floor(random() * POOLS.length)]!;
    let codePoint = low + Math.floor(random() * (high - low + 1));
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) codePoint = 0x61;
    text += String.fromCodePoint(codePoint);
  }
  return text;
}

/** `count` distinct well-formed strings, plus some long ones. */
export function randomIds(seed: number, count: number): string[] {
  const random = seededRandom(seed);
  const ids = new Set<string>();
  while (ids.size < count) ids.add(randomWellFormedString(random));
  for (let i = 0; i < 5; i++) ids.add('x'.repeat(250 + i * 3) + randomWellFormedString(random, 3));
  return [...ids];
}
