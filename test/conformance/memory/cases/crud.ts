/**
 * get/update/delete by id, and bulk deletion by ids, by session and for a whole user. Ownership
 * (another tenant's id) is in the isolation area; here every id belongs to the caller.
 */
import { expect } from 'vitest';
import {
  defineCases,
  extended,
  foundTexts,
  marker,
  sessionWith,
  uniqueId,
  type MemoryRecordView,
} from '../harness.js';

export const crudCases = defineCases('crud', {
  get: {
    title: 'getMemory returns what search returned (minus the score); a missing id is undefined',
    async run({ service, another, scope }) {
      const api = extended(service);
      const tenant = scope();
      const word = marker();
      const { stored } = await api.addMemory({
        ...tenant,
        memories: [`${word} birthday is on the ninth of march`],
        customMetadata: { topics: ['dates'] },
      });
      const [found] = await api.search({ ...tenant, query: `${word} birthday`, limit: 1 });
      expect(found?.id).toBe(stored[0]);
      const read = await extended(await another()).getMemory({ ...tenant, memoryId: found!.id });
      const withoutScore: Partial<MemoryRecordView> = { ...found! };
      delete withoutScore.score;
      expect(read).toMatchObject(withoutScore);
      expect(read!.score).toBeUndefined();
      expect(
        await api.getMemory({ ...tenant, memoryId: 'adk-0000000000000000000000000000dead' }),
      ).toBeUndefined();
      expect(
        await api.getMemory({ ...tenant, memoryId: 'not a valid id / at all' }),
      ).toBeUndefined();
    },
  },
  update: {
    title: 'updateMemory changes text, topics and type; get and search see the new text',
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const [oldWord, newWord] = [marker(), marker()];
      const { stored } = await api.addMemory({ ...tenant, memories: [`lives in ${oldWord} town`] });
      const memoryId = stored[0]!;
      const updated = await api.updateMemory({
        ...tenant,
        memoryId,
        text: `moved to ${newWord} city`,
        topics: ['home'],
        memoryType: 'episodic',
      });
      expect(updated).toMatchObject({
        id: memoryId,
        text: `moved to ${newWord} city`,
        topics: expect.arrayContaining(['home']) as unknown,
        memoryType: 'episodic',
      });
      expect(updated!.updatedAt).toBeDefined();
      expect(await api.getMemory({ ...tenant, memoryId })).toMatchObject({
        text: `moved to ${newWord} city`,
        memoryType: 'episodic',
      });
      expect(await foundTexts(service, tenant, `${newWord} city`)).toEqual([
        `moved to ${newWord} city`,
      ]);
      const byOld = await api.search({ ...tenant, query: oldWord, limit: 10 });
      expect(byOld.map((r) => r.text)).not.toContain(`lives in ${oldWord} town`);
    },
  },
  'update-missing': {
    title: 'updateMemory of a missing id is undefined and creates nothing',
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const word = marker();
      const memoryId = 'adk-0000000000000000000000000000beef';
      expect(
        await api.updateMemory({ ...tenant, memoryId, text: `${word} ghost` }),
      ).toBeUndefined();
      expect(await api.getMemory({ ...tenant, memoryId })).toBeUndefined();
      expect(await api.search({ ...tenant, query: `${word} ghost` })).toEqual([]);
    },
  },
  delete: {
    title: 'deleteMemory removes one memory (true), then is a no-op (false)',
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const word = marker();
      const { stored } = await api.addMemory({
        ...tenant,
        memories: [`${word} gym on mondays`, `${word} gym on fridays`],
      });
      expect(await api.deleteMemory({ ...tenant, memoryId: stored[0]! })).toBe(true);
      expect(await api.getMemory({ ...tenant, memoryId: stored[0]! })).toBeUndefined();
      expect(await foundTexts(service, tenant, `${word} gym`)).toEqual([`${word} gym on fridays`]);
      expect(await api.deleteMemory({ ...tenant, memoryId: stored[0]! })).toBe(false);
      expect(await api.deleteMemory({ ...tenant, memoryId: 'no such id' })).toBe(false);
    },
  },
  'delete-by-ids': {
    title: 'deleteMemories by ids deletes those that exist and reports exactly them',
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const word = marker();
      const { stored } = await api.addMemory({
        ...tenant,
        memories: ['a', 'b', 'c'].map((x) => `${word} shelf ${x}`),
      });
      const missing = 'adk-0000000000000000000000000000f00d';
      const { deleted } = await api.deleteMemories({
        ...tenant,
        memoryIds: [stored[0]!, stored[2]!, missing],
      });
      expect([...deleted].sort()).toEqual([stored[0]!, stored[2]!].sort());
      expect(await foundTexts(service, tenant, `${word} shelf`)).toEqual([`${word} shelf b`]);
      expect(await api.deleteMemories({ ...tenant, memoryIds: [] })).toEqual({ deleted: [] });
      expect(await foundTexts(service, tenant, `${word} shelf`)).toEqual([`${word} shelf b`]);
    },
  },
  'delete-by-session': {
    title: "deleteMemories by session deletes that session's memories only",
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const word = marker();
      const first = sessionWith(tenant, [`${word} first chat`, `${word} first reply`]);
      const second = sessionWith(tenant, [`${word} second chat`]);
      await service.addSessionToMemory(first);
      await service.addSessionToMemory(second);
      await api.addMemory({ ...tenant, memories: [`${word} explicit note`] });
      const { deleted } = await api.deleteMemories({ ...tenant, sessionId: first.id });
      expect(deleted).toHaveLength(2);
      expect((await foundTexts(service, tenant, word)).sort()).toEqual(
        [`${word} explicit note`, `${word} second chat`].sort(),
      );
      expect(await api.deleteMemories({ ...tenant, sessionId: uniqueId('session') })).toEqual({
        deleted: [],
      });
    },
  },
  'delete-all': {
    title:
      'deleteMemories with neither ids nor session deletes every memory of the user in the app',
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const word = marker();
      await service.addSessionToMemory(sessionWith(tenant, [`${word} one`, `${word} two`]));
      const explicit = await api.addMemory({ ...tenant, memories: [`${word} three`] });
      const { deleted } = await api.deleteMemories(tenant);
      expect(deleted).toHaveLength(3);
      expect(deleted).toContain(explicit.stored[0]);
      expect(await foundTexts(service, tenant, word)).toEqual([]);
      expect(await api.deleteMemories(tenant)).toEqual({ deleted: [] });
    },
  },
});
