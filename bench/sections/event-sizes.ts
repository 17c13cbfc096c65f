/**
 * Section 7: event sizes on the managed API (fake). A tool result of 10 KiB, 100 KiB and 1 MiB of
 * JSON is appended to a fresh session and the session read back: HTTP requests, request bytes and
 * time for each. Over the per-event metadata limit (about 16 KB) an event goes as part records
 * before its own record, several at a time, so requests grow with the size; a read stays one GET.
 */
import { createEvent, type Event } from '@google/adk';
import type { BenchEnv } from '../lib/env.js';
import { RUN_ID, freshId } from '../lib/fixtures.js';
import { Recorder, waves, type Exchange } from '../lib/recording-fetch.js';
import { heading, note, table } from '../lib/report.js';
import { bytes, median, ms, sum } from '../lib/stats.js';

const KiB = 1024;
const SIZES: [string, number][] = [
  ['10 KiB', 10 * KiB],
  ['100 KiB', 100 * KiB],
  ['1 MiB', 1024 * KiB],
];

/** A tool's answer of about `size` bytes of JSON: varied rows, some non-ASCII and escapes. */
function toolResult(size: number): Event {
  const rows: string[] = [];
  for (let i = 0, total = 0; total < size; i++) {
    const row = `result ${i}: "Trattoria ${i}" — via Roma ${i}, tel. +39 06 ${100000 + i}\t★4.${i % 10}`;
    rows.push(row);
    total += row.length + 4;
  }
  return createEvent({
    invocationId: 'bench',
    author: 'researcher',
    content: {
      role: 'user',
      parts: [{ functionResponse: { id: 'call-1', name: 'web_search', response: { rows } } }],
    },
  });
}

interface Sample {
  appendRequests: number;
  appendWaves: number;
  appendBytes: number;
  appendMs: number;
  readRequests: number;
  readBytes: number;
  readMs: number;
}

const sent = (exchanges: Exchange[]) => sum(exchanges.map((e) => e.bytesSent));

export async function eventSizes(env: BenchEnv, quick: boolean): Promise<void> {
  heading('Event sizes (managed, fake)');
  const runs = quick ? 2 : 5;
  const recorder = new Recorder('full');
  const service = env.service('managed', { fetch: recorder.fetch });
  const appName = `bench-size-${RUN_ID}`;
  const rows: (string | number)[][] = [];
  for (const [label, size] of SIZES) {
    const samples: Sample[] = [];
    // One warm-up run, then `runs` measured ones, each on a fresh session.
    for (let run = -1; run < runs; run++) {
      const key = { appName, userId: 'size-user', sessionId: freshId('size') };
      const session = await service.createSession(key);
      const event = toolResult(size);
      recorder.take();
      let started = performance.now();
      await service.appendEvent({ session, event });
      const appendMs = performance.now() - started;
      const appended = recorder.take();
      started = performance.now();
      const read = await service.getSession(key);
      const readMs = performance.now() - started;
      const reads = recorder.take();
      if (JSON.stringify(read?.events) !== JSON.stringify(session.events)) {
        throw new Error(`the ${label} event did not read back as appended`);
      }
      if (run < 0) continue;
      samples.push({
        appendRequests: appended.length,
        appendWaves: waves(appended).length,
        appendBytes: sent(appended),
        appendMs,
        readRequests: reads.length,
        readBytes: sum(reads.map((e) => e.bytesReceived)),
        readMs,
      });
    }
    const first = samples[0]!;
    rows.push([
      label,
      bytes(JSON.stringify(toolResult(size)).length),
      `${first.appendRequests} (${first.appendWaves} waves)`,
      bytes(first.appendBytes),
      ms(median(samples.map((s) => s.appendMs))),
      first.readRequests,
      bytes(first.readBytes),
      ms(median(samples.map((s) => s.readMs))),
    ]);
  }
  table(
    [
      'tool result',
      'event JSON',
      'append: requests',
      'append: sent',
      'append: median',
      'getSession: requests',
      'getSession: received',
      'getSession: median',
    ],
    rows,
  );
  note(
    '',
    `${runs} runs per size on fresh sessions (median; one warm-up run first). Append requests include`,
    'the stale-check read; waves: that read, the part records (8 in flight at a time, so about',
    'parts / 8 round trips against a remote service), then the record. getSession is one wave of',
    'three GETs (session, app state, user state) whatever the size. The fake runs on loopback in a',
    'child process; bytes are request bodies sent and response bodies received.',
  );
}
