/**
 * Section 5: the same workload through the Python adk-redis 0.0.10 and through this library, on
 * the same AMS in the same run, with ADK's InMemorySessionService (JS and Python) as the floor.
 * Workload: create a session, append 20 user + 20 agent text events, get it, list the user's
 * sessions, delete it. Requests are counted by an HTTP counting proxy in front of AMS (a separate,
 * untimed run per implementation); wall times are measured without the proxy.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { InMemorySessionService, type BaseSessionService } from '@google/adk';
import { RedisSessionMemoryService } from '../lib/library.js';
import type { BenchEnv } from '../lib/env.js';
import { textEvent } from '../lib/events.js';
import { RUN_ID } from '../lib/fixtures.js';
import { startHttpCountingProxy } from '../lib/http-proxy.js';
import { ensurePeerPython, PEER_DIR } from '../lib/python-env.js';
import { heading, note, progress, table, target } from '../lib/report.js';
import { median, ms, ratio } from '../lib/stats.js';

const TURNS = 20;

/** The workload, as bench/python/peer_workload.py runs it. */
async function workload(
  service: BaseSessionService,
  appName: string,
  userId: string,
  sessionId: string,
): Promise<number> {
  const started = performance.now();
  const session = await service.createSession({ appName, userId, sessionId });
  for (let turn = 0; turn < TURNS; turn++) {
    const invocation = `inv-${turn}`;
    await service.appendEvent({
      session,
      event: textEvent('user', 'user', `User message number ${turn}: plan the trip.`, invocation),
    });
    await service.appendEvent({
      session,
      event: textEvent(
        'planner',
        'model',
        `Agent answer number ${turn}: here is the plan.`,
        invocation,
      ),
    });
  }
  const loaded = await service.getSession({ appName, userId, sessionId });
  if (loaded?.events.length !== 2 * TURNS)
    throw new Error(`read back ${loaded?.events.length} events`);
  await service.listSessions({ appName, userId });
  await service.deleteSession({ appName, userId, sessionId });
  return performance.now() - started;
}

interface Measured {
  name: string;
  runs: number[];
  requests?: number;
  connections?: number;
  routes?: ReadonlyMap<string, number>;
}

async function measureJs(
  name: string,
  make: (baseUrl: string) => BaseSessionService,
  runs: number,
  amsBaseUrl: string,
  count: boolean,
): Promise<Measured> {
  const appName = `bench-peer-ts-${RUN_ID}`;
  const service = make(amsBaseUrl);
  const times: number[] = [];
  for (let run = 0; run <= runs; run++) {
    const ms = await workload(
      service,
      appName,
      'bench-user',
      `${name.replace(/\W+/g, '-')}-${run}`,
    );
    if (run > 0) times.push(ms); // run 0 is a warm-up
  }
  const result: Measured = { name, runs: times };
  if (count) {
    await counted(amsBaseUrl, result, (proxyUrl) =>
      workload(make(proxyUrl), appName, 'bench-user', `${name.replace(/\W+/g, '-')}-counted`),
    );
  }
  return result;
}

/** Runs `fn` once through a fresh counting proxy (a new origin: no pooled connections). */
async function counted(
  amsBaseUrl: string,
  into: Measured,
  fn: (proxyUrl: string) => Promise<unknown>,
): Promise<void> {
  const proxy = await startHttpCountingProxy(amsBaseUrl);
  try {
    await fn(proxy.baseUrl);
    into.requests = proxy.requests;
    into.connections = proxy.connections;
    into.routes = new Map(proxy.routes);
  } finally {
    await proxy.stop();
  }
}

function runPython(python: string, args: string[]): Promise<Record<string, number>[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(PEER_DIR, 'peer_workload.py'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONWARNINGS: 'ignore' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(
          new Error(
            `peer_workload.py exited with ${code}:\n${stderr.trim().split('\n').slice(-15).join('\n')}`,
          ),
        );
        return;
      }
      resolve(
        stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, number>),
      );
    });
  });
}

