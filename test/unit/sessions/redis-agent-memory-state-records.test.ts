/**
 * App and user state records (src/sessions/redis-agent-memory/state-records.ts): what a record
 * holds, which records a reader accepts, and the API's text limit.
 */
import { describe, expect, it } from 'vitest';
import { RESERVED_OWNER } from '../../../src/sessions/redis-agent-memory/ids.js';
import {
  readStateRecord,
  stateRecordId,
  stateRecordText,
} from '../../../src/sessions/redis-agent-memory/state-records.js';

const scope = 'a'.repeat(64);
const record = (key: string, value: unknown, overrides: Record<string, unknown> = {}) => ({
  id: stateRecordId(scope, key),
  text: stateRecordText(key, value),
  ownerId: RESERVED_OWNER,
  sessionId: scope,
  ...overrides,
});

describe('state records', () => {
  it('hold one key and its JSON value, under an id the API accepts', () => {
    for (const [key, value] of [
      ['theme', 'dark'],
      ['__proto__', { nested: [1, null, 'x'] }],
      ['', null],
      ['caf\u00e9 \u{1F642}', 3.5],
    ] as const) {
      const id = stateRecordId(scope, key);
      expect(id).toMatch(/^[a-f0-9]{64}$/);
      expect(readStateRecord(record(key, value), scope)).toEqual({ key, value });
    }
    expect(stateRecordId(scope, 'a')).not.toBe(stateRecordId('b'.repeat(64), 'a'));
  });

  it('are refused from another owner or scope, under another id, or with other text', () => {
    expect(readStateRecord(record('k', 1, { ownerId: 'alice' }), scope)).toBeUndefined();
    expect(readStateRecord(record('k', 1), 'b'.repeat(64))).toBeUndefined();
    expect(
      readStateRecord(record('k', 1, { id: stateRecordId(scope, 'other') }), scope),
    ).toBeUndefined();
    expect(readStateRecord(record('k', 1, { text: 'k: 1' }), scope)).toBeUndefined();
    expect(
      readStateRecord(record('k', 1, { text: '{"key":"k","value":1}' }), scope),
    ).toBeUndefined();
  });

  it('are not made for values over the API text limit (50,000 characters)', () => {
    expect(stateRecordText('k', 'x'.repeat(49_000))).toBeDefined();
    expect(stateRecordText('k', 'x'.repeat(50_000))).toBeUndefined();
  });
});
