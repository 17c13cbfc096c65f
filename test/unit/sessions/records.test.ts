/**
 * Managed API records (src/sessions/redis-agent-memory/records.ts, append.ts, reading.ts): an
 * event's record leaves the event it was built from untouched, and a record's encoded body is its
 * JSON with the metadata measured as sent.
 */
import { describe, expect, it } from 'vitest';
import type { RamAddSessionEvent } from '../../../src/clients/index.js';
import { encodeRecord } from '../../../src/sessions/redis-agent-memory/append.js';
import { parseSession } from '../../../src/sessions/redis-agent-memory/reading.js';
import {
  creationRecord,
  eventRecord,
  UnreadableRecordError,
  type EventAddress,
} from '../../../src/sessions/redis-agent-memory/records.js';
import { SessionIdCollisionError } from '../../../src/sessions/errors.js';
import type { StoredEvent } from '../../../src/sessions/events.js';
import { emptyState } from '../../../src/sessions/state.js';

const address: EventAddress = {
  sessionId: 'f'.repeat(64),
  namespace: 'app',
  userActor: 'alice',
  actorOf: (author) => author.replace(/[^A-Za-z0-9-]/g, '-'),
  pythonNamespace: 'app',
};
const key = { appName: 'app', userId: 'alice', sessionId: 's1' };
const change = {
  sessionDelta: emptyState(),
  removed: [],
  pythonDelta: emptyState(),
  checkpoint: emptyState(),
};

function storedEvent(): StoredEvent {
  return {
    id: 'e1',
    timestamp: 1_750_000_000_000,
    author: 'agent',
    invocationId: 'inv-1',
    content: {
      role: 'model',
      parts: [
        { text: 'hello' },
        { text: 'thinking', thought: true },
        { functionCall: { name: 'f', args: { a: [1, 2] } } },
      ],
    },
    actions: { stateDelta: { k: { deep: true } } },
  };
}

describe('eventRecord', () => {
  it('leaves the event it was given as it was', () => {
    const event = storedEvent();
    const before = structuredClone(event);
    const record = eventRecord(key, address, event, change);
    expect(event).toEqual(before);
    expect(record.content).toEqual([{ text: 'hello' }]);
  });

  it('keeps the full event in the metadata, with the text parts it sent as content emptied', () => {
    const record = eventRecord(key, address, storedEvent(), change);
    const kept = (record.metadata as { adk_redis: { event: StoredEvent; textParts: number[] } })
      .adk_redis;
    expect(kept.textParts).toEqual([0]);
    expect((kept.event.content as { parts: unknown[] }).parts).toEqual([
      {},
      { text: 'thinking', thought: true },
      { functionCall: { name: 'f', args: { a: [1, 2] } } },
    ]);
    expect(kept.event.actions).toEqual({ stateDelta: { k: { deep: true } } });
  });
});

describe('encodeRecord', () => {
  it('is the JSON of the record, with the metadata bytes as UTF-8 on the wire', () => {
    const record = eventRecord(key, address, storedEvent(), {
      ...change,
      sessionDelta: { note: 'caf\u00e9 \u{1F642}' },
    });
    const { text, metadataBytes } = encodeRecord(record);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(record)));
    expect(metadataBytes).toBe(Buffer.byteLength(JSON.stringify(record.metadata), 'utf8'));
  });

  it('encodes a record without metadata as its plain JSON', () => {
    const record: RamAddSessionEvent = {
      sessionId: 's',
      actorId: 'a',
      role: 'USER',
      content: [{ text: 'x' }],
      createdAt: '2025-01-01T00:00:00Z',
    };
    const { text, metadataBytes } = encodeRecord(record);
    expect(JSON.parse(text)).toEqual(record);
    expect(metadataBytes).toBe(4); // null
  });
});

