/**
 * Secrets (the AMS token, the managed API key, secret headers) never show in an error (message,
 * stack, JSON, util.inspect, String), in the client object, or in a debug event, even when the
 * server echoes them back. Every test first proves the secret really was sent, and where the
 * server echoes it, that the echo reached the client and was redacted, so each test can fail.
 */
import util from 'node:util';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  BackendError,
  MalformedResponseError,
  NetworkError,
  TimeoutError,
  unwrap,
} from '../../../src/clients/index.js';
import { REDACTED } from '../../../src/clients/redact.js';
import {
  AMS,
  EVENT_BODY,
  RAM,
  STORE,
  Wire,
  amsClient,
  debugRecorder,
  problem,
  ramClient,
  rejectionOf,
  useNock,
} from './helpers.js';

useNock();

const TOKEN = 'ams-tok-7Hq2ZpX9vL4mN8rT';
const KEY = 'ram-key-Q3wE5rT7yU9iO1pA';
const SESSION = `/v1/stores/${STORE}/session-memory/s1`;

/** Every way an error is commonly turned into text. */
function renderings(error: unknown): Record<string, string> {
  const e = error as Error;
  return {
    message: e.message,
    stack: String(e.stack),
    json: JSON.stringify(e),
    string: String(e),
    inspect: util.inspect(e, { depth: Infinity, showHidden: true }),
    format: util.format('%o', e),
  };
}

function expectAbsent(secret: string, texts: Record<string, string>): void {
  for (const [name, text] of Object.entries(texts)) {
    expect(text, `${name} leaks the secret`).not.toContain(secret);
  }
}

function expectErrorClean(error: unknown, ...secrets: string[]): void {
  for (const secret of secrets) expectAbsent(secret, renderings(error));
}

function getSession(options: Parameters<typeof ramClient>[0]) {
  return ramClient(options).GET('/v1/stores/{storeId}/session-memory/{sessionId}', {
    params: { path: { sessionId: 's1' } },
  });
}

describe('the leak check itself', () => {
  it('fails when a secret is present in any rendering', () => {
    expect(() => expectErrorClean(new Error(`bad ${TOKEN}`), TOKEN)).toThrow();
    const error = new Error('clean', { cause: new Error(`inner ${TOKEN}`) });
    expect(() => expectErrorClean(error, TOKEN)).toThrow(/inspect leaks/);
    const withField = Object.assign(new Error('clean'), { detail: TOKEN });
    expect(() => expectErrorClean(withField, TOKEN)).toThrow(/json leaks/);
  });
});

