/**
 * Secrets and tenancy on both backends.
 *
 * Secrets: with a distinctive API key / token, every failure path (401/403, 5xx after retries,
 * 429, timeouts, resets, refused connections, malformed and truncated bodies, servers echoing the
 * key back, config errors, stale / not-found / exists / collision errors, refused arguments,
 * oversize events, a custom fetch whose error quotes the headers) must keep the key out of the
 * error's message, `String()`, stack, `JSON.stringify`, `util.inspect` and its cause chain; out of
 * `util.inspect(service)` and `JSON.stringify(service)`; out of process warnings, console output
 * and `onDebug` events. A leak is any 12 consecutive characters of a secret.
 *
 * Tenancy: every AMS document GET and every DELETE carries `namespace` and `user_id`; user B can
 * never read, list or delete user A's session with the same app and session id (also when their
 * ids differ only in case, which AMS's index ignores).
 */
import { inspect, format } from 'node:util';
import { createEvent, createEventActions, type Session } from '@google/adk';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startMemoryServer, type RunningMemoryServer } from '../../scripts/lib/memory-server.js';
import {
  ConfigurationError,
  EventTooLargeError,
  InvalidArgumentError,
  MalformedResponseError,
  NetworkError,
  RedisSessionMemoryService,
  SessionAlreadyExistsError,
  SessionIdCollisionError,
  SessionNotFoundError,
  StaleSessionError,
  TimeoutError,
  createAgentMemoryServerClient,
  unwrap,
  type BackendError,
  type DebugEvent,
  type RedisSessionMemoryServiceConfig,
} from '../../src/index.js';
import {
  startChaosProxy,
  type ChaosProxy,
  type ProxiedRequest,
  type ScriptDecision,
} from '../support/chaos-proxy/index.js';
import { uniqueId } from '../support/ids.js';
import { amsBackend, describeError, startRamBackend, type BackendUnderTest } from './helpers.js';

const SECRET = 'sk-live-7f3c9e1d5b2a-DO-NOT-LEAK-4c6e8f0a1b3d';
const WRONG = 'sk-live-0b1d3e5f7a9c-DO-NOT-LEAK-wrong-2e4a6c8e';
const SECRETS = [SECRET, WRONG];
const WINDOW = 12;

/** The first window of a secret that `text` contains, or undefined. */
function leakIn(text: string): string | undefined {
  for (const secret of SECRETS) {
    for (let i = 0; i + WINDOW <= secret.length; i++) {
      const window = secret.slice(i, i + WINDOW);
      if (text.includes(window)) return window;
    }
  }
  return undefined;
}

/** Every text an error can show: its renderings and those of its whole cause chain. */
function renderings(error: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  for (let current: unknown = error; current !== undefined && !seen.has(current);) {
    seen.add(current);
    out.push(inspect(current, { depth: 10, showHidden: true }));
    let json: string;
    try {
      json = JSON.stringify(current) ?? '';
    } catch (e) {
      json = `JSON.stringify threw ${describeError(e)}`;
    }
    out.push(json);
    if (current instanceof Error) {
      out.push(String(current), current.message, current.stack ?? '');
      current = current.cause;
    } else {
      out.push(inspect(current));
      current = undefined;
    }
  }
  return out;
}

function expectNoLeak(what: string, value: unknown): void {
  for (const text of renderings(value)) {
    const leak = leakIn(text);
    expect(leak, `${what} shows "${leak}" in:\n${text.slice(0, 600)}`).toBeUndefined();
  }
}

/** Console output, process warnings and debug events, captured for the whole file. */
const captured: string[] = [];
const services: RedisSessionMemoryService[] = [];
const onDebug = (event: DebugEvent): void => {
  captured.push(`debug ${JSON.stringify(event)}`);
};
const onWarning = (warning: Error): void => {
  captured.push(`warning ${inspect(warning)}`);
};

beforeAll(() => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method].bind(console);
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      captured.push(`console.${method} ${format(...args)}`);
      original(...args);
    });
  }
  process.on('warning', onWarning);
});

