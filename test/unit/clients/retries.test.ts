/**
 * Retry policy: which statuses and failures are retried, for which methods, how many times, how
 * long the client waits (jittered backoff, Retry-After) and when it gives up without waiting.
 */
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BackendError,
  NetworkError,
  retrySafe,
  unwrap,
  type AgentMemoryServerClient,
  type DebugEvent,
  type FetchResult,
} from '../../../src/clients/index.js';
import {
  backoffDelay,
  isRetryableStatus,
  parseRetryAfter,
} from '../../../src/clients/transport.js';
import {
  AMS,
  EVENT_BODY,
  FAST_RETRY,
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
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const RETRYABLE = [408, 424, 429, 500, 502, 503, 504];
const NOT_RETRYABLE = [400, 401, 403, 404, 409, 413, 422, 501];
const IDEMPOTENT = ['GET', 'PUT', 'DELETE'] as const;
type Idempotent = (typeof IDEMPOTENT)[number];

const WM_PATH = '/v1/working-memory/s1';
const path = { session_id: 's1' };
function amsCall(client: AgentMemoryServerClient, method: Idempotent): Promise<FetchResult> {
  switch (method) {
    case 'GET':
      return client.GET('/v1/working-memory/{session_id}', { params: { path } });
    case 'PUT':
      return client.PUT('/v1/working-memory/{session_id}', {
        params: { path },
        body: { messages: [{ role: 'user', content: 'hi' }] },
      });
    case 'DELETE':
      return client.DELETE('/v1/working-memory/{session_id}', { params: { path } });
  }
}

/** Answers `method path` on `origin` with `answer(attempt)` for as long as asked, recording. */
function serve(
  origin: string,
  method: string,
  uri: string,
  answer: (attempt: number) => nock.ReplyFnResult,
): Wire {
  const wire = new Wire();
  nock(origin).persist().intercept(uri, method).reply(wire.reply(answer));
  return wire;
}

const retries = (events: DebugEvent[]) => events.filter((e) => e.type === 'retry');

describe('isRetryableStatus', () => {
  it.each(RETRYABLE)('retries %i', (status) => {
    expect(isRetryableStatus(status)).toBe(true);
  });

  it.each([...NOT_RETRYABLE, 200, 201, 204, 301, 304, 505])('does not retry %i', (status) => {
    expect(isRetryableStatus(status)).toBe(false);
  });
});

describe('backoffDelay (full jitter)', () => {
  const ceiling = (n: number, base: number, max: number) => Math.min(max, base * 2 ** n);

  it('spans [0, min(maxDelayMs, baseDelayMs * 2^n)) for each retry n', () => {
    for (let n = 0; n <= 12; n++) {
      const top = ceiling(n, 100, 5_000);
      expect(backoffDelay(n, 100, 5_000, () => 0)).toBe(0);
      expect(backoffDelay(n, 100, 5_000, () => 0.5)).toBe(Math.floor(top / 2));
      expect(backoffDelay(n, 100, 5_000, () => 1 - Number.EPSILON)).toBe(top - 1);
    }
  });

  it('stays within the bounds for random draws', () => {
    for (let i = 0; i < 2_000; i++) {
      const n = i % 9;
      const delay = backoffDelay(n, 3, 500, Math.random);
      expect(Number.isInteger(delay)).toBe(true);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling(n, 3, 500));
    }
  });

  it('is 0 when either bound is 0', () => {
    expect(backoffDelay(3, 0, 1_000, () => 0.9)).toBe(0);
    expect(backoffDelay(3, 100, 0, () => 0.9)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2015, 9, 21, 7, 27, 30);

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 2 ', now)).toBe(2_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('0.25', now)).toBe(250);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:30 GMT', now)).toBe(0);
  });

  it('reads an HTTP date in the past as 0', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now)).toBe(0);
  });

  it('ignores a missing or unreadable value', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('idempotent calls are retried', () => {
  describe.each(IDEMPOTENT)('%s', (method) => {
    it.each(RETRYABLE)('makes maxRetries + 1 attempts on %i', async (status) => {
      const wire = serve(AMS, method, WM_PATH, () => [status, { detail: `status ${status}` }]);
      const { events, onDebug } = debugRecorder();
      const result = await amsCall(amsClient({ onDebug }), method);
      expect(wire.count).toBe(3);
      expect(result.response.status).toBe(status);
      expect(wire.requests.every((r) => r.method === method)).toBe(true);
      expect(retries(events).map((e) => [e.attempt, e.reason])).toEqual([
        [1, `status ${status}`],
        [2, `status ${status}`],
      ]);
      const error = await rejectionOf(unwrap(Promise.resolve(result)));
      expect(error).toBeInstanceOf(BackendError);
      expect((error as BackendError).status).toBe(status);
    });

    it('makes maxRetries + 1 attempts on network errors, then throws NetworkError', async () => {
      const scope = nock(AMS)
        .intercept(WM_PATH, method)
        .times(3)
        .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      const { events, onDebug } = debugRecorder();
      const error = await rejectionOf(amsCall(amsClient({ onDebug }), method));
      expect(error).toBeInstanceOf(NetworkError);
      expect((error as NetworkError).attempts).toBe(3);
      expect((error as NetworkError).message).toContain('(3 attempts)');
      expect(scope.isDone()).toBe(true);
      expect(events.filter((e) => e.type === 'request')).toHaveLength(3);
      expect(events.at(-1)).toMatchObject({ type: 'error', attempt: 3 });
    });

    it('returns the first success after transient failures', async () => {
      const wire = serve(AMS, method, WM_PATH, (attempt) =>
        attempt < 3 ? [attempt === 1 ? 502 : 503] : [200, { session_id: 's1', status: 'ok' }],
      );
      const data = await unwrap(amsCall(amsClient(), method));
      expect(data).toMatchObject({ session_id: 's1' });
      expect(wire.count).toBe(3);
    });

    it.each(NOT_RETRYABLE)('makes a single attempt on %i', async (status) => {
      const wire = serve(AMS, method, WM_PATH, () => [status, { detail: 'no' }]);
      const { events, onDebug } = debugRecorder();
      const result = await amsCall(amsClient({ onDebug }), method);
      expect(result.response.status).toBe(status);
      expect(wire.count).toBe(1);
      expect(retries(events)).toHaveLength(0);
    });
  });

  it('recovers from a network error', async () => {
    nock(AMS)
      .get('/v1/health')
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
      .get('/v1/health')
      .reply(200, { now: 1 });
    const { data } = await amsClient().GET('/v1/health');
    expect(data).toEqual({ now: 1 });
    expect(nock.isDone()).toBe(true);
  });

  it('names the network error code of a fetch failure in the retry event', async () => {
    // The shape undici gives: TypeError("fetch failed") with the socket error as its cause.
    const fetch = vi.fn(() =>
      Promise.reject(
        new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
            code: 'ECONNREFUSED',
          }),
        }),
      ),
    );
    const { events, onDebug } = debugRecorder();
    const error = await rejectionOf(amsClient({ fetch, onDebug }).GET('/v1/health'));
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(retries(events).map((e) => e.reason)).toEqual([
      'network: ECONNREFUSED',
      'network: ECONNREFUSED',
    ]);
    expect((error as NetworkError).message).toMatch(/GET \/v1\/health: ECONNREFUSED/);
  });

  it('uses the configured number of retries', async () => {
    const wire = serve(RAM, 'GET', `/v1/stores/${STORE}/session-memory/s1`, () => [503]);
    await ramClient({ retry: { maxRetries: 4, baseDelayMs: 1, maxDelayMs: 2 } }).GET(
      '/v1/stores/{storeId}/session-memory/{sessionId}',
      { params: { path: { sessionId: 's1' } } },
    );
    expect(wire.count).toBe(5);
  });

  it('retries managed DELETE and GET on the documented transient statuses', async () => {
    const uri = `/v1/stores/${STORE}/session-memory/s1`;
    const del = serve(RAM, 'DELETE', uri, (n) => (n === 1 ? [424] : [204]));
    const get = serve(RAM, 'GET', uri, (n) => (n === 1 ? [429] : [200, { events: [] }]));
    const ram = ramClient();
    const params = { path: { sessionId: 's1' } };
    expect(
      (await ram.DELETE('/v1/stores/{storeId}/session-memory/{sessionId}', { params })).response
        .status,
    ).toBe(204);
    expect(
      (await ram.GET('/v1/stores/{storeId}/session-memory/{sessionId}', { params })).data,
    ).toEqual({ events: [] });
    expect([del.count, get.count]).toEqual([2, 2]);
  });
});

