/**
 * Issue 14.2: the managed ids that the Python adk-redis derives, matched exactly. Random strings
 * over the awkward characters (runs of separators, separators at either end, Unicode whitespace that
 * Python's strip() removes and JavaScript's trim() does not, and the reverse, astral characters,
 * names past 64 characters) go through our port and through the real Python rule, run by the AMS
 * venv's Python 3.12; both must agree, and so must the storage session ids and owners built on it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { venvDir } from '../../../scripts/ams/install.js';
import { REDIS_AGENT_MEMORY_ID_PATTERN } from '../../../src/clients/index.js';
import {
  pythonActorId,
  pythonSanitize,
  storageSessionId,
} from '../../../src/shared/redis-agent-memory/ids.js';
import { seededRandom } from './random.js';

const AWKWARD = [
  ...'aZ09-',
  ...'_:.@/ ()~,',
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  '\x1c',
  '\x1f',
  '\x85',
  '\xa0',
  '\u1680',
  '\u2003',
  '\u2028',
  '\u202f',
  '\u3000',
  '\ufeff', // trimmed by JavaScript, kept (then replaced) by Python
  '\u200b', // zero-width space: not whitespace to either
  'é',
  'ß',
  '😀',
  '--',
];

function awkwardStrings(count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    // Mostly short names; one in eight past 64 characters.
    const length = random() < 0.125 ? 60 + Math.floor(random() * 40) : Math.floor(random() * 12);
    let text = '';
    for (let j = 0; j < length; j++) text += AWKWARD[Math.floor(random() * AWKWARD.length)];
    out.push(text);
  }
  return out;
}

const PYTHON = join(venvDir(), 'bin', 'python');

// The Python package's rule and storage id, as documented (backends.md 4.1, long-term-memory 2.3).
const PYTHON_PROGRAM = `
import hashlib, json, re, sys
def sanitize(value):
    return re.sub(r"[^A-Za-z0-9-]+", "-", value.strip()).strip("-")
rows = json.load(sys.stdin)
out = []
for ns, user, sid in rows:
    s = sanitize(ns)
    out.append([s, sanitize(user), hashlib.sha256(f"{s}\\0{user}\\0{sid}".encode("utf-8")).hexdigest()[:64]])
json.dump(out, sys.stdout)
`;

describe('pythonSanitize', () => {
  it.each([
    ['my_app', 'my-app'],
    ['test_ns', 'test-ns'],
    ['  Travel Planner (beta)  ', 'Travel-Planner-beta'],
    ['__a__b__', 'a-b'],
    ['-a-', 'a'],
    ['a--b', 'a--b'],
    ['\x1cname\x85', 'name'],
    ['\ufeffname', 'name'],
    ['😀', ''],
    ['', ''],
  ])('%j becomes %j', (input, expected) => {
    expect(pythonSanitize(input)).toBe(expected);
  });

  it('is not truncated; the owner exists only when the API can hold it', () => {
    expect(pythonSanitize('a'.repeat(70))).toHaveLength(70);
    expect(pythonActorId('a'.repeat(70))).toBeUndefined();
    expect(pythonActorId('___')).toBeUndefined();
    expect(pythonActorId('alice_1')).toBe('alice-1');
  });
});

describe.skipIf(!existsSync(PYTHON))('against the real Python rule (the AMS venv)', () => {
  it('agrees on 2000 random awkward names: sanitised namespace, owner and storage session id', () => {
    const names = awkwardStrings(2000, 14);
    const rows = names.map((name, i) => [name, names[(i * 7 + 3) % names.length]!, `s-${name}`]);
    const result = spawnSync(PYTHON, ['-c', PYTHON_PROGRAM], {
      input: JSON.stringify(rows),
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', PYTHONIOENCODING: 'utf-8' },
      timeout: 30_000,
    });
    expect(result.status, result.stderr).toBe(0);
    const python = JSON.parse(result.stdout) as [string, string, string][];
    const mismatches: unknown[] = [];
    rows.forEach(([namespace, user, session], i) => {
      const [ns, owner, storageId] = python[i]!;
      const ours = [
        pythonSanitize(namespace!),
        pythonSanitize(user!),
        storageSessionId(namespace!, user!, session!, undefined),
      ];
      if (ours[0] !== ns || ours[1] !== owner || ours[2] !== storageId) {
        mismatches.push({ namespace, user, python: python[i], ours });
      }
      // Where Python's owner is a valid id, ours for listing is the same.
      const actor = pythonActorId(user!);
      expect(
        actor === undefined ? !REDIS_AGENT_MEMORY_ID_PATTERN.test(owner) : actor === owner,
      ).toBe(true);
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
  });
});
