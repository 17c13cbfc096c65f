/**
 * List ordering and paging (src/sessions/paging.ts) against ADK's own InMemorySessionService: the
 * same sessions, with the same last-update times, listed through both for a grid of requests.
 */
import {
  InMemorySessionService,
  createEvent,
  type ListSessionsRequest,
  type ListSessionsResponse,
} from '@google/adk';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/clients/index.js';
import {
  orderSessions,
  paginate,
  validatePaging,
  type ListedSession,
} from '../../../src/sessions/paging.js';

const APP = 'paging-app';

interface Fixture {
  userId: string;
  sessionId: string;
  lastUpdateTime: number;
}

/** Several users, ties on lastUpdateTime (100 twice, 300 twice); ids equal-length lowercase. */
const MULTI_USER: Fixture[] = [
  { userId: 'u1', sessionId: 's3', lastUpdateTime: 500 },
  { userId: 'u2', sessionId: 's1', lastUpdateTime: 100 },
  { userId: 'u1', sessionId: 's6', lastUpdateTime: 300 },
  { userId: 'u3', sessionId: 's0', lastUpdateTime: 100 },
  { userId: 'u2', sessionId: 's4', lastUpdateTime: 700 },
  { userId: 'u1', sessionId: 's2', lastUpdateTime: 300 },
  { userId: 'u3', sessionId: 's5', lastUpdateTime: 200 },
];

/** One user: ADK lists in insertion order, ours in creation order, which is the same here. */
const ONE_USER: Fixture[] = MULTI_USER.map((f) => ({ ...f, userId: 'u1' }));

async function adkService(fixtures: Fixture[]): Promise<InMemorySessionService> {
  const adk = new InMemorySessionService();
  for (const fixture of fixtures) {
    const session = await adk.createSession({
      appName: APP,
      userId: fixture.userId,
      sessionId: fixture.sessionId,
    });
    await adk.appendEvent({
      session,
      event: createEvent({
        invocationId: 'inv',
        author: 'user',
        timestamp: fixture.lastUpdateTime,
      }),
    });
  }
  return adk;
}

const listed = (fixtures: Fixture[]): ListedSession[] =>
  fixtures.map((f, index) => ({ ...f, createdAt: 1_000 + index }));

function ours(fixtures: Fixture[], request: Omit<ListSessionsRequest, 'appName'>) {
  const page = paginate(orderSessions(listed(fixtures), request.order), request);
  return {
    ids: page.items.map((s) => `${s.userId}/${s.sessionId}`),
    page: page.page,
    limit: page.limit,
    totalItems: page.totalItems,
    totalPages: page.totalPages,
  };
}

const theirs = (response: ListSessionsResponse) => ({
  ids: response.sessions.map((s) => `${s.userId}/${s.id}`),
  page: response.page,
  limit: response.limit,
  totalItems: response.totalItems,
  totalPages: response.totalPages,
});

const LIMITS = [undefined, 0, 1, 2, 3, 5, 10];
const OFFSETS = [undefined, 0, 1, 2, 4, 9];
const PAGES = [undefined, 1, 2, 3, 4];

function grid(orders: ('asc' | 'desc' | undefined)[]): Omit<ListSessionsRequest, 'appName'>[] {
  const requests: Omit<ListSessionsRequest, 'appName'>[] = [];
  for (const order of orders)
    for (const limit of LIMITS)
      for (const offset of OFFSETS)
        for (const page of PAGES) {
          const request: Omit<ListSessionsRequest, 'appName'> = {};
          if (limit !== undefined) request.limit = limit;
          if (offset !== undefined) request.offset = offset;
          if (page !== undefined) request.page = page;
          if (order !== undefined) request.order = order;
          requests.push(request);
        }
  return requests;
}