describe('maxRetries 0', () => {
  it.each([503, 429, 408])('makes a single attempt on %i', async (status) => {
    const wire = serve(AMS, 'GET', WM_PATH, () => [status]);
    await amsCall(amsClient({ retry: { maxRetries: 0 } }), 'GET');
    expect(wire.count).toBe(1);
  });

  it('makes a single attempt on a network error', async () => {
    nock(AMS).get(WM_PATH).replyWithError(new Error('socket hang up'));
    const error = await rejectionOf(amsCall(amsClient({ retry: { maxRetries: 0 } }), 'GET'));
    expect((error as NetworkError).attempts).toBe(1);
    expect((error as NetworkError).message).not.toContain('attempts');
    expect(nock.isDone()).toBe(true);
  });
});

describe('POST and PATCH', () => {
  const EVENTS = `/v1/stores/${STORE}/session-memory/events`;

  it.each([503, 500, 429, 424, 408])('are not retried on %i', async (status) => {
    const wire = serve(RAM, 'POST', EVENTS, () => [status, {}]);
    const { response } = await ramClient().POST('/v1/stores/{storeId}/session-memory/events', {
      body: EVENT_BODY,
    });
    expect(response.status).toBe(status);
    expect(wire.count).toBe(1);
  });

  it('are not retried after a network error', async () => {
    nock(AMS).post('/v1/long-term-memory/search').replyWithError(new Error('socket hang up'));
    const error = await rejectionOf(
      amsClient().POST('/v1/long-term-memory/search', { body: { text: 'q' } }),
    );
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).attempts).toBe(1);
  });

  it('are retried when marked retry-safe, sending the same body every time', async () => {
    const wire = serve(RAM, 'POST', EVENTS, (n) => (n < 3 ? [503] : [201, { event: {} }]));
    const { response } = await ramClient().POST('/v1/stores/{storeId}/session-memory/events', {
      body: EVENT_BODY,
      headers: retrySafe,
    });
    expect(response.status).toBe(201);
    expect(wire.count).toBe(3);
    for (const request of wire.requests) expect(request.body).toEqual(EVENT_BODY);
  });

  it('are retried after a network error when marked retry-safe', async () => {
    nock(RAM)
      .post(EVENTS)
      .replyWithError(new Error('socket hang up'))
      .post(EVENTS, EVENT_BODY)
      .reply(201, { event: {} });
    const { response } = await ramClient().POST('/v1/stores/{storeId}/session-memory/events', {
      body: EVENT_BODY,
      headers: { ...retrySafe },
    });
    expect(response.status).toBe(201);
    expect(nock.isDone()).toBe(true);
  });

  it('PATCH is retried only when marked', async () => {
    const uri = `/v1/stores/${STORE}/long-term-memory/m1`;
    const wire = serve(RAM, 'PATCH', uri, () => [503]);
    const ram = ramClient();
    const init = { params: { path: { memoryId: 'm1' } }, body: { text: 'x' } };
    await ram.PATCH('/v1/stores/{storeId}/long-term-memory/{memoryId}', init);
    expect(wire.count).toBe(1);
    await ram.PATCH('/v1/stores/{storeId}/long-term-memory/{memoryId}', {
      ...init,
      headers: retrySafe,
    });
    expect(wire.count).toBe(1 + 3);
  });

  it('a marked POST is still not retried on a non-retryable status', async () => {
    const wire = serve(RAM, 'POST', EVENTS, () => [400, {}]);
    await ramClient().POST('/v1/stores/{storeId}/session-memory/events', {
      body: EVENT_BODY,
      headers: retrySafe,
    });
    expect(wire.count).toBe(1);
  });
});

