/**
 * Hostile input: app names, user ids and session ids that break key building, URL paths,
 * prototype lookups, id patterns or length limits; texts with separators, quotes, emoji and 10 KiB.
 * Every value must round-trip and stay apart from its neighbours.
 */
import { expect } from 'vitest';
import {
  defineCases,
  entryText,
  extended,
  foundTexts,
  marker,
  sessionWith,
  uniqueId,
} from '../harness.js';

const HOSTILE_IDS = [
  'with_underscore',
  'with:colon',
  'with/slash',
  'with spaces inside',
  ' padded ',
  '😀-ünï-名前',
  '__proto__',
  'constructor',
  '..',
  '%2F',
  'x'.repeat(1024),
];

const short = (id: string) => (id.length > 40 ? `${id.slice(0, 8)}…(${id.length})` : id);

/** Texts a naive encoding would split, escape wrongly or truncate. */
function hostileTexts(word: string): string[] {
  return [
    `${word} likes apples, pears, and plums`,
    `${word} first line\nsecond line\r\nthird line`,
    `${word} said "hello" and 'bye' and \`tick\` \\ backslash`,
    `${word} loves 🍕 and 🎸 — and ünïcödé 名前`,
    `${word} user: not an author prefix`,
    `${word} {"json": [1, 2]} <tag> & %s %d`,
    `${word} long ${'lorem ipsum dolor sit amet '.repeat(380)}`.slice(0, 10 * 1024),
  ];
}

export const hostileCases = defineCases('hostile', {
  'app-names': {
    title: 'any string works as an app name, and each stays apart from a plain app',
    async run({ service }) {
      for (const appName of HOSTILE_IDS) {
        const userId = uniqueId('user');
        const word = marker();
        const fact = `${word} stored under a hostile app`;
        await service.addSessionToMemory(sessionWith({ appName, userId }, [fact]));
        expect(await foundTexts(service, { appName, userId }, word), short(appName)).toEqual([
          fact,
        ]);
        expect(
          await foundTexts(service, { appName: uniqueId('app'), userId }, word),
          short(appName),
        ).toEqual([]);
      }
    },
  },
  'user-ids': {
    title: 'any string works as a user id, and each stays apart from another user',
    async run({ service }) {
      for (const userId of HOSTILE_IDS) {
        const appName = uniqueId('app');
        const word = marker();
        const fact = `${word} stored under a hostile user`;
        await service.addSessionToMemory(sessionWith({ appName, userId }, [fact]));
        expect(await foundTexts(service, { appName, userId }, word), short(userId)).toEqual([fact]);
        expect(
          await foundTexts(service, { appName, userId: uniqueId('user') }, word),
          short(userId),
        ).toEqual([]);
      }
    },
  },
  'separator-collisions': {
    title: 'tenants differing only in where a separator falls stay apart',
    async run({ service }) {
      const p = `c${marker()}`;
      for (const sep of ['/', ':', ' ', '-', '_', '|']) {
        const word = marker();
        const left = { appName: `${p}a${sep}b`, userId: 'c' };
        const right = { appName: `${p}a`, userId: `b${sep}c` };
        await service.addSessionToMemory(sessionWith(left, [`${word} belongs to the left`]));
        await service.addSessionToMemory(sessionWith(right, [`${word} belongs to the right`]));
        expect(await foundTexts(service, left, word), JSON.stringify(sep)).toEqual([
          `${word} belongs to the left`,
        ]);
        expect(await foundTexts(service, right, word), JSON.stringify(sep)).toEqual([
          `${word} belongs to the right`,
        ]);
      }
    },
  },
  'separator-collisions-explicit': {
    title: 'the same explicit text in tenants differing only in a separator: two records',
    async run({ service }) {
      const p = `c${marker()}`;
      for (const sep of ['/', ':', ' ', '-', '_', '|']) {
        const api = extended(service);
        const left = { appName: `${p}a${sep}b`, userId: 'c' };
        const right = { appName: `${p}a`, userId: `b${sep}c` };
        // Same text: an id hashed over parts joined by ':' alone is the same for both.
        const fact = `${marker()} shared sentence`;
        const l = await api.addMemory({ ...left, memories: [fact] });
        const r = await api.addMemory({ ...right, memories: [fact] });
        const what = JSON.stringify(sep);
        expect(r.stored[0], what).not.toBe(l.stored[0]);
        expect(await foundTexts(service, left, fact), what).toEqual([fact]);
        expect(await api.deleteMemories(right), what).toEqual({ deleted: r.stored });
        expect(await foundTexts(service, left, fact), what).toEqual([fact]);
        expect(await foundTexts(service, right, fact), what).toEqual([]);
      }
    },
  },
  'similar-user-ids': {
    title: 'user ids differing only in case, encoding or sanitisable characters stay apart',
    async run({ service, scope }) {
      const { appName } = scope();
      const base = uniqueId('u');
      const users = [`${base}a_b`, `${base}a-b`, `${base}a:b`, `${base}A-B`, `${base}a%2Db`];
      const word = marker();
      for (const [i, userId] of users.entries()) {
        await service.addSessionToMemory(sessionWith({ appName, userId }, [`${word} owner ${i}`]));
      }
      for (const [i, userId] of users.entries()) {
        expect(await foundTexts(service, { appName, userId }, word), userId).toEqual([
          `${word} owner ${i}`,
        ]);
      }
    },
  },
  texts: {
    title: 'texts with commas, newlines, quotes, emoji and 10 KiB come back exactly',
    async run({ service, scope }) {
      const tenant = scope();
      const word = marker();
      const texts = hostileTexts(word);
      const session = sessionWith(tenant, texts, { author: 'user' });
      await service.addSessionToMemory(session);
      const { memories } = await service.searchMemory({ ...tenant, query: word });
      expect(memories.map(entryText).sort()).toEqual([...texts].sort());
      for (const entry of memories) expect(entry.author).toBe('user');
    },
  },
  'texts-explicit': {
    title: 'explicit memories with hostile texts come back exactly from search and get',
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const word = marker();
      const texts = hostileTexts(word);
      const { stored } = await api.addMemory({ ...tenant, memories: texts });
      expect(new Set(stored).size).toBe(texts.length);
      const records = await api.search({ ...tenant, query: word, limit: 20 });
      expect(records.map((r) => r.text).sort()).toEqual([...texts].sort());
      for (const record of records) {
        expect((await api.getMemory({ ...tenant, memoryId: record.id }))?.text).toBe(record.text);
      }
    },
  },
  'session-ids': {
    title: 'hostile session ids are stored, returned as given and usable as filters',
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const word = marker();
      for (const [i, id] of ['a/b', 'a:b', '__proto__', '😀 ü', 'x'.repeat(1024)].entries()) {
        const session = sessionWith(tenant, [`${word} session number ${i}`], { id });
        await service.addSessionToMemory(session);
        const found = await api.search({
          ...tenant,
          query: word,
          filters: { sessionId: id },
        });
        expect(
          found.map((r) => [r.text, r.sessionId]),
          short(id),
        ).toEqual([[`${word} session number ${i}`, id]]);
      }
    },
  },
});
