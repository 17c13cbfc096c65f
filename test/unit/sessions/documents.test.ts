/**
 * The AMS document layout (src/sessions/agent-memory-server/documents.ts): session state as
 * top-level `data` keys beside the reserved `adk_redis` envelope, foreign messages merged into the
 * events, and message upserts that keep server-owned fields.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AmsMemoryMessage, AmsWorkingMemory } from '../../../src/clients/index.js';
import {
  ENVELOPE_KEY,
  UnreadableDocumentError,
  documentCreatedAt,
  documentEvents,
  documentLastUpdateTime,
  readScopeEnvelope,
  readSegmentEnvelope,
  readSessionEnvelope,
  readSessionState,
  revisionMark,
  scopeData,
  sessionData,
  upsertEvent,
  upsertMessage,
  workingMemoryProblem,
  type SessionEnvelope,
} from '../../../src/sessions/opensource-agent-memory/documents.js';
import type { StoredEvent } from '../../../src/sessions/events.js';
import { setOwn } from '../../../src/shared/json.js';

const entries = (map: object): [string, unknown][] =>
  Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

afterEach(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

const T0 = Date.parse('2025-03-01T10:00:00.000Z');

function envelope(
  events: StoredEvent[] = [],
  extra: Partial<SessionEnvelope> = {},
): SessionEnvelope {
  return {
    v: 1,
    kind: 'session',
    app: 'my-app',
    user: 'alice',
    session: 's1',
    revision: 4,
    createdAt: T0,
    lastUpdateTime: T0 + 5_000,
    events,
    state: {},
    ...extra,
  };
}

/** A document as it comes back over the wire (JSON round trip: `__proto__` keys become own keys). */
const overTheWire = (doc: object): AmsWorkingMemory =>
  JSON.parse(JSON.stringify(doc)) as AmsWorkingMemory;

const storedEvent = (id: string, timestamp: number, fields: Record<string, unknown> = {}) =>
  ({ id, timestamp, invocationId: 'inv', author: 'agent', actions: {}, ...fields }) as StoredEvent;

const message = (id: string | undefined, role: string, content: string, at: number) => ({
  ...(id === undefined ? {} : { id }),
  role,
  content,
  created_at: new Date(at).toISOString(),
});

describe('sessionData and readSessionState', () => {
  it('puts null values and a key named adk_redis into the envelope, the rest top-level', () => {
    const state: Record<string, unknown> = {
      title: 'trip',
      count: 0,
      flag: false,
      empty: '',
      nothing: null,
      nested: { x: null },
      list: [null, 1],
      [ENVELOPE_KEY]: { mine: true },
    };
    const data = sessionData(state, envelope());
    expect(Object.keys(data).sort()).toEqual(
      ['adk_redis', 'count', 'empty', 'flag', 'list', 'nested', 'title'].sort(),
    );
    expect(data).toMatchObject({
      title: 'trip',
      count: 0,
      flag: false,
      empty: '',
      nested: { x: null },
      list: [null, 1],
    });
    for (const [key, value] of Object.entries(data)) {
      expect(value, `top-level ${key}`).not.toBeNull();
    }
    expect(data.adk_redis).toEqual({
      ...envelope(),
      state: { nothing: null, adk_redis: { mine: true } },
    });
  });

  it('readSessionState(doc, envelope) restores the exact state after a JSON round trip', () => {
    const state: Record<string, unknown> = {
      plain: 'v',
      nothing: null,
      [ENVELOPE_KEY]: 'collides with the reserved key',
      nested: { deep: [1, { n: null }] },
      'with:colon': 1,
      '': 'empty key',
    };
    setOwn(state, '__proto__', { polluted: true });
    setOwn(state, 'constructor', null);
    setOwn(state, 'prototype', 7);
    const doc = overTheWire({ session_id: 's1', data: sessionData(state, envelope()) });
    const restored = readSessionState(doc, readSessionEnvelope(doc));
    expect(entries(restored)).toEqual([
      ['', 'empty key'],
      ['__proto__', { polluted: true }],
      ['adk_redis', 'collides with the reserved key'],
      ['constructor', null],
      ['nested', { deep: [1, { n: null }] }],
      ['nothing', null],
      ['plain', 'v'],
      ['prototype', 7],
      ['with:colon', 1],
    ]);
    expect(Object.getPrototypeOf(restored)).toBe(Object.prototype);
  });

  it('a document another writer stored (no envelope) reads its data as the state', () => {
    expect(entries(readSessionState({ session_id: 's', data: { a: 1, b: 'x' } }))).toEqual([
      ['a', 1],
      ['b', 'x'],
    ]);
    expect(entries(readSessionState({ session_id: 's', data: null }))).toEqual([]);
    expect(entries(readSessionState({ session_id: 's' }))).toEqual([]);
  });
});