afterAll(() => {
  process.off('warning', onWarning);
  vi.restoreAllMocks();
  expect(captured.some((line) => line.startsWith('debug '))).toBe(true);
  for (const line of captured) expect(leakIn(line), line.slice(0, 400)).toBeUndefined();
  for (const service of services) {
    expect(leakIn(inspect(service, { depth: 10, showHidden: true }))).toBeUndefined();
    expect(leakIn(JSON.stringify(service))).toBeUndefined();
  }
});

/** Every header of a request, as a custom fetch sees them. */
function headerList(init: HeadersInit | undefined): [string, string][] {
  const list: [string, string][] = [];
  new Headers(init).forEach((value, name) => list.push([name, value]));
  return list;
}

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

const event = (text = 'hello', delta: Record<string, unknown> = {}) =>
  createEvent({
    invocationId: 'inv',
    author: 'user',
    content: { role: 'user', parts: [{ text }] },
    actions: createEventActions({ stateDelta: delta }),
  });

interface SecretsRig {
  backend: BackendUnderTest;
  proxy: ChaosProxy;
  /** Decides every request until cleared (a fault, a scripted answer, or undefined to pass). */
  mode: ((request: ProxiedRequest) => ScriptDecision) | undefined;
  service(extra?: Partial<RedisSessionMemoryServiceConfig>): RedisSessionMemoryService;
}

async function secretsRig(backend: BackendUnderTest): Promise<SecretsRig> {
  const rig: SecretsRig = {
    backend,
    proxy: undefined as unknown as ChaosProxy,
    mode: undefined,
    service(extra = {}) {
      const service = backend.service(rig.proxy.url, {
        apiKey: SECRET,
        timeoutMs: 300,
        retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 1_000 },
        onDebug,
        ...extra,
      });
      services.push(service);
      return service;
    },
  };
  rig.proxy = await startChaosProxy({
    target: backend.target,
    record: true,
    script: (request) => rig.mode?.(request),
  });
  return rig;
}

/** A 401/403-style answer that quotes the credentials back, as a careless gateway might. */
function echoingAnswer(status: number, padding = 0): (request: ProxiedRequest) => ScriptDecision {
  return (request) => {
    const credentials = String(request.headers.authorization ?? request.headers['x-api-key']);
    return {
      respond: {
        status,
        statusText: `Denied ${credentials}`,
        headers: { 'www-authenticate': `Bearer error="invalid_token" ${credentials}` },
        body: {
          type: '/errors/authentication-failed',
          title: `Rejected ${credentials}`,
          status,
          detail: `${'x'.repeat(padding)}The key ${credentials} is not valid`,
          fields: [{ field: credentials, rule: 'key', message: `bad ${credentials}` }],
        },
      },
    };
  };
}

// ---- secrets --------------------------------------------------------------------------------------

