/**
 * Section 4: throughput. 64 sessions appending 50 events each, all at once (each session's appends
 * in order, as a runner does). Connections are counted from undici's diagnostics channels on the
 * direct run, and by a loopback TCP proxy that counts the sockets it accepts (a second run).
 */
import type { Session } from '@google/adk';
import type { RedisSessionMemoryServiceConfig } from '../lib/library.js';
import { RedisSessionMemoryService } from '../lib/library.js';
import { ConnectionCounter } from '../lib/connections.js';
import { BACKENDS, BACKEND_LABEL, type BackendKey, type BenchEnv } from '../lib/env.js';
import { conversationEvent } from '../lib/events.js';
import { RUN_ID, pool } from '../lib/fixtures.js';
import { heading, note, progress, table, target } from '../lib/report.js';
import { int, ms, quantile } from '../lib/stats.js';
import { Recorder } from '../lib/recording-fetch.js';
import { startTcpProxy } from '../lib/tcp-proxy.js';

interface Connections {
  /** Called when the timed appends start. */
  start(): void;
  /** Connections opened since start. */
  opened(): number;
  /** Distinct connections that carried requests since start. */
  used(): number;
}

interface RunResult {
  events: number;
  wallMs: number;
  requests: number;
  latencies: number[];
  opened: number;
  used: number;
}

let runs = 0;

async function run(
  config: RedisSessionMemoryServiceConfig,
  sessions: number,
  eventsPerSession: number,
  connections: Connections,
): Promise<RunResult> {
  runs += 1;
  let requests = 0;
  const service = new RedisSessionMemoryService({
    ...config,
    fetch: (input, init) => {
      requests += 1;
      return fetch(input, init);
    },
  });
  const appName = `bench-tp-${RUN_ID}-${runs}`;
  const live: Session[] = [];
  await pool(
    Array.from({ length: sessions }, (_, i) => i),
    8,
    async (i) => {
      live[i] = await service.createSession({
        appName,
        userId: `tp-user-${i % 8}`,
        sessionId: `tp-${i}`,
      });
    },
  );
  requests = 0;
  connections.start();
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    live.map(async (session) => {
      for (let n = 0; n < eventsPerSession; n++) {
        const t0 = performance.now();
        await service.appendEvent({ session, event: conversationEvent(n) });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const wallMs = performance.now() - started;
  const result = {
    events: sessions * eventsPerSession,
    wallMs,
    requests,
    latencies,
    opened: connections.opened(),
    used: connections.used(),
  };
  await pool(live, 8, (session) =>
    service.deleteSession({ appName, userId: session.userId, sessionId: session.id }),
  );
  return result;
}

/**
 * The connection pattern of Node's fetch itself: `sessions` sequences of `perSequence` bare GETs of
 * one session document (the library's own request), all sequences at once.
 */
async function bareControl(
  env: BenchEnv,
  backend: BackendKey,
  sessions: number,
  perSequence: number,
  counter: ConnectionCounter,
): Promise<{ wallMs: number; requests: number; used: number; opened: number }> {
  const recorder = new Recorder('full');
  const service = env.service(backend, { fetch: recorder.fetch });
  const key = { appName: `bench-tp-${RUN_ID}-control`, userId: 'control', sessionId: 'control' };
  await service.createSession(key);
  recorder.take();
  await service.getSession(key);
  const get = recorder.take()[0]!;
  const baseUrl = env.baseUrl(backend);
  counter.resetUsed();
  const openedBefore = counter.openedTo(baseUrl);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: sessions }, async () => {
      for (let i = 0; i < perSequence; i++) {
        await (await fetch(get.url, { headers: get.headers })).arrayBuffer();
      }
    }),
  );
  const wallMs = performance.now() - started;
  const result = {
    wallMs,
    requests: sessions * perSequence,
    used: counter.usedTo(baseUrl),
    opened: counter.openedTo(baseUrl) - openedBefore,
  };
  await service.deleteSession(key);
  return result;
}

