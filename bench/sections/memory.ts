/**
 * Long-term memory: requests and time of RedisLongTermMemoryService's operations on a real AMS
 * (a `long-term-memory` profile server this section starts) and on the managed fake, and the
 * library's overhead on searchMemory: its own time and CPU per call (with none of its requests in
 * flight, bench/lib/own-time.ts), next to the whole call against a bare replay of its exchanges.
 */
import type { Session } from '@google/adk';
import {
  RedisLongTermMemoryService,
  type RedisLongTermMemoryServiceConfig,
} from '../../src/index.js';
import { startMemoryServer } from '../../scripts/lib/memory-server.js';
import { BACKEND_LABEL, type BackendKey, type BenchEnv } from '../lib/env.js';
import { turnEvent } from '../lib/events.js';
import { RUN_ID, freshId } from '../lib/fixtures.js';
import { OwnTime } from '../lib/own-time.js';
import { Recorder, waves, type Exchange } from '../lib/recording-fetch.js';
import { planReplay, replay } from '../lib/replay.js';
import { heading, note, progress, table, target } from '../lib/report.js';
import { median, ms, quantile } from '../lib/stats.js';

const SECTION = 'memory';

interface Row {
  operation: string;
  requests: number;
  waves: number;
  /** Records sent in create requests. */
  recordsSent: number;
  ms: number;
}

/** Records in the create requests of a capture (both APIs send `{memories: [...]}`). */
function recordsSent(exchanges: readonly Exchange[]): number {
  let count = 0;
  for (const exchange of exchanges) {
    if (exchange.method !== 'POST' || exchange.url.includes('/search') || !exchange.body) continue;
    const body = JSON.parse(new TextDecoder().decode(exchange.body)) as { memories?: unknown[] };
    count += body.memories?.length ?? 0;
  }
  return count;
}

async function measure(recorder: Recorder, operation: string, fn: () => Promise<unknown>) {
  recorder.take();
  const started = performance.now();
  await fn();
  const elapsed = performance.now() - started;
  const exchanges = recorder.take();
  return {
    operation,
    requests: exchanges.length,
    waves: waves(exchanges).length,
    recordsSent: recordsSent(exchanges),
    ms: elapsed,
  } satisfies Row;
}

function sessionOf(appName: string, userId: string, turns: number): Session {
  const events = Array.from({ length: turns * 2 }, (_, i) => turnEvent(i >> 1, (i % 2) as 0 | 1));
  return { id: freshId('mem'), appName, userId, state: {}, events, lastUpdateTime: 0 };
}