function secretsSuite(
  name: 'ams' | 'ram',
  start: () => Promise<{
    backend: BackendUnderTest;
    wrongKey: () => RedisSessionMemoryService;
    stop?: () => Promise<void>;
  }>,
): void {
  describe(`secrets never leak: ${name === 'ams' ? 'Agent Memory Server' : 'Redis Agent Memory (fake)'}`, () => {
    let r: SecretsRig;
    let wrongKey: () => RedisSessionMemoryService;
    let stop: (() => Promise<void>) | undefined;
    const scope = () => ({ appName: uniqueId('secrets-app'), userId: uniqueId('secrets-user') });

    beforeAll(async () => {
      const started = await start();
      wrongKey = started.wrongKey;
      stop = started.stop;
      r = await secretsRig(started.backend);
    });
    afterAll(async () => {
      await r?.proxy.stop();
      await stop?.();
    });

    /** Drives a failure and checks the error; a known bug runs as an expected failure. */
    const driven = (
      label: string,
      run: () => Promise<unknown>,
      check?: (error: unknown) => void,
      knownBug?: string,
    ) =>
      (knownBug ? it.fails : it)(
        `${label}${knownBug ? ` [known bug: ${knownBug}]` : ''}`,
        async () => {
          const error = await failure(run).finally(() => {
            r.mode = undefined;
          });
          check?.(error);
          expectNoLeak(label, error);
        },
      );

    driven(
      'a wrong key: 401 from the backend',
      async () => {
        const service = wrongKey();
        services.push(service);
        await service.getSession({ ...scope(), sessionId: 's' });
      },
      (error) => expect((error as BackendError).status).toBe(401),
    );

    for (const status of [401, 403]) {
      driven(
        `a ${status} that echoes the key in its status text, title, detail and fields`,
        async () => {
          r.mode = echoingAnswer(status);
          await r.service().getSession({ ...scope(), sessionId: 's' });
        },
        (error) => expect((error as BackendError).status).toBe(status),
      );
    }

    driven(
      'an echoed key straddling the 500-character cut of a long detail',
      async () => {
        // The key starts 20 characters before the cut: a prefix of it survives truncation.
        r.mode = echoingAnswer(403, 500 - 'The key Bearer '.length - 20);
        await r.service().getSession({ ...scope(), sessionId: 's' });
      },
      (error) => expect((error as BackendError).status).toBe(403),
    );

    driven(
      '5xx after retries',
      async () => {
        r.mode = () => ({ kind: 'status5xx', phase: 'before', status: 503 });
        await r.service().createSession({ ...scope() });
      },
      (error) => expect((error as BackendError).status).toBe(503),
    );

    driven(
      '429 with a Retry-After longer than the client waits',
      async () => {
        r.mode = () => ({
          respond: {
            status: 429,
            headers: { 'retry-after': '3600' },
            body: { detail: 'slow down' },
          },
        });
        await r.service().listSessions({ ...scope() });
      },
      (error) => expect((error as BackendError).status).toBe(429),
    );

    driven(
      'timeouts',
      async () => {
        r.mode = () => ({ kind: 'timeout', phase: 'before' });
        await r.service().getSession({ ...scope(), sessionId: 's' });
      },
      (error) => expect(error).toBeInstanceOf(TimeoutError),
    );

    driven(
      'connection resets',
      async () => {
        r.mode = () => ({ kind: 'reset', phase: 'before' });
        await r.service().getSession({ ...scope(), sessionId: 's' });
      },
      (error) => expect(error).toBeInstanceOf(NetworkError),
    );

    driven(
      'a refused connection',
      async () => {
        const service = r.backend.service('http://127.0.0.1:9', {
          apiKey: SECRET,
          retry: { maxRetries: 0 },
          onDebug,
        });
        services.push(service);
        await service.getSession({ ...scope(), sessionId: 's' });
      },
      (error) => expect(error).toBeInstanceOf(NetworkError),
    );

    driven(
      'an HTML page with 200',
      async () => {
        r.mode = () => ({ kind: 'html200', phase: 'before' });
        await r.service().getSession({ ...scope(), sessionId: 's' });
      },
      (error) => expect(error).toBeInstanceOf(MalformedResponseError),
    );

    driven(
      'a truncated body',
      async () => {
        r.mode = () => ({ kind: 'truncate', phase: 'before' });
        await r.service().getSession({ ...scope(), sessionId: 's' });
      },
      (error) => expect(error).toBeInstanceOf(NetworkError),
    );

    driven(
      'a malformed 200 that quotes the key',
      async () => {
        r.mode = (request) => ({
          respond: {
            status: 200,
            body: { session_id: 5, events: 7, detail: String(request.headers.authorization) },
          },
        });
        await r.service().getSession({ ...scope(), sessionId: 's' });
      },
      (error) => expect(error).toBeInstanceOf(MalformedResponseError),
    );

    if (name === 'ram') {
      // Stored records whose ids quote the key (a hostile or broken server): the collision error
      // names the ids the records hold.
      driven(
        'stored records naming the key as their app and user',
        async () => {
          r.mode = (request) => {
            if (request.method !== 'GET' || !/session-memory\/[0-9a-f]{64}$/.test(request.path)) {
              return undefined;
            }
            const storageId = request.path.split('/').pop()!;
            const credentials = String(request.headers.authorization);
            const record = {
              eventId: 'f'.repeat(32),
              actorId: 'someone',
              sessionId: storageId,
              role: 'USER',
              content: [{ text: 't' }],
              createdAt: '2026-01-01T00:00:00Z',
              systemTimestamp: '2026-01-01T00:00:00Z',
              metadata: { app_name: credentials, user_id: credentials, adk_session_id: 's' },
            };
            return {
              respond: {
                status: 200,
                body: { sessionId: storageId, ownerId: 'someone', events: [record] },
              },
            };
          };
          await r.service().getSession({ ...scope(), sessionId: 's' });
        },
        (error) => expect(error).toBeInstanceOf(SessionIdCollisionError),
      );
    }

    it('config errors', () => {
      const configs: Record<string, unknown>[] = [
        { storeId: 'not a valid id!' },
        { apiKey: `${SECRET}\n` },
        { apiKey: `${SECRET}€` },
        { apiBaseUrl: `http://user:${SECRET}@127.0.0.1:8000` },
        { apiBaseUrl: `http://127.0.0.1:8000/?key=${SECRET}` },
        { api_key: SECRET },
        { timeout: -1 },
        { headers: { authorization: 5 } },
        { retry: { maxRetries: SECRET } },
      ];
      for (const config of configs) {
        let error: unknown;
        try {
          new RedisSessionMemoryService({
            ...r.backend.config(r.proxy.url, { apiKey: SECRET }),
            ...(config as RedisSessionMemoryServiceConfig),
          });
        } catch (e) {
          error = e;
        }
        expect(error, JSON.stringify(Object.keys(config))).toBeInstanceOf(ConfigurationError);
        expectNoLeak(`config ${Object.keys(config).join()}`, error);
      }
    });

    it('stale, not found, already exists and refused arguments', async () => {
      const service = r.service();
      const key = { ...scope(), sessionId: uniqueId('s') };
      const first = await service.createSession({ ...key, state: { token: SECRET } });
      const second = (await service.getSession(key))!;
      await service.appendEvent({ session: first, event: event('one', { token: SECRET }) });
      const stale = await failure(() => service.appendEvent({ session: second, event: event() }));
      expect(stale).toBeInstanceOf(StaleSessionError);
      const exists = await failure(() => service.createSession({ ...key }));
      expect(exists).toBeInstanceOf(SessionAlreadyExistsError);
      const refused = await failure(() =>
        service.appendEvent({ session: first, event: event('x', { token: SECRET, big: 1n }) }),
      );
      expect(refused).toBeInstanceOf(InvalidArgumentError);
      await service.deleteSession(key);
      const missing = await failure(() => service.appendEvent({ session: first, event: event() }));
      expect(missing).toBeInstanceOf(SessionNotFoundError);
      for (const error of [stale, exists, refused, missing]) expectNoLeak('session error', error);
    });

    if (name === 'ram') {
      it('collisions and oversize events', async () => {
        const service = r.service();
        const userId = uniqueId('user');
        const sessionId = uniqueId('s');
        await service.createSession({ appName: 'shared:app', userId, sessionId });
        const collision = await failure(() =>
          service.createSession({ appName: 'shared,app', userId, sessionId }),
        );
        expect(collision).toBeInstanceOf(SessionIdCollisionError);
        const session = await service.createSession({ ...scope() });
        const big = createEvent({
          author: 'user',
          // Over the default maxEventBytes (4 MiB).
          customMetadata: { blob: `${SECRET} `.repeat(100_000) },
        });
        const tooLarge = await failure(() => service.appendEvent({ session, event: big }));
        expect(tooLarge).toBeInstanceOf(EventTooLargeError);
        for (const error of [collision, tooLarge]) expectNoLeak('session error', error);
      });
    }

    driven(
      'a custom fetch whose error quotes the request headers',
      async () => {
        const service = r.service({
          retry: { maxRetries: 0 },
          fetch: (_input, init) =>
            Promise.reject(
              new Error(`cannot send with headers ${JSON.stringify(headerList(init?.headers))}`),
            ),
        });
        await service.getSession({ ...scope(), sessionId: 's' });
      },
      (error) => expect(error).toBeInstanceOf(NetworkError),
    );

    it('the service itself shows no secret', () => {
      const service = r.service();
      expect(leakIn(inspect(service, { depth: 10, showHidden: true }))).toBeUndefined();
      expect(leakIn(JSON.stringify(service))).toBeUndefined();
      expect(leakIn(Object.prototype.toString.call(service))).toBeUndefined();
    });
  });
}

