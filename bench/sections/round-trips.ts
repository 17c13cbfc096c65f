/**
 * Section 1: HTTP requests and sequential waves per ADK operation, counted by a recording `fetch`
 * given to the service. A wave is a group of requests in flight together; waves run one after
 * another, so waves × server latency is the floor of each operation's latency.
 */
import type { Session } from '@google/adk';
import { BACKENDS, BACKEND_LABEL, type BackendKey, type BenchEnv } from '../lib/env.js';
import { conversationEvent, userStateEvent } from '../lib/events.js';
import { RUN_ID, appendConversation, freshId, listFixture } from '../lib/fixtures.js';
import { Recorder, describeWaves, waves, type Exchange } from '../lib/recording-fetch.js';
import { heading, note, table, target, verdict } from '../lib/report.js';
import { bytes, ms, sum } from '../lib/stats.js';

interface Row {
  operation: string;
  exchanges: Exchange[];
  ms: number;
  /** The target for this row, and whether the figures meet it. */
  target?: { text: string; met: (requests: number, waves: number) => boolean };
}

async function measure(
  recorder: Recorder,
  operation: string,
  fn: () => Promise<unknown>,
  targetSpec?: Row['target'],
): Promise<Row> {
  recorder.take();
  const started = performance.now();
  await fn();
  const elapsed = performance.now() - started;
  return {
    operation,
    exchanges: recorder.take(),
    ms: elapsed,
    ...(targetSpec ? { target: targetSpec } : {}),
  };
}

async function backendRows(env: BenchEnv, backend: BackendKey): Promise<Row[]> {
  const recorder = new Recorder('full');
  const service = env.service(backend, { fetch: recorder.fetch });
  const single = env.service(backend, { fetch: recorder.fetch, singleWriter: true });
  const appName = `bench-rt-${RUN_ID}`;
  const userId = 'rt-user';
  const rows: Row[] = [];

  rows.push(
    await measure(recorder, 'createSession (first of the user)', () =>
      service.createSession({ appName, userId, sessionId: freshId('rt') }),
    ),
  );
  let session!: Session;
  rows.push(
    await measure(
      recorder,
      'createSession',
      async () => {
        session = await service.createSession({ appName, userId, sessionId: freshId('rt') });
      },
      { text: '<= 2 waves', met: (_r, w) => w <= 2 },
    ),
  );
  await appendConversation(service, session, 10);
  rows.push(
    await measure(
      recorder,
      'getSession (10 events)',
      async () => {
        session = (await service.getSession({ appName, userId, sessionId: session.id }))!;
      },
      { text: '1 wave', met: (_r, w) => w === 1 },
    ),
  );
  rows.push(
    await measure(
      recorder,
      'appendEvent (stale check)',
      () => service.appendEvent({ session, event: conversationEvent(session.events.length) }),
      { text: '2 requests (read, write)', met: (r) => r === 2 },
    ),
  );
  rows.push(
    await measure(recorder, 'appendEvent + user: state change', () =>
      service.appendEvent({ session, event: userStateEvent(session.events.length) }),
    ),
  );
  // Single writer: load through the single-writer service, append once, measure the next append.
  let mine = (await single.getSession({ appName, userId, sessionId: session.id }))!;
  await single.appendEvent({ session: mine, event: conversationEvent(mine.events.length) });
  rows.push(
    await measure(
      recorder,
      'appendEvent (singleWriter)',
      () => single.appendEvent({ session: mine, event: conversationEvent(mine.events.length) }),
      { text: '1 request', met: (r) => r === 1 },
    ),
  );
  mine = (await single.getSession({ appName, userId, sessionId: session.id }))!;
  rows.push(
    await measure(recorder, 'appendEvent (singleWriter, right after getSession)', () =>
      single.appendEvent({ session: mine, event: conversationEvent(mine.events.length) }),
    ),
  );

  recorder.enabled = false;
  const list = await listFixture(env, backend);
  recorder.enabled = true;
  rows.push(
    await measure(recorder, 'listSessions (userId, 100 sessions)', () =>
      service.listSessions({ appName: list.appName, userId: list.userId }),
    ),
  );
  rows.push(
    await measure(recorder, 'listSessions (all users, 100 sessions)', () =>
      service.listSessions({ appName: list.appName }),
    ),
  );
  rows.push(
    await measure(recorder, 'deleteSession', () =>
      service.deleteSession({ appName, userId, sessionId: session.id }),
    ),
  );
  rows.push(
    await measure(recorder, 'getSession (missing)', () =>
      service.getSession({ appName, userId, sessionId: session.id }),
    ),
  );
  return rows;
}

export async function roundTrips(
  env: BenchEnv,
  backends: readonly BackendKey[] = BACKENDS,
): Promise<void> {
  heading('1. Round trips per ADK operation');
  note(
    "Counted with a recording `fetch` passed as the service's `fetch` option. A wave is a set of",
    'requests in flight together; "shape" lists the waves in order. Time is one run, for scale only.',
  );
  for (const backend of backends) {
    const rows = await backendRows(env, backend);
    note(`\n### ${BACKEND_LABEL[backend]}`);
    table(
      ['operation', 'requests', 'waves', 'shape', 'sent', 'received', 'time', 'target', 'verdict'],
      rows.map((row) => {
        const requests = row.exchanges.length;
        const waveCount = waves(row.exchanges).length;
        const met = row.target?.met(requests, waveCount);
        if (row.target) {
          target({
            section: `1 round trips (${backend})`,
            target: `${row.operation}: ${row.target.text}`,
            figure: `${requests} requests, ${waveCount} waves`,
            met,
          });
        }
        return [
          row.operation,
          requests,
          waveCount,
          describeWaves(row.exchanges) || '—',
          bytes(sum(row.exchanges.map((e) => e.bytesSent))),
          bytes(sum(row.exchanges.map((e) => e.bytesReceived))),
          ms(row.ms),
          row.target?.text ?? '—',
          row.target ? verdict(met) : '',
        ];
      }),
    );
  }
}
