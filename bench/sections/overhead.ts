/**
 * Section 2: library overhead. Each operation is timed through the library, then the exact HTTP
 * exchanges it made (captured by a recording fetch) are replayed with a bare `fetch`, wave by wave,
 * on a twin session in the same state (same methods, paths, bodies; twin ids of the same length).
 * Library and bare runs alternate on the same server; the ratio of their medians is the overhead.
 */
import type { Session } from '@google/adk';
import type { RedisSessionMemoryService } from '../../src/index.js';
import { BACKENDS, BACKEND_LABEL, type BackendKey, type BenchEnv } from '../lib/env.js';
import { conversationEvent } from '../lib/events.js';
import { RUN_ID, appendConversation, listFixture } from '../lib/fixtures.js';
import { Recorder } from '../lib/recording-fetch.js';
import { managedStorageId, planReplay, replay } from '../lib/replay.js';
import { heading, note, progress, table, target, verdict } from '../lib/report.js';
import { median, ms, quantile, ratio } from '../lib/stats.js';

const TARGET = 1.1;

interface Iteration {
  /** The timed library call. */
  library: () => Promise<unknown>;
  /** Ids to rewrite in the replay (the twin's). */
  substitutions: [string, string][];
}

interface Operation {
  name: string;
  iterations: number;
  warmup: number;
  next: (k: number) => Iteration | Promise<Iteration>;
}

interface Result {
  name: string;
  n: number;
  library: number[];
  raw: number[];
  requests: number;
  mismatches: number;
}

async function runOperation(recorder: Recorder, op: Operation): Promise<Result> {
  const result: Result = {
    name: op.name,
    n: op.iterations,
    library: [],
    raw: [],
    requests: 0,
    mismatches: 0,
  };
  for (let k = 0; k < op.warmup + op.iterations; k++) {
    const iteration = await op.next(k);
    recorder.take();
    const t0 = performance.now();
    await iteration.library();
    const libraryMs = performance.now() - t0;
    const exchanges = recorder.take();
    const plan = planReplay(exchanges, iteration.substitutions);
    const t1 = performance.now();
    const mismatches = await replay(plan);
    const rawMs = performance.now() - t1;
    if (k >= op.warmup) {
      result.library.push(libraryMs);
      result.raw.push(rawMs);
      result.requests = exchanges.length;
      result.mismatches += mismatches;
    }
  }
  return result;
}

