/** Slicing a record's JSON into parts within the per-event budget, and putting it back together. */
import { describe, expect, it } from 'vitest';
import type { RamAddSessionEvent, RamSessionMemory } from '../../../src/clients/index.js';
import {
  PartCollector,
  RECORD_METADATA_BUDGET,
  jsonBytes,
  sliceByJsonBytes,
  splitRecord,
} from '../../../src/sessions/redis-agent-memory/parts.js';

const jsonStringBytes = (text: string) => jsonBytes(text) - 2;

describe('sliceByJsonBytes', () => {
  it.each([
    ['ASCII', 'abcdefghij'.repeat(500)],
    ['quotes, backslashes and control characters', '"\\\n\t\u0001\u001f'.repeat(400)],
    ['two-, three- and four-byte characters', 'é€🍕'.repeat(700)],
    ['a lone surrogate', `${'x'.repeat(99)}\ud800${'y'.repeat(99)}\udc00`.repeat(30)],
  ])('keeps %s within the room, whole, and never splits a pair', (_label, text) => {
    const room = 97;
    const slices = sliceByJsonBytes(text, room);
    expect(slices.join('')).toBe(text);
    for (const slice of slices) {
      expect(jsonStringBytes(slice)).toBeLessThanOrEqual(room);
      expect(slice.length).toBeGreaterThan(0);
    }
    // No joint between two slices cuts a surrogate pair.
    for (let i = 1; i < slices.length; i++) {
      const joint = slices[i - 1]!.slice(-1) + slices[i]!.slice(0, 1);
      expect(/^[\ud800-\udbff][\udc00-\udfff]$/.test(joint)).toBe(false);
    }
  });

  it('gives one empty slice for empty text', () => {
    expect(sliceByJsonBytes('', 10)).toEqual(['']);
  });
});

describe('splitRecord and PartCollector', () => {
  const record: RamAddSessionEvent = {
    sessionId: 's',
    actorId: 'a',
    role: 'USER',
    content: [{ text: 'hi' }],
    createdAt: '2026-01-01T00:00:00Z',
    metadata: { source: 'adk-redis', adk_redis: { big: 'x' } },
  };
  const payload = JSON.stringify({ v: 1, text: '🍕"\n'.repeat(30_000) });

  const asStored = (records: RamAddSessionEvent[]): RamSessionMemory['events'] =>
    records.map((r, i) => ({
      ...r,
      sessionId: 's',
      eventId: String(i).padStart(32, '0'),
      systemTimestamp: r.createdAt,
    }));

  it('gives parts within the budget that a collector joins back, in any order', () => {
    const split = splitRecord(record, 'adk_redis', payload, (mark) => ({ mark }), 'e1');
    expect(split.parts.length).toBeGreaterThan(5);
    for (const part of split.parts) {
      expect(jsonBytes(part.metadata)).toBeLessThanOrEqual(RECORD_METADATA_BUDGET);
      expect(part.content).toEqual([]);
    }
    const mark = (split.record.metadata as { adk_redis: { mark: never } }).adk_redis.mark;
    const collector = new PartCollector();
    for (const part of asStored([...split.parts].reverse())) {
      expect(collector.take(part.metadata as Record<string, unknown>)).toBe(true);
    }
    expect(collector.assemble(mark)).toBe(payload);
  });

  it('assembles nothing when a part is missing or another text has the digest', () => {
    const split = splitRecord(record, 'adk_redis', payload, (mark) => ({ mark }), 'e1');
    const mark = (split.record.metadata as { adk_redis: { mark: never } }).adk_redis.mark;
    const missing = new PartCollector();
    for (const part of split.parts.slice(1)) missing.take(part.metadata as Record<string, unknown>);
    expect(missing.assemble(mark)).toBeUndefined();
    const forged = new PartCollector();
    for (const part of split.parts) {
      const meta = structuredClone(part.metadata) as { adk_redis_part: { data: string } };
      meta.adk_redis_part.data = meta.adk_redis_part.data.replace('🍕', '🍝');
      forged.take(meta);
    }
    expect(forged.assemble(mark)).toBeUndefined();
  });
});
