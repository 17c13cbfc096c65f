/**
 * The long-term memory switches: each setting of what the document leaves open (re-creating an
 * id, deleting a missing id, a scope mismatch on the fields route, registered memory types), and
 * the refusal of settings the service could not have.
 */
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../src/index.js';
import {
  startFakeRedisAgentMemory,
  type LongTermMemoryOptions,
} from '../../support/fake-redis-agent-memory/index.js';
import { fieldErrorsOf, problemOf, useFake } from './helpers.js';
import { FIELDS, TestClock, memoryApi, record } from './memory-helpers.js';

function setup(options: LongTermMemoryOptions) {
  const clock = new TestClock();
  const ctx = useFake({ longTermMemory: { ...options, clock: clock.now } });
  return { clock, ctx, api: memoryApi(ctx) };
}

/** A bulk answer's errors as `id: error` lines (absent errors read as none). */
function errorsOf(result: { errors?: { id: string; error: string }[] }): string[] {
  return (result.errors ?? []).map((e) => `${e.id}: ${e.error}`);
}

const first = record('a', { text: 'first', ownerId: 'owner-1', namespace: 'ns-1', topics: ['t'] });
const second = record('a', { text: 'second', ownerId: 'owner-2' });

describe('existingId: reject (default)', () => {
  const { ctx, api } = setup({});

  it('reports a known id, or one repeated in the request, in errors and keeps the record', async () => {
    await api.create([first]);
    const result = await api.create([second, record('b'), record('b', { text: 'again' })]);
    expect(result.created).toEqual(['b']);
    expect(errorsOf(result)).toEqual([
      expect.stringMatching(/^a: .*already exists/),
      expect.stringMatching(/^b: .*already exists/),
    ]);
    expect(await unwrap(api.get('a'))).toMatchObject({ text: 'first', ownerId: 'owner-1' });
    expect(await unwrap(api.get('b'))).toMatchObject({ text: 'memory b' });
    expect(ctx.fake.requests.map((r) => r.status)).toEqual([201, 201, 200, 200]);
  });

  it('still answers 201 when no record was created', async () => {
    await api.create([first]);
    const result = await api.create([first]);
    expect(result.created).toEqual([]);
    expect(errorsOf(result)).toEqual([expect.stringMatching(/^a: /)]);
  });
});

describe('existingId: keep', () => {
  const { clock, api } = setup({ existingId: 'keep' });

  it('reports a known id as created and leaves the record as it was', async () => {
    await api.create([first]);
    const before = await unwrap(api.get('a'));
    clock.tick();
    expect(await api.create([second, record('b'), record('b', { text: 'again' })])).toEqual({
      created: ['a', 'b', 'b'],
    });
    expect(await unwrap(api.get('a'))).toEqual(before);
    expect(await unwrap(api.get('b'))).toMatchObject({ text: 'memory b' });
  });
});

describe('existingId: replace', () => {
  const { clock, api } = setup({ existingId: 'replace' });

  it('overwrites every field, even across owners and namespaces, keeping createdAt', async () => {
    await api.create([first]);
    const createdAt = clock.iso();
    const updatedAt = clock.tick();
    expect(await api.create([second])).toEqual({ created: ['a'] });
    expect(await unwrap(api.get('a'))).toEqual({
      id: 'a',
      text: 'second',
      ownerId: 'owner-2',
      createdAt,
      updatedAt,
    });
  });

  it('lets the last of repeated ids in one request win', async () => {
    expect(await api.create([record('b'), record('b', { text: 'again' })])).toEqual({
      created: ['b', 'b'],
    });
    expect(await unwrap(api.get('b'))).toMatchObject({ text: 'again' });
  });
});

describe('missingOnDelete: error (default)', () => {
  const { api } = setup({});

  it('reports missing and already deleted ids in errors', async () => {
    await api.create([record('a'), record('b')]);
    const result = await api.remove(['a', 'nothing', 'a']);
    expect(result.deleted).toEqual(['a']);
    expect(errorsOf(result)).toEqual([
      expect.stringMatching(/^nothing: .*not found/),
      expect.stringMatching(/^a: .*not found/),
    ]);
    const none = await api.remove(['x']);
    expect([none.deleted, errorsOf(none)]).toEqual([[], [expect.stringMatching(/^x: /)]]);
    expect(await api.ids()).toEqual(['b']);
  });
});

describe('missingOnDelete: skip', () => {
  const { api } = setup({ missingOnDelete: 'skip' });

  it('leaves missing ids out of the answer', async () => {
    await api.create([record('a'), record('b')]);
    expect(await api.remove(['a', 'nothing', 'a'])).toEqual({ deleted: ['a'] });
    expect(await api.remove(['x'])).toEqual({ deleted: [] });
    expect(await api.ids()).toEqual(['b']);
  });
});