describe('readSessionEnvelope', () => {
  it('is undefined for a document without one', () => {
    expect(readSessionEnvelope({ session_id: 's', data: { a: 1 } })).toBeUndefined();
    expect(readSessionEnvelope({ session_id: 's' })).toBeUndefined();
  });

  it.each([
    ['a newer format version', { ...envelope(), v: 3, state: {} }],
    ['another kind', { ...envelope(), kind: 'app', state: {} }],
    ['a fractional revision', { ...envelope(), revision: 1.5, state: {} }],
    [
      'events that are not objects with id and timestamp',
      { ...envelope(), events: [{}], state: {} },
    ],
    ['a state that is an array', { ...envelope(), state: [] }],
    ['a missing app id', { ...envelope(), app: undefined, state: {} }],
    ['a negative revision', { ...envelope(), revision: -1, state: {} }],
    ['a write id that is not a string', { ...envelope(), writeId: 7, state: {} }],
    ['a time that is a string', { ...envelope(), lastUpdateTime: '2025', state: {} }],
    ['events that are not an array', { ...envelope(), events: {}, state: {} }],
    ['an array', []],
    ['null', null],
    ['a string', 'adk'],
  ])('refuses %s', (_what, raw) => {
    const doc = { session_id: 's', data: { adk_redis: raw } } as AmsWorkingMemory;
    expect(() => readSessionEnvelope(doc)).toThrow(UnreadableDocumentError);
  });
});

describe('workingMemoryProblem', () => {
  const message = { id: 'm1', role: 'user', content: 'hi', created_at: '2025-01-01T00:00:00Z' };

  it('passes a document as AMS sends it, with fields this library does not read', () => {
    expect(
      workingMemoryProblem({
        session_id: 's',
        namespace: null,
        user_id: 'u',
        messages: [{ ...message, persisted_at: null }],
        data: { k: 1 },
        updated_at: '2025-01-01T00:00:00Z',
        tokens: 3,
      }),
    ).toBeUndefined();
    expect(workingMemoryProblem({ session_id: 's' })).toBeUndefined();
  });

  it.each([
    ['a string', '<html></html>', 'body'],
    ['an array', [], 'body'],
    ['no session id', { messages: [] }, 'session_id'],
    ['a numeric namespace', { session_id: 's', namespace: 1 }, 'namespace'],
    ['messages that are not an array', { session_id: 's', messages: {} }, 'messages'],
    [
      'a message that is not an object',
      { session_id: 's', messages: [message, 'x'] },
      'messages.1',
    ],
    [
      'a message without content',
      { session_id: 's', messages: [message, { ...message, content: undefined }] },
      'messages.1.content',
    ],
    ['data that is an array', { session_id: 's', data: [] }, 'data'],
    ['a numeric updated_at', { session_id: 's', updated_at: 5 }, 'updated_at'],
  ])('names where %s fails', (_what, doc, where) => {
    expect(workingMemoryProblem(doc)).toBe(where);
  });
});

