/**
 * The AMS id mapping (src/shared/opensource-agent-memory/ids.ts): ids AMS can hold pass through,
 * every other id is sent as `adk~<hex of UTF-8>`, the mapping is injective and reversible (ids
 * stored by earlier versions included), qualified session ids belong to one app only, and
 * user-state ids give their user back.
 */
import { describe, expect, it } from 'vitest';
import {
  ENCODED_PREFIX,
  decodeId,
  decodeSessionId,
  encodeId,
  encodeIdV1,
  encodeSessionId,
  isPlainId,
  isPlainSessionId,
  legacyEncodeId,
  legacyEncodeSessionId,
} from '../../../src/shared/opensource-agent-memory/ids.js';
import {
  APP_STATE_SESSION_ID,
  stateNamespace,
  userFromStateSessionId,
  userStateSessionId,
} from '../../../src/sessions/opensource-agent-memory/ids.js';
import { awkwardNames } from '../../support/awkward-names.js';
import { randomIds } from './random.js';

const GENERATED = [
  ...randomIds(20260101, 2000),
  ...awkwardNames(20261129, 2000, { control: true }),
];

describe('ids AMS holds as they are', () => {
  it.each([
    'my-app',
    'alice@example.com',
    '3f2b8c1e-9d4a-4e6f-8b7c-1a2b3c4d5e6f',
    'user_42',
    'A.B',
    '...',
    'x'.repeat(256),
    'x'.repeat(1024),
    '日'.repeat(341),
    '!#$%&()*+-;<=>?@[]^_{|}',
    'Travel Planner (beta)',
    'a b',
    'a  b',
    'a~b',
    '~',
    'adk',
    'xadk~61',
    'é',
    'ü-user',
    '日本',
    '😀',
    'e\u0301',
    'a\u00a0b',
    '__',
    '"quoted"',
    "it's",
    'a\\b',
    'a*',
    'a?',
    'a|b',
    '{a}',
  ])('%j is sent unchanged and decodes to itself', (id) => {
    expect(isPlainId(id)).toBe(true);
    expect(encodeId(id)).toBe(id);
    expect(decodeId(id)).toBe(id);
  });

  it.each(['a/b', '/', '.', '..', '"quoted"', '"', '""'])(
    '%j is sent unchanged as a namespace or user id, not as a session id',
    (id) => {
      expect(encodeId(id)).toBe(id);
      expect(isPlainSessionId(id)).toBe(false);
      const stored = encodeSessionId(id, undefined);
      expect(stored).toBe(ENCODED_PREFIX + Buffer.from(id).toString('hex'));
      expect(decodeSessionId(stored, undefined)).toBe(id);
    },
  );
});

describe('ids AMS cannot hold as they are', () => {
  it.each([
    ['a:b', 'adk~613a62'],
    ['a,b', 'adk~612c62'],
    ['', 'adk~'],
    [' x', 'adk~2078'],
    ['x ', 'adk~7820'],
    ['\u00a0x', 'adk~c2a078'],
    ['a\tb', 'adk~610962'],
    ['a\nb', 'adk~610a62'],
    ['a\u0000b', 'adk~610062'],
    // RediSearch TAG queries never match a backtick, nor the single `_`.
    ['a`b', 'adk~616062'],
    ['_', 'adk~5f'],
    ['adk~61', 'adk~61646b7e3631'],
    ['ADK~61', 'adk~41444b7e3631'],
    ['Adk~', 'adk~41646b7e'],
    ['adk~', 'adk~61646b7e'],
    ['\u007f', 'adk~7f'],
  ])('%j is sent as %j and decodes back', (id, encoded) => {
    expect(isPlainId(id)).toBe(false);
    expect(encodeId(id)).toBe(encoded);
    expect(decodeId(encoded)).toBe(id);
    expect(encodeSessionId(id, undefined)).toBe(encoded);
    expect(decodeSessionId(encoded, undefined)).toBe(id);
  });

  it('encodes ids of more than 1024 UTF-8 bytes', () => {
    for (const long of ['y'.repeat(1025), 'é'.repeat(513), '😀'.repeat(257)]) {
      expect(isPlainId(long)).toBe(false);
      expect(encodeId(long)).toBe(ENCODED_PREFIX + Buffer.from(long).toString('hex'));
      expect(decodeId(encodeId(long))).toBe(long);
    }
    expect(isPlainId('é'.repeat(512))).toBe(true);
  });

  it('encodes lone surrogates (their UTF-8 would not give them back) without decoding them', () => {
    expect(isPlainId('a\ud800b')).toBe(false);
    expect(encodeId('a\ud800b')).toMatch(/^adk~/);
  });
});

