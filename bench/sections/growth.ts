/**
 * Section 3: how appendEvent, getSession and listSessions grow with the session's length (10 …
 * 10,000 events). Every session is written event by event through the library (singleWriter);
 * the build's totals give the amortised cost of an append, including on AMS the occasional
 * writes of history segments and their merges.
 */
import type { Session } from '@google/adk';
import type { RedisSessionMemoryService } from '../lib/library.js';
import { BACKENDS, BACKEND_LABEL, type BackendKey, type BenchEnv } from '../lib/env.js';
import { conversationEvent } from '../lib/events.js';
import { RUN_ID, appendConversation } from '../lib/fixtures.js';
import { Recorder } from '../lib/recording-fetch.js';
import { planReplay, replay } from '../lib/replay.js';
import { heading, note, progress, table, target } from '../lib/report.js';
import { bytes, median, ms, ratio, sum } from '../lib/stats.js';

interface Sample {
  ms: number;
  sent: number;
  received: number;
  requests: number;
  cpuMs: number;
}

interface SizeResult {
  size: number;
  built: string;
  /** Per append while building (singleWriter): bytes sent and requests, everything included. */
  amortised: { sent: number; requests: number };
  append: Sample;
  appendSingle: Sample;
  /** The same appends on a fresh 10-event session, measured alternately with these. */
  reference: { append: Sample; appendSingle: Sample };
  /** getSession on a service that has read the session before (the same service each call). */
  get: Sample;
  /** getSession on a new service each call: a process's first read (no segment cached). */
  getCold: Sample;
  /** listSessions of a user whose one session has this size. */
  list: Sample;
  /** At the largest size: bare-fetch time of getSession's exchanges, and JSON.parse alone. */
  floor?: { bareMs: number; parseMs: number; bodyBytes: number };
}

const cpuMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000;

/** One timed call: its time, this process's CPU around it, and the bytes and requests it made. */
async function measureOnce(recorder: Recorder, fn: () => Promise<unknown>): Promise<Sample> {
  recorder.take();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const elapsed = performance.now() - t0;
  const cpuUsed = cpuMs(process.cpuUsage(cpu));
  const exchanges = recorder.take();
  return {
    ms: elapsed,
    cpuMs: cpuUsed,
    sent: sum(exchanges.map((e) => e.bytesSent)),
    received: sum(exchanges.map((e) => e.bytesReceived)),
    requests: exchanges.length,
  };
}

/** The median of each figure. */
function medians(samples: readonly Sample[]): Sample {
  const pick = (key: keyof Sample): number => median(samples.map((s) => s[key]));
  return {
    ms: pick('ms'),
    cpuMs: pick('cpuMs'),
    sent: pick('sent'),
    received: pick('received'),
    requests: pick('requests'),
  };
}

/**
 * Calls `fn` once untimed, then until `reps` samples or `budgetMs` spent (at least one); medians.
 * `setup`, when given, runs before each call, untimed.
 */
async function sample(
  recorder: Recorder,
  reps: number,
  budgetMs: number,
  fn: () => Promise<unknown>,
  setup?: () => void,
): Promise<Sample> {
  const samples: Sample[] = [];
  setup?.();
  await fn(); // warm-up: the first call after a big write is slower on the server
  const started = performance.now();
  while (
    samples.length < reps &&
    (samples.length === 0 || performance.now() - started < budgetMs)
  ) {
    setup?.();
    samples.push(await measureOnce(recorder, fn));
  }
  return medians(samples);
}

/** Like {@link sample} for two calls at once, alternating (A B, B A, …) so load hits both alike. */
async function samplePair(
  recorder: Recorder,
  reps: number,
  budgetMs: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
): Promise<[Sample, Sample]> {
  const samples: [Sample[], Sample[]] = [[], []];
  await a();
  await b();
  const started = performance.now();
  for (let i = 0; i < reps && (i === 0 || performance.now() - started < budgetMs); i++) {
    const order: [() => Promise<unknown>, Sample[]][] = [
      [a, samples[0]],
      [b, samples[1]],
    ];
    if (i % 2 === 1) order.reverse();
    for (const [fn, into] of order) into.push(await measureOnce(recorder, fn));
  }
  return [medians(samples[0]), medians(samples[1])];
}

