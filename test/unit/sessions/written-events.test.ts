/**
 * Reuse of the events' JSON between writes of an AMS session document
 * (src/sessions/agent-memory-server/written-events.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  spliceEvents,
  WrittenEvents,
} from '../../../src/sessions/opensource-agent-memory/written-events.js';
import type { StoredEvent } from '../../../src/sessions/events.js';

const event = (id: string, text = id): StoredEvent => ({
  id,
  timestamp: 1,
  content: { parts: [{ text }] },
});

describe('WrittenEvents', () => {
  // A remembered text that differs from what serialising would give shows when it is reused.
  const marked = (events: StoredEvent[]): string =>
    JSON.stringify(events.map((e) => ({ ...e, cached: true })));

  it('reuses the text written last when the document read is that write plus one new event', () => {
    const written = new WrittenEvents();
    const [a, b, c] = [event('a'), event('b'), event('c')];
    written.remember('loc', '2/w1', 2, marked([a, b]));
    const json = written.encode('loc', '2/w1', [a, b], [a, b, c]);
    expect(json).toBe(`${marked([a, b]).slice(0, -1)},${JSON.stringify(c)}]`);
    expect(JSON.parse(json)).toHaveLength(3);
  });

  it('reuses "[]" as an empty list', () => {
    const written = new WrittenEvents();
    written.remember('loc', '1/w0', 0, '[]');
    expect(written.encode('loc', '1/w0', [], [event('a')])).toBe(JSON.stringify([event('a')]));
  });

  it.each([
    ['nothing was remembered', undefined, 2],
    ['the document read was written by someone else (another mark)', '2/other', 2],
    ['the count differs', '2/w1', 3],
  ])('serialises everything when %s', (_why, mark, count) => {
    const written = new WrittenEvents();
    const [a, b, c] = [event('a'), event('b'), event('c')];
    if (mark !== undefined) written.remember('loc', '2/w1', count, marked([a, b]));
    expect(written.encode('loc', mark ?? '2/w1', [a, b], [a, b, c])).toBe(
      JSON.stringify([a, b, c]),
    );
  });

  it('serialises everything when the events are not the stored ones plus one at the end', () => {
    const written = new WrittenEvents();
    const [a, b, c] = [event('a'), event('b'), event('c')];
    written.remember('loc', '2/w1', 2, marked([a, b]));
    // An upsert replaced b in place, a foreign message was merged in, or the order changed.
    for (const events of [
      [a, event('b', 'changed'), c],
      [a, event('foreign'), b],
      [b, a, c],
      [a, b],
    ]) {
      expect(written.encode('loc', '2/w1', [a, b], events)).toBe(JSON.stringify(events));
    }
  });

  it('forgets a session, and keeps the text it holds within its bound', () => {
    const written = new WrittenEvents(10, 2);
    written.remember('one', 'm', 0, '[1,2,3]');
    written.remember('two', 'm', 0, '[4,5,6]');
    // Over 10 characters: the oldest goes.
    expect(written.encode('one', 'm', [], [event('x')])).toBe(JSON.stringify([event('x')]));
    expect(written.encode('two', 'm', [], [event('x')])).toBe(`[${JSON.stringify(event('x'))}]`);
    written.forget('two');
    expect(written.encode('two', 'm', [], [event('y')])).toBe(JSON.stringify([event('y')]));
    // A text longer than the bound is not kept at all.
    written.remember('big', 'm', 0, '[1,2,3,4,5,6,7,8]');
    expect(written.encode('big', 'm', [], [event('z')])).toBe(JSON.stringify([event('z')]));
  });
});

describe('spliceEvents', () => {
  it('puts the events text where the placeholder stands', () => {
    const text = spliceEvents({ a: 1, data: { events: 'PH-1', b: [2] } }, 'PH-1', '[{"id":"e"}]');
    expect(JSON.parse(text!)).toEqual({ a: 1, data: { events: [{ id: 'e' }], b: [2] } });
  });

  it('gives up when the placeholder is missing or occurs twice', () => {
    expect(spliceEvents({ events: 'other' }, 'PH-1', '[]')).toBeUndefined();
    expect(spliceEvents({ events: 'PH-1', copy: 'PH-1' }, 'PH-1', '[]')).toBeUndefined();
  });
});
