/**
 * Long-term memory records through the repo's typed client: bulk create (with per-record errors),
 * get, both patch routes, bulk delete, and the validation the document defines. Every test runs
 * with the default switches and with the other choice of each (what the switches decide is in
 * long-term-switches.test.ts).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { unwrap } from '../../../src/index.js';
import { fieldErrorsOf, problemOf, useFake } from './helpers.js';
import { FIELDS, MEMORY, SETTINGS, TestClock, memoryApi, record } from './memory-helpers.js';

describe.each(SETTINGS)('long-term memory records (%s)', (_name, settings) => {
  const clock = new TestClock();
  const ctx = useFake({ longTermMemory: { ...settings, clock: clock.now } });
  const api = memoryApi(ctx);
  beforeEach(() => clock.reset());
  const mismatch = settings.fieldsScopeMismatch === 'not-found' ? 404 : 409;

  const patch = (memoryId: string, body: Record<string, unknown>) =>
    ctx.raw(`long-term-memory/${memoryId}`, { method: 'PATCH', json: body });

  describe('BulkCreateLongTermMemories and GetLongTermMemory', () => {
    it('creates every record and reads it back with server timestamps', async () => {
      const full = record('m-1', {
        text: 'Carol is allergic to peanuts',
        memoryType: 'semantic',
        sessionId: 's-1',
        namespace: 'Tenant-A',
        topics: ['food', 'Health'],
        attributes: { severity: 3, tags: ['a', 'b'], nested: { ok: true } },
      });
      const created = await api.create([full, record('m-2', { text: 'bare' })]);
      expect(created).toEqual({ created: ['m-1', 'm-2'] });

      const at = clock.iso();
      expect(await unwrap(api.get('m-1'))).toEqual({ ...full, createdAt: at, updatedAt: at });
      // Optional fields stay absent, and the namespace keeps the case it was written with.
      expect(await unwrap(api.get('m-2'))).toEqual({
        id: 'm-2',
        text: 'bare',
        ownerId: 'owner-1',
        createdAt: at,
        updatedAt: at,
      });
    });

    it('accepts 1 and 100 records, refuses 0 and 101 and creates nothing then', async () => {
      expect((await api.create([record('one')])).created).toEqual(['one']);
      const hundred = Array.from({ length: 100 }, (_, i) => record(`r-${i}`));
      expect((await api.create(hundred)).created).toHaveLength(100);

      const tooMany = Array.from({ length: 101 }, (_, i) => record(`x-${i}`));
      const post = (memories: unknown[]) =>
        ctx.raw('long-term-memory', { method: 'POST', json: { memories } });
      expect(await fieldErrorsOf(await post(tooMany))).toEqual(['memories:maxItems']);
      expect(await fieldErrorsOf(await post([]))).toEqual(['memories:minItems']);
      expect((await api.get('x-0')).response.status).toBe(404);
    });

    it.each([
      ['no ownerId', record('a', { ownerId: undefined }), 'memories.0.ownerId:required'],
      ['no text', record('a', { text: undefined }), 'memories.0.text:required'],
      ['no id', record('a', { id: undefined }), 'memories.0.id:required'],
      ['an id with _', record('a_b'), 'memories.0.id:pattern'],
      ['a 65-character id', record('a'.repeat(65)), 'memories.0.id:maxLength'],
      ['empty text', record('a', { text: '' }), 'memories.0.text:minLength'],
      ['50001 characters', record('a', { text: 'x'.repeat(50001) }), 'memories.0.text:maxLength'],
      ['an ownerId with a dot', record('a', { ownerId: 'o.1' }), 'memories.0.ownerId:pattern'],
      ['a namespace with /', record('a', { namespace: 'a/b' }), 'memories.0.namespace:pattern'],
      ['a sessionId with space', record('a', { sessionId: 's 1' }), 'memories.0.sessionId:pattern'],
      [
        'a memoryType from a digit',
        record('a', { memoryType: '1x' }),
        'memories.0.memoryType:pattern',
      ],
      ['51 topics', record('a', { topics: Array(51).fill('t') }), 'memories.0.topics:maxItems'],
      ['an empty topic', record('a', { topics: [''] }), 'memories.0.topics.0:minLength'],
      ['attributes as a list', record('a', { attributes: [1] }), 'memories.0.attributes:type'],
    ])('refuses a record with %s as a whole-request 400', async (_case, bad, error) => {
      const response = await ctx.raw('long-term-memory', {
        method: 'POST',
        json: { memories: [record('good'), bad] },
      });
      expect(await fieldErrorsOf(response)).toEqual([error.replace('memories.0', 'memories.1')]);
      expect((await api.get('good')).response.status).toBe(404);
    });

    it('needs a JSON body', async () => {
      expect(await fieldErrorsOf(await ctx.raw('long-term-memory', { method: 'POST' }))).toEqual([
        'body:required',
      ]);
      const broken = await ctx.raw('long-term-memory', {
        method: 'POST',
        body: '{"memories": [',
        headers: { 'content-type': 'application/json' },
      });
      expect(await fieldErrorsOf(broken)).toEqual(['body:json']);
      const text = await ctx.raw('long-term-memory/search', {
        method: 'POST',
        body: '{}',
        headers: { 'content-type': 'text/plain' },
      });
      expect(await fieldErrorsOf(text)).toEqual(['content-type:mediaType']);
    });

    it('answers 404 for a missing id and 400 for an id outside the pattern', async () => {
      const missing = await api.get('nothing');
      expect(missing.response.status).toBe(404);
      expect(missing.error).toMatchObject({ type: '/errors/resource-not-found', status: 404 });
      expect(await fieldErrorsOf(await ctx.raw('long-term-memory/a_b'))).toEqual([
        'memoryId:pattern',
      ]);
      expect(await fieldErrorsOf(await ctx.raw(`long-term-memory/${'a'.repeat(65)}`))).toEqual([
        'memoryId:maxLength',
      ]);
      const otherStore = await ctx.raw('/v1/stores/other-store/long-term-memory/m-1');
      expect((await problemOf(otherStore, 404)).detail).toMatch(/Store other-store/);
    });
  });

  describe('UpdateLongTermMemory', () => {
    beforeEach(async () => {
      await api.create([
        record('m-1', { text: 'old', memoryType: 'semantic', sessionId: 's-1', namespace: 'ns-1' }),
      ]);
    });

    it('changes the given fields only and moves updatedAt, not createdAt', async () => {
      const createdAt = clock.iso();
      const updatedAt = clock.tick();
      const response = await patch('m-1', { text: 'new', memoryType: 'episodic', topics: ['x'] });
      expect(response.status).toBe(200);
      const expected = {
        id: 'm-1',
        text: 'new',
        memoryType: 'episodic',
        sessionId: 's-1',
        ownerId: 'owner-1',
        namespace: 'ns-1',
        topics: ['x'],
        createdAt,
        updatedAt,
      };
      expect(await response.json()).toEqual(expected);
      expect(await unwrap(api.get('m-1'))).toEqual(expected);
    });

    it('re-files namespace, owner and session, and clears namespace and session with ""', async () => {
      const moved = await patch('m-1', { namespace: 'ns-2', ownerId: 'owner-2', sessionId: 's-2' });
      expect(await moved.json()).toMatchObject({
        namespace: 'ns-2',
        ownerId: 'owner-2',
        sessionId: 's-2',
      });
      const cleared = await unwrap(
        ctx.client().PATCH(MEMORY, {
          params: { path: { memoryId: 'm-1' } },
          body: { namespace: '', sessionId: '' },
        }),
      );
      expect(cleared).not.toHaveProperty('namespace');
      expect(cleared).not.toHaveProperty('sessionId');
      expect(cleared.ownerId).toBe('owner-2');
    });

    it.each([
      ['an empty ownerId (owner cannot be cleared)', { ownerId: '' }, 'ownerId:minLength'],
      ['an ownerId with _', { ownerId: 'o_1' }, 'ownerId:pattern'],
      ['a 65-character namespace', { namespace: 'n'.repeat(65) }, 'namespace:maxLength'],
      ['a namespace with a dot', { namespace: 'n.1' }, 'namespace:pattern'],
      ['a sessionId with /', { sessionId: 's/1' }, 'sessionId:pattern'],
      ['empty text', { text: '' }, 'text:minLength'],
      ['a memoryType with a dot', { memoryType: 'a.b' }, 'memoryType:pattern'],
      ['topics that are not a list', { topics: 'x' }, 'topics:type'],
    ])('refuses %s and leaves the record alone', async (_case, body, error) => {
      expect(await fieldErrorsOf(await patch('m-1', body))).toEqual([error]);
      expect(await unwrap(api.get('m-1'))).toMatchObject({ text: 'old', namespace: 'ns-1' });
    });

    it('answers the unchanged record to an empty patch or none', async () => {
      const before = await unwrap(api.get('m-1'));
      clock.tick();
      expect(await (await patch('m-1', {})).json()).toEqual(before);
      const noBody = await ctx.raw('long-term-memory/m-1', { method: 'PATCH' });
      expect(await noBody.json()).toEqual(before);
    });

    it('answers 404 for a missing record', async () => {
      await problemOf(await patch('nothing', { text: 'x' }), 404);
    });
  });

  describe('UpdateLongTermMemoryFields', () => {
    const fields = (memoryId: string, body: Record<string, unknown>) =>
      ctx.client().PATCH(FIELDS, {
        params: { path: { memoryId } },
        body: body as { memoryType: string },
      });

    beforeEach(async () => {
      await api.create([
        record('scoped', { memoryType: 'semantic', namespace: 'ns-1', attributes: { a: 1, b: 2 } }),
        record('plain', { memoryType: 'semantic' }),
      ]);
    });

    it('updates text and merges attributes when type and namespace match, with no body', async () => {
      const updatedAt = clock.tick();
      const result = await fields('scoped', {
        memoryType: 'semantic',
        namespace: 'ns-1',
        text: 'new text',
        attributes: { b: 20, c: [1.5] },
      });
      expect(result.response.status).toBe(200);
      expect(result.data).toBeUndefined();
      expect(await unwrap(api.get('scoped'))).toMatchObject({
        text: 'new text',
        attributes: { a: 1, b: 20, c: [1.5] },
        updatedAt,
      });
    });

    it('matches a record without namespace only when namespace is omitted', async () => {
      expect((await fields('plain', { memoryType: 'semantic', text: 'x' })).response.status).toBe(
        200,
      );
      expect(await unwrap(api.get('plain'))).toMatchObject({ text: 'x' });
      const scoped = await fields('scoped', { memoryType: 'semantic', text: 'y' });
      expect(scoped.response.status).toBe(mismatch);
      expect(await unwrap(api.get('scoped'))).toMatchObject({ text: 'memory scoped' });
    });

    it('refuses another memoryType or a namespace in another case, changing nothing', async () => {
      for (const body of [
        { memoryType: 'episodic', namespace: 'ns-1', text: 'x' },
        { memoryType: 'semantic', namespace: 'NS-1', text: 'x' },
        { memoryType: 'Semantic', namespace: 'ns-1', text: 'x' },
      ]) {
        const result = await fields('scoped', body);
        expect([body, result.response.status]).toEqual([body, mismatch]);
      }
      expect(await unwrap(api.get('scoped'))).toMatchObject({ text: 'memory scoped' });
    });

    it('needs memoryType, and answers 404 for a missing record', async () => {
      const response = await ctx.raw('long-term-memory/scoped/fields', {
        method: 'PATCH',
        json: { text: 'x' },
      });
      expect(await fieldErrorsOf(response)).toEqual(['memoryType:required']);
      expect((await fields('nothing', { memoryType: 'semantic' })).response.status).toBe(404);
    });
  });

  describe('BulkDeleteLongTermMemories', () => {
    it('deletes the given records and keeps the rest', async () => {
      await api.create([record('a'), record('b'), record('c')]);
      expect(await api.remove(['c', 'a'])).toEqual({ deleted: ['c', 'a'] });
      expect((await api.get('a')).response.status).toBe(404);
      expect(await api.ids()).toEqual(['b']);
    });

    it('lists a missing id in errors or nowhere, never as deleted', async () => {
      await api.create([record('a')]);
      const result = await api.remove(['a', 'nothing']);
      expect(result.deleted).toEqual(['a']);
      expect((result.errors ?? []).map((e) => e.id)).not.toContain('a');
    });

    it.each([
      ['no ids', { memoryIds: [] }, 'memoryIds:minItems'],
      [
        '101 ids',
        { memoryIds: Array.from({ length: 101 }, (_, i) => `m${i}`) },
        'memoryIds:maxItems',
      ],
      ['an id with _', { memoryIds: ['a_b'] }, 'memoryIds.0:pattern'],
      ['no memoryIds', {}, 'memoryIds:required'],
    ])('refuses %s', async (_case, json, error) => {
      const response = await ctx.raw('long-term-memory', { method: 'DELETE', json });
      expect(await fieldErrorsOf(response)).toEqual([error]);
    });
  });
});