describe('paginate and orderSessions match InMemorySessionService', () => {
  it('asc and desc over several users, with ties, for every limit/offset/page', async () => {
    const adk = await adkService(MULTI_USER);
    // The reference really holds the chosen times: its asc order, computed by hand.
    expect(theirs(await adk.listSessions({ appName: APP, order: 'asc' })).ids).toEqual([
      'u3/s0',
      'u2/s1',
      'u3/s5',
      'u1/s2',
      'u1/s6',
      'u1/s3',
      'u2/s4',
    ]);
    const requests = grid(['asc', 'desc']);
    expect(requests).toHaveLength(2 * 7 * 6 * 5);
    const mismatches: unknown[] = [];
    for (const request of requests) {
      const expected = theirs(await adk.listSessions({ appName: APP, ...request }));
      const actual = ours(MULTI_USER, request);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        mismatches.push({ request, expected, actual });
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('no order (creation order) for one user, for every limit/offset/page', async () => {
    const adk = await adkService(ONE_USER);
    const mismatches: unknown[] = [];
    for (const request of grid([undefined])) {
      const expected = theirs(await adk.listSessions({ appName: APP, ...request }));
      const actual = ours(ONE_USER, request);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        mismatches.push({ request, expected, actual });
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('counts (not the order) with no order over several users', async () => {
    const adk = await adkService(MULTI_USER);
    for (const request of grid([undefined])) {
      const expected = theirs(await adk.listSessions({ appName: APP, ...request }));
      const actual = ours(MULTI_USER, request);
      expect({ ...actual, ids: actual.ids.length }).toEqual({
        ...expected,
        ids: expected.ids.length,
      });
    }
  });

  it('an app with no sessions, for every limit/offset/page', async () => {
    const adk = new InMemorySessionService();
    for (const request of grid([undefined, 'asc'])) {
      const expected = theirs(await adk.listSessions({ appName: APP, ...request }));
      expect(ours([], request)).toEqual(expected);
    }
  });

  it('spot check against hand-computed values', () => {
    expect(ours(MULTI_USER, { order: 'asc' }).ids).toEqual([
      'u3/s0',
      'u2/s1',
      'u3/s5',
      'u1/s2',
      'u1/s6',
      'u1/s3',
      'u2/s4',
    ]);
    expect(ours(MULTI_USER, { order: 'desc', limit: 3, page: 2 })).toEqual({
      ids: ['u1/s6', 'u3/s5', 'u3/s0'],
      page: 2,
      limit: 3,
      totalItems: 7,
      totalPages: 3,
    });
    expect(ours(MULTI_USER, { limit: 2, offset: 3 })).toMatchObject({ page: 2, totalPages: 4 });
    expect(ours(MULTI_USER, { limit: 0, offset: 4 })).toEqual({
      ids: [],
      page: 1,
      limit: 0,
      totalItems: 7,
      totalPages: 0,
    });
    expect(ours(MULTI_USER, { offset: 5 })).toMatchObject({
      ids: ['u1/s2', 'u3/s5'],
      page: 1,
      limit: 7,
      totalPages: 1,
    });
  });
});

describe('orderSessions', () => {
  const entry = (
    userId: string,
    sessionId: string,
    lastUpdateTime: number,
    createdAt?: number,
  ): ListedSession => ({
    userId,
    sessionId,
    lastUpdateTime,
    ...(createdAt === undefined ? {} : { createdAt }),
  });
  const keys = (sessions: ListedSession[]) => sessions.map((s) => `${s.userId}/${s.sessionId}`);

  it('breaks lastUpdateTime ties by session id, then user id, ascending in both directions', () => {
    const input = [
      entry('b', 'x', 5),
      entry('a', 'y', 5),
      entry('a', 'x', 5),
      entry('c', 'w', 9),
      entry('c', 'z', 1),
    ];
    expect(keys(orderSessions(input, 'asc'))).toEqual(['c/z', 'a/x', 'b/x', 'a/y', 'c/w']);
    expect(keys(orderSessions(input, 'desc'))).toEqual(['c/w', 'a/x', 'b/x', 'a/y', 'c/z']);
  });

  it('orders ties by UTF-16 code units, not by locale', () => {
    const input = [entry('u', 'b', 1), entry('u', 'B', 1), entry('u', '_', 1), entry('u', 'a', 1)];
    expect(keys(orderSessions(input, 'asc'))).toEqual(['u/B', 'u/_', 'u/a', 'u/b']);
  });

  it('with no order, sorts by creation time (missing counts as 0), then id', () => {
    const input = [
      entry('u', 'c', 1, 30),
      entry('u', 'a', 9, 20),
      entry('u', 'b', 5),
      entry('u', 'd', 0, 20),
    ];
    expect(keys(orderSessions(input, undefined))).toEqual(['u/b', 'u/a', 'u/d', 'u/c']);
  });

  it('does not reorder the input array', () => {
    const input = [entry('u', 'b', 2), entry('u', 'a', 1)];
    orderSessions(input, 'asc');
    expect(keys(input)).toEqual(['u/b', 'u/a']);
  });
});

describe('validatePaging', () => {
  it.each([
    ['limit', { limit: -1 }],
    ['limit', { limit: 1.5 }],
    ['limit', { limit: Number.NaN }],
    ['limit', { limit: Number.POSITIVE_INFINITY }],
    ['limit', { limit: '2' as unknown as number }],
    ['offset', { offset: -1 }],
    ['offset', { offset: 0.5 }],
    ['page', { page: 0 }],
    ['page', { page: -2 }],
    ['page', { page: 1.25 }],
    ['order', { order: 'ascending' as 'asc' }],
    ['order', { order: 'ASC' as 'asc' }],
  ])('rejects a bad %s: %o', (field, request) => {
    let caught: unknown;
    try {
      validatePaging(request);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as InvalidArgumentError).field).toBe(field);
    expect((caught as InvalidArgumentError).message).toContain(`"${field}"`);
  });

  it.each([
    {},
    { limit: 0 },
    { limit: 0, offset: 0, page: 1 },
    { limit: 10, page: 3, order: 'desc' as const },
    { offset: 9, order: 'asc' as const },
    { limit: null as unknown as number, offset: null as unknown as number },
  ])('accepts %o', (request) => {
    expect(() => validatePaging(request)).not.toThrow();
  });
});
