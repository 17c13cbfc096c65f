/**
 * Per-attempt timeouts and the caller's AbortSignal. Delays are a few tens of milliseconds; no
 * assertion is about wall-clock speed, only about what was sent and what was thrown.
 */
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AdkRedisError,
  NetworkError,
  TimeoutError,
  retrySafe,
  type DebugEvent,
} from '../../../src/clients/index.js';
import {
  AMS,
  EVENT_BODY,
  RAM,
  STORE,
  Wire,
  amsClient,
  debugRecorder,
  ramClient,
  rejectionOf,
  useNock,
} from './helpers.js';

useNock();
afterEach(() => {
  vi.restoreAllMocks();
});

const SLOW = 400; // ms a slow reply is held back: well past every timeout used below
const EVENTS = `/v1/stores/${STORE}/session-memory/events`;

describe('timeoutMs', () => {
  it('turns an attempt that takes too long into a TimeoutError', async () => {
    nock(AMS).get('/v1/health').delay(SLOW).reply(200, { now: 1 });
    const { events, onDebug } = debugRecorder();
    const error = await rejectionOf(
      amsClient({ timeoutMs: 30, retry: { maxRetries: 0 }, onDebug }).GET('/v1/health'),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toBeInstanceOf(AdkRedisError);
    expect(error).not.toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({
      name: 'TimeoutError',
      backend: 'opensource-agent-memory',
      method: 'GET',
      path: '/v1/health',
      timeoutMs: 30,
      attempts: 1,
    });
    expect((error as Error).message).toBe(
      'Agent Memory Server did not answer GET /v1/health within 30 ms',
    );
    expect(events.at(-1)).toMatchObject({ type: 'error', reason: 'timeout', attempt: 1 });
  });

  it('retries a timed-out idempotent call, then reports every attempt', async () => {
    const scope = nock(RAM)
      .get(`/v1/stores/${STORE}/session-memory/s1`)
      .times(3)
      .delay(SLOW)
      .reply(200, {});
    const { events, onDebug } = debugRecorder();
    const error = await rejectionOf(
      ramClient({ timeoutMs: 20, onDebug }).GET('/v1/stores/{storeId}/session-memory/{sessionId}', {
        params: { path: { sessionId: 's1' } },
      }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).attempts).toBe(3);
    expect((error as TimeoutError).backend).toBe('redis-agent-memory');
    expect((error as Error).message).toMatch(/within 20 ms \(3 attempts\)$/);
    expect(scope.isDone()).toBe(true);
    expect(events.filter((e: DebugEvent) => e.type === 'retry').map((e) => e.reason)).toEqual([
      'timeout',
      'timeout',
    ]);
  });

  it('applies to each attempt: a slow first attempt does not fail a fast retry', async () => {
    nock(AMS)
      .get('/v1/health')
      .delay(SLOW)
      .reply(200, { now: 1 })
      .get('/v1/health')
      .reply(200, { now: 2 });
    const { data } = await amsClient({ timeoutMs: 30 }).GET('/v1/health');
    expect(data).toEqual({ now: 2 });
  });

  it('restarts for each attempt rather than covering the whole call', async () => {
    // Each attempt takes about half the timeout; together they take longer than one timeout.
    const wire = new Wire();
    nock(AMS)
      .get('/v1/health')
      .times(3)
      .delay(100)
      .reply(wire.reply((n) => (n < 3 ? [503] : [200, { now: n }])));
    const { data } = await amsClient({ timeoutMs: 250 }).GET('/v1/health');
    expect(data).toEqual({ now: 3 });
    expect(wire.count).toBe(3);
  });

  it('does not retry a timed-out POST', async () => {
    const scope = nock(RAM).post(EVENTS).times(2).delay(SLOW).reply(201, {});
    const error = await rejectionOf(
      ramClient({ timeoutMs: 20 }).POST('/v1/stores/{storeId}/session-memory/events', {
        body: EVENT_BODY,
      }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).attempts).toBe(1);
    expect(scope.pendingMocks()).toHaveLength(1);
  });

  it('retries a timed-out POST that is marked retry-safe', async () => {
    nock(RAM)
      .post(EVENTS)
      .delay(SLOW)
      .reply(201, { event: { n: 1 } })
      .post(EVENTS)
      .reply(201, { event: { n: 2 } });
    const { data } = await ramClient({ timeoutMs: 30 }).POST(
      '/v1/stores/{storeId}/session-memory/events',
      { body: EVENT_BODY, headers: retrySafe },
    );
    expect(data).toEqual({ event: { n: 2 } });
  });
});

describe("the caller's AbortSignal", () => {
  it('rejects an in-flight call with the AbortError of the signal, without retrying', async () => {
    const wire = new Wire();
    nock(AMS)
      .get('/v1/health')
      .times(3)
      .delay(SLOW)
      .reply(wire.reply(() => [200, {}]));
    const controller = new AbortController();
    const { events, onDebug } = debugRecorder();
    const call = amsClient({ onDebug }).GET('/v1/health', { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await rejectionOf(call);
    expect(error).toBe(controller.signal.reason);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(error).not.toBeInstanceOf(TimeoutError);
    expect(events.filter((e) => e.type === 'request')).toHaveLength(1);
    expect(events.some((e) => e.type === 'retry')).toBe(false);
  });

  it("rejects with the caller's own abort reason", async () => {
    nock(AMS).get('/v1/health').delay(SLOW).reply(200, {});
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    setTimeout(() => controller.abort(reason), 20);
    const error = await rejectionOf(amsClient().GET('/v1/health', { signal: controller.signal }));
    expect(error).toBe(reason);
  });

  it('sends nothing when the signal is already aborted', async () => {
    const wire = new Wire();
    nock(AMS)
      .get('/v1/health')
      .reply(wire.reply(() => [200, {}]));
    const controller = new AbortController();
    controller.abort();
    const error = await rejectionOf(amsClient().GET('/v1/health', { signal: controller.signal }));
    expect((error as DOMException).name).toBe('AbortError');
    expect(wire.count).toBe(0);
  });

  it('stops waiting between attempts when aborted during the backoff', async () => {
    // The backoff is long (30 s); the abort comes a few ms into it.
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const wire = new Wire();
    nock(AMS)
      .get('/v1/health')
      .times(3)
      .reply(wire.reply(() => [503]));
    const controller = new AbortController();
    const { events, onDebug } = debugRecorder();
    const call = amsClient({
      retry: { maxRetries: 2, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      onDebug: (event) => {
        onDebug(event);
        if (event.type === 'retry') setTimeout(() => controller.abort(), 5);
      },
    }).GET('/v1/health', { signal: controller.signal });
    const error = await rejectionOf(call);
    expect((error as DOMException).name).toBe('AbortError');
    expect(events.find((e) => e.type === 'retry')?.delayMs).toBe(30_000);
    expect(wire.count).toBe(1);
  });

  it('stops waiting for a Retry-After when aborted', async () => {
    nock(AMS).get('/v1/health').reply(503, {}, { 'Retry-After': '20' });
    const controller = new AbortController();
    const call = amsClient({
      onDebug: (event) => {
        if (event.type === 'retry') setTimeout(() => controller.abort(), 5);
      },
    }).GET('/v1/health', { signal: controller.signal });
    expect(((await rejectionOf(call)) as DOMException).name).toBe('AbortError');
    expect(nock.isDone()).toBe(true);
  });

  it("reports the caller's own AbortSignal.timeout() as the signal's reason, not TimeoutError", async () => {
    nock(AMS).get('/v1/health').delay(SLOW).reply(200, {});
    const error = await rejectionOf(
      amsClient({ timeoutMs: 10_000 }).GET('/v1/health', { signal: AbortSignal.timeout(20) }),
    );
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('TimeoutError');
    expect(error).not.toBeInstanceOf(TimeoutError);
  });

  it('does not abort a call that finishes before the signal fires', async () => {
    nock(AMS).get('/v1/health').reply(200, { now: 1 });
    const controller = new AbortController();
    const { data } = await amsClient().GET('/v1/health', { signal: controller.signal });
    controller.abort();
    expect(data).toEqual({ now: 1 });
  });
});

describe('a custom fetch that ignores its AbortSignal', () => {
  // Never settles and never looks at the signal: only the client's own race can end the call.
  const stuckFetch: typeof fetch = () => new Promise<Response>(() => undefined);

  it('still times out', async () => {
    const error = await rejectionOf(
      amsClient({ timeoutMs: 30, retry: { maxRetries: 0 }, fetch: stuckFetch }).GET('/v1/health'),
    );
    expect(error).toBeInstanceOf(TimeoutError);
  });

  it("still stops at the caller's abort", async () => {
    const controller = new AbortController();
    const call = amsClient({ retry: { maxRetries: 0 }, fetch: stuckFetch }).GET('/v1/health', {
      signal: controller.signal,
    });
    controller.abort(new Error('caller gave up'));
    const error = await rejectionOf(call);
    expect((error as Error).message).toBe('caller gave up');
  });
});

describe('a body that arrives too slowly', () => {
  it('times out while the body is read, as a TimeoutError', async () => {
    nock(AMS).get('/v1/health').delayBody(SLOW).reply(200, { now: 1 });
    const error = await rejectionOf(
      amsClient({ timeoutMs: 50, retry: { maxRetries: 0 } }).GET('/v1/health'),
    );
    expect(error).toBeInstanceOf(TimeoutError);
  });
});
