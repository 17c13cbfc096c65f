/**
 * Ingestion: adding a session (again, from another process, as it grows) stores each event with
 * text once; events without text store nothing; 250 events (more than one managed bulk request)
 * are all stored.
 */
import { createEvent, createSession, type Event } from '@google/adk';
import { expect } from 'vitest';
import {
  baseTime,
  count,
  defineCases,
  extended,
  foundTexts,
  marker,
  markers,
  sessionWith,
  textEvent,
  uniqueId,
} from '../harness.js';

/** Events an agent produces that carry no visible text. */
function textlessEvents(start: number): Event[] {
  const base = { invocationId: 'inv-memory-conformance', author: 'memory_agent' };
  return [
    createEvent({ ...base, timestamp: start, actions: { stateDelta: { step: 1 } } }),
    createEvent({
      ...base,
      timestamp: start + 1000,
      content: { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: 'x' } } }] },
    }),
    createEvent({
      ...base,
      timestamp: start + 2000,
      content: {
        role: 'user',
        parts: [{ functionResponse: { name: 'lookup', response: { ok: true } } }],
      },
    }),
    createEvent({ ...base, timestamp: start + 3000, content: { role: 'model', parts: [] } }),
    createEvent({
      ...base,
      timestamp: start + 4000,
      content: { role: 'model', parts: [{ text: '' }] },
    }),
  ];
}