async function buildSession(
  single: RedisSessionMemoryService,
  recorder: Recorder,
  appName: string,
  userId: string,
  size: number,
): Promise<{ sessionId: string; built: string; amortised: SizeResult['amortised'] }> {
  const sessionId = `growth-${RUN_ID}-${size}`;
  const session = await single.createSession({ appName, userId, sessionId });
  recorder.take();
  const started = performance.now();
  await appendConversation(single, session, size);
  const elapsed = performance.now() - started;
  const exchanges = recorder.take();
  return {
    sessionId,
    built: `${size} appends (${ms(elapsed)})`,
    amortised: {
      sent: sum(exchanges.map((e) => e.bytesSent)) / size,
      requests: exchanges.length / size,
    },
  };
}

export async function growth(
  env: BenchEnv,
  quick: boolean,
  backends: readonly BackendKey[] = BACKENDS,
): Promise<void> {
  heading('3. Growth with session length');
  const sizes = quick ? [10, 100, 1000] : [10, 100, 1000, 10_000];
  note(
    'Per size: medians of up to 7 appends (3 at 10,000 events; each on the session as it then is,',
    'so it grows by a few events) and as many reads, after one untimed call, each bounded to ~10 s',
    'of repeats. Bytes are request/response bodies. "client CPU" is process.cpuUsage() of this',
    'process around the call (the servers run in other processes): HTTP client, JSON parsing,',
    'validation, conversion to ADK events. getSession time and CPU are taken on a service without',
    'the recording fetch (which buffers and copies every body to count its bytes), 5 calls at 10,000.',
    'getSession "warm": the same service each call, which on AMS keeps the history segments it has',
    'read (they never change once written); "cold": a new service each call, as a process\'s first',
    'read of the session (every segment fetched).',
    '"vs 10-event session alongside": append time (stale check / singleWriter) over the same append',
    'on a fresh 10-event session, the two alternating, so that load drift between sizes cancels.',
    '"amortised sent": bytes and requests per append while building the session, everything included',
    '(on AMS: history segments sealed and merged).',
  );
  for (const backend of backends) {
    const recorder = new Recorder('full');
    const service = env.service(backend, { fetch: recorder.fetch });
    const single = env.service(backend, { fetch: recorder.fetch, singleWriter: true });
    // getSession's time and CPU without the recorder's own buffering in them.
    const plain = env.service(backend, {});
    const notRecording = new Recorder('light');
    const appName = `bench-growth-${RUN_ID}`;
    const results: SizeResult[] = [];
    for (const size of sizes) {
      // A user per size, so that listing that user lists this session alone.
      const userId = `growth-user-${size}`;
      progress(`${backend}: building a ${size}-event session`);
      const { sessionId, built, amortised } = await buildSession(
        single,
        recorder,
        appName,
        userId,
        size,
      );
      const key = { appName, userId, sessionId };
      progress(`${backend}: measuring at ${size} events`);
      const reps = size >= 10_000 ? 3 : 7;
      const budget = 10_000;
      const recorded = await sample(recorder, reps, budget, () => service.getSession(key));
      const timed = await sample(notRecording, size >= 10_000 ? 5 : 7, budget, () =>
        plain.getSession(key),
      );
      const get: Sample = { ...recorded, ms: timed.ms, cpuMs: timed.cpuMs };
      let fresh = service;
      const coldRecorded = await sample(
        recorder,
        reps,
        budget,
        () => fresh.getSession(key),
        () => (fresh = env.service(backend, { fetch: recorder.fetch })),
      );
      const coldTimed = await sample(
        notRecording,
        size >= 10_000 ? 5 : 7,
        budget,
        () => fresh.getSession(key),
        () => (fresh = env.service(backend, {})),
      );
      const getCold: Sample = { ...coldRecorded, ms: coldTimed.ms, cpuMs: coldTimed.cpuMs };
      let live: Session = (await service.getSession(key))!;
      if (live.events.length < size) {
        throw new Error(`the ${size}-event session reads back with ${live.events.length} events`);
      }
      // A fresh 10-event session measured alongside, append for append, so that the ratio to
      // a short session does not drift with the machine's load between sizes.
      const ref = await buildSession(single, recorder, appName, `${userId}-ref`, 10);
      const refKey = { appName, userId: `${userId}-ref`, sessionId: ref.sessionId };
      let refLive: Session = (await service.getSession(refKey))!;
      const [append, refAppend] = await samplePair(
        recorder,
        reps,
        budget,
        () => service.appendEvent({ session: live, event: conversationEvent(live.events.length) }),
        () =>
          service.appendEvent({
            session: refLive,
            event: conversationEvent(refLive.events.length),
          }),
      );
      live = (await single.getSession(key))!;
      refLive = (await single.getSession(refKey))!;
      const [appendSingle, refSingle] = await samplePair(
        recorder,
        reps,
        budget,
        () => single.appendEvent({ session: live, event: conversationEvent(live.events.length) }),
        () =>
          single.appendEvent({
            session: refLive,
            event: conversationEvent(refLive.events.length),
          }),
      );
      await service.deleteSession(refKey);
      const list = await sample(recorder, reps, budget, () =>
        service.listSessions({ appName, userId }),
      );
      const result: SizeResult = {
        size,
        built,
        amortised,
        append,
        appendSingle,
        reference: { append: refAppend, appendSingle: refSingle },
        get,
        getCold,
        list,
      };
      if (size === sizes[sizes.length - 1]) {
        // The floor under a cold getSession: the same exchanges with a bare fetch, and JSON.parse
        // alone.
        recorder.take();
        await env.service(backend, { fetch: recorder.fetch }).getSession(key);
        const exchanges = recorder.take();
        const plan = planReplay(exchanges);
        const bare: number[] = [];
        for (let i = 0; i < 3; i++) {
          const t0 = performance.now();
          await replay(plan);
          bare.push(performance.now() - t0);
        }
        const biggest = exchanges.reduce((a, b) => (b.bytesReceived > a.bytesReceived ? b : a));
        const text = await (await fetch(biggest.url, { headers: biggest.headers })).text();
        const parses: number[] = [];
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          JSON.parse(text);
          parses.push(performance.now() - t0);
        }
        result.floor = {
          bareMs: median(bare),
          parseMs: median(parses),
          bodyBytes: Buffer.byteLength(text),
        };
      }
      results.push(result);
      // Long sessions are not needed again.
      if (size >= 1000) await service.deleteSession(key);
    }

    note(`\n### ${BACKEND_LABEL[backend]}`);
    table(
      [
        'events',
        'built by',
        'append (stale check)',
        'sent',
        'received',
        'append (singleWriter)',
        'sent',
        'append vs 10-event session alongside',
        'amortised sent',
        'getSession warm',
        'received',
        'client CPU',
        'getSession cold',
        'received',
        'client CPU',
        'listSessions received',
      ],
      results.map((r) => [
        r.size.toLocaleString('en-US'),
        r.built,
        ms(r.append.ms),
        bytes(r.append.sent),
        bytes(r.append.received),
        ms(r.appendSingle.ms),
        bytes(r.appendSingle.sent),
        `${ratio(r.append.ms / r.reference.append.ms)} / ${ratio(r.appendSingle.ms / r.reference.appendSingle.ms)}`,
        `${bytes(r.amortised.sent)} (${r.amortised.requests.toFixed(2)} req)`,
        ms(r.get.ms),
        bytes(r.get.received),
        ms(r.get.cpuMs),
        ms(r.getCold.ms),
        bytes(r.getCold.received),
        ms(r.getCold.cpuMs),
        bytes(r.list.received),
      ]),
    );
    const last = results[results.length - 1]!;
    if (last.floor) {
      note(
        `\nAt ${last.size.toLocaleString('en-US')} events: getSession cold ${ms(last.getCold.ms)} (client CPU ${ms(last.getCold.cpuMs)}); ` +
          `the same exchanges with a bare fetch ${ms(last.floor.bareMs)}; JSON.parse of the largest ` +
          `response (${bytes(last.floor.bodyBytes)}) alone ${ms(last.floor.parseMs)}.`,
      );
    }
    const at = (size: number): SizeResult | undefined => results.find((r) => r.size === size);
    const r10 = at(10);
    const r1000 = at(1000);
    if (backend === 'managed' && r10 && r1000) {
      for (const [label, pick] of [
        ['stale check', (r: SizeResult) => r.append.ms],
        ['singleWriter', (r: SizeResult) => r.appendSingle.ms],
      ] as const) {
        const value = pick(r1000) / pick(r10);
        target({
          section: '3 growth (managed)',
          target: `appendEvent (${label}) flat: at 1,000 events <= 1.2× at 10`,
          figure: `${ratio(value)} (${ms(pick(r1000))} vs ${ms(pick(r10))})`,
          met: value <= 1.2,
        });
      }
    }
    if (backend === 'ams' && r10) {
      // Flat: append time and bytes, in both modes, and listing bytes within 2x of 10 events.
      // Times against the 10-event session measured alongside (same load); bytes against the
      // 10-event row (they do not depend on load).
      type Check = [string, (r: SizeResult) => number, (r: SizeResult) => number, typeof ms];
      const checks: Check[] = [
        ['appendEvent (stale check) time', (r) => r.append.ms, (r) => r.reference.append.ms, ms],
        [
          'appendEvent (stale check) bytes sent',
          (r) => r.append.sent,
          () => r10.append.sent,
          bytes,
        ],
        [
          'appendEvent (singleWriter) time',
          (r) => r.appendSingle.ms,
          (r) => r.reference.appendSingle.ms,
          ms,
        ],
        [
          'appendEvent (singleWriter) bytes sent',
          (r) => r.appendSingle.sent,
          () => r10.appendSingle.sent,
          bytes,
        ],
        [
          'listSessions bytes received per session',
          (r) => r.list.received,
          () => r10.list.received,
          bytes,
        ],
      ];
      for (const [label, pick, base, show] of checks) {
        const larger = results.filter((r) => r.size >= 1000);
        const worst = larger.reduce<SizeResult | undefined>(
          (a, r) => (a && pick(a) / base(a) >= pick(r) / base(r) ? a : r),
          undefined,
        );
        const value = worst ? pick(worst) / base(worst) : undefined;
        target({
          section: '3 growth (ams)',
          target: `${label}: at 1,000 and 10,000 events <= 2× at 10`,
          figure:
            worst && value !== undefined
              ? `${ratio(value)} (${show(pick(worst))} at ${worst.size.toLocaleString('en-US')} vs ${show(base(worst))})`
              : 'not run',
          met: value === undefined ? undefined : value <= 2,
        });
      }
    }
    const big = at(10_000);
    target({
      section: `3 growth (${backend})`,
      target: 'getSession client CPU at 10,000 events < 100 ms (cold: a new service)',
      figure: big ? `${ms(big.getCold.cpuMs)} (warm ${ms(big.get.cpuMs)})` : 'not run (--quick)',
      met: big ? big.getCold.cpuMs < 100 && big.get.cpuMs < 100 : undefined,
    });
    note('');
    note(
      results
        .map(
          (r) =>
            `${r.size}: ${r.append.requests} req/append, ${r.appendSingle.requests} req/append (singleWriter), ${r.get.requests} req/get warm, ${r.getCold.requests} cold`,
        )
        .join('; '),
    );
  }
}
