/**
 * The AMS id mapping (src/sessions/agent-memory-server/ids.ts): ordinary ids pass through, every
 * other id is sent as `adk~<hex of UTF-8>`, the mapping is injective and reversible, qualified
 * session ids belong to one app only, and user-state ids give their user back.
 */
import { describe, expect, it } from 'vitest';
import {
  ENCODED_PREFIX,
  decodeId,
  decodeSessionId,
  encodeId,
  encodeSessionId,
  isPlainId,
} from '../../../src/shared/opensource-agent-memory/ids.js';
import {
  APP_STATE_SESSION_ID,
  stateNamespace,
  userFromStateSessionId,
  userStateSessionId,
} from '../../../src/sessions/opensource-agent-memory/ids.js';
import { randomIds } from './random.js';

const GENERATED = randomIds(20260101, 2000);

describe('ordinary ids', () => {
  it.each([
    'my-app',
    'alice@example.com',
    '3f2b8c1e-9d4a-4e6f-8b7c-1a2b3c4d5e6f',
    'user_42',
    'A.B',
    '...',
    'x'.repeat(256),
    '!#$%&()*+-;<=>?@[]^_{|}',
  ])('%j is sent unchanged and decodes to itself', (id) => {
    expect(isPlainId(id)).toBe(true);
    expect(encodeId(id)).toBe(id);
    expect(decodeId(id)).toBe(id);
  });
});

describe('ids AMS cannot hold as they are', () => {
  it.each([
    ['a:b', 'adk~613a62'],
    ['a,b', 'adk~612c62'],
    ['a/b', 'adk~612f62'],
    ['.', 'adk~2e'],
    ['..', 'adk~2e2e'],
    ['', 'adk~'],
    [' x', 'adk~2078'],
    ['x ', 'adk~7820'],
    ['a b', 'adk~612062'],
    ['a\tb', 'adk~610962'],
    ['a\nb', 'adk~610a62'],
    ['a~b', 'adk~617e62'],
    // RediSearch TAG queries never match a backtick, so such ids would drop out of listings.
    ['a`b', 'adk~616062'],
    ['é', 'adk~c3a9'],
    ['ü-user', 'adk~c3bc2d75736572'],
    ['日本', 'adk~e697a5e69cac'],
    ['😀', 'adk~f09f9880'],
    ['adk~61', 'adk~61646b7e3631'],
    ['adk~', 'adk~61646b7e'],
    ['\u007f', 'adk~7f'],
  ])('%j is sent as %j and decodes back', (id, encoded) => {
    expect(isPlainId(id)).toBe(false);
    expect(encodeId(id)).toBe(encoded);
    expect(decodeId(encoded)).toBe(id);
  });

  it('encodes ids longer than 256 characters', () => {
    const long = 'y'.repeat(257);
    expect(encodeId(long)).toBe(ENCODED_PREFIX + '79'.repeat(257));
    expect(decodeId(encodeId(long))).toBe(long);
  });
});

describe('decodeId refuses ids this library cannot have produced', () => {
  it.each([
    ['the hex of an ordinary id (it would be sent unchanged)', 'adk~616263'],
    ['uppercase hex', 'adk~613A62'],
    ['an odd number of hex digits', 'adk~613a6'],
    ['non-hex characters', 'adk~zz'],
    ['bytes that are not UTF-8', 'adk~ff'],
    ['an overlong UTF-8 encoding', 'adk~c0af'],
    ['a stored id with a colon', 'a:b'],
    ['a stored id with a space', 'a b'],
    ['a qualified session id', 'adk~61~62'],
    ['the app-state document id', APP_STATE_SESSION_ID],
  ])('%s (%j)', (_what, stored) => {
    expect(decodeId(stored)).toBeUndefined();
  });
});

describe('properties over generated ids (fixed seed)', () => {
  it('generates a varied set: plain, encoded, astral and long ids', () => {
    expect(GENERATED.length).toBeGreaterThan(2000);
    expect(GENERATED.filter(isPlainId).length).toBeGreaterThan(20);
    expect(GENERATED.filter((id) => /[\u{10000}-\u{10ffff}]/u.test(id)).length).toBeGreaterThan(50);
    expect(GENERATED.some((id) => id.length > 256)).toBe(true);
    expect(GENERATED.some((id) => id.startsWith('adk~'))).toBe(true);
  });

  it('decodeId(encodeId(x)) === x for every id', () => {
    const failures = GENERATED.filter((id) => decodeId(encodeId(id)) !== id);
    expect(failures).toEqual([]);
  });

  it('no two distinct ids share an encoding', () => {
    const seen = new Map<string, string>();
    const collisions: [string, string][] = [];
    for (const id of GENERATED) {
      const encoded = encodeId(id);
      const other = seen.get(encoded);
      if (other !== undefined && other !== id) collisions.push([other, id]);
      seen.set(encoded, id);
    }
    expect(collisions).toEqual([]);
    expect(seen.size).toBe(GENERATED.length);
  });

  it('an encoded id never holds ":", ",", "/", whitespace or control characters', () => {
    for (const id of GENERATED) {
      const encoded = encodeId(id);
      expect(encoded).not.toMatch(/[:,/\s\p{Cc}]/u);
      expect(encoded.length).toBeGreaterThan(0);
      expect(encoded === '.' || encoded === '..').toBe(false);
      if (encoded !== id) expect(encoded).toMatch(/^adk~(?:[0-9a-f]{2})*$/);
    }
  });

  it('an id is sent unchanged exactly when it is printable ASCII without : , / ~ and not . or ..', () => {
    for (const id of GENERATED) {
      const plain =
        /^[\x21-\x7e]{1,256}$/.test(id) && !/[:,/~]/.test(id) && id !== '.' && id !== '..';
      expect(encodeId(id) === id).toBe(plain);
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