describe('decodeId refuses ids this library cannot have produced', () => {
  it.each([
    ['the hex of an id sent unchanged by every version', 'adk~616263'],
    ['uppercase hex', 'adk~613A62'],
    ['an odd number of hex digits', 'adk~613a6'],
    ['non-hex characters', 'adk~zz'],
    ['bytes that are not UTF-8', 'adk~ff'],
    ['an overlong UTF-8 encoding', 'adk~c0af'],
    ['a stored id with a colon', 'a:b'],
    ['a stored id with a leading space', ' a'],
    ['a stored id in the reserved prefix, other case', 'ADK~61'],
    ['a qualified session id', 'adk~61~62'],
    ['the app-state document id', APP_STATE_SESSION_ID],
    ['the reserved state namespace', stateNamespace('my-app')],
  ])('%s (%j)', (_what, stored) => {
    expect(decodeId(stored)).toBeUndefined();
    expect(decodeSessionId(stored, undefined)).toBeUndefined();
  });
});

describe('ids stored by versions up to 0.0.1', () => {
  it.each([
    ['a b', 'adk~612062'],
    ['a~b', 'adk~617e62'],
    ['é', 'adk~c3a9'],
    ['日本', 'adk~e697a5e69cac'],
    ['x'.repeat(257), ENCODED_PREFIX + '78'.repeat(257)],
    ['_', '_'],
  ])('%j: the earlier form %j is its legacy form and decodes to it', (id, legacy) => {
    expect(encodeIdV1(id)).toBe(legacy);
    expect(legacyEncodeId(id)).toBe(legacy);
    expect(legacyEncodeSessionId(id, undefined)).toBe(legacy);
    expect(encodeId(id)).not.toBe(legacy);
    expect(decodeId(legacy)).toBe(id);
    expect(decodeSessionId(legacy, undefined)).toBe(id);
  });

  it('session ids: a quoted id was sent unchanged; `.`, `..` and `/` were encoded, as now', () => {
    expect(legacyEncodeSessionId('"x"', undefined)).toBe('"x"');
    expect(decodeSessionId('"x"', undefined)).toBe('"x"');
    for (const id of ['.', '..', 'a/b']) {
      expect(legacyEncodeSessionId(id, undefined)).toBeUndefined();
      // As a namespace or user id it is now sent unchanged.
      expect(legacyEncodeId(id)).toBe(ENCODED_PREFIX + Buffer.from(id).toString('hex'));
      expect(decodeId(legacyEncodeId(id)!)).toBe(id);
    }
  });

  it('has no legacy form when the form has not changed', () => {
    for (const id of ['my-app', 'a:b', '', 'a\tb', 'adk~61', 'a`b', ' a']) {
      expect(legacyEncodeId(id)).toBeUndefined();
    }
    expect(legacyEncodeSessionId('a/b', 'app')).toBeUndefined();
    expect(legacyEncodeSessionId('a b', 'app')).toBeUndefined();
  });
});