describe('backoff as the client applies it', () => {
  it('waits floor(random * min(maxDelayMs, baseDelayMs * 2^n)) before retry n + 1', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.999);
    serve(AMS, 'GET', WM_PATH, () => [503]);
    const { events, onDebug } = debugRecorder();
    await amsCall(
      amsClient({ onDebug, retry: { maxRetries: 4, baseDelayMs: 2, maxDelayMs: 10 } }),
      'GET',
    );
    // Ceilings 2, 4, 8, then 16 capped at 10.
    expect(retries(events).map((e) => e.delayMs)).toEqual([1, 3, 7, 9]);
  });

  it('keeps each real, random delay within its ceiling', async () => {
    serve(AMS, 'GET', WM_PATH, () => [503]);
    const { events, onDebug } = debugRecorder();
    await amsCall(
      amsClient({ onDebug, retry: { maxRetries: 6, baseDelayMs: 1, maxDelayMs: 5 } }),
      'GET',
    );
    const delays = retries(events).map((e) => e.delayMs ?? -1);
    expect(delays).toHaveLength(6);
    delays.forEach((delay, n) => {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(5, 2 ** n));
    });
  });
});

describe('Retry-After', () => {
  /** Resolves with the first retry event; the client reports it before it starts waiting. */
  function firstRetry() {
    let resolve!: (event: DebugEvent) => void;
    const promise = new Promise<DebugEvent>((r) => (resolve = r));
    return {
      promise,
      onDebug: (event: DebugEvent) => {
        if (event.type === 'retry') resolve(event);
      },
    };
  }

  /** Lets the client schedule its wait (it runs on real I/O turns, not on faked timers). */
  async function untilWaiting(): Promise<void> {
    for (let i = 0; i < 100 && vi.getTimerCount() === 0; i++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(vi.getTimerCount()).toBeGreaterThan(0);
  }

  it('waits the given number of seconds before the next attempt', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const retry = firstRetry();
    nock(AMS).get('/v1/health').reply(503, {}, { 'Retry-After': '3' });
    const second = nock(AMS).get('/v1/health').reply(200, { now: 1 });
    const call = amsClient({ onDebug: retry.onDebug }).GET('/v1/health');
    expect((await retry.promise).delayMs).toBe(3_000);
    await untilWaiting();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(second.isDone()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await call).data).toEqual({ now: 1 });
    expect(second.isDone()).toBe(true);
  });

  it('waits until an HTTP date', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const retry = firstRetry();
    const at = new Date(Date.now() + 10_000).toUTCString();
    nock(RAM).get(`/v1/stores/${STORE}/session-memory/s1`).reply(429, {}, { 'Retry-After': at });
    const second = nock(RAM).get(`/v1/stores/${STORE}/session-memory/s1`).reply(200, {});
    const call = ramClient({ onDebug: retry.onDebug }).GET(
      '/v1/stores/{storeId}/session-memory/{sessionId}',
      { params: { path: { sessionId: 's1' } } },
    );
    const delayMs = (await retry.promise).delayMs ?? 0;
    // The date has whole seconds, so up to 1 s (plus the time taken so far) is lost.
    expect(delayMs).toBeGreaterThan(8_000);
    expect(delayMs).toBeLessThanOrEqual(10_000);
    await untilWaiting();
    await vi.advanceTimersByTimeAsync(delayMs - 1);
    expect(second.isDone()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await call).response.status).toBe(200);
  });

  it('replaces the backoff: Retry-After 0 retries at once even with long backoff', async () => {
    // Backoff would wait 0.9 * 60 s here; the test would time out if Retry-After were ignored.
    vi.spyOn(Math, 'random').mockReturnValue(0.9);
    const wire = serve(AMS, 'GET', WM_PATH, () => [503, {}, { 'Retry-After': '0' }]);
    const { events, onDebug } = debugRecorder();
    const result = await amsCall(
      amsClient({ onDebug, retry: { maxRetries: 2, baseDelayMs: 60_000, maxDelayMs: 60_000 } }),
      'GET',
    );
    expect(wire.count).toBe(3);
    expect(retries(events).map((e) => e.delayMs)).toEqual([0, 0]);
    const error = await rejectionOf(unwrap(Promise.resolve(result)));
    expect((error as BackendError).retryAfterMs).toBe(0);
  });

  it('waits a Retry-After equal to maxRetryAfterMs', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const retry = firstRetry();
    nock(AMS).get('/v1/health').reply(503, {}, { 'Retry-After': '2' });
    nock(AMS).get('/v1/health').reply(200, {});
    const call = amsClient({
      onDebug: retry.onDebug,
      retry: { maxRetries: 1, maxRetryAfterMs: 2_000 },
    }).GET('/v1/health');
    expect((await retry.promise).delayMs).toBe(2_000);
    await untilWaiting();
    await vi.advanceTimersByTimeAsync(2_000);
    expect((await call).response.status).toBe(200);
  });

  it('returns the error at once when Retry-After is longer than maxRetryAfterMs', async () => {
    const wire = serve(AMS, 'GET', WM_PATH, () => [
      429,
      { detail: 'slow down' },
      { 'Retry-After': '120' },
    ]);
    const { events, onDebug } = debugRecorder();
    const error = await rejectionOf(
      unwrap(
        amsCall(amsClient({ onDebug, retry: { ...FAST_RETRY, maxRetryAfterMs: 60_000 } }), 'GET'),
      ),
    );
    expect(wire.count).toBe(1);
    expect(retries(events)).toHaveLength(0);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).status).toBe(429);
    expect((error as BackendError).retryAfterMs).toBe(120_000);
  });

  it('falls back to backoff when the header cannot be read', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    serve(AMS, 'GET', WM_PATH, (n) => (n === 1 ? [503, {}, { 'Retry-After': 'soon' }] : [200, {}]));
    const { events, onDebug } = debugRecorder();
    await amsCall(amsClient({ onDebug, retry: { ...FAST_RETRY, baseDelayMs: 4 } }), 'GET');
    expect(retries(events).map((e) => e.delayMs)).toEqual([2]);
  });

  it('does not make a non-retryable status retryable, but is kept on the error', async () => {
    const wire = serve(AMS, 'GET', WM_PATH, () => [404, { detail: 'x' }, { 'Retry-After': '1' }]);
    const error = await rejectionOf(unwrap(amsCall(amsClient(), 'GET')));
    expect(wire.count).toBe(1);
    expect((error as BackendError).retryAfterMs).toBe(1_000);
  });
});