describe('scope documents', () => {
  it('a missing document reads as an empty state at revision 0', () => {
    const read = readScopeEnvelope(undefined, 'user');
    expect(read).toEqual({ v: 1, kind: 'user', revision: 0, state: {} });
  });

  it('round-trips through scopeData, keeping __proto__ an own key', () => {
    const state: Record<string, unknown> = { theme: 'dark', nothing: null };
    setOwn(state, '__proto__', { polluted: true });
    const doc = overTheWire({
      session_id: 'adk~app',
      data: scopeData({ v: 1, kind: 'app', revision: 3, state }),
    });
    const read = readScopeEnvelope(doc, 'app');
    expect(read.revision).toBe(3);
    expect(entries(read.state)).toEqual([
      ['__proto__', { polluted: true }],
      ['nothing', null],
      ['theme', 'dark'],
    ]);
  });

  it.each([
    ['a missing revision', { v: 1, kind: 'user', state: {} }],
    ['a state that is not an object', { v: 1, kind: 'user', revision: 1, state: 'x' }],
    ['a newer format version', { v: 2, kind: 'user', revision: 1, state: {} }],
  ])('refuses an envelope with %s', (_what, raw) => {
    const doc = { session_id: 'x', data: { adk_redis: raw } };
    expect(() => readScopeEnvelope(doc as AmsWorkingMemory, 'user')).toThrow(
      UnreadableDocumentError,
    );
  });

  it('refuses a document of the other kind', () => {
    const doc = { session_id: 'x', data: scopeData({ v: 1, kind: 'app', revision: 1, state: {} }) };
    expect(() => readScopeEnvelope(doc as AmsWorkingMemory, 'user')).toThrow(
      UnreadableDocumentError,
    );
  });
});

describe('documentEvents', () => {
  const e1 = storedEvent('e1', T0 + 1_000, { content: { role: 'user', parts: [{ text: 'hi' }] } });
  const e2 = storedEvent('e2', T0 + 2_000, {
    content: { role: 'model', parts: [{ functionCall: { name: 'lookup', args: {} } }] },
  });
  const e3 = storedEvent('e3', T0 + 3_000, { content: { role: 'model', parts: [{ text: 'yo' }] } });

  it('merges foreign messages where they stand; our events keep their order', () => {
    const doc: AmsWorkingMemory = {
      session_id: 's1',
      messages: [
        message('e1', 'user', 'hi', T0 + 1_000),
        message('f1', 'user', 'from python', T0 + 1_500),
        message('e3', 'assistant', 'yo', T0 + 3_000),
        message('f2', 'assistant', 'later reply', T0 + 4_000),
      ],
    };
    const ids = documentEvents(doc, envelope([e1, e2, e3]), 'my-app').map((e) => e.id);
    expect([...ids].sort()).toEqual(['e1', 'e2', 'e3', 'f1', 'f2']);
    const at = (id: string) => ids.indexOf(id);
    expect(at('e1')).toBe(0);
    expect(at('e1') < at('f1') && at('f1') < at('e3')).toBe(true);
    expect(at('e1') < at('e2') && at('e2') < at('e3')).toBe(true);
    expect(at('f2')).toBe(4);
  });

  it('a foreign message becomes a text event by its author', () => {
    const doc: AmsWorkingMemory = {
      session_id: 's1',
      messages: [
        message('f1', 'user', 'question', T0 + 1_234),
        message('f2', 'assistant', 'answer', T0 + 2_345),
        message('f3', 'USER', 'shouted', T0 + 3_456),
      ],
    };
    const [f1, f2, f3] = documentEvents(doc, undefined, 'my-app');
    expect(f1).toMatchObject({
      id: 'f1',
      invocationId: '',
      author: 'user',
      content: { role: 'user', parts: [{ text: 'question' }] },
      timestamp: T0 + 1_234,
    });
    expect(f2).toMatchObject({
      id: 'f2',
      author: 'my-app',
      content: { role: 'model', parts: [{ text: 'answer' }] },
      timestamp: T0 + 2_345,
    });
    expect(f3).toMatchObject({ author: 'user', content: { role: 'user' } });
  });

  it('our events keep their full stored form, not the message text', () => {
    const doc: AmsWorkingMemory = {
      session_id: 's1',
      messages: [message('e1', 'user', 'edited by someone', T0)],
    };
    expect(documentEvents(doc, envelope([e1]), 'my-app')).toEqual([e1]);
  });

  it('skips blank foreign messages and gives id-less ones distinct ids', () => {
    const doc = {
      session_id: 's1',
      messages: [
        message('blank', 'user', '   ', T0),
        message(undefined, 'user', 'one', T0 + 1),
        message(undefined, 'user', 'two', T0 + 2),
      ],
    } as AmsWorkingMemory;
    const events = documentEvents(doc, undefined, 'my-app');
    expect(events.map((e) => (e.content as { parts: { text: string }[] }).parts[0]!.text)).toEqual([
      'one',
      'two',
    ]);
    const [a, b] = events.map((e) => e.id);
    expect(a).not.toBe('');
    expect(b).not.toBe('');
    expect(a).not.toBe(b);
  });

  it('keeps events whose messages are gone (trimmed by the server), in order', () => {
    const doc: AmsWorkingMemory = {
      session_id: 's1',
      messages: [message('e3', 'assistant', 'yo', T0 + 3_000)],
    };
    expect(documentEvents(doc, envelope([e1, e2, e3]), 'my-app').map((e) => e.id)).toEqual([
      'e1',
      'e2',
      'e3',
    ]);
    expect(
      documentEvents({ session_id: 's1' }, envelope([e1, e2]), 'my-app').map((e) => e.id),
    ).toEqual(['e1', 'e2']);
  });
});

