/** Date-times from the backends come out as the same ISO 8601 text the Date API would give. */
import { describe, expect, it } from 'vitest';
import { isoTime, splitAuthor } from '../../../src/memory/records.js';

/** The reference: what isoTime gave before its text fast path. */
function throughDate(value: string, fallback: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? fallback : new Date(ms).toISOString();
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('isoTime', () => {
  it('gives what Date.parse and toISOString give, for edge cases', () => {
    const cases = [
      '2026-11-29T23:41:54.582Z',
      '2026-11-29T23:41:54.582999Z',
      '2026-11-29T23:41:54.582999+00:00',
      '2026-11-29T23:41:54Z',
      '2026-11-29T23:41:54.5Z',
      '2026-11-29T23:41:54.58+00:00',
      '2026-11-29T23:41:54.123456789Z',
      '2024-02-29T00:00:00Z',
      '2023-02-29T00:00:00Z', // rolls over to 1 March through Date
      '2100-02-29T00:00:00Z',
      '2000-02-29T00:00:00Z',
      '2026-04-31T12:00:00Z',
      '2026-02-30T00:00:00.000Z',
      '2026-11-29T24:00:00Z',
      '2026-11-29T23:60:00Z',
      '2026-11-29T23:59:60Z',
      '2026-13-01T00:00:00Z',
      '2026-00-01T00:00:00Z',
      '2026-01-00T00:00:00Z',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      '2026-11-29T23:41:54.582+01:00',
      '2026-11-29T23:41:54.582-00:00',
      '2026-11-29T23:41:54.582',
      '2026-11-29',
      '2026-11-29T23:41Z',
      'Sun, 29 Nov 2026 23:41:54 GMT',
      'not a date',
      '2026-11-29T23:41:54.Z',
      '2026-11-29T23:41:54.1234567890Z',
      '2026-11-29T23:41:54+00:00',
      '2026-11-29T23:41:54.582Zjunk',
      '2026-11-29t23:41:54.582z',
      '2026-11-29T23:41:54.582 Z',
      '+02026-11-29T23:41:54.582Z',
    ];
    for (const value of cases)
      expect(isoTime(value, 'fallback'), value).toBe(throughDate(value, 'fallback'));
  });

  it('gives what Date.parse and toISOString give, for many generated values', () => {
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 5000; i++) {
      const fraction = [
        '',
        '.',
        `.${pad(random(1000), 3)}`,
        `.${pad(random(1_000_000), 6)}`,
        `.${random(10)}`,
      ][random(5)];
      const zone = ['Z', '+00:00', '+02:00', ''][random(4)];
      const value =
        `${pad(1900 + random(300), 4)}-${pad(random(14), 2)}-${pad(random(33), 2)}` +
        `T${pad(random(26), 2)}:${pad(random(62), 2)}:${pad(random(62), 2)}${fraction}${zone}`;
      expect(isoTime(value, 'x'), value).toBe(throughDate(value, 'x'));
    }
  });

  it('returns the fallback for missing values', () => {
    expect(isoTime(undefined, 'f')).toBe('f');
    expect(isoTime(null, 'f')).toBe('f');
    expect(isoTime('', 'f')).toBe('f');
  });
});

/** The reference: the one regular expression splitAuthor used before it matched only the head. */
function throughRegex(memoryType: string, text: string): { author?: string; text: string } {
  if (memoryType !== 'message') return { text };
  const match = /^([A-Za-z_][A-Za-z0-9_.-]{0,127}): ([\s\S]*)$/.exec(text);
  return match ? { author: match[1]!, text: match[2]! } : { text };
}

describe('splitAuthor', () => {
  it('splits `author: text` of message records only, as the full-text pattern did', () => {
    const long = 'a'.repeat(128);
    const cases = [
      'user: hello',
      'my_agent.v2-b: a: b: c',
      'user:hello',
      'user : hello',
      ': hello',
      '1user: hello',
      'us er: hello',
      'a:b: c',
      'user: ',
      'user: line one\nline two\r\n',
      `${long}: at the limit`,
      `${long}a: past the limit`,
      'user',
      '',
      'ünïcode: text',
      'user:\thello',
      'user: \u2028',
    ];
    for (const text of cases) {
      expect(splitAuthor('message', text), text).toEqual(throughRegex('message', text));
      expect(splitAuthor('semantic', text), text).toEqual({ text });
    }
  });

  it('splits as the full-text pattern did, for many generated texts', () => {
    let seed = 987;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = ['a', 'Z', '_', '.', '-', '7', ':', ' ', ': ', '\n', 'é'];
    for (let i = 0; i < 5000; i++) {
      let text = '';
      for (let j = random(12); j > 0; j--) text += alphabet[random(alphabet.length)];
      expect(splitAuthor('message', text), JSON.stringify(text)).toEqual(
        throughRegex('message', text),
      );
    }
  });
});
