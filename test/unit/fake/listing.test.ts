/** ListSessions: the owner filter or includeAll (exactly one), limits, totals and page tokens. */
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../src/index.js';
import { fieldErrorsOf, useFake } from './helpers.js';

const ctx = useFake();

const LIST = '/v1/stores/{storeId}/session-memory' as const;
const EVENTS = '/v1/stores/{storeId}/session-memory/events' as const;

async function createSession(sessionId: string, actorId = 'owner-a'): Promise<void> {
  await unwrap(
    ctx.client().POST(EVENTS, {
      body: {
        sessionId,
        actorId,
        role: 'USER',
        content: [{ text: 'hi' }],
        createdAt: '2026-01-01T00:00:00Z',
      },
    }),
  );
}

type ListQuery = {
  limit?: number;
  pageToken?: string;
  filterOwnerId?: string;
  includeAll?: boolean;
};

function list(query: ListQuery) {
  return unwrap(ctx.client().GET(LIST, { params: { query } }));
}

/** Every id of a listing, walking the page tokens; also returns how many pages it took. */
async function walk(query: ListQuery): Promise<{ ids: string[]; pages: number; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  do {
    const page = await list({ ...query, ...(pageToken ? { pageToken } : {}) });
    pages++;
    ids.push(...page.items);
    totals.push(page.total);
    pageToken = page.nextPageToken;
    expect(pages).toBeLessThan(100);
  } while (pageToken);
  return { ids, pages, totals };
}

describe('ListSessions filters', () => {
  it('lists ids in creation order with includeAll=true, and filters by owner', async () => {
    await createSession('s-1', 'alice');
    await createSession('s-2', 'bob');
    await createSession('s-3', 'alice');
    await createSession('s-1', 'bob'); // an event to an existing session creates nothing

    expect(await list({ includeAll: true })).toEqual({ items: ['s-1', 's-2', 's-3'], total: 3 });
    expect(await list({ filterOwnerId: 'alice' })).toEqual({ items: ['s-1', 's-3'], total: 2 });
    expect(await list({ filterOwnerId: 'Alice' })).toEqual({ items: [], total: 0 });
    expect(await list({ filterOwnerId: 'bob', includeAll: false })).toEqual({
      items: ['s-2'],
      total: 1,
    });
  });

  it('returns an empty list for an empty store', async () => {
    expect(await list({ includeAll: true })).toEqual({ items: [], total: 0 });
  });

  it('requires exactly one of filterOwnerId and includeAll=true', async () => {
    expect(await fieldErrorsOf(await ctx.raw('session-memory'))).toEqual(['includeAll:required']);
    expect(await fieldErrorsOf(await ctx.raw('session-memory?includeAll=false'))).toEqual([
      'includeAll:required',
    ]);
    expect(
      await fieldErrorsOf(await ctx.raw('session-memory?includeAll=true&filterOwnerId=alice')),
    ).toEqual(['includeAll:mutuallyExclusive']);
  });

  it('checks the query parameters against their schemas', async () => {
    const cases: [string, string[]][] = [
      ['limit=0', ['limit:minimum']],
      ['limit=1001', ['limit:maximum']],
      ['limit=ten', ['limit:type']],
      ['limit=1.5', ['limit:type']],
      ['includeAll=yes', ['includeAll:type']],
      ['filterOwnerId=a_b', ['filterOwnerId:pattern']],
      [`filterOwnerId=${'a'.repeat(65)}`, ['filterOwnerId:maxLength']],
      ['filterOwnerId=', ['filterOwnerId:minLength', 'filterOwnerId:pattern']],
    ];
    for (const [query, expected] of cases) {
      const base = query.startsWith('filterOwnerId') ? '' : '&includeAll=true';
      const response = await ctx.raw(`session-memory?${query}${base}`);
      expect([query, await fieldErrorsOf(response)]).toEqual([query, expected]);
    }
  });

  it('accepts the limit bounds 1 and 1000', async () => {
    await createSession('s-1');
    expect((await list({ includeAll: true, limit: 1 })).items).toEqual(['s-1']);
    expect((await list({ includeAll: true, limit: 1000 })).items).toEqual(['s-1']);
  });
});

describe('ListSessions paging', () => {
  it('walks every page with the tokens; the last page has no token', async () => {
    const created = Array.from({ length: 7 }, (_, i) => `s-${i}`);
    for (const id of created) await createSession(id, id === 's-3' ? 'other' : 'owner-a');

    const all = await walk({ includeAll: true, limit: 3 });
    expect(all).toEqual({ ids: created, pages: 3, totals: [7, 7, 7] });

    const owned = await walk({ filterOwnerId: 'owner-a', limit: 2 });
    expect(owned.ids).toEqual(created.filter((id) => id !== 's-3'));
    expect(owned.pages).toBe(3);
    expect(owned.totals).toEqual([6, 6, 6]);
  });

  it('has one page without a token when everything fits, and uses 100 by default', async () => {
    for (let i = 0; i < 101; i++) await createSession(`s-${i}`);
    const first = await list({ includeAll: true });
    expect(first.items).toHaveLength(100);
    expect(first.total).toBe(101);
    expect(first.nextPageToken).toEqual(expect.any(String));
    const exact = await list({ includeAll: true, limit: 101 });
    expect(exact.items).toHaveLength(101);
    expect(exact).not.toHaveProperty('nextPageToken');
  });

  it('does not skip sessions when earlier ones are deleted between pages', async () => {
    for (const id of ['a', 'b', 'c', 'd']) await createSession(id);
    const first = await list({ includeAll: true, limit: 2 });
    expect(first.items).toEqual(['a', 'b']);
    ctx.fake.expire('a');
    const second = await list({ includeAll: true, limit: 2, pageToken: first.nextPageToken! });
    expect(second).toEqual({ items: ['c', 'd'], total: 3 });
  });

  it('refuses a token it did not issue, or one issued for another filter', async () => {
    for (const id of ['a', 'b', 'c']) await createSession(id);
    const first = await list({ includeAll: true, limit: 1 });
    const token = first.nextPageToken!;
    for (const bad of ['not-a-token', 'e30', '', `${token}x`]) {
      const response = await ctx.raw(
        `session-memory?includeAll=true&pageToken=${encodeURIComponent(bad)}`,
      );
      expect([bad, await fieldErrorsOf(response)]).toEqual([bad, ['pageToken:pageToken']]);
    }
    const other = await ctx.raw(
      `session-memory?filterOwnerId=owner-a&pageToken=${encodeURIComponent(token)}`,
    );
    expect(await fieldErrorsOf(other)).toEqual(['pageToken:pageToken']);
  });
});