export async function throughput(
  env: BenchEnv,
  quick: boolean,
  backends: readonly BackendKey[] = BACKENDS,
): Promise<void> {
  heading('4. Throughput: 64 concurrent sessions × 50 appends');
  const sessions = 64;
  const perSession = quick ? 10 : 50;
  note(
    `${sessions} sessions created first (8 at a time, not timed), then each appends ${perSession} events in`,
    'order, all sessions at once. Connections during the timed appends: "used" = distinct',
    'connections that carried a request, "opened" = new ones (the pool may hold some from earlier),',
    "from undici's diagnostics channels on the direct run; the TCP proxy run (stale check only)",
    'counts the sockets it accepted and that sent data. The control row: the same number of',
    "sequences of bare fetches of one session document, to show what Node's fetch itself does.",
  );
  const counter = new ConnectionCounter();
  const rows: (string | number)[][] = [];
  try {
    for (const backend of backends) {
      for (const [mode, extra] of [
        ['stale check', {}],
        ['singleWriter', { singleWriter: true }],
      ] as const) {
        progress(`${backend}: ${mode}, direct`);
        const config = env.config(backend, extra);
        const baseUrl = env.baseUrl(backend);
        let openedBefore = 0;
        const direct = await run(config, sessions, perSession, {
          start: () => {
            counter.resetUsed();
            openedBefore = counter.openedTo(baseUrl);
          },
          opened: () => counter.openedTo(baseUrl) - openedBefore,
          used: () => counter.usedTo(baseUrl),
        });
        let proxied: RunResult | undefined;
        if (mode === 'stale check') {
          progress(`${backend}: ${mode}, through the TCP proxy`);
          const proxy = await startTcpProxy(baseUrl);
          try {
            proxied = await run({ ...config, apiBaseUrl: proxy.baseUrl }, sessions, perSession, {
              start: () => proxy.reset(),
              opened: () => proxy.accepted,
              used: () => proxy.used,
            });
          } finally {
            await proxy.stop();
          }
        }
        const eventsPerSecond = direct.events / (direct.wallMs / 1000);
        rows.push([
          BACKEND_LABEL[backend],
          mode,
          int(direct.events),
          ms(direct.wallMs),
          int(eventsPerSecond),
          int(direct.requests),
          ms(quantile(direct.latencies, 0.5)),
          ms(quantile(direct.latencies, 0.99)),
          `${int(direct.used)} / ${int(direct.opened)}`,
          (direct.requests / Math.max(1, direct.used)).toFixed(0),
          proxied ? `${int(proxied.used)} / ${int(proxied.opened)}` : '—',
          proxied ? int(proxied.events / (proxied.wallMs / 1000)) : '—',
        ]);
        // Reuse is the question, not a count: undici hands a socket back to its pool a tick after
        // the body is read, so a request issued at once after the previous one often takes a
        // second connection (the bare-fetch control row does the same). Without keep-alive every
        // request would open one: 1 request per connection.
        const perConnection = direct.requests / Math.max(1, direct.used);
        const proxiedPerConnection = proxied
          ? proxied.requests / Math.max(1, proxied.used)
          : Infinity;
        target({
          section: `4 throughput (${backend})`,
          target: `${mode}: connections reused (>= 2 requests per connection used)`,
          figure: `${int(eventsPerSecond)} events/s; ${int(direct.used)} connections used for ${int(direct.requests)} requests${proxied ? ` (proxy: ${int(proxied.used)} for ${int(proxied.requests)})` : ''}`,
          met: perConnection >= 2 && proxiedPerConnection >= 2,
        });
      }
      progress(`${backend}: bare fetch control`);
      const control = await bareControl(env, backend, sessions, 2 * perSession, counter);
      rows.push([
        BACKEND_LABEL[backend],
        'bare fetch (control)',
        '—',
        ms(control.wallMs),
        '—',
        int(control.requests),
        '—',
        '—',
        `${int(control.used)} / ${int(control.opened)}`,
        (control.requests / Math.max(1, control.used)).toFixed(0),
        '—',
        '—',
      ]);
    }
  } finally {
    counter.close();
  }
  table(
    [
      'backend',
      'mode',
      'events',
      'wall',
      'events/s',
      'requests',
      'append p50',
      'append p99',
      'connections used / opened',
      'requests/conn',
      'proxy: used / accepted',
      'proxy: events/s',
    ],
    rows,
  );
}
