/**
 * SearchLongTermMemory: lexical ranking and its threshold, limits and page tokens, the filter
 * grammar (including the namespace rules a client must defend against), and malformed requests.
 * Runs with the default switches and with the other choice of each.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { lexicalSimilarity } from '../../support/fake-redis-agent-memory/index.js';
import { fieldErrorsOf, useFake } from './helpers.js';
import {
  SETTINGS,
  TestClock,
  memoryApi,
  record,
  type MemoryFilter,
  type SearchRequest,
} from './memory-helpers.js';

describe.each(SETTINGS)('SearchLongTermMemory (%s)', (_name, settings) => {
  const clock = new TestClock();
  const ctx = useFake({ longTermMemory: { ...settings, clock: clock.now } });
  const api = memoryApi(ctx);
  beforeEach(() => clock.reset());

  const searchRaw = (json: unknown) => ctx.raw('long-term-memory/search', { method: 'POST', json });

  /** Every id of a search, walking its page tokens. */
  async function walk(request: SearchRequest): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await api.search({ ...request, ...(pageToken ? { pageToken } : {}) });
      pages++;
      ids.push(...page.items.map((item) => item.id));
      pageToken = page.nextPageToken;
      expect(pages).toBeLessThan(50);
    } while (pageToken);
    return { ids, pages };
  }

  describe('ranking', () => {
    beforeEach(async () => {
      await api.create([
        record('sky', { text: 'The sky is blue today' }),
        record('butter', { text: 'peanut butter on toast' }),
        record('carol', { text: 'Carol has a peanut allergy' }),
        record('exact', { text: 'Peanut ALLERGY' }),
      ]);
    });

    it('orders by lexical similarity, case-blind, keeping unrelated records last', async () => {
      expect(await api.ids({ text: 'peanut allergy' })).toEqual([
        'exact',
        'carol',
        'butter',
        'sky',
      ]);
      expect(lexicalSimilarity('peanut allergy', 'Peanut ALLERGY')).toBe(1);
      expect(lexicalSimilarity('peanut allergy', 'The sky is blue today')).toBe(0);
    });

    it('keeps what scores at or above similarityThreshold: a higher threshold is stricter', async () => {
      const query = 'peanut allergy';
      const carol = lexicalSimilarity(query, 'Carol has a peanut allergy');
      const butter = lexicalSimilarity(query, 'peanut butter on toast');
      expect(carol).toBeGreaterThan(butter);
      expect(butter).toBeGreaterThan(0);

      const at = (similarityThreshold: number) => api.ids({ text: query, similarityThreshold });
      expect(await at(0)).toEqual(['exact', 'carol', 'butter', 'sky']);
      expect(await at(butter)).toEqual(['exact', 'carol', 'butter']);
      expect(await at(carol)).toEqual(['exact', 'carol']);
      expect(await at((carol + 1) / 2)).toEqual(['exact']);
      expect(await at(1)).toEqual(['exact']);
    });

    it('breaks ties by id, and ranks by id alone (threshold unused) without text', async () => {
      await api.create([
        record('b-twin', { text: 'peanut allergy' }),
        record('a-twin', { text: 'allergy peanut' }),
      ]);
      expect((await api.ids({ text: 'peanut allergy' })).slice(0, 3)).toEqual([
        'a-twin',
        'b-twin',
        'exact',
      ]);
      const byId = ['a-twin', 'b-twin', 'butter', 'carol', 'exact', 'sky'];
      expect(await api.ids()).toEqual(byId);
      expect(await api.ids({ similarityThreshold: 1 })).toEqual(byId);
      // Text without any word shares nothing: everything scores 0.
      expect(await api.ids({ text: '?!', similarityThreshold: 0.1 })).toEqual([]);
    });

    it('answers an empty list when nothing matches, and accepts no body at all', async () => {
      expect(await api.search({ filter: { ownerId: { eq: 'nobody' } } })).toEqual({ items: [] });
      const response = await ctx.raw('long-term-memory/search', { method: 'POST' });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { items: unknown[] }).items).toHaveLength(4);
    });
  });

  describe('limits and page tokens', () => {
    const ids = Array.from({ length: 23 }, (_, i) => `m-${String(i).padStart(2, '0')}`);
    beforeEach(async () => {
      // Word counts vary, so scores differ and ties still occur.
      await api.create(ids.map((id, i) => record(id, { text: `apple ${'pear '.repeat(i % 5)}` })));
    });

    it('returns 10 by default and the limit otherwise, with a token while more remain', async () => {
      const first = await api.search({ text: 'apple' });
      expect(first.items).toHaveLength(10);
      expect(first.nextPageToken).toEqual(expect.any(String));
      expect((await api.search({ limit: 1 })).items).toHaveLength(1);
      const all = await api.search({ limit: 100 });
      expect(all.items).toHaveLength(23);
      expect(all).not.toHaveProperty('nextPageToken');
      const exact = await api.search({ limit: 23 });
      expect(exact).not.toHaveProperty('nextPageToken');
    });

    it.each([1, 4, 7, 23])('pages through every match in rank order (limit %i)', async (limit) => {
      const whole = await api.ids({ text: 'apple pear', limit: 100 });
      expect([...whole].sort()).toEqual(ids);
      const { ids: walked, pages } = await walk({ text: 'apple pear', limit });
      expect(walked).toEqual(whole);
      expect(pages).toBe(Math.ceil(23 / limit));
    });

    it('skips nothing when records before the token are deleted', async () => {
      const whole = await api.ids({ text: 'apple pear', limit: 100 });
      const first = await api.search({ text: 'apple pear', limit: 5 });
      await api.remove(first.items.map((item) => item.id));
      const second = await api.search({
        text: 'apple pear',
        limit: 5,
        pageToken: first.nextPageToken!,
      });
      expect(second.items.map((item) => item.id)).toEqual(whole.slice(5, 10));
    });

    it('refuses a token from another search or not from the fake', async () => {
      const { nextPageToken } = await api.search({ text: 'apple', limit: 2 });
      for (const body of [
        { text: 'pear', pageToken: nextPageToken },
        { text: 'apple', similarityThreshold: 0.5, pageToken: nextPageToken },
        { text: 'apple', filterOp: 'any', pageToken: nextPageToken },
        { text: 'apple', pageToken: 'not a token' },
        { text: 'apple', pageToken: Buffer.from('{"v":1}').toString('base64url') },
      ]) {
        expect([body, await fieldErrorsOf(await searchRaw(body))]).toEqual([
          body,
          ['pageToken:pageToken'],
        ]);
      }
      // The limit may change between pages.
      expect(
        (await api.search({ text: 'apple', limit: 3, pageToken: nextPageToken })).items,
      ).toHaveLength(3);
    });

    it.each([
      [{ limit: 0 }, 'limit:minimum'],
      [{ limit: 101 }, 'limit:maximum'],
      [{ limit: 2.5 }, 'limit:type'],
      [{ similarityThreshold: 1.01 }, 'similarityThreshold:maximum'],
      [{ similarityThreshold: -0.1 }, 'similarityThreshold:minimum'],
      [{ filterOp: 'none' }, 'filterOp:enum'],
      [{ text: 3 }, 'text:type'],
    ])('refuses %j', async (body, error) => {
      expect(await fieldErrorsOf(await searchRaw(body))).toEqual([error]);
    });
  });

  describe('filters', () => {
    beforeEach(async () => {
      await api.create([
        record('a', {
          ownerId: 'alice',
          namespace: 'Tenant-A',
          sessionId: 's-1',
          memoryType: 'semantic',
          topics: ['Food', 'health'],
          attributes: { level: 'high', score: 3, active: true, tags: ['x', 'y'] },
        }),
      ]);
      clock.tick(60_000);
      await api.create([
        record('b', {
          ownerId: 'bob',
          namespace: 'tenant-b',
          memoryType: 'Episodic',
          topics: ['food'],
        }),
      ]);
      clock.tick(60_000);
      await api.create([
        record('c', {
          ownerId: 'alice',
          sessionId: 's-2',
          attributes: { level: 'low', score: 3.5 },
        }),
      ]);
    });

    const find = (filter: MemoryFilter, filterOp?: 'all' | 'any') =>
      api.ids({ filter, ...(filterOp ? { filterOp } : {}) });

    it('matches ownerId and sessionId exactly, with eq, ne, in and all', async () => {
      expect(await find({ ownerId: { eq: 'alice' } })).toEqual(['a', 'c']);
      expect(await find({ ownerId: { eq: 'Alice' } })).toEqual([]);
      expect(await find({ ownerId: { ne: 'alice' } })).toEqual(['b']);
      expect(await find({ ownerId: { in: ['bob', 'carol'] } })).toEqual(['b']);
      expect(await find({ ownerId: { all: ['alice'] } })).toEqual(['a', 'c']);
      expect(await find({ ownerId: { all: ['alice', 'bob'] } })).toEqual([]);
      expect(await find({ sessionId: { eq: 's-1' } })).toEqual(['a']);
      expect(await find({ sessionId: { ne: 's-1' } })).toEqual(['b', 'c']);
      expect(await find({ sessionId: { in: ['S-1', 's-2'] } })).toEqual(['c']);
    });

    it('matches namespace ignoring case; positive operators never match a record without one', async () => {
      expect(await find({ namespace: { eq: 'tenant-a' } })).toEqual(['a']);
      expect(await find({ namespace: { eq: 'TENANT-B' } })).toEqual(['b']);
      expect(await find({ namespace: { in: ['TENANT-A', 'tenant-B'] } })).toEqual(['a', 'b']);
      expect(await find({ namespace: { all: ['tenant-a', 'Tenant-A'] } })).toEqual(['a']);
      // `ne` is plain negation: it lets the record without a namespace through.
      expect(await find({ namespace: { ne: 'TENANT-A' } })).toEqual(['b', 'c']);
      expect(await find({ namespace: { eq: 'tenant-a', ne: 'Tenant-A' } })).toEqual([]);
    });

    it('matches memoryType and topics ignoring case', async () => {
      expect(await find({ memoryType: { eq: 'episodic' } })).toEqual(['b']);
      expect(await find({ memoryType: { ne: 'SEMANTIC' } })).toEqual(['b', 'c']);
      expect(await find({ memoryType: { in: ['Semantic', 'episodic'] } })).toEqual(['a', 'b']);
      expect(await find({ topics: { eq: 'FOOD' } })).toEqual(['a', 'b']);
      expect(await find({ topics: { all: ['food', 'Health'] } })).toEqual(['a']);
      expect(await find({ topics: { in: ['health', 'sport'] } })).toEqual(['a']);
      expect(await find({ topics: { ne: 'health' } })).toEqual(['b', 'c']);
    });

    it('compares createdAt with gt, gte, lt, lte and eq', async () => {
      const start = new Date(TestClock.START).toISOString();
      const second = new Date(TestClock.START + 60_000).toISOString();
      expect(await find({ createdAt: { eq: start } })).toEqual(['a']);
      expect(await find({ createdAt: { gt: start } })).toEqual(['b', 'c']);
      expect(await find({ createdAt: { gte: second } })).toEqual(['b', 'c']);
      expect(await find({ createdAt: { lt: second } })).toEqual(['a']);
      expect(await find({ createdAt: { gte: start, lte: second } })).toEqual(['a', 'b']);
      // Another offset, same instant.
      expect(await find({ createdAt: { eq: '2026-03-01T01:01:00+01:00' } })).toEqual(['b']);
    });

    it('matches attributes by string, number, boolean and list containment', async () => {
      expect(await find({ attributes: { level: { string: 'high' } } })).toEqual(['a']);
      expect(await find({ attributes: { level: { string: 'HIGH' } } })).toEqual([]);
      expect(await find({ attributes: { score: { number: 3.5 } } })).toEqual(['c']);
      expect(await find({ attributes: { active: { boolean: true } } })).toEqual(['a']);
      expect(await find({ attributes: { tags: { list: ['y', 'x'] } } })).toEqual(['a']);
      expect(await find({ attributes: { tags: { list: ['x', 'z'] } } })).toEqual([]);
      expect(await find({ attributes: { score: { string: '3' } } })).toEqual([]);
    });

    it('combines conditions with filterOp all (the default) or any', async () => {
      const filter: MemoryFilter = {
        ownerId: { eq: 'alice' },
        namespace: { eq: 'tenant-b' },
        attributes: { level: { string: 'low' } },
      };
      expect(await find(filter)).toEqual([]);
      expect(await find(filter, 'all')).toEqual([]);
      expect(await find(filter, 'any')).toEqual(['a', 'b', 'c']);
      expect(await find({ ownerId: { eq: 'alice' }, sessionId: { eq: 's-2' } })).toEqual(['c']);
      expect(await find({ ownerId: { eq: 'bob' }, sessionId: { eq: 's-2' } }, 'any')).toEqual([
        'b',
        'c',
      ]);
      expect(await find({}, 'any')).toEqual(['a', 'b', 'c']);
    });

    it('filters before ranking and paging', async () => {
      const items = await api.search({
        text: 'memory a',
        filter: { ownerId: { eq: 'alice' } },
        limit: 1,
      });
      expect(items.items.map((item) => item.id)).toEqual(['a']);
      const rest = await api.search({
        text: 'memory a',
        filter: { ownerId: { eq: 'alice' } },
        limit: 1,
        pageToken: items.nextPageToken!,
      });
      expect(rest).toEqual({ items: [expect.objectContaining({ id: 'c' })] });
    });

    it.each([
      [{ namespace: {} }, 'filter.namespace:minProperties'],
      [{ topics: { in: [] } }, 'filter.topics.in:minItems'],
      [{ ownerId: { all: [] } }, 'filter.ownerId.all:minItems'],
      [{ createdAt: {} }, 'filter.createdAt:minProperties'],
      [{ attributes: {} }, 'filter.attributes:minProperties'],
      [{ namespace: { eq: 'bad_ns' } }, 'filter.namespace.eq:pattern'],
      [{ ownerId: { in: ['o.1'] } }, 'filter.ownerId.in.0:pattern'],
      [{ createdAt: { gt: 'yesterday' } }, 'filter.createdAt.gt:format'],
      [{ attributes: { x: { string: 'a', number: 1 } } }, 'filter.attributes.x:oneOf'],
      [{ attributes: { x: {} } }, 'filter.attributes.x:oneOf'],
      [{ topics: { eq: 1 } }, 'filter.topics.eq:type'],
    ])('refuses the malformed filter %j', async (filter, error) => {
      expect(await fieldErrorsOf(await searchRaw({ filter }))).toEqual([error]);
    });
  });
});