async function measurePython(
  python: string,
  backend: 'adk-redis' | 'in-memory',
  runs: number,
  amsBaseUrl: string,
  count: boolean,
): Promise<Measured> {
  const name =
    backend === 'adk-redis' ? 'Python adk-redis 0.0.10' : 'Python ADK InMemorySessionService';
  const common = [
    '--backend',
    backend,
    '--turns',
    String(TURNS),
    '--app',
    `bench-peer-py-${RUN_ID}`,
    '--user',
    'bench-user',
  ];
  const lines = await runPython(python, [
    ...common,
    '--base-url',
    amsBaseUrl,
    '--runs',
    String(runs + 1),
    '--prefix',
    `py-${backend}`,
  ]);
  const times = lines
    .filter((line) => line.seconds !== undefined && line.run !== 0)
    .map((line) => line.seconds! * 1000);
  const result: Measured = { name, runs: times };
  if (count) {
    await counted(amsBaseUrl, result, (proxyUrl) =>
      runPython(python, [
        ...common,
        '--base-url',
        proxyUrl,
        '--runs',
        '1',
        '--prefix',
        `py-${backend}-counted`,
      ]),
    );
  }
  return result;
}

export async function peer(env: BenchEnv, quick: boolean): Promise<void> {
  heading('5. Peer comparison: Python adk-redis 0.0.10 on the same AMS');
  const runs = quick ? 3 : 10;
  note(
    `Workload: createSession, ${TURNS} turns of a user and an agent text event (${2 * TURNS} appendEvent`,
    `calls), getSession, listSessions(userId), deleteSession. Median wall time of ${runs} runs after a`,
    'warm-up run, measured inside each process (interpreter start and imports excluded). Requests',
    'and client connections: one more run through an HTTP counting proxy. Each implementation uses',
    'its own app name on the same server.',
  );
  let python: string | undefined;
  try {
    python = ensurePeerPython(progress);
  } catch (error) {
    note(`\nSKIPPED the Python side: ${error instanceof Error ? error.message : String(error)}`);
  }
  const measured: Measured[] = [];
  {
    const ams = (extra: object) => (baseUrl: string) =>
      new RedisSessionMemoryService({
        backend: 'opensource-agent-memory',
        apiBaseUrl: baseUrl,
        ...extra,
      });
    progress('this library (stale check)');
    measured.push(await measureJs('adk-redis (this library)', ams({}), runs, env.amsBaseUrl, true));
    progress('this library (singleWriter)');
    measured.push(
      await measureJs(
        'adk-redis (this library, singleWriter)',
        ams({ singleWriter: true }),
        runs,
        env.amsBaseUrl,
        true,
      ),
    );
    progress('ADK InMemorySessionService (JS)');
    measured.push(
      await measureJs(
        'ADK InMemorySessionService (JS)',
        () => new InMemorySessionService(),
        runs,
        env.amsBaseUrl,
        false,
      ),
    );
    if (python) {
      try {
        progress('Python adk-redis 0.0.10');
        measured.push(await measurePython(python, 'adk-redis', runs, env.amsBaseUrl, true));
        progress('Python InMemorySessionService');
        measured.push(await measurePython(python, 'in-memory', runs, env.amsBaseUrl, false));
      } catch (error) {
        note(
          `\nSKIPPED the Python side: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
  const pythonPeer = measured.find((m) => m.name.startsWith('Python adk-redis'));
  table(
    [
      'implementation',
      'wall p50',
      'min',
      'max',
      'requests',
      'client connections',
      'Python adk-redis time ÷ this',
    ],
    measured.map((m) => [
      m.name,
      ms(median(m.runs)),
      ms(Math.min(...m.runs)),
      ms(Math.max(...m.runs)),
      m.requests ?? '—',
      m.connections ?? '—',
      pythonPeer ? ratio(median(pythonPeer.runs) / median(m.runs)) : '—',
    ]),
  );
  note('');
  for (const m of measured.filter((x) => x.routes)) {
    note(`${m.name}: ${[...m.routes!].map(([route, count]) => `${route} ×${count}`).join(', ')}`);
  }
  const ours = measured[0]!;
  target({
    section: '5 peer',
    target: 'this library >= 2× faster end to end than Python adk-redis 0.0.10',
    figure: pythonPeer
      ? `${ratio(median(pythonPeer.runs) / median(ours.runs))} (${ms(median(ours.runs))} vs ${ms(median(pythonPeer.runs))})`
      : 'Python side skipped',
    met: pythonPeer ? median(pythonPeer.runs) / median(ours.runs) >= 2 : undefined,
  });
}