describe('document times', () => {
  it('lastUpdateTime: ours, unless a foreign message is newer', () => {
    const ours = envelope([storedEvent('e1', T0)], { lastUpdateTime: T0 + 10 });
    const older = { session_id: 's', messages: [message('f', 'user', 'x', T0 + 5)] };
    const newer = { session_id: 's', messages: [message('f', 'user', 'x', T0 + 20)] };
    expect(documentLastUpdateTime(older, ours)).toBe(T0 + 10);
    expect(documentLastUpdateTime(newer, ours)).toBe(T0 + 20);
  });

  it('lastUpdateTime without an envelope: the newest message, else updated_at, else 0', () => {
    const messages = [message('a', 'user', 'x', T0 + 7), message('b', 'user', 'y', T0 + 3)];
    expect(documentLastUpdateTime({ session_id: 's', messages }, undefined)).toBe(T0 + 7);
    expect(
      documentLastUpdateTime(
        { session_id: 's', updated_at: '2025-03-01T10:00:09.000Z' },
        undefined,
      ),
    ).toBe(T0 + 9_000);
    expect(documentLastUpdateTime({ session_id: 's' }, undefined)).toBe(0);
  });

  it('createdAt: ours, else the document created_at, else 0', () => {
    expect(
      documentCreatedAt({ session_id: 's', created_at: '2020-01-01T00:00:00Z' }, envelope()),
    ).toBe(T0);
    expect(
      documentCreatedAt({ session_id: 's', created_at: '2025-03-01T10:00:01.000Z' }, undefined),
    ).toBe(T0 + 1_000);
    expect(documentCreatedAt({ session_id: 's' }, undefined)).toBe(0);
  });
});

describe('upsertMessage', () => {
  const existing: AmsMemoryMessage[] = [
    {
      id: 'a',
      role: 'user',
      content: 'old',
      created_at: '2025-03-01T10:00:00.000Z',
      persisted_at: '2025-03-01T10:05:00.000Z',
      discrete_memory_extracted: 't',
    },
    { id: 'b', role: 'assistant', content: 'other', created_at: '2025-03-01T10:00:01.000Z' },
  ];
  const snapshot = JSON.stringify(existing);

  afterEach(() => {
    expect(JSON.stringify(existing)).toBe(snapshot);
  });

  it('keeps persisted_at and discrete_memory_extracted of an existing message', () => {
    const result = upsertMessage(existing, 'a', {
      role: 'user',
      content: 'new',
      createdAt: '2025-03-01T10:00:02.000Z',
    });
    expect(result).toHaveLength(2);
    expect(result[0]).toEqual({
      id: 'a',
      role: 'user',
      content: 'new',
      created_at: '2025-03-01T10:00:02.000Z',
      persisted_at: '2025-03-01T10:05:00.000Z',
      discrete_memory_extracted: 't',
    });
    expect(result[1]).toBe(existing[1]);
  });

  it('appends a new message at the end, leaving the others untouched', () => {
    const result = upsertMessage(existing, 'c', {
      role: 'assistant',
      content: 'reply',
      createdAt: '2025-03-01T10:00:03.000Z',
    });
    expect(result.map((m) => m.id)).toEqual(['a', 'b', 'c']);
    expect(result[0]).toBe(existing[0]);
    expect(result[1]).toBe(existing[1]);
    expect(result[2]).toEqual({
      id: 'c',
      role: 'assistant',
      content: 'reply',
      created_at: '2025-03-01T10:00:03.000Z',
    });
  });

  it('removes the message of an event that no longer has text', () => {
    expect(upsertMessage(existing, 'a', undefined)).toEqual([existing[1]]);
    expect(upsertMessage(existing, 'zzz', undefined)).toEqual(existing);
  });
});

