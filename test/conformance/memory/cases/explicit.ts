/**
 * Explicit memories (`addMemory`): stored with the configured type and the given topics, found by
 * both search paths, idempotent for the same text, and refused when empty before anything is sent.
 */
import { expect } from 'vitest';
import { InvalidArgumentError } from '../../../../src/common.js';
import { count, defineCases, extended, foundTexts, marker, rejection } from '../harness.js';

export const explicitCases = defineCases('explicit', {
  'add-and-find': {
    title:
      'addMemory stores strings and MemoryEntries as semantic memories, found by both searches',
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const word = marker();
      const asString = `${word} allergic to peanuts`;
      const asEntry = `${word} allergic to penicillin`;
      const { stored } = await api.addMemory({
        ...tenant,
        memories: [asString, { content: { role: 'user', parts: [{ text: asEntry }] } }],
      });
      expect(stored).toHaveLength(2);
      expect(new Set(stored).size).toBe(2);

      const records = await api.search({ ...tenant, query: `${word} allergic`, limit: 10 });
      expect(records.map((r) => r.text).sort()).toEqual([asEntry, asString].sort());
      for (const record of records) {
        expect(stored).toContain(record.id);
        expect(record.memoryType).toBe('semantic');
        expect(record.sessionId).toBeUndefined();
      }
      const texts = await foundTexts(service, tenant, `${word} allergic`);
      expect(texts.sort()).toEqual([asEntry, asString].sort());
    },
  },
  'type-and-topics': {
    title: 'customMetadata memoryType, topics and sessionId are stored, and searchable by filter',
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const word = marker();
      const { stored } = await api.addMemory({
        ...tenant,
        memories: [`${word} climbed the matterhorn last summer`],
        customMetadata: { memoryType: 'episodic', topics: ['travel', 'sport'], sessionId: 's-1' },
      });
      const record = await api.getMemory({ ...tenant, memoryId: stored[0]! });
      expect(record).toMatchObject({
        text: `${word} climbed the matterhorn last summer`,
        memoryType: 'episodic',
        sessionId: 's-1',
      });
      // A backend may add topics of its own (the Python package adds the app name).
      expect(record!.topics).toEqual(expect.arrayContaining(['sport', 'travel']));
      const byType = await api.search({
        ...tenant,
        query: `${word} matterhorn`,
        filters: { memoryTypes: ['episodic'], topics: ['travel'], sessionId: 's-1' },
      });
      expect(byType.map((r) => r.id)).toEqual(stored);
    },
  },
  repeated: {
    title: 'adding the same explicit memory twice, from two processes, keeps one record',
    async run({ service, another, scope }) {
      const api = extended(service);
      const tenant = scope();
      const fact = `${marker()} prefers tea without sugar`;
      const first = await api.addMemory({ ...tenant, memories: [fact] });
      const second = await extended(await another()).addMemory({ ...tenant, memories: [fact] });
      expect(second.stored).toEqual(first.stored);
      expect(count(await foundTexts(service, tenant, fact), fact)).toBe(1);
    },
  },
  'same-text-other-tenant': {
    title: "the same text for two users is two records; neither overwrites the other's",
    async run({ service, scope }) {
      const api = extended(service);
      const alice = scope();
      const bob = scope();
      const fact = `${marker()} works night shifts`;
      const a = await api.addMemory({ ...alice, memories: [fact] });
      const b = await api.addMemory({ ...bob, memories: [fact] });
      expect(b.stored[0]).not.toBe(a.stored[0]);
      expect(await api.getMemory({ ...alice, memoryId: a.stored[0]! })).toMatchObject({
        text: fact,
      });
      expect(await api.getMemory({ ...alice, memoryId: b.stored[0]! })).toBeUndefined();
      expect(await api.getMemory({ ...bob, memoryId: b.stored[0]! })).toMatchObject({ text: fact });
      await api.deleteMemory({ ...bob, memoryId: b.stored[0]! });
      expect(await foundTexts(service, alice, fact)).toEqual([fact]);
    },
  },
  'empty-text-refused': {
    title: 'an empty or blank memory text is an InvalidArgumentError and nothing is stored',
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const word = marker();
      for (const bad of ['', '   ', { content: { role: 'user', parts: [{ text: ' \n ' }] } }]) {
        const error = await rejection(
          api.addMemory({ ...tenant, memories: [`${word} valid fact first`, bad] }),
          `addMemory(${JSON.stringify(bad)})`,
        );
        expect(error).toBeInstanceOf(InvalidArgumentError);
      }
      expect(await api.search({ ...tenant, query: `${word} valid fact first` })).toEqual([]);
    },
  },
});