describe('properties over generated ids (fixed seed)', () => {
  it('generates a varied set: plain, encoded, legacy, astral, long and awkward ids', () => {
    expect(GENERATED.length).toBeGreaterThan(4000);
    expect(GENERATED.filter(isPlainId).length).toBeGreaterThan(500);
    expect(GENERATED.filter((id) => !isPlainId(id)).length).toBeGreaterThan(500);
    expect(GENERATED.filter((id) => legacyEncodeId(id) !== undefined).length).toBeGreaterThan(500);
    expect(GENERATED.filter((id) => /[\u{10000}-\u{10ffff}]/u.test(id)).length).toBeGreaterThan(50);
    expect(GENERATED.some((id) => Buffer.byteLength(id) > 1024)).toBe(false);
    expect(GENERATED.some((id) => /^adk~/i.test(id))).toBe(true);
    expect(GENERATED.some((id) => /^\s|\s$/u.test(id))).toBe(true);
  });

  it('decodes every form of every id back to it: current, legacy, session', () => {
    const failures: string[] = [];
    for (const id of GENERATED) {
      const forms = [encodeId(id), encodeIdV1(id)];
      for (const form of forms) if (decodeId(form) !== id) failures.push(`${id} ${form}`);
      const sessionForms = [encodeSessionId(id, undefined), encodeIdV1(id)];
      for (const form of sessionForms) {
        if (decodeSessionId(form, undefined) !== id) failures.push(`session ${id} ${form}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('no two distinct ids share any stored form, across versions and id kinds', () => {
    const owner = new Map<string, string>();
    const collisions: [string, string, string][] = [];
    for (const id of GENERATED) {
      const forms = new Set([encodeId(id), encodeIdV1(id), encodeSessionId(id, undefined)]);
      for (const form of forms) {
        const other = owner.get(form);
        if (other !== undefined && other !== id) collisions.push([form, other, id]);
        owner.set(form, id);
      }
    }
    expect(collisions).toEqual([]);
  });

  it('no two ids that differ only in ASCII case share a stored form when case is folded', () => {
    // AMS's tags fold ASCII case: an encoded id must never fold onto an unchanged one.
    const plain = new Set(GENERATED.filter(isPlainId).map((id) => id.toLowerCase()));
    for (const id of GENERATED) {
      const encoded = encodeId(id);
      if (encoded !== id) expect(plain.has(encoded.toLowerCase())).toBe(false);
    }
  });

  it('a stored id holds none of the characters AMS cannot hold and is never empty', () => {
    for (const id of GENERATED) {
      for (const stored of [encodeId(id), encodeSessionId(id, undefined)]) {
        expect(stored).not.toMatch(/[:,`\p{Cc}\p{Cs}]/u);
        expect(stored).not.toMatch(/^\s|\s$/u);
        expect(stored.length).toBeGreaterThan(0);
        expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(
          Math.max(1024, 4 + 2 * Buffer.byteLength(id)),
        );
        if (stored !== id) expect(stored).toMatch(/^adk~(?:[0-9a-f]{2})*$/);
      }
      const session = encodeSessionId(id, undefined);
      expect(session).not.toContain('/');
      expect(['.', '..', '_']).not.toContain(session);
      expect(session.length > 1 && session.startsWith('"') && session.endsWith('"')).toBe(false);
    }
  });

  it('an id is sent unchanged exactly when it meets the measured rule', () => {
    for (const id of GENERATED) {
      const plain =
        id.length > 0 &&
        id !== '_' &&
        !/[:,`]/.test(id) &&
        ![...id].some((c) => {
          const code = c.codePointAt(0)!;
          return (
            code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0xd800 && code <= 0xdfff)
          );
        }) &&
        id.trim() === id &&
        !id.toLowerCase().startsWith('adk~') &&
        new TextEncoder().encode(id).length <= 1024;
      expect(encodeId(id) === id, JSON.stringify(id)).toBe(plain);
      const sessionPlain =
        plain && !id.includes('/') && id !== '.' && id !== '..' && !/^".*"$|^"$/su.test(id);
      expect(encodeSessionId(id, undefined) === id, JSON.stringify(id)).toBe(sessionPlain);
    }
  });

  it('the only namespace or user id the earlier rule sent unchanged and this one does not is `_`', () => {
    for (const id of GENERATED) {
      if (encodeIdV1(id) === id && encodeId(id) !== id) expect(id).toBe('_');
    }
  });

  it('an encoded id is never the reserved state namespace of any app', () => {
    for (const id of GENERATED) expect(encodeId(id).startsWith('adk~state~')).toBe(false);
  });
});

describe('qualified session ids (a namespace shared by several apps)', () => {
  it('puts the app and the session, each in hex, after the prefix', () => {
    expect(encodeSessionId('s1', 'my-app')).toBe('adk~6d792d617070~7331');
    expect(encodeSessionId('', 'a')).toBe('adk~61~');
  });

  it('decodes only for the app that qualified it', () => {
    const stored = encodeSessionId('s1', 'my-app');
    expect(decodeSessionId(stored, 'my-app')).toBe('s1');
    expect(decodeSessionId(stored, 'my-app2')).toBeUndefined();
    expect(decodeSessionId(stored, 'My-App')).toBeUndefined();
    expect(decodeSessionId(stored, undefined)).toBeUndefined();
  });

  it('unqualified ids do not decode for an app, and vice versa', () => {
    expect(decodeSessionId('s1', 'my-app')).toBeUndefined();
    expect(decodeSessionId('adk~613a62', 'my-app')).toBeUndefined();
    expect(decodeSessionId('s1', undefined)).toBe('s1');
    expect(decodeSessionId('adk~613a62', undefined)).toBe('a:b');
    expect(decodeSessionId('adk~61~62~63', 'a')).toBeUndefined();
  });

  it('round-trips generated (app, session) pairs and never confuses two apps', () => {
    const apps = GENERATED.slice(0, 40);
    const sessions = GENERATED.slice(40, 120);
    const seen = new Map<string, string>();
    for (const app of apps) {
      for (const session of sessions) {
        const stored = encodeSessionId(session, app);
        expect(stored).not.toMatch(/[:,/\s]/);
        expect(decodeSessionId(stored, app)).toBe(session);
        const pair = JSON.stringify([app, session]);
        expect(seen.get(stored) ?? pair).toBe(pair);
        seen.set(stored, pair);
      }
      const otherApp = apps[(apps.indexOf(app) + 1) % apps.length]!;
      expect(decodeSessionId(encodeSessionId(sessions[0]!, app), otherApp)).toBeUndefined();
    }
  });

  it('round-trips unqualified generated session ids', () => {
    for (const session of GENERATED) {
      expect(decodeSessionId(encodeSessionId(session, undefined), undefined)).toBe(session);
    }
  });
});

describe('reserved state documents', () => {
  it('use a namespace of their own per app', () => {
    expect(stateNamespace('my-app')).toBe('adk~state~6d792d617070');
    expect(stateNamespace('a:b')).toBe('adk~state~613a62');
    expect(stateNamespace('a')).not.toBe(stateNamespace('b'));
    expect(APP_STATE_SESSION_ID).toBe('adk~app');
  });

  it('user-state ids give their user back', () => {
    expect(userStateSessionId('alice')).toBe('adk~user~616c696365');
    expect(userFromStateSessionId('adk~user~616c696365')).toBe('alice');
    for (const user of GENERATED) {
      const stored = userStateSessionId(user);
      expect(stored).not.toMatch(/[:,/\s]/);
      expect(userFromStateSessionId(stored)).toBe(user);
    }
  });

  it('other ids are not user-state ids', () => {
    expect(userFromStateSessionId(APP_STATE_SESSION_ID)).toBeUndefined();
    expect(userFromStateSessionId('alice')).toBeUndefined();
    expect(userFromStateSessionId('adk~616c696365')).toBeUndefined();
    expect(userFromStateSessionId('adk~user~zz')).toBeUndefined();
  });
});
