/**
 * Deleting every memory of a session (or of a user) lists again after each pass: AMS pages its
 * search by offset over an order that can change between pages, so one listing can miss records
 * (seen on the real server: 200 of 250 deleted). Each pass here finds records the previous one
 * did not, as such a listing does.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { RedisLongTermMemoryService } from '../../../src/index.js';
import { useNock } from '../clients/helpers.js';

useNock();

const AMS = 'http://ams.test';
const owner = { appName: 'app', userId: 'u1' };

const record = (id: string) => ({
  id,
  text: `memory ${id}`,
  namespace: 'app',
  user_id: 'u1',
  session_id: 's1',
  memory_type: 'message',
  topics: [],
  created_at: '2026-11-30T00:00:00Z',
  updated_at: '2026-11-30T00:00:00Z',
  last_accessed: '2026-11-30T00:00:00Z',
});

describe('deleteMemories by session on AMS', () => {
  it('lists again until a listing finds nothing it has not deleted', async () => {
    const passes = [['a', 'b'], ['c'], ['a'], []];
    const searches: number[] = [];
    nock(AMS)
      .persist()
      .post('/v1/long-term-memory/search')
      .reply(200, () => {
        const ids = passes[Math.min(searches.length, passes.length - 1)]!;
        searches.push(ids.length);
        return { memories: ids.map(record), total: ids.length, next_offset: null };
      });
    const deletedIds: string[][] = [];
    nock(AMS)
      .persist()
      .delete('/v1/long-term-memory')
      .query(true)
      .reply(200, (uri) => {
        const ids = new URL(uri, AMS).searchParams.getAll('memory_ids');
        deletedIds.push(ids);
        return { status: `ok, deleted ${ids.length} memories` };
      });
    const service = new RedisLongTermMemoryService({
      backend: 'opensource-agent-memory',
      apiBaseUrl: AMS,
    });
    const { deleted } = await service.deleteMemories({ ...owner, sessionId: 's1' });
    expect(deleted.sort()).toEqual(['a', 'b', 'c']);
    // 'a' listed again in the third pass was not deleted twice; the pass after found nothing new.
    expect(deletedIds).toEqual([['a', 'b'], ['c']]);
    expect(searches).toEqual([2, 1, 1]);
  });
});