secretsSuite('ams', async () => {
  // A wrong token gets a real 401 only from a server with token auth on: its own server, or
  // AMS_AUTH_BASE_URL (as the integration auth tests use).
  let server: RunningMemoryServer | undefined;
  let authUrl = process.env.AMS_AUTH_BASE_URL;
  if (!authUrl || !process.env.AMS_TOKEN) {
    server = await startMemoryServer({ auth: true });
    authUrl = server.baseUrl;
  }
  const backend = amsBackend(inject('amsBaseUrl'));
  return {
    backend,
    wrongKey: () => backend.service(authUrl, { apiKey: WRONG, retry: { maxRetries: 0 }, onDebug }),
    stop: () => server?.stop() ?? Promise.resolve(),
  };
});

secretsSuite('ram', async () => {
  const ram = await startRamBackend({ apiKey: SECRET });
  return {
    backend: ram,
    wrongKey: () => ram.service(ram.target, { apiKey: WRONG, retry: { maxRetries: 0 }, onDebug }),
    stop: () => ram.fake.stop(),
  };
});

// ---- tenancy ---------------------------------------------------------------------------------------

describe('AMS: every document GET and every DELETE names both namespace and user', () => {
  let proxy: ChaosProxy;
  let service: RedisSessionMemoryService;
  beforeAll(async () => {
    proxy = await startChaosProxy({ target: inject('amsBaseUrl'), record: true });
    service = amsBackend(proxy.url).service();
  });
  afterAll(() => proxy?.stop());

  /** Drives every operation with app and user state, then returns the document requests. */
  async function everyOperation(): Promise<
    { method: string; path: string; query: Record<string, string[]> }[]
  > {
    const mark = proxy.log.length;
    const appName = uniqueId('wire-app');
    const userId = uniqueId('wire-user');
    const session = await service.createSession({
      appName,
      userId,
      state: { own: 1, 'app:shared': 2, 'user:mine': 3 },
    });
    const key = { appName, userId, sessionId: session.id };
    await service.appendEvent({ session, event: event('hi', { 'app:shared': 3, 'user:mine': 4 }) });
    await service.getSession(key);
    await service.getSession({ ...key, sessionId: 'missing' });
    await service.listSessions({ appName, userId });
    await service.listSessions({ appName });
    await service.deleteSession(key);
    await service.deleteSession({ ...key, sessionId: 'missing' });
    return proxy.log.slice(mark);
  }

  it('session and user-state documents', async () => {
    const requests = await everyOperation();
    const documents = requests.filter(
      (q) =>
        (q.method === 'GET' || q.method === 'DELETE') &&
        q.path !== '/v1/working-memory/' &&
        !q.path.endsWith('/adk~app'),
    );
    expect(requests.some((q) => q.method === 'DELETE')).toBe(true);
    expect(documents.length).toBeGreaterThan(5);
    for (const q of documents) {
      expect(q.query.namespace?.length, `${q.method} ${q.path}`).toBe(1);
      expect(q.query.user_id?.length, `${q.method} ${q.path}`).toBe(1);
    }
  });

  // The app-state document has a reserved user id, so its reads name one too.
  it('the app-state document is read with namespace and user_id', async () => {
    const requests = await everyOperation();
    const appState = requests.filter((q) => q.method === 'GET' && q.path.endsWith('/adk~app'));
    expect(appState.length).toBeGreaterThan(0);
    for (const q of appState) expect(q.query.user_id?.length).toBe(1);
  });

  // Listing across users reads only sessions of users it knows (their user-state documents): a
  // session another client wrote for an unknown user would need a read without user_id, which AMS
  // resolves by session id alone, possibly in another tenant's scope. So it is not listed.
  it('listing an app across users never reads without user_id (a foreign session is not listed)', async () => {
    const appName = uniqueId('foreign-app');
    const ams = createAgentMemoryServerClient({ baseUrl: inject('amsBaseUrl') });
    await unwrap(
      ams.PUT('/v1/working-memory/{session_id}', {
        params: { path: { session_id: uniqueId('py-session') } },
        body: {
          namespace: appName,
          user_id: uniqueId('py-user'),
          messages: [{ role: 'user', content: 'written by another client' }],
        },
      }),
    );
    const mark = proxy.log.length;
    const listed = await service.listSessions({ appName });
    expect(listed.sessions).toHaveLength(0);
    const reads = proxy.log
      .slice(mark)
      .filter((q) => q.method === 'GET' && q.path !== '/v1/working-memory/');
    for (const q of reads) expect(q.query.user_id?.length, q.path).toBe(1);
  });

  it('listing names the user when one is given', async () => {
    const requests = await everyOperation();
    const lists = requests.filter((q) => q.path === '/v1/working-memory/');
    // One listing per call without a user id (the app's users) and per user: all in a namespace.
    for (const q of lists) expect(q.query.namespace?.length).toBe(1);
    expect(lists.some((q) => q.query.user_id?.length === 1)).toBe(true);
  });
});

