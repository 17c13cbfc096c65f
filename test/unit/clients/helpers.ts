/**
 * Shared helpers of the client-layer unit tests: fixed fake origins that nock intercepts, clients
 * with fast retries, a recorder of what reached the wire, and error capture.
 */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  createAgentMemoryServerClient,
  createRedisAgentMemoryClient,
  type AgentMemoryServerClientOptions,
  type DebugEvent,
  type RedisAgentMemoryClientOptions,
} from '../../../src/clients/index.js';

/** Fake origins: never resolved, only intercepted by nock. */
export const AMS = 'http://ams.test';
export const RAM = 'https://ram.test';
export const STORE = 'store-1';

/** Retries that wait at most a few milliseconds. */
export const FAST_RETRY = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } as const;

/** Registers the nock lifecycle of a test file: no real network, no interceptor left behind. */
export function useNock(): void {
  beforeAll(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.abortPendingRequests();
  });
  afterAll(() => {
    nock.enableNetConnect();
  });
}

export function amsClient(options: Partial<AgentMemoryServerClientOptions> = {}) {
  return createAgentMemoryServerClient({ baseUrl: AMS, retry: FAST_RETRY, ...options });
}

export function ramClient(options: Partial<RedisAgentMemoryClientOptions> = {}) {
  return createRedisAgentMemoryClient({
    baseUrl: RAM,
    storeId: STORE,
    retry: FAST_RETRY,
    ...options,
  });
}

/** One request as the server saw it. */
export interface SeenRequest {
  method: string;
  /** Path and query exactly as sent (still percent-encoded). */
  uri: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** The requests an interceptor's reply function has recorded, in order. */
export class Wire {
  readonly requests: SeenRequest[] = [];

  get count(): number {
    return this.requests.length;
  }

  /**
   * A nock reply function that records the request, then answers with `answer(attempt)`
   * (attempt counts from 1 across everything this recorder saw).
   */
  reply(
    answer: (attempt: number) => nock.ReplyFnResult,
  ): (this: nock.ReplyFnContext, uri: string, body: nock.Body) => nock.ReplyFnResult {
    const requests = this.requests;
    return function (this: nock.ReplyFnContext, uri: string, body: nock.Body) {
      requests.push({
        method: this.req.method,
        uri,
        headers: { ...this.req.headers },
        body,
      });
      return answer(requests.length);
    };
  }
}

/** The rejection of a promise (fails the test when the promise resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected the call to reject');
}

/** Collects debug events. */
export function debugRecorder(): { events: DebugEvent[]; onDebug: (event: DebugEvent) => void } {
  const events: DebugEvent[] = [];
  return { events, onDebug: (event) => events.push(event) };
}

/** An RFC 9457 problem-details body as the managed API sends it. */
export function problem(
  status: number,
  type: string,
  title: string,
  detail?: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { type, title, status, ...(detail === undefined ? {} : { detail }), ...extra };
}

/** A valid AddSessionEvent body. */
export const EVENT_BODY = {
  sessionId: 's1',
  actorId: 'user-1',
  role: 'USER' as const,
  content: [{ text: 'hello' }],
  createdAt: '2026-01-01T00:00:00Z',
};
