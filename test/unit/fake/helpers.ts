/**
 * Shared setup of the fake's tests: one fake per file, reset before each test, and the rule that
 * the fake never breaks its own contract (`violations` is asserted empty after every test).
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import {
  createRedisAgentMemoryClient,
  type RedisAgentMemoryClient,
  type RedisAgentMemoryClientOptions,
} from '../../../src/index.js';
import {
  startFakeRedisAgentMemory,
  type FakeRedisAgentMemory,
  type FakeRedisAgentMemoryOptions,
} from '../../support/fake-redis-agent-memory/index.js';

export interface FakeContext {
  /** The running fake (valid inside tests and hooks). */
  readonly fake: FakeRedisAgentMemory;
  /** A typed client of the fake's store, with retries off. */
  client(options?: Partial<RedisAgentMemoryClientOptions>): RedisAgentMemoryClient;
  /** Raw fetch of `path` (relative to the store when it does not start with `/`). */
  raw(path: string, init?: RequestInit & { auth?: boolean; json?: unknown }): Promise<Response>;
}

export function useFake(options: FakeRedisAgentMemoryOptions = {}): FakeContext {
  let fake: FakeRedisAgentMemory | undefined;
  beforeAll(async () => {
    fake = await startFakeRedisAgentMemory(options);
  });
  beforeEach(() => {
    fake!.reset();
  });
  afterEach(() => {
    expect(fake!.violations).toEqual([]);
  });
  afterAll(async () => {
    await fake?.stop();
  });
  const context: FakeContext = {
    get fake() {
      if (!fake) throw new Error('the fake is not running yet');
      return fake;
    },
    client: (overrides = {}) =>
      createRedisAgentMemoryClient({
        baseUrl: context.fake.baseUrl,
        apiKey: context.fake.apiKey,
        storeId: context.fake.storeId,
        retry: { maxRetries: 0 },
        ...overrides,
      }),
    raw: (path, init = {}) => {
      const { auth = true, json, ...rest } = init;
      const { fake } = context;
      const url = path.startsWith('/')
        ? `${fake.baseUrl}${path}`
        : `${fake.baseUrl}/v1/stores/${fake.storeId}/${path}`;
      const headers = new Headers(rest.headers);
      if (auth && !headers.has('authorization')) {
        headers.set('authorization', `Bearer ${fake.apiKey}`);
      }
      if (json !== undefined) headers.set('content-type', 'application/json');
      return fetch(url, {
        ...rest,
        headers,
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
      });
    },
  };
  return context;
}

/** A valid AddSessionEvent body; `overrides` may also remove fields (set them to undefined). */
export function eventBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    sessionId: 's1',
    actorId: 'user-1',
    role: 'USER',
    content: [{ text: 'hello' }],
    createdAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return body;
}

/** A problem-details body and its status. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  fields?: { field: string; rule: string; message: string }[];
}

/** Reads a response expected to be problem details with `status`. */
export async function problemOf(response: Response, status: number): Promise<ProblemBody> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/json');
  const body = (await response.json()) as ProblemBody;
  expect(body.status).toBe(status);
  return body;
}

/** The `field`/`rule` pairs of a 400 answer, sorted, for exact comparisons. */
export async function fieldErrorsOf(response: Response): Promise<string[]> {
  const body = await problemOf(response, 400);
  expect(body.type).toBe('/errors/invalid-data');
  return (body.fields ?? []).map((f) => `${f.field}:${f.rule}`).sort();
}
