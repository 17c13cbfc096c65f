/** Records of another tenant in a server's answer never reach the caller (AMS ids are unscoped). */
import { describe, expect, it } from 'vitest';
import { RedisLongTermMemoryService } from '../../../src/index.js';

const record = (id: string, namespace: string, user: string, text = 'user: hello') => ({
  id,
  text,
  namespace,
  user_id: user,
  session_id: 's1',
  memory_type: 'message',
  topics: [],
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  dist: 0.2,
});

/** An AMS stand-in: answers every search with `memories` and every GET with `byId`. */
function amsAnswering(memories: unknown[], byId: Record<string, unknown> = {}) {
  const calls: string[] = [];
  const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    calls.push(`${request.method} ${url.pathname}`);
    const json = (status: number, body: unknown) =>
      Promise.resolve(
        new Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json' },
        }),
      );
    if (url.pathname === '/v1/long-term-memory/search') {
      return json(200, { memories, total: memories.length, next_offset: null });
    }
    const id = decodeURIComponent(url.pathname.split('/').pop()!);
    if (request.method === 'GET')
      return byId[id] ? json(200, byId[id]) : json(404, { detail: 'not found' });
    return json(200, { status: 'ok' });
  };
  const service = new RedisLongTermMemoryService({
    backend: 'opensource-agent-memory',
    apiBaseUrl: 'http://127.0.0.1:9',
    fetch,
    retry: { maxRetries: 0 },
  });
  return { service, calls };
}

describe('hostile answers (AMS)', () => {
  it('search keeps only records of the exact namespace and user (tags match without case; the fallback drops filters)', async () => {
    const { service } = amsAnswering([
      record('mine', 'app', 'alice'),
      record('other-user', 'app', 'Alice'),
      record('other-ns', 'App', 'alice'),
      record('no-ns', '', 'alice'),
    ]);
    const found = await service.search({ appName: 'app', userId: 'alice', query: 'hello' });
    expect(found.map((r) => r.id)).toEqual(['mine']);
    expect(found[0]).toMatchObject({ author: 'user', text: 'hello', sessionId: 's1', score: 0.8 });
  });

  it("get, update and delete treat another tenant's id as missing and send no write", async () => {
    const { service, calls } = amsAnswering([], { theirs: record('theirs', 'app', 'bob') });
    const owner = { appName: 'app', userId: 'alice', memoryId: 'theirs' };
    expect(await service.getMemory(owner)).toBeUndefined();
    expect(await service.updateMemory({ ...owner, text: 'changed' })).toBeUndefined();
    expect(await service.deleteMemory(owner)).toBe(false);
    expect(calls.filter((c) => !c.startsWith('GET'))).toEqual([]);
  });

  it("erasure lists, checks and deletes only the user's records", async () => {
    const { service, calls } = amsAnswering([
      record('mine', 'app', 'alice'),
      record('theirs', 'app', 'bob'),
    ]);
    const { deleted } = await service.deleteMemories({ appName: 'app', userId: 'alice' });
    expect(deleted).toEqual(['mine']);
    expect(calls).toContain('DELETE /v1/long-term-memory');
  });
});