describe('fieldsScopeMismatch', () => {
  const mismatch = (ctx: ReturnType<typeof setup>['ctx']) =>
    ctx.raw('long-term-memory/a/fields', {
      method: 'PATCH',
      json: { memoryType: 'semantic', namespace: 'other', text: 'x' },
    });

  describe('conflict (default)', () => {
    const { ctx, api } = setup({});
    it('answers 409 with a problem body (a status the operation does not declare)', async () => {
      await api.create([record('a', { memoryType: 'semantic', namespace: 'ns-1' })]);
      const body = await problemOf(await mismatch(ctx), 409);
      expect(body).toMatchObject({ type: 'about:blank', title: 'Conflict' });
      expect(body.detail).toMatch(/namespace/);
      expect(await unwrap(api.get('a'))).toMatchObject({ text: 'memory a' });
    });
  });

  describe('not-found', () => {
    const { ctx, api } = setup({ fieldsScopeMismatch: 'not-found' });
    it('answers the declared 404', async () => {
      await api.create([record('a', { memoryType: 'semantic', namespace: 'ns-1' })]);
      const body = await problemOf(await mismatch(ctx), 404);
      expect(body.type).toBe('/errors/resource-not-found');
      const typed = await ctx.client().PATCH(FIELDS, {
        params: { path: { memoryId: 'a' } },
        body: { memoryType: 'episodic', namespace: 'ns-1' },
      });
      expect(typed.response.status).toBe(404);
    });
  });
});

describe('customMemoryTypes', () => {
  describe('absent (default): any type of the schema pattern', () => {
    const { api } = setup({});
    it('accepts a type nobody registered', async () => {
      const types = ['semantic', 'made-up_type', 'X'];
      const result = await api.create(
        types.map((memoryType, i) => record(`m${i}`, { memoryType })),
      );
      expect(result).toEqual({ created: ['m0', 'm1', 'm2'] });
    });
  });

  describe('given: built-ins and the registered types only, ignoring case', () => {
    const { ctx, api } = setup({ customMemoryTypes: ['preference'] });
    it('refuses other types per record on create and with 400 on update', async () => {
      const types = ['semantic', 'Preference', 'session_summary_view', 'made-up'];
      const result = await api.create(
        types.map((memoryType, i) => record(`m${i}`, { memoryType })),
      );
      expect(result.created).toEqual(['m0', 'm1', 'm2']);
      expect(errorsOf(result)).toEqual([expect.stringMatching(/^m3: .*made-up/)]);
      const patch = (memoryType: string) =>
        ctx.raw('long-term-memory/m0', { method: 'PATCH', json: { memoryType } });
      expect(await fieldErrorsOf(await patch('made-up'))).toEqual(['memoryType:enum']);
      expect((await patch('PREFERENCE')).status).toBe(200);
    });
  });
});

describe('options the service could not have', () => {
  it.each([
    [{ customMemoryTypes: ['a', 'b', 'c', 'd'] }, /at most 3/],
    [{ customMemoryTypes: ['Semantic'] }, /not a usable custom type/],
    [{ customMemoryTypes: ['1st'] }, /not a usable custom type/],
    [{ existingId: 'merge' as 'keep' }, /existingId must be one of reject, keep, replace/],
    [{ missingOnDelete: 'ignore' as 'skip' }, /missingOnDelete must be one of error, skip/],
    [{ fieldsScopeMismatch: 'gone' as 'conflict' }, /fieldsScopeMismatch must be one of/],
  ])('refuses %j', async (longTermMemory, message) => {
    await expect(startFakeRedisAgentMemory({ longTermMemory })).rejects.toThrow(message);
  });

  it('stamps records with the system clock by default', async () => {
    const fake = await startFakeRedisAgentMemory();
    try {
      const before = Date.now();
      const response = await fetch(`${fake.baseUrl}/v1/stores/${fake.storeId}/long-term-memory`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ memories: [record('a')] }),
      });
      expect(response.status).toBe(201);
      const got = await fetch(`${fake.baseUrl}/v1/stores/${fake.storeId}/long-term-memory/a`, {
        headers: { authorization: `Bearer ${fake.apiKey}` },
      });
      const { createdAt } = (await got.json()) as { createdAt: string };
      expect(Date.parse(createdAt)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(createdAt)).toBeLessThanOrEqual(Date.now());
      expect(fake.violations).toEqual([]);
    } finally {
      await fake.stop();
    }
  });
});