describe('upsertEvent', () => {
  it('replaces an event with the same id in place and appends a new one', () => {
    const events = [storedEvent('a', 1), storedEvent('b', 2)];
    const replaced = upsertEvent(events, storedEvent('a', 9, { author: 'x' }));
    expect(replaced.map((e) => [e.id, e.timestamp])).toEqual([
      ['a', 9],
      ['b', 2],
    ]);
    expect(upsertEvent(events, storedEvent('c', 3)).map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(events.map((e) => e.timestamp)).toEqual([1, 2]);
  });
});

describe('format 2: recent events and the segment index', () => {
  it('reads an envelope naming its segments, and still reads format 1', () => {
    const v2 = envelope([storedEvent('e9', T0)], {
      v: 2,
      segments: [['adk~s~0~abc', 9, T0 - 1]],
    });
    expect(
      readSessionEnvelope(overTheWire({ session_id: 's1', data: sessionData({}, v2) })),
    ).toEqual(v2);
    const v1 = envelope([storedEvent('e1', T0)]);
    expect(
      readSessionEnvelope(overTheWire({ session_id: 's1', data: sessionData({}, v1) })),
    ).toEqual(v1);
  });

  it.each([
    ['a segment without a count', [['adk~s~0~abc']]],
    ['a segment with an empty count', [['adk~s~0~abc', 0, T0]]],
    ['a segment id that is not a string', [[7, 9, T0]]],
    ['segments that are not an array', { id: 'x' }],
  ])('refuses %s', (_what, segments) => {
    const raw = { ...envelope([], { v: 2 }), segments };
    expect(() => readSessionEnvelope({ session_id: 's1', data: { adk_redis: raw } })).toThrow(
      UnreadableDocumentError,
    );
  });

  it('reads a segment document only when it is one', () => {
    const segment = { v: 2, kind: 'segment', app: 'a', user: 'u', session: 's', events: [] };
    expect(readSegmentEnvelope({ session_id: 'x', data: { adk_redis: segment } })).toEqual(segment);
    for (const other of [
      { ...segment, kind: 'session' },
      { ...segment, v: 1 },
      { ...segment, events: [{}] },
    ]) {
      expect(readSegmentEnvelope({ session_id: 'x', data: { adk_redis: other } })).toBeUndefined();
    }
  });
});

describe('revisionMark', () => {
  const ours = envelope([storedEvent('e1', T0), storedEvent('e2', T0)], { writeId: 'w1' });
  const message = (id: string) => ({
    id,
    role: 'user',
    content: 'hi',
    created_at: '2025-03-01T10:00:00Z',
  });

  it('is the counter and write id while every message is one of ours', () => {
    expect(revisionMark(ours)).toBe('4/w1');
    expect(revisionMark(ours, { session_id: 's1', messages: [message('e1'), message('e2')] })).toBe(
      '4/w1',
    );
  });

  it('changes when another client adds a message, and with every further one', () => {
    const one = { session_id: 's1', messages: [message('e1'), message('py1')] };
    const two = { session_id: 's1', messages: [message('e1'), message('py1'), message('py2')] };
    expect(revisionMark(ours, one)).not.toBe(revisionMark(ours));
    expect(revisionMark(ours, two)).not.toBe(revisionMark(ours, one));
    // The same document gives the same mark (a session loaded after the write appends).
    expect(revisionMark(ours, structuredClone(two))).toBe(revisionMark(ours, two));
  });
});
