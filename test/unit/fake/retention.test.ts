/**
 * The fake's session retention, as a store configures it: automatic summarisation after a number
 * of events (keeping the newest), cleanup of summarised events, and the short-term TTL.
 */
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../src/index.js';
import { useFake } from './helpers.js';

const EVENTS = '/v1/stores/{storeId}/session-memory/events' as const;
const SESSION = '/v1/stores/{storeId}/session-memory/{sessionId}' as const;
const EVENT = '/v1/stores/{storeId}/session-memory/{sessionId}/events/{eventId}' as const;
const LIST = '/v1/stores/{storeId}/session-memory' as const;

let now = Date.parse('2026-01-01T00:00:00Z');
const clock = () => new Date(now);

function add(ctx: ReturnType<typeof useFake>, sessionId: string, text: string) {
  return unwrap(
    ctx.client().POST(EVENTS, {
      body: {
        sessionId,
        actorId: 'user-1',
        role: 'USER',
        content: [{ text }],
        createdAt: '2026-01-01T00:00:00Z',
      },
    }),
  );
}

const get = (ctx: ReturnType<typeof useFake>, sessionId: string, includeSummarisedEvents = false) =>
  ctx.client().GET(SESSION, {
    params: { path: { sessionId }, query: { includeSummarisedEvents } },
  });

describe('automatic summarisation with cleanup', () => {
  const ctx = useFake({ sessionRetention: { summarizeAfter: 4, keepRecent: 2, cleanup: true } });

  it('folds all but the newest events once past the threshold, and removes them', async () => {
    const added = [];
    for (const text of ['a', 'b', 'c', 'd']) added.push((await add(ctx, 's1', text)).event);
    expect((await unwrap(get(ctx, 's1'))).summary).toBeUndefined();

    added.push((await add(ctx, 's1', 'e')).event);
    const after = await unwrap(get(ctx, 's1'));
    expect(after.events.map((e) => e.content[0]!.text)).toEqual(['d', 'e']);
    expect(after.summary).toMatchObject({
      summarizedEvents: 3,
      summarizedUpToEventId: added[2]!.eventId,
    });
    // Cleaned up: not even includeSummarisedEvents or GetSessionEvent finds them.
    const all = await unwrap(get(ctx, 's1', true));
    expect(all.events.map((e) => e.content[0]!.text)).toEqual(['d', 'e']);
    const folded = await ctx.client().GET(EVENT, {
      params: { path: { sessionId: 's1', eventId: added[0]!.eventId } },
    });
    expect(folded.response.status).toBe(404);

    for (const text of ['f', 'g', 'h']) await add(ctx, 's1', text);
    const later = await unwrap(get(ctx, 's1'));
    expect(later.events.map((e) => e.content[0]!.text)).toEqual(['g', 'h']);
    expect(later.summary?.summarizedEvents).toBe(6);
  });
});

describe('summarisation without cleanup, and cleanup by hand', () => {
  const ctx = useFake({ sessionRetention: { summarizeAfter: 2, keepRecent: 1 } });

  it('keeps folded events for includeSummarisedEvents until cleanup() removes them', async () => {
    for (const text of ['a', 'b', 'c']) await add(ctx, 's1', text);
    const all = await unwrap(get(ctx, 's1', true));
    expect(all.events.map((e) => e.content[0]!.text)).toEqual(['a', 'b', 'c']);
    ctx.fake.cleanup('s1');
    const cleaned = await unwrap(get(ctx, 's1', true));
    expect(cleaned.events.map((e) => e.content[0]!.text)).toEqual(['c']);
    expect(cleaned.summary?.summarizedEvents).toBe(2);
  });

  it('summarize() with cleanup removes the events it moves', async () => {
    const fake = ctx.fake;
    await add(ctx, 's2', 'a');
    await add(ctx, 's2', 'b');
    fake.summarize('s2', 1, 'They said a.', true);
    const all = await unwrap(get(ctx, 's2', true));
    expect(all.events.map((e) => e.content[0]!.text)).toEqual(['b']);
  });
});

describe('the short-term TTL', () => {
  const ctx = useFake({ sessionRetention: { ttlSeconds: 3600, clock } });

  it('expires a session an hour after its last event; each event refreshes it', async () => {
    await add(ctx, 's1', 'a');
    now += 59 * 60_000;
    await add(ctx, 's1', 'b');
    now += 59 * 60_000;
    expect((await unwrap(get(ctx, 's1'))).events).toHaveLength(2);
    const listed = await unwrap(
      ctx.client().GET(LIST, { params: { query: { includeAll: true } } }),
    );
    expect(listed.items).toEqual(['s1']);

    now += 2 * 60_000;
    expect((await get(ctx, 's1')).response.status).toBe(404);
    const relisted = await unwrap(
      ctx.client().GET(LIST, { params: { query: { includeAll: true } } }),
    );
    expect(relisted).toMatchObject({ items: [], total: 0 });
    const deleted = await ctx.client().DELETE(SESSION, { params: { path: { sessionId: 's1' } } });
    expect(deleted.response.status).toBe(404);

    // A new event starts a new session under the same id, without the old events.
    await add(ctx, 's1', 'c');
    expect((await unwrap(get(ctx, 's1'))).events.map((e) => e.content[0]!.text)).toEqual(['c']);
  });
});

describe('settings', () => {
  it('refuses a retention the fake cannot model', async () => {
    const { startFakeRedisAgentMemory } =
      await import('../../support/fake-redis-agent-memory/index.js');
    await expect(
      startFakeRedisAgentMemory({ sessionRetention: { keepRecent: 0 } }),
    ).rejects.toThrow(/keepRecent/);
    await expect(
      startFakeRedisAgentMemory({ sessionRetention: { ttlSeconds: -1 } }),
    ).rejects.toThrow(/ttlSeconds/);
  });
});