function tenancySuite(
  name: 'ams' | 'ram',
  start: () => Promise<{ service: () => RedisSessionMemoryService; stop?: () => Promise<void> }>,
): void {
  describe(`tenancy: ${name === 'ams' ? 'Agent Memory Server' : 'Redis Agent Memory (fake)'}`, () => {
    let make: () => RedisSessionMemoryService;
    let stop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const started = await start();
      make = started.service;
      stop = started.stop;
    });
    afterAll(() => stop?.());

    it.each([
      ['different users', 'alice', 'bob'],
      ['users differing only in case', 'Alice', 'alice'],
      ['users differing in a character AMS cannot store', 'a:b', 'a,b'],
      ['a user and the same id encoded', 'x', 'adk~78'],
    ])('%s: B never reads, lists or deletes A’s session with the same id', async (_l, a, b) => {
      const service = make();
      const appName = uniqueId('tenancy-app');
      const sessionId = 'same-session-id';
      const userA = `${a}-${appName}`;
      const userB = `${b}-${appName}`;
      const alice: Session = await service.createSession({
        appName,
        userId: userA,
        sessionId,
        state: { owner: 'A', 'user:private': 'A' },
      });
      await service.appendEvent({ session: alice, event: event('A private text') });
      const aKey = { appName, userId: userA, sessionId };
      const bKey = { appName, userId: userB, sessionId };

      expect(await service.getSession(bKey)).toBeUndefined();
      expect((await service.listSessions({ appName, userId: userB })).sessions).toEqual([]);
      await service.deleteSession(bKey);
      const stillA = (await service.getSession(aKey))!;
      expect(stillA.state).toEqual({ owner: 'A', 'user:private': 'A' });
      expect(stillA.events).toHaveLength(1);

      // B's own session with the same id is B's alone; deleting it leaves A's.
      const bob = await service.createSession({ ...bKey, state: { owner: 'B' } });
      expect(bob.state).toEqual({ owner: 'B' });
      expect((await service.getSession(bKey))!.events).toEqual([]);
      const listedB = (await service.listSessions({ appName, userId: userB })).sessions;
      expect(listedB.map((s) => [s.userId, s.id])).toEqual([[userB, sessionId]]);
      await service.deleteSession(bKey);
      expect(await service.getSession(bKey)).toBeUndefined();
      expect((await service.getSession(aKey))!.state.owner).toBe('A');
      const all = (await service.listSessions({ appName })).sessions;
      expect(all.map((s) => [s.userId, s.id])).toEqual([[userA, sessionId]]);
    });
  });
}

tenancySuite('ams', () => {
  const backend = amsBackend(inject('amsBaseUrl'));
  return Promise.resolve({ service: () => backend.service() });
});
tenancySuite('ram', async () => {
  const ram = await startRamBackend();
  return { service: () => ram.service(), stop: () => ram.fake.stop() };
});
