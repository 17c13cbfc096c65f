/**
 * listSessions (row 8): bare sessions, user filter, and pagination/order arithmetic exactly as
 * ADK's InMemorySessionService (whose own test cases are reproduced here with fresh apps).
 */
import type { BaseSessionService, ListSessionsResponse } from '@google/adk';
import { expect } from 'vitest';
import { baseTime, defineCases, json, stateEvent, textEvent, uniqueId } from '../harness.js';

/**
 * Creates sessions with the given ids and gives each the lastUpdateTime `t + offsets[i]` by
 * appending one event at that time. Ids are lowercase ASCII, so code-unit and localeCompare
 * orders agree.
 */
// One base for every seed: a base per call could move by a second between two seeds of one case
// and tie sessions that the case means to order.
const T0 = baseTime();

async function seed(
  service: BaseSessionService,
  appName: string,
  userId: string,
  sessions: Record<string, number>,
): Promise<void> {
  const t = T0;
  for (const [sessionId, offset] of Object.entries(sessions)) {
    const session = await service.createSession({ appName, userId, sessionId });
    await service.appendEvent({ session, event: textEvent(sessionId, t + offset) });
  }
}

/** Five sessions s1..s5, updated in that order. */
const FIVE = { s1: 1000, s2: 2000, s3: 3000, s4: 4000, s5: 5000 };

const ids = (r: ListSessionsResponse) => r.sessions.map((s) => s.id);
const meta = ({ page, limit, totalItems, totalPages }: ListSessionsResponse) => ({
  page,
  limit,
  totalItems,
  totalPages,
});