describe('parseSession without events', () => {
  /** Records as the service stores and returns them. */
  const stored = (records: RamAddSessionEvent[]) => ({
    sessionId: address.sessionId,
    ownerId: 'alice',
    events: records.map((record, i) => ({
      ...record,
      sessionId: address.sessionId,
      eventId: String(i).padStart(32, '0'),
      systemTimestamp: record.createdAt,
    })),
  });
  const session = () =>
    stored([
      creationRecord(key, address, { a: 1 }, 1_700_000_000_000),
      eventRecord(key, address, storedEvent(), {
        ...change,
        sessionDelta: { b: { deep: [1] } },
        removed: ['a'],
        checkpoint: { b: { deep: [1] } },
      }),
      {
        // Another writer's text record (the Python package), with its state delta.
        sessionId: address.sessionId,
        actorId: 'alice',
        role: 'USER',
        content: [{ text: 'from python' }],
        createdAt: '2025-06-15T12:00:00.000Z',
        metadata: { state_delta: { c: 3 } },
      },
    ]);

  it('gives the state, times and revision of a full parse, and no events', () => {
    const full = parseSession(session(), key);
    const light = parseSession(session(), key, { events: false });
    expect(full.events.map((e) => e.id)).toEqual(['e1', '00000000000000000000000000000002']);
    expect(light.events).toEqual([]);
    expect({ ...light, events: full.events }).toEqual(full);
    expect(light.state).toEqual({ b: { deep: [1] }, c: 3 });
  });

  it('still refuses records of another session and records it cannot read', () => {
    const other = session();
    (other.events[1]!.metadata as Record<string, unknown>).adk_session_id = 'someone-else';
    expect(() => parseSession(other, key, { events: false })).toThrow(SessionIdCollisionError);
    const unreadable = session();
    (unreadable.events[1]!.metadata as { adk_redis: Record<string, unknown> }).adk_redis.v = 9;
    expect(() => parseSession(unreadable, key, { events: false })).toThrow(UnreadableRecordError);
  });
});

describe('state checkpoints', () => {
  const stored = (records: RamAddSessionEvent[], summarizedEvents = 0) => ({
    sessionId: address.sessionId,
    ownerId: 'alice',
    events: records.map((record, i) => ({
      ...record,
      sessionId: address.sessionId,
      eventId: String(i + summarizedEvents).padStart(32, '0'),
      systemTimestamp: record.createdAt,
    })),
  });
  const event = (id: string, delta: Record<string, unknown>, checkpoint: Record<string, unknown>) =>
    eventRecord(
      key,
      address,
      { ...storedEvent(), id },
      {
        ...change,
        sessionDelta: delta,
        checkpoint,
      },
    );

  it('rebuild the state from the first retained checkpoint when the creation marker is gone', () => {
    // History: created {a: 1}; e1 sets b; e2 sets c and removes a. Only e1 and e2 are retained.
    const retained = stored(
      [event('e1', { b: 2 }, { a: 1, b: 2 }), { ...event('e2', { c: 3 }, { b: 2, c: 3 }) }],
      1,
    );
    (retained.events[1]!.metadata as { adk_redis: { removed?: string[] } }).adk_redis.removed = [
      'a',
    ];
    expect(parseSession(retained, key).state).toEqual({ b: 2, c: 3 });
    // Without checkpoints (an older writer), only the retained changes are known.
    for (const raw of retained.events) {
      delete (raw.metadata as { adk_redis: { checkpoint?: unknown } }).adk_redis.checkpoint;
    }
    expect(parseSession(retained, key).state).toEqual({ b: 2, c: 3 });
    const older = stored([event('e1', { b: 2 }, { a: 1, b: 2 })], 1);
    delete (older.events[0]!.metadata as { adk_redis: { checkpoint?: unknown } }).adk_redis
      .checkpoint;
    expect(parseSession(older, key).state).toEqual({ b: 2 });
  });

  it('are not used while the marker is retained: two racing writers both keep their change', () => {
    // Both wrote on the state after the marker; each checkpoint lacks the other's change.
    const whole = stored([
      creationRecord(key, address, { a: 1 }, 1_700_000_000_000),
      event('e1', { b: 2 }, { a: 1, b: 2 }),
      event('e2', { c: 3 }, { a: 1, c: 3 }),
    ]);
    expect(parseSession(whole, key).state).toEqual({ a: 1, b: 2, c: 3 });
  });
});
