/**
 * Tenancy: a session's facts are found for its user and app, and never for another user or app.
 * AMS drops the namespace filter when a strict search finds nothing (its "soft-filter fallback"),
 * and its GET/PATCH/DELETE by id are not scoped at all, so the searches below run in a tenant
 * that holds nothing relevant, and the by-id calls use an id another tenant's search returned.
 */
import { expect } from 'vitest';
import {
  count,
  defineCases,
  entryText,
  extended,
  foundTexts,
  marker,
  sessionWith,
  uniqueId,
} from '../harness.js';

export const isolationCases = defineCases('isolation', {
  'own-facts-found': {
    title: "a session's facts are found by searchMemory for its user and app, author and time set",
    async run({ service, scope }) {
      const tenant = scope();
      const word = marker();
      const fact = `my cat ${word} sleeps on the piano`;
      const session = sessionWith(tenant, [fact, `noted that ${word} likes the piano`]);
      await service.addSessionToMemory(session);

      const { memories } = await service.searchMemory({ ...tenant, query: `${word} piano` });
      const entry = memories.find((m) => entryText(m) === fact);
      expect(entry, 'the user fact is found').toBeDefined();
      expect(entry!.author).toBe('user');
      // The author is a field of its own, never prefixed to the text a second time.
      expect(entryText(entry!)).not.toMatch(/^user: /);
      expect(entry!.timestamp, 'an ISO 8601 timestamp').toBeDefined();
      expect(Number.isNaN(Date.parse(entry!.timestamp!))).toBe(false);
      const reply = memories.find((m) => entryText(m) === `noted that ${word} likes the piano`);
      expect(reply?.author).toBe('memory_agent');
    },
  },
  'other-user': {
    title: "another user of the same app never finds the first user's facts",
    async run({ service, another, scope }) {
      const alice = scope();
      const bob = { appName: alice.appName, userId: uniqueId('user') };
      const word = marker();
      await service.addSessionToMemory(sessionWith(alice, [`alice keeps ${word} in the attic`]));
      expect(await foundTexts(service, alice, `${word} attic`)).toContain(
        `alice keeps ${word} in the attic`,
      );
      expect(await foundTexts(service, bob, `${word} attic`)).toEqual([]);
      expect(await foundTexts(await another(), bob, `alice keeps ${word} in the attic`)).toEqual(
        [],
      );
    },
  },
  'other-app': {
    title: "the same user in another app (holding no memories) never finds the first app's facts",
    async run({ service, scope }) {
      const inA = scope();
      const inB = { appName: uniqueId('app'), userId: inA.userId };
      const word = marker();
      const fact = `the ${word} password hint is the river`;
      await service.addSessionToMemory(sessionWith(inA, [fact]));
      expect(await foundTexts(service, inA, `${word} river`)).toContain(fact);
      // AMS would answer this from app A: the strict search finds nothing, so it drops the namespace.
      expect(await foundTexts(service, inB, `${word} river`)).toEqual([]);
      expect(await foundTexts(service, inB, fact)).toEqual([]);
    },
  },
  'other-app-with-memories': {
    title: 'the same user in another app with unrelated memories only gets those',
    async run({ service, scope }) {
      const inA = scope();
      const inB = { appName: uniqueId('app'), userId: inA.userId };
      const [a, b] = [marker(), marker()];
      await service.addSessionToMemory(sessionWith(inA, [`${a} orchard apples ripen in june`]));
      await service.addSessionToMemory(sessionWith(inB, [`${b} harbour boats leave at dawn`]));
      const texts = await foundTexts(service, inB, `${a} orchard apples`);
      expect(texts).not.toContain(`${a} orchard apples ripen in june`);
      expect(await foundTexts(service, inB, `${b} harbour`)).toEqual([
        `${b} harbour boats leave at dawn`,
      ]);
    },
  },
  'colliding-namespaces': {
    title: 'apps whose managed namespaces collide (my_app, My-App, my:app) stay apart',
    async run({ service, scope }) {
      const { userId } = scope();
      // A valid-character prefix keeps the collision: every variant sanitises to <p>my-app.
      const p = `c${marker()}`;
      const apps = [`${p}my_app`, `${p}My-App`, `${p}my:app`, `${p}my-app`];
      const colours = ['crimson', 'emerald', 'cobalt', 'amber'];
      for (const [i, appName] of apps.entries()) {
        await service.addSessionToMemory(
          sessionWith({ appName, userId }, [`favourite ${p} colour is ${colours[i]}`]),
        );
      }
      for (const [i, appName] of apps.entries()) {
        const texts = await foundTexts(service, { appName, userId }, `favourite ${p} colour`);
        expect(texts, appName).toEqual([`favourite ${p} colour is ${colours[i]}`]);
      }
    },
  },
  'colliding-namespaces-explicit': {
    title: 'the same explicit text in apps whose managed namespaces collide: one record each',
    async run({ service, scope }) {
      const api = extended(service);
      const { userId } = scope();
      const p = `c${marker()}`;
      const apps = [`${p}my_app`, `${p}My-App`, `${p}my:app`, `${p}my-app`];
      const fact = `${marker()} same words in every app`;
      const ids: string[] = [];
      for (const appName of apps) {
        ids.push(...(await api.addMemory({ appName, userId, memories: [fact] })).stored);
      }
      expect(new Set(ids).size, 'one id per app').toBe(apps.length);
      for (const [i, appName] of apps.entries()) {
        expect(await api.getMemory({ appName, userId, memoryId: ids[i]! }), appName).toMatchObject({
          text: fact,
        });
      }
      // Deleting everything in one app leaves the others whole.
      expect(await api.deleteMemories({ appName: apps[0]!, userId })).toEqual({
        deleted: [ids[0]],
      });
      for (const appName of apps.slice(1)) {
        expect(await foundTexts(service, { appName, userId }, fact), appName).toEqual([fact]);
      }
    },
  },
  'by-id-other-user': {
    title: "another user cannot get, update or delete a memory by the id the owner's search gave",
    async run({ service, scope }) {
      const api = extended(service);
      const owner = scope();
      const intruders = [
        { appName: owner.appName, userId: uniqueId('user') },
        { appName: uniqueId('app'), userId: owner.userId },
      ];
      const word = marker();
      const fact = `the ${word} safe code is in the blue notebook`;
      await service.addSessionToMemory(sessionWith(owner, [fact]));
      const [record] = await api.search({ ...owner, query: `${word} safe code`, limit: 1 });
      expect(record?.text).toBe(fact);
      const memoryId = record!.id;

      for (const intruder of intruders) {
        const who = JSON.stringify(intruder);
        expect(await api.getMemory({ ...intruder, memoryId }), who).toBeUndefined();
        expect(
          await api.updateMemory({ ...intruder, memoryId, text: 'overwritten by an intruder' }),
          who,
        ).toBeUndefined();
        expect(await api.deleteMemory({ ...intruder, memoryId }), who).toBe(false);
        expect(await api.deleteMemories({ ...intruder, memoryIds: [memoryId] }), who).toEqual({
          deleted: [],
        });
        expect(await api.search({ ...intruder, query: fact }), who).toEqual([]);
      }
      const kept = await api.getMemory({ ...owner, memoryId });
      expect(kept?.text).toBe(fact);
      expect(count(await foundTexts(service, owner, `${word} safe code`), fact)).toBe(1);
    },
  },
  'delete-all-scoped': {
    title: "deleting every memory of a user leaves other users' and other apps' memories",
    async run({ service, scope }) {
      const api = extended(service);
      const alice = scope();
      const bob = { appName: alice.appName, userId: uniqueId('user') };
      const aliceElsewhere = { appName: uniqueId('app'), userId: alice.userId };
      const word = marker();
      for (const tenant of [alice, bob, aliceElsewhere]) {
        await service.addSessionToMemory(sessionWith(tenant, [`${word} lantern in the shed`]));
      }
      const { deleted } = await api.deleteMemories(alice);
      expect(deleted).toHaveLength(1);
      expect(await foundTexts(service, alice, `${word} lantern`)).toEqual([]);
      expect(await foundTexts(service, bob, `${word} lantern`)).toEqual([
        `${word} lantern in the shed`,
      ]);
      expect(await foundTexts(service, aliceElsewhere, `${word} lantern`)).toEqual([
        `${word} lantern in the shed`,
      ]);
    },
  },
});