export const ingestionCases = defineCases('ingestion', {
  'repeated-session': {
    title: 'adding the same session twice stores each fact once',
    async run({ service, scope }) {
      const tenant = scope();
      const word = marker();
      const facts = [`${word} bakery opens at seven`, `${word} bakery closes at noon on sundays`];
      const session = sessionWith(tenant, facts);
      await service.addSessionToMemory(session);
      await service.addSessionToMemory(session);
      const texts = await foundTexts(service, tenant, `${word} bakery`);
      for (const fact of facts) expect(count(texts, fact), fact).toBe(1);
      expect(texts).toHaveLength(2);
    },
  },
  'repeated-other-process': {
    title: 'a second process adding the same session stores nothing twice',
    async run({ service, another, scope }) {
      const tenant = scope();
      const word = marker();
      const facts = [`${word} violin lesson on monday`, `${word} violin recital in may`];
      const session = sessionWith(tenant, facts);
      await service.addSessionToMemory(session);
      await (await another()).addSessionToMemory(session);
      const texts = await foundTexts(await another(), tenant, `${word} violin`);
      expect(texts.sort()).toEqual([...facts].sort());
    },
  },
  incremental: {
    title: 'adding a growing session after each turn stores every fact exactly once',
    async run({ service, another, scope }) {
      const tenant = scope();
      const word = marker();
      const texts = [0, 1, 2, 3, 4].map((i) => `${word} step ${'abcde'[i]} of the recipe`);
      const session = sessionWith(tenant, []);
      const start = baseTime();
      for (const [i, text] of texts.entries()) {
        session.events.push(textEvent(text, start + i * 1000, { author: 'user' }));
        session.lastUpdateTime = start + i * 1000;
        // Every other turn from a fresh process, which knows nothing of earlier writes.
        await (i % 2 === 0 ? service : await another()).addSessionToMemory(session);
      }
      const found = await foundTexts(service, tenant, `${word} recipe`);
      expect(found.sort()).toEqual([...texts].sort());
    },
  },
  'same-text-twice': {
    title: 'two events with the same text are two memories (a text-hash dedup must not drop one)',
    async run({ service, scope }) {
      const tenant = scope();
      const word = marker();
      const said = `${word} yes please book it`;
      const session = sessionWith(tenant, [said, `${word} which date`, said], { author: 'user' });
      await service.addSessionToMemory(session);
      await service.addSessionToMemory(session);
      expect(count(await foundTexts(service, tenant, said), said)).toBe(2);
    },
  },
  'events-delta': {
    title: 'addEventsToMemory takes deltas; a repeated delta reports the same ids and adds nothing',
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const sessionId = uniqueId('session');
      const word = marker();
      const start = baseTime();
      const first = [textEvent(`${word} parcel sent to lyon`, start)];
      const second = [
        textEvent(`${word} parcel arrived in lyon`, start + 1000, { author: 'courier_agent' }),
      ];
      const one = await api.addEventsToMemory({ ...tenant, sessionId, events: first });
      const two = await api.addEventsToMemory({ ...tenant, sessionId, events: second });
      const again = await api.addEventsToMemory({ ...tenant, sessionId, events: first });
      expect(one.stored).toHaveLength(1);
      expect(two.stored).toHaveLength(1);
      expect(two.stored[0]).not.toBe(one.stored[0]);
      expect(again.stored).toEqual(one.stored);

      const records = await api.search({ ...tenant, query: `${word} parcel lyon`, limit: 10 });
      expect(records.map((r) => r.id).sort()).toEqual([...one.stored, ...two.stored].sort());
      const arrived = records.find((r) => r.id === two.stored[0]);
      expect(arrived).toMatchObject({
        text: `${word} parcel arrived in lyon`,
        author: 'courier_agent',
        memoryType: 'message',
        sessionId,
      });
    },
  },
  'message-records': {
    title: 'session events become message records: text without author, author, session id',
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const word = marker();
      const session = sessionWith(tenant, [`${word} tulips need full sun`]);
      await service.addSessionToMemory(session);
      const [record] = await api.search({ ...tenant, query: `${word} tulips`, limit: 1 });
      expect(record).toMatchObject({
        text: `${word} tulips need full sun`,
        author: 'user',
        memoryType: 'message',
        sessionId: session.id,
      });
      expect(Array.isArray(record!.topics)).toBe(true);
      expect(Number.isNaN(Date.parse(record!.createdAt))).toBe(false);
      expect(await api.getMemory({ ...tenant, memoryId: record!.id })).toMatchObject({
        id: record!.id,
        text: record!.text,
        author: 'user',
        memoryType: 'message',
        sessionId: session.id,
      });
    },
  },
  'no-text': {
    title: 'sessions with no events or no visible text store nothing and do not fail',
    async run({ service, scope }) {
      const tenant = scope();
      const empty = sessionWith(tenant, []);
      await service.addSessionToMemory(empty);
      const textless = createSession({
        id: uniqueId('session'),
        appName: tenant.appName,
        userId: tenant.userId,
        state: {},
        events: textlessEvents(baseTime()),
        lastUpdateTime: baseTime() + 4000,
      });
      await service.addSessionToMemory(textless);
      expect(await foundTexts(service, tenant, 'lookup step ok model')).toEqual([]);
    },
  },
  'no-text-extended': {
    title: 'addEventsToMemory of events without text stores nothing and reports nothing stored',
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const result = await api.addEventsToMemory({
        ...tenant,
        sessionId: uniqueId('session'),
        events: textlessEvents(baseTime()),
      });
      expect(result).toEqual({ stored: [] });
      expect(await api.addEventsToMemory({ ...tenant, events: [] })).toEqual({ stored: [] });
      expect(await api.search({ ...tenant, query: 'lookup step ok model' })).toEqual([]);
    },
  },
  'large-session': {
    title: 'a 250-event session is stored whole: events across batch boundaries are found once',
    async run({ service, scope }) {
      const tenant = scope();
      const words = markers(250);
      const session = sessionWith(
        tenant,
        words.map((w) => `entry ${w} recorded`),
        { author: 'user' },
      );
      await service.addSessionToMemory(session);
      // First and last event, and both sides of each 100-record batch boundary.
      for (const i of [0, 99, 100, 199, 200, 249]) {
        const texts = await foundTexts(service, tenant, words[i]!);
        expect(count(texts, `entry ${words[i]} recorded`), `event ${i}`).toBe(1);
      }
    },
  },
  'large-session-count': {
    title: 'a 250-event session makes 250 distinct records, all of them deletable by session',
    async run({ service, scope }) {
      const api = extended(service);
      const tenant = scope();
      const words = markers(250);
      const session = sessionWith(
        tenant,
        words.map((w) => `entry ${w} recorded`),
      );
      const { stored } = await api.addEventsToMemory({
        ...tenant,
        sessionId: session.id,
        events: session.events,
      });
      expect(new Set(stored).size).toBe(250);
      const { deleted } = await api.deleteMemories({ ...tenant, sessionId: session.id });
      expect([...deleted].sort()).toEqual([...stored].sort());
      expect(await foundTexts(service, tenant, words[0]!)).toEqual([]);
    },
  },
  'store-events-disabled': {
    title: 'with storeEventsAsMessages false, sessions are not stored but explicit memories are',
    async run({ configured, scope }) {
      const service = await configured({ storeEventsAsMessages: false });
      const api = extended(service);
      const tenant = scope();
      const word = marker();
      await service.addSessionToMemory(sessionWith(tenant, [`${word} kettle is broken`]));
      expect(await foundTexts(service, tenant, `${word} kettle`)).toEqual([]);
      await api.addMemory({ ...tenant, memories: [`${word} kettle replaced`] });
      expect(await foundTexts(service, tenant, `${word} kettle`)).toEqual([
        `${word} kettle replaced`,
      ]);
    },
  },
});