describe('Agent Memory Server token', () => {
  it('is sent, but a 401 that echoes it does not leak it', async () => {
    const wire = new Wire();
    nock(AMS)
      .get('/v1/working-memory/s1')
      .reply(
        wire.reply(() => [
          401,
          { detail: `Invalid token: Bearer ${TOKEN} (token ${TOKEN} unknown)` },
          { 'WWW-Authenticate': 'Bearer' },
        ]),
      );
    const { events, onDebug } = debugRecorder();
    const error = await rejectionOf(
      unwrap(
        amsClient({ token: TOKEN, onDebug }).GET('/v1/working-memory/{session_id}', {
          params: { path: { session_id: 's1' } },
        }),
      ),
    );
    expect(wire.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(error).toBeInstanceOf(BackendError);
    expect((error as BackendError).detail).toBe(
      `Invalid token: ${REDACTED} (token ${REDACTED} unknown)`,
    );
    expectErrorClean(error, TOKEN);
    expectAbsent(TOKEN, { events: JSON.stringify(events) });
  });

  it('does not leak through a 422 whose field errors quote it', async () => {
    nock(AMS)
      .put('/v1/working-memory/s1')
      .reply(422, {
        detail: [
          {
            type: 'value_error',
            loc: ['header', `authorization=${TOKEN}`],
            msg: `Value error, ${TOKEN} is not allowed`,
            input: TOKEN,
          },
        ],
      });
    const error = await rejectionOf(
      unwrap(
        amsClient({ token: TOKEN }).PUT('/v1/working-memory/{session_id}', {
          params: { path: { session_id: 's1' } },
          body: {},
        }),
      ),
    );
    expect((error as BackendError).fields).toEqual([
      {
        field: `header.authorization=${REDACTED}`,
        message: `Value error, ${REDACTED} is not allowed`,
        rule: 'value_error',
      },
    ]);
    expectErrorClean(error, TOKEN);
  });

  it('does not leak through an HTML error page that shows it, on every retry', async () => {
    const page = `<html><head><title>Bad gateway for ${TOKEN}</title></head><body>${TOKEN}</body></html>`;
    const scope = nock(AMS).get('/v1/health').times(3).reply(502, page);
    const { events, onDebug } = debugRecorder();
    const error = await rejectionOf(unwrap(amsClient({ token: TOKEN, onDebug }).GET('/v1/health')));
    expect(scope.isDone()).toBe(true);
    expect((error as BackendError).detail).toBe(`Bad gateway for ${REDACTED} ${REDACTED}`);
    expectErrorClean(error, TOKEN);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(2);
    expectAbsent(TOKEN, { events: JSON.stringify(events) });
  });

  it('does not leak through a 2xx body that is not JSON and quotes it', async () => {
    // JSON.parse's SyntaxError quotes the start of the body; it must not ride along as the cause.
    nock(AMS).get('/v1/health').reply(200, `${TOKEN} accepted`);
    const error = await rejectionOf(amsClient({ token: TOKEN }).GET('/v1/health'));
    expect(error).toBeInstanceOf(MalformedResponseError);
    expectErrorClean(error, TOKEN, TOKEN.slice(0, 10));
  });

  it('does not leak through the reason phrase', async () => {
    const fetch = () =>
      Promise.resolve(new Response('', { status: 401, statusText: `Token ${TOKEN} revoked` }));
    const error = await rejectionOf(unwrap(amsClient({ token: TOKEN, fetch }).GET('/v1/health')));
    expect((error as BackendError).title).toBe(`Token ${REDACTED} revoked`);
    expectErrorClean(error, TOKEN);
  });

  it('does not leak through a network error of a fetch that quotes the headers', async () => {
    const sent: string[] = [];
    const fetch = (_input: string | URL | Request, init?: RequestInit) => {
      const auth = new Headers(init?.headers).get('authorization') ?? '';
      sent.push(auth);
      return Promise.reject(
        Object.assign(new TypeError(`proxy refused request with Authorization: ${auth}`), {
          cause: Object.assign(new Error(`upstream said ${TOKEN}`), { header: auth }),
          options: { headers: { authorization: auth } },
        }),
      );
    };
    const { events, onDebug } = debugRecorder();
    const error = await rejectionOf(amsClient({ token: TOKEN, fetch, onDebug }).GET('/v1/health'));
    expect(sent).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toContain(REDACTED);
    expectErrorClean(error, TOKEN);
    expectAbsent(TOKEN, { events: JSON.stringify(events) });
    expect(JSON.stringify(events)).toContain(REDACTED);
  });

  it('keeps the cause of a network error that holds no secret', async () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const fetch = () => Promise.reject(new TypeError('fetch failed', { cause }));
    const error = await rejectionOf(
      amsClient({ token: TOKEN, fetch, retry: { maxRetries: 0 } }).GET('/v1/health'),
    );
    expect(((error as NetworkError).cause as Error).cause).toBe(cause);
  });

  it('does not leak through a timeout', async () => {
    const wire = new Wire();
    nock(AMS)
      .get('/v1/health')
      .delay(300)
      .reply(wire.reply(() => [200, {}]));
    const error = await rejectionOf(
      amsClient({ token: TOKEN, timeoutMs: 20, retry: { maxRetries: 0 } }).GET('/v1/health'),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(wire.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expectErrorClean(error, TOKEN);
  });
});

describe('managed API key', () => {
  it('is sent as a Bearer token, but a problem that echoes it does not leak it', async () => {
    const wire = new Wire();
    nock(RAM)
      .get(SESSION)
      .reply(
        wire.reply(() => [
          401,
          problem(
            401,
            `/errors/authentication-failed/${KEY}`,
            `Authentication failed for ${KEY}`,
            `API key Bearer ${KEY} is not valid for store ${STORE}`,
            { instance: KEY },
          ),
        ]),
      );
    const { events, onDebug } = debugRecorder();
    const error = await rejectionOf(unwrap(getSession({ apiKey: KEY, onDebug })));
    expect(wire.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(error).toMatchObject({
      type: `/errors/authentication-failed/${REDACTED}`,
      title: `Authentication failed for ${REDACTED}`,
    });
    expectErrorClean(error, KEY);
    expectAbsent(KEY, { events: JSON.stringify(events) });
  });

  it('is sent as X-Api-Key, and 400 field errors that echo it do not leak it', async () => {
    const wire = new Wire();
    nock(RAM)
      .post(`/v1/stores/${STORE}/session-memory/events`)
      .reply(
        wire.reply(() => [
          400,
          problem(400, '/errors/invalid-data', 'Invalid data', undefined, {
            fields: [{ field: KEY, rule: 'pattern', message: `x-api-key ${KEY} rejected` }],
          }),
        ]),
      );
    const error = await rejectionOf(
      unwrap(
        ramClient({ apiKey: KEY, apiKeyHeader: 'x-api-key' }).POST(
          '/v1/stores/{storeId}/session-memory/events',
          { body: EVENT_BODY },
        ),
      ),
    );
    expect(wire.requests[0]?.headers['x-api-key']).toBe(KEY);
    expect((error as BackendError).fields).toEqual([
      { field: REDACTED, rule: 'pattern', message: `x-api-key ${REDACTED} rejected` },
    ]);
    expectErrorClean(error, KEY);
  });

  it('does not leak through a plain-text WAF page', async () => {
    nock(RAM).get(SESSION).reply(403, `Request blocked. Key: ${KEY}`);
    const error = await rejectionOf(unwrap(getSession({ apiKey: KEY })));
    expect((error as BackendError).detail).toBe(`Request blocked. Key: ${REDACTED}`);
    expectErrorClean(error, KEY);
  });
});

describe('secrets in the headers option', () => {
  it('redacts a bare token echoed back when Authorization is given as a header', async () => {
    const wire = new Wire();
    nock(AMS)
      .get('/v1/health')
      .reply(wire.reply(() => [401, { detail: `Invalid token ${TOKEN}` }]));
    const error = await rejectionOf(
      unwrap(amsClient({ headers: { Authorization: `Bearer ${TOKEN}` } }).GET('/v1/health')),
    );
    expect(wire.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect((error as BackendError).detail).toBe(`Invalid token ${REDACTED}`);
    expectErrorClean(error, TOKEN);
  });

  it.each(['X-Api-Key', 'Cookie', 'Proxy-Authorization'])(
    'redacts the value of a %s header echoed back',
    async (name) => {
      const value = `${name.toLowerCase()}-value-${KEY}`;
      const wire = new Wire();
      nock(RAM)
        .get(SESSION)
        .reply(wire.reply(() => [500, problem(500, '/errors/unexpected-error', 'x', value)]));
      const { events, onDebug } = debugRecorder();
      const error = await rejectionOf(
        unwrap(getSession({ headers: { [name]: value }, retry: { maxRetries: 0 }, onDebug })),
      );
      expect(wire.requests[0]?.headers[name.toLowerCase()]).toBe(value);
      expect((error as BackendError).detail).toBe(REDACTED);
      expectErrorClean(error, value);
      expectAbsent(value, { events: JSON.stringify(events) });
    },
  );
});

describe('the client object', () => {
  it('does not show the token or the key when inspected or serialised', async () => {
    const wire = new Wire();
    nock(AMS)
      .get('/v1/health')
      .reply(wire.reply(() => [200, {}]));
    nock(RAM)
      .get('/health')
      .reply(wire.reply(() => [200, {}]));
    const ams = amsClient({ token: TOKEN, headers: { cookie: `c-${KEY}` } });
    const ram = ramClient({ apiKey: KEY });
    await ams.GET('/v1/health');
    await ram.GET('/health');
    expect(wire.requests.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${TOKEN}`,
      `Bearer ${KEY}`,
    ]);
    for (const client of [ams, ram]) {
      const texts = {
        inspect: util.inspect(client, { depth: Infinity, showHidden: true }),
        json: JSON.stringify(client) ?? '',
        keys: JSON.stringify(Object.entries(client).map(([k, v]) => [k, String(v)])),
      };
      expectAbsent(TOKEN, texts);
      expectAbsent(KEY, texts);
    }
  });
});