export const listCases = defineCases('list', {
  'sessions-are-bare': {
    title: 'listed sessions carry ids, events [], state {} and the true lastUpdateTime',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const session = await service.createSession({ appName, userId, state: { k: 'v' } });
      const t = baseTime() + 123;
      await service.appendEvent({
        session,
        event: textEvent('hi', t, { stateDelta: { 'app:a': 1, 'user:u': 2, s: 3 } }),
      });
      const listed = await service.listSessions({ appName, userId });
      expect(listed.sessions).toHaveLength(1);
      const [only] = listed.sessions;
      expect(only?.id).toBe(session.id);
      expect(only?.appName).toBe(appName);
      expect(only?.userId).toBe(userId);
      expect(only?.events).toEqual([]);
      expect(json(only?.state)).toEqual({});
      expect(only?.lastUpdateTime).toBe(t);
    },
  },
  'user-filter': {
    title: 'userId lists that user only; without it, every user of the app',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const other = uniqueId('user');
      const a1 = await service.createSession({ appName, userId, sessionId: 'a1' });
      const a2 = await service.createSession({ appName, userId, sessionId: 'a2' });
      const b1 = await service.createSession({ appName, userId: other, sessionId: 'b1' });
      // Another app's sessions never show.
      await service.createSession({ appName: uniqueId('app'), userId, sessionId: 'x1' });
      const mine = await service.listSessions({ appName, userId });
      expect(ids(mine).sort()).toEqual([a1.id, a2.id]);
      expect(mine.sessions.every((s) => s.userId === userId && s.appName === appName)).toBe(true);
      const theirs = await service.listSessions({ appName, userId: other });
      expect(ids(theirs)).toEqual([b1.id]);
      const all = await service.listSessions({ appName });
      expect(all.sessions.map((s) => `${s.userId}/${s.id}`).sort()).toEqual(
        [`${userId}/a1`, `${userId}/a2`, `${other}/b1`].sort(),
      );
      expect(meta(all)).toEqual({ page: 1, limit: 3, totalItems: 3, totalPages: 1 });
      const nobody = await service.listSessions({ appName, userId: uniqueId('user') });
      expect(nobody.sessions).toEqual([]);
    },
  },
  'all-users-ordered-and-paged': {
    title: 'without userId, order and pages run across users',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const other = uniqueId('user');
      await seed(service, appName, userId, { a: 1000, c: 3000 });
      await seed(service, appName, other, { b: 2000, d: 4000 });
      const desc = await service.listSessions({ appName, order: 'desc', limit: 3 });
      expect(ids(desc)).toEqual(['d', 'c', 'b']);
      expect(meta(desc)).toEqual({ page: 1, limit: 3, totalItems: 4, totalPages: 2 });
      const asc = await service.listSessions({ appName, order: 'asc', page: 2, limit: 2 });
      expect(ids(asc)).toEqual(['c', 'd']);
      expect(asc.sessions.map((s) => s.userId)).toEqual([userId, other]);
    },
  },
  empty: {
    title: 'no sessions, no limit: [] with page 1, limit 0, totalItems 0, totalPages 0',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      for (const request of [{ appName, userId }, { appName }]) {
        const r = await service.listSessions(request);
        expect(r.sessions).toEqual([]);
        expect(meta(r)).toEqual({ page: 1, limit: 0, totalItems: 0, totalPages: 0 });
      }
    },
  },
  'empty-with-limit': {
    title: 'no sessions with a limit: [] with the requested page and limit, zero totals',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      const r = await service.listSessions({ appName, userId, limit: 10 });
      expect(r.sessions).toEqual([]);
      expect(meta(r)).toEqual({ page: 1, limit: 10, totalItems: 0, totalPages: 0 });
      const paged = await service.listSessions({ appName, userId, limit: 10, page: 3 });
      expect(meta(paged)).toEqual({ page: 3, limit: 10, totalItems: 0, totalPages: 0 });
      const offset = await service.listSessions({ appName, userId, limit: 10, offset: 25 });
      expect(meta(offset)).toEqual({ page: 3, limit: 10, totalItems: 0, totalPages: 0 });
    },
  },
  'no-limit': {
    title: 'no limit: every session, page 1, limit = totalItems, totalPages 1',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      await seed(service, appName, userId, { s1: 1000, s2: 2000 });
      const r = await service.listSessions({ appName, userId });
      expect(ids(r).sort()).toEqual(['s1', 's2']);
      expect(r.sessions.every((s) => s.events.length === 0)).toBe(true);
      expect(meta(r)).toEqual({ page: 1, limit: 2, totalItems: 2, totalPages: 1 });
    },
  },
  'order-asc': {
    title: "order 'asc' is oldest lastUpdateTime first",
    async run({ service, scope }) {
      const { appName, userId } = scope();
      await seed(service, appName, userId, { s1: 3000, s2: 1000, s3: 2000 });
      const r = await service.listSessions({ appName, userId, order: 'asc' });
      expect(ids(r)).toEqual(['s2', 's3', 's1']);
    },
  },
  'order-desc': {
    title: "order 'desc' is newest lastUpdateTime first",
    async run({ service, scope }) {
      const { appName, userId } = scope();
      await seed(service, appName, userId, { s1: 3000, s2: 1000, s3: 2000 });
      const r = await service.listSessions({ appName, userId, order: 'desc' });
      expect(ids(r)).toEqual(['s1', 's3', 's2']);
      expect(meta(r)).toEqual({ page: 1, limit: 3, totalItems: 3, totalPages: 1 });
    },
  },
  'order-ties-by-id': {
    title: 'equal lastUpdateTime ties are broken by id ascending, in both directions',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      // Created out of id order so that creation order cannot pass for id order.
      await seed(service, appName, userId, { tb: 1000, tc: 2000, ta: 1000, td: 2000 });
      const asc = await service.listSessions({ appName, userId, order: 'asc' });
      expect(ids(asc)).toEqual(['ta', 'tb', 'tc', 'td']);
      const desc = await service.listSessions({ appName, userId, order: 'desc' });
      expect(ids(desc)).toEqual(['tc', 'td', 'ta', 'tb']);
      const page = await service.listSessions({
        appName,
        userId,
        order: 'desc',
        limit: 1,
        page: 2,
      });
      expect(ids(page)).toEqual(['td']);
    },
  },
  limit: {
    title: 'limit returns the first N, with totals and page count',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      await seed(service, appName, userId, FIVE);
      const r = await service.listSessions({ appName, userId, limit: 3, order: 'asc' });
      expect(ids(r)).toEqual(['s1', 's2', 's3']);
      expect(meta(r)).toEqual({ page: 1, limit: 3, totalItems: 5, totalPages: 2 });
    },
  },
  'limit-offset': {
    title: 'offset skips N sessions; page is derived from offset and limit',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      await seed(service, appName, userId, FIVE);
      const r = await service.listSessions({ appName, userId, limit: 2, offset: 1, order: 'asc' });
      expect(ids(r)).toEqual(['s2', 's3']);
      expect(meta(r)).toEqual({ page: 1, limit: 2, totalItems: 5, totalPages: 3 });
      const later = await service.listSessions({
        appName,
        userId,
        limit: 2,
        offset: 3,
        order: 'asc',
      });
      expect(ids(later)).toEqual(['s4', 's5']);
      expect(meta(later)).toEqual({ page: 2, limit: 2, totalItems: 5, totalPages: 3 });
      const desc = await service.listSessions({
        appName,
        userId,
        limit: 2,
        offset: 4,
        order: 'desc',
      });
      expect(ids(desc)).toEqual(['s1']);
      expect(meta(desc)).toEqual({ page: 3, limit: 2, totalItems: 5, totalPages: 3 });
    },
  },
  page: {
    title: 'page (1-based) with limit returns that slice',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      await seed(service, appName, userId, FIVE);
      const two = await service.listSessions({ appName, userId, page: 2, limit: 2, order: 'asc' });
      expect(ids(two)).toEqual(['s3', 's4']);
      expect(meta(two)).toEqual({ page: 2, limit: 2, totalItems: 5, totalPages: 3 });
      const last = await service.listSessions({ appName, userId, page: 3, limit: 2, order: 'asc' });
      expect(ids(last)).toEqual(['s5']);
      expect(meta(last)).toEqual({ page: 3, limit: 2, totalItems: 5, totalPages: 3 });
      const first = await service.listSessions({
        appName,
        userId,
        page: 1,
        limit: 2,
        order: 'desc',
      });
      expect(ids(first)).toEqual(['s5', 's4']);
    },
  },
  'page-beats-offset': {
    title: 'page takes precedence over offset',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      await seed(service, appName, userId, FIVE);
      for (const offset of [0, 4]) {
        const r = await service.listSessions({
          appName,
          userId,
          page: 2,
          limit: 2,
          offset,
          order: 'asc',
        });
        expect(ids(r)).toEqual(['s3', 's4']);
        expect(r.page).toBe(2);
      }
    },
  },
  'page-past-end': {
    title: 'a page past the end is empty, keeps the requested page and the real totals',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      await seed(service, appName, userId, FIVE);
      const r = await service.listSessions({ appName, userId, page: 4, limit: 2, order: 'asc' });
      expect(r.sessions).toEqual([]);
      expect(meta(r)).toEqual({ page: 4, limit: 2, totalItems: 5, totalPages: 3 });
    },
  },
  'offset-past-end': {
    title: 'an offset past the end is empty with the real totals',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      await seed(service, appName, userId, { s1: 1000 });
      const r = await service.listSessions({ appName, userId, limit: 2, offset: 10 });
      expect(r.sessions).toEqual([]);
      expect(meta(r)).toEqual({ page: 6, limit: 2, totalItems: 1, totalPages: 1 });
    },
  },
  'limit-zero': {
    title: 'limit 0 gives [] and totalPages 0, with the real totalItems',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      await seed(service, appName, userId, { s1: 1000 });
      const r = await service.listSessions({ appName, userId, limit: 0 });
      expect(r.sessions).toEqual([]);
      expect(meta(r)).toEqual({ page: 1, limit: 0, totalItems: 1, totalPages: 0 });
      const paged = await service.listSessions({ appName, userId, limit: 0, page: 2 });
      expect(paged.sessions).toEqual([]);
      expect(meta(paged)).toEqual({ page: 2, limit: 0, totalItems: 1, totalPages: 0 });
    },
  },
  'order-without-limit': {
    title: 'order without limit sorts every session, page 1, limit = totalItems',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      await seed(service, appName, userId, { s1: 2000, s2: 1000 });
      const r = await service.listSessions({ appName, userId, order: 'desc' });
      expect(ids(r)).toEqual(['s1', 's2']);
      expect(meta(r)).toEqual({ page: 1, limit: 2, totalItems: 2, totalPages: 1 });
    },
  },
  'offset-without-limit': {
    title: 'offset without limit skips N and still reports page 1, limit = totalItems',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      await seed(service, appName, userId, FIVE);
      const r = await service.listSessions({ appName, userId, offset: 2, order: 'asc' });
      expect(ids(r)).toEqual(['s3', 's4', 's5']);
      expect(meta(r)).toEqual({ page: 1, limit: 5, totalItems: 5, totalPages: 1 });
    },
  },
  'page-without-limit': {
    title: 'page without limit is ignored: every session, page 1',
    async run({ service, scope }) {
      const { appName, userId } = scope();
      await seed(service, appName, userId, FIVE);
      const r = await service.listSessions({ appName, userId, page: 2, order: 'asc' });
      expect(ids(r)).toEqual(['s1', 's2', 's3', 's4', 's5']);
      expect(meta(r)).toEqual({ page: 1, limit: 5, totalItems: 5, totalPages: 1 });
    },
  },
  'reflects-latest-append': {
    title: 'order follows the latest append, from another service too',
    async run({ service, another, scope }) {
      const { appName, userId } = scope();
      await seed(service, appName, userId, { s1: 1000, s2: 2000 });
      const other = await another();
      const s1 = await other.getSession({ appName, userId, sessionId: 's1' });
      await other.appendEvent({ session: s1!, event: stateEvent({ bump: 1 }, T0 + 9000) });
      const r = await service.listSessions({ appName, userId, order: 'desc' });
      expect(ids(r)).toEqual(['s1', 's2']);
      expect(r.sessions[0]?.lastUpdateTime).toBe(s1!.lastUpdateTime);
    },
  },
});