export async function overhead(
  env: BenchEnv,
  quick: boolean,
  backends: readonly BackendKey[] = BACKENDS,
): Promise<void> {
  heading('2. Library overhead: the library against a bare fetch doing the same HTTP exchanges');
  const n = quick ? 30 : 200;
  const nList = quick ? 5 : 30;
  note(
    'Median of N timed iterations after warm-up; library and bare-fetch runs alternate. The bare',
    "fetch replays the library's own requests (captured per iteration) wave by wave, as many at once",
    'as the library had in flight, and reads each body to the end without parsing it.',
    `"extra" = library median − bare median. Target: ratio <= ${TARGET}.`,
  );
  for (const backend of backends) {
    const recorder = new Recorder('light');
    const service = env.service(backend, { fetch: recorder.fetch });
    const single = env.service(backend, { fetch: recorder.fetch, singleWriter: true });
    const appName = `bench-ovh-${RUN_ID}`;
    const userId = 'ovh-user';
    let pairs = 0;
    const twin = (a: string, b: string): [string, string][] =>
      backend === 'managed'
        ? [
            [managedStorageId(appName, userId, a), managedStorageId(appName, userId, b)],
            [a, b],
          ]
        : [[a, b]];
    /** Two sessions alike but for their ids, created (untimed) through `through`. */
    const makePair = async (through: RedisSessionMemoryService, events: number) => {
      pairs += 1;
      const suffix = `${RUN_ID}-${String(pairs).padStart(6, '0')}`;
      const [a, b] = [`ovA-${suffix}`, `ovB-${suffix}`];
      recorder.enabled = false;
      const sessions: Session[] = [];
      for (const id of [a, b]) {
        const session = await through.createSession({ appName, userId, sessionId: id });
        await appendConversation(through, session, events);
        sessions.push(session);
      }
      recorder.enabled = true;
      return { a, b, live: sessions[0]! };
    };

    progress(`${backend}: preparing`);
    recorder.enabled = false;
    const fixed = await service.createSession({ appName, userId, sessionId: `ovG-${RUN_ID}` });
    await appendConversation(service, fixed, 10);
    const list = await listFixture(env, backend);
    recorder.enabled = true;

    const appendOp = (name: string, through: RedisSessionMemoryService): Operation => {
      let current: Awaited<ReturnType<typeof makePair>> | undefined;
      return {
        name,
        iterations: n,
        warmup: 10,
        next: async (k) => {
          // A new pair every 10 appends keeps sessions at 2–11 events.
          if (!current || k % 10 === 0) current = await makePair(through, 2);
          const pair = current;
          return {
            library: () =>
              through.appendEvent({
                session: pair.live,
                event: conversationEvent(pair.live.events.length),
              }),
            substitutions: twin(pair.a, pair.b),
          };
        },
      };
    };

    const operations: Operation[] = [
      {
        name: 'createSession',
        iterations: n,
        warmup: 10,
        next: (k) => {
          const suffix = `${RUN_ID}-c${String(k).padStart(5, '0')}`;
          const [a, b] = [`ovA-${suffix}`, `ovB-${suffix}`];
          return {
            library: () => service.createSession({ appName, userId, sessionId: a }),
            substitutions: twin(a, b),
          };
        },
      },
      {
        name: 'getSession (10 events)',
        iterations: n,
        warmup: 10,
        next: () => ({
          library: () => service.getSession({ appName, userId, sessionId: fixed.id }),
          substitutions: [],
        }),
      },
      appendOp('appendEvent (stale check)', service),
      appendOp('appendEvent (singleWriter)', single),
      {
        name: 'listSessions (100 sessions)',
        iterations: nList,
        warmup: 3,
        next: () => ({
          library: () => service.listSessions({ appName: list.appName, userId: list.userId }),
          substitutions: [],
        }),
      },
      {
        name: 'deleteSession',
        iterations: n,
        warmup: 10,
        next: async () => {
          const pair = await makePair(service, 2);
          return {
            library: () => service.deleteSession({ appName, userId, sessionId: pair.a }),
            substitutions: twin(pair.a, pair.b),
          };
        },
      },
    ];

    const results: Result[] = [];
    for (const op of operations) {
      progress(`${backend}: ${op.name} ×${op.iterations}`);
      results.push(await runOperation(recorder, op));
    }
    note(`\n### ${BACKEND_LABEL[backend]}`);
    table(
      [
        'operation',
        'N',
        'requests',
        'library p50',
        'bare p50',
        'extra',
        'library p90',
        'bare p90',
        'ratio',
        'verdict',
      ],
      results.map((r) => {
        const lib = median(r.library);
        const raw = median(r.raw);
        const value = lib / raw;
        const met = value <= TARGET;
        target({
          section: `2 overhead (${backend})`,
          target: `${r.name}: library/bare <= ${TARGET}`,
          figure: `${ratio(value)} (${ms(lib)} vs ${ms(raw)})`,
          met,
        });
        return [
          r.name,
          r.n,
          r.requests,
          ms(lib),
          ms(raw),
          ms(lib - raw),
          ms(quantile(r.library, 0.9)),
          ms(quantile(r.raw, 0.9)),
          ratio(value),
          verdict(met),
        ];
      }),
    );
    const mismatched = results.filter((r) => r.mismatches > 0);
    if (mismatched.length > 0) {
      note(
        `\nWARNING: bare replays got other statuses than the library in: ${mismatched
          .map((r) => `${r.name} (${r.mismatches})`)
          .join(', ')}; those rows compare different work.`,
      );
    }
  }
}