async function backendFigures(
  backend: BackendKey,
  config: RedisLongTermMemoryServiceConfig,
  quick: boolean,
): Promise<void> {
  const recorder = new Recorder('full');
  const service = new RedisLongTermMemoryService({ ...config, fetch: recorder.fetch });
  const unconfirmed = new RedisLongTermMemoryService({
    ...config,
    fetch: recorder.fetch,
    confirmWrites: false,
  });
  const appName = `bench-mem-${RUN_ID}`;
  const userId = freshId('user');
  const session = sessionOf(appName, userId, 50);
  const rows: Row[] = [];

  rows.push(
    await measure(recorder, 'addSessionToMemory, 100 events (first)', () =>
      service.addSessionToMemory(session),
    ),
  );
  session.events.push(turnEvent(50, 0), turnEvent(50, 1));
  const second = await measure(recorder, 'addSessionToMemory after one more turn (+2 events)', () =>
    service.addSessionToMemory(session),
  );
  rows.push(second);
  const search = await measure(recorder, 'searchMemory', () =>
    service.searchMemory({ appName, userId, query: 'flight to Paris aisle seat' }),
  );
  rows.push(search);
  const n = quick ? 200 : 1000;
  const memories = Array.from({ length: n }, (_, i) => `Bench memory ${i}: prefers option ${i}`);
  const ingest = await measure(recorder, `addMemory, ${n} memories`, () =>
    service.addMemory({ appName, userId: freshId('bulk'), memories }),
  );
  rows.push(ingest);
  if (backend === 'ams') {
    rows.push(
      await measure(recorder, `addMemory, ${n} memories (confirmWrites: false)`, () =>
        unconfirmed.addMemory({ appName, userId: freshId('bulk'), memories }),
      ),
    );
  }

  note(`\n### ${BACKEND_LABEL[backend]}`);
  table(
    ['operation', 'requests', 'waves', 'records sent', 'time'],
    rows.map((r) => [r.operation, r.requests, r.waves, r.recordsSent, ms(r.ms)]),
  );
  const label = BACKEND_LABEL[backend];
  target({
    section: SECTION,
    target: `${label}: a second addSessionToMemory of a grown session sends only the new events`,
    figure: `${second.recordsSent} records sent for 2 new events`,
    met: second.recordsSent === 2,
  });
  target({
    section: SECTION,
    target: `${label}: searchMemory in one request`,
    figure: `${search.requests} request(s)`,
    met: search.requests === 1,
  });
  if (backend === 'managed') {
    target({
      section: SECTION,
      target: `${label}: ingestion of ${n} memories in ⌈n/100⌉ = ${Math.ceil(n / 100)} requests`,
      figure: `${ingest.requests} requests`,
      met: ingest.requests === Math.ceil(n / 100),
    });
  }

  // Overhead of searchMemory. Two figures: the library's own time (with no request in flight;
  // see bench/lib/own-time.ts), which the target is read on, and the difference of medians against
  // a bare replay of the same exchanges, printed for context: on a loaded 2-vCPU machine the
  // server's own time varies by more than the figure sought. The timed service records through a
  // `light` recorder (references only, copied after the call): the `full` one above reads and
  // re-wraps every response inside the call, which a bare fetch does not.
  const light = new Recorder('light');
  const own = new OwnTime(light.fetch);
  const timedService = new RedisLongTermMemoryService({ ...config, fetch: own.fetch });
  const iterations = quick ? 30 : 200;
  const library: number[] = [];
  const raw: number[] = [];
  const ownMs: number[] = [];
  const ownCpuUs: number[] = [];
  let mismatches = 0;
  // The requests are built before the calls: the measured call holds the library's work only.
  const requests = Array.from({ length: 5 }, (_, i) => ({
    appName,
    userId,
    query: `aisle seat Paris ${i}`,
  }));
  for (let k = 0; k < iterations + 10; k++) {
    light.take();
    const request = requests[k % 5]!;
    const call = await own.measure(() => timedService.searchMemory(request));
    const plan = planReplay(light.take());
    const t1 = performance.now();
    const mismatched = await replay(plan);
    const rawMs = performance.now() - t1;
    if (k >= 10) {
      library.push(call.totalMs);
      raw.push(rawMs);
      ownMs.push(call.wallMs);
      ownCpuUs.push(call.cpuUs);
      mismatches += mismatched;
    }
  }
  const ownWall = median(ownMs);
  const ownCpu = median(ownCpuUs) / 1000;
  note(
    `searchMemory, ${iterations} calls: the library's own time ${ms(ownWall)} (p90 ${ms(quantile(ownMs, 0.9))}), its own CPU ${ms(ownCpu)} (p90 ${ms(quantile(ownCpuUs, 0.9) / 1000)}) per call;`,
    `whole call: library median ${ms(median(library))}, bare replay ${ms(median(raw))} (difference ${ms(median(library) - median(raw))}, server time included, so noisy)`,
  );
  if (mismatches > 0) {
    note(`WARNING: ${mismatches} bare replays got another status than the library's.`);
  }
  target({
    section: SECTION,
    target: `${label}: library overhead of searchMemory under 0.3 ms per call (own time and own CPU)`,
    figure: `${ms(ownWall)} own time, ${ms(ownCpu)} own CPU`,
    met: ownWall < 0.3 && ownCpu < 0.3,
  });
}

export async function memory(env: BenchEnv, quick: boolean): Promise<void> {
  heading('Long-term memory: requests, time and overhead of RedisLongTermMemoryService');
  note(
    'AMS runs the `long-term-memory` profile (loopback embeddings, no LLM), started by this section;',
    'the managed API is the fake. On AMS, writes are confirmed (confirmWrites: true) by filter',
    'listings of 100 records, or GETs by id for a few; a second row shows ingestion without it.',
    "searchMemory's overhead is the library's own time per call: wall time and process CPU while",
    'none of its requests is in flight (argument checks, request building, transport, body',
    'reading and parsing, owner checks, conversion), median of N after 10 warm-up calls.',
  );
  progress('starting an Agent Memory Server with the long-term-memory profile');
  const server = await startMemoryServer({
    profile: 'long-term-memory',
    log: (line) => progress(line),
  });
  try {
    await backendFigures(
      'ams',
      // A longer timeout bounds confirmation too: AMS embeds 1,000 records in the background.
      { backend: 'opensource-agent-memory', apiBaseUrl: server.baseUrl, timeout: 180 },
      quick,
    );
  } finally {
    await server.stop();
  }
  await backendFigures(
    'managed',
    {
      backend: 'redis-agent-memory',
      apiBaseUrl: env.fake.baseUrl,
      apiKey: env.fake.apiKey,
      storeId: env.fake.storeId,
    },
    quick,
  );
}
