/**
 * The session service against AMS as users deploy it (profile `defaults`: long-term memory,
 * discrete extraction and summarisation on), with AMS's background LLM calls held for a while so
 * that appends land before, during and after the window in which an extraction would read the
 * document, call the LLM and write back what it read. Every acknowledged event must be stored,
 * once, in order; and AMS must leave the documents this library writes alone.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StaleSessionError } from '../../../src/index.js';
import type { AgentMemoryServerClient } from '../../../src/clients/index.js';
import { startMemoryServer, type RunningMemoryServer } from '../../../scripts/lib/memory-server.js';
import type { ModelEndpoint } from '../../support/model-endpoint/index.js';
import { uniqueId } from '../../support/ids.js';
import type { WorkerJob, WorkerReport } from '../../reliability/workers/append-worker.js';
import {
  amsService,
  appendPaced,
  backgroundSettled,
  chatCallsWith,
  newKey,
  rawClient,
  rawDocument,
  slowBackgroundCalls,
  userEvent,
} from './helpers.js';

const DEBOUNCE_SECONDS = 1;
// Longer than the debounce: an extraction's read-to-write window is open while appends continue.
const LLM_DELAY_MS = 2_500;
const WORKER = fileURLToPath(
  new URL('../../reliability/workers/append-worker.ts', import.meta.url),
);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

let server: RunningMemoryServer;
let endpoint: ModelEndpoint;
let ams: AgentMemoryServerClient;

vi.setConfig({ testTimeout: 120_000 });

beforeAll(async () => {
  server = await startMemoryServer({
    profile: 'defaults',
    extractionDebounceSeconds: DEBOUNCE_SECONDS,
  });
  endpoint = server.modelEndpoint!;
  slowBackgroundCalls(endpoint, LLM_DELAY_MS);
  ams = rawClient(server.baseUrl);
});

afterAll(async () => {
  await server?.stop();
});

/** What a fresh service (no cache, another process's view) reads back. */
async function storedIds(key: ReturnType<typeof newKey>): Promise<string[]> {
  const session = await amsService(server.baseUrl).getSession(key);
  return session!.events.map((event) => event.id);
}

describe('session service on AMS defaults: extraction', () => {
  it('stores every event appended before, during and after the extraction window, in order', async () => {
    const key = newKey('race');
    const token = uniqueId('tok');
    const service = amsService(server.baseUrl);
    const session = await service.createSession(key);
    const started = Date.now();
    // 20 appends 250 ms apart: about five seconds, past the debounce and the LLM's delay.
    const acknowledged = await appendPaced(service, session, 20, 250, (i) => {
      return `I like subject${i} a lot ${token}`;
    });
    await backgroundSettled(endpoint, DEBOUNCE_SECONDS, Date.now());
    expect(Date.now() - started).toBeGreaterThan((DEBOUNCE_SECONDS * 1000 + LLM_DELAY_MS) * 1.2);

    // The live session is still current: its next append is accepted.
    const last = userEvent(`one more ${token}`, 20);
    await service.appendEvent({ session, event: last });
    acknowledged.push(last.id);

    expect(await storedIds(key)).toEqual(acknowledged);
    const reread = await amsService(server.baseUrl).getSession(key);
    expect(reread!.state.count).toBe(20);
  });

  it('marks what it writes, so AMS neither extracts nor rewrites the document', async () => {
    const key = newKey('marks');
    const token = uniqueId('tok');
    const service = amsService(server.baseUrl);
    const session = await service.createSession(key);
    await appendPaced(service, session, 3, 0, (i) => `I prefer aisle seats ${i} ${token}`);
    const written = await rawDocument(ams, key);
    await backgroundSettled(endpoint, DEBOUNCE_SECONDS, Date.now());

    expect(chatCallsWith(endpoint, 'extraction', token)).toEqual([]);
    const after = await rawDocument(ams, key);
    expect(after.updated_at).toBe(written.updated_at);
    expect(after.messages).toEqual(written.messages);
    expect(after.messages).toHaveLength(3);
    for (const message of after.messages ?? []) {
      expect(message.discrete_memory_extracted).toBe('t');
      expect(message.persisted_at).toEqual(expect.any(String));
    }
  });

  it('several services in this process, on sessions of their own, appending at once', async () => {
    const token = uniqueId('tok');
    const runs = Array.from({ length: 3 }, async (_, n) => {
      const key = newKey(`svc${n}`);
      const service = amsService(server.baseUrl);
      const session = await service.createSession(key);
      const acknowledged = await appendPaced(service, session, 15, 200, (i) => {
        return `service ${n} likes topic${i} ${token}`;
      });
      return { key, acknowledged };
    });
    const results = await Promise.all(runs);
    await backgroundSettled(endpoint, DEBOUNCE_SECONDS, Date.now());
    for (const { key, acknowledged } of results) {
      expect(await storedIds(key)).toEqual(acknowledged);
    }
  });

  it('several processes, each on a session of its own', async () => {
    const config = { backend: 'opensource-agent-memory' as const, apiBaseUrl: server.baseUrl };
    const keys = [0, 1, 2].map((n) => newKey(`proc${n}`));
    const creator = amsService(server.baseUrl);
    for (const key of keys) await creator.createSession(key);
    const workers = keys.map((key, worker) => startWorker({ worker, count: 30, config, key }));
    await Promise.all(workers.map((w) => w.ready));
    for (const w of workers) w.go();
    const reports = await Promise.all(workers.map((w) => w.done));
    await backgroundSettled(endpoint, DEBOUNCE_SECONDS, Date.now());
    for (const report of reports) {
      expect(report.errors).toEqual([]);
      expect(report.acknowledged).toHaveLength(30);
      expect(await storedIds(keys[report.worker]!)).toEqual(report.acknowledged);
    }
    // Only AMS's own rollback could make a lone writer's session stale.
    expect(reports.map((r) => r.staleRetries)).toEqual([0, 0, 0]);
  });
});

describe('session service on AMS defaults: a message another client wrote unmarked', () => {
  /** Adds an unmarked message to the stored document, as a client that never marks would. */
  async function foreignPut(key: ReturnType<typeof newKey>, text: string): Promise<void> {
    const doc = await rawDocument(ams, key);
    const { session_id: sessionId, ...rest } = doc;
    const messages = [
      ...(doc.messages ?? []),
      { id: uniqueId('py'), role: 'user', content: text, created_at: new Date().toISOString() },
    ];
    await ams.PUT('/v1/working-memory/{session_id}', {
      params: { path: { session_id: sessionId } },
      body: { ...rest, messages } as never,
    });
  }

  it('is marked by the next append made within the debounce: no extraction, nothing lost', async () => {
    const key = newKey('foreign');
    const token = uniqueId('tok');
    const service = amsService(server.baseUrl);
    const session = await service.createSession(key);
    const acknowledged = await appendPaced(service, session, 1, 0, () => `hello ${token}`);
    await foreignPut(key, `I am vegetarian ${token}`);
    const reloaded = (await service.getSession(key))!;
    acknowledged.push(
      ...(await appendPaced(service, reloaded, 5, 300, (i) => `next ${i} ${token}`)),
    );
    await backgroundSettled(endpoint, DEBOUNCE_SECONDS, Date.now());

    // The trade-off: the other client's message is marked too, so AMS never extracts it.
    expect(chatCallsWith(endpoint, 'extraction', token)).toEqual([]);
    const stored = await storedIds(key);
    expect(stored.filter((id) => !id.startsWith('py-'))).toEqual(acknowledged);
    expect(stored).toHaveLength(acknowledged.length + 1);
  });

  it('when its extraction runs during an append, the rollback is refused on the next append', async () => {
    const key = newKey('rollback');
    const token = uniqueId('tok');
    const service = amsService(server.baseUrl);
    const session = await service.createSession(key);
    const before = await appendPaced(service, session, 1, 0, () => `hello ${token}`);
    await foreignPut(key, `I am vegetarian ${token}`);
    const reloaded = (await service.getSession(key))!;
    const call = await endpoint.waitForCall(
      (c) => c.kind === 'extraction' && c.input.some((text) => text.includes(token)),
      15_000,
    );
    // Lands while the extraction waits for its LLM: acknowledged, then overwritten.
    const during = userEvent(`during ${token}`, 1);
    await service.appendEvent({ session: reloaded, event: during });
    await endpoint.waitForCall((c) => c.seq === call.seq && c.finishedAt !== undefined, 15_000);
    await backgroundSettled(endpoint, DEBOUNCE_SECONDS, Date.now());

    const stored = await storedIds(key);
    expect(stored).toContain(before[0]);
    expect(stored).not.toContain(during.id);
    // The live session's next append sees the older revision and writes nothing.
    await expect(
      service.appendEvent({ session: reloaded, event: userEvent(`after ${token}`, 2) }),
    ).rejects.toBeInstanceOf(StaleSessionError);
  });
});

describe('session service on AMS defaults: summarisation', () => {
  // A window of 400 tokens: AMS summarises once the messages pass 280 (threshold 0.7) and keeps
  // the newest ones that fit in 160; each of these messages is about 20 tokens.
  const WINDOW = 400;

  it.each([false, true])(
    'reads back whole with every event after AMS trims the messages (singleWriter %s)',
    async (singleWriter) => {
      const key = newKey('summary');
      const token = uniqueId('tok');
      const service = amsService(server.baseUrl, { contextWindowMax: WINDOW, singleWriter });
      const session = await service.createSession(key);
      const acknowledged = await appendPaced(service, session, 30, 150, (i) => {
        return `turn${i} mentions subject${i} with enough words to cost twenty tokens ${token}`;
      });
      await backgroundSettled(endpoint, DEBOUNCE_SECONDS, Date.now());

      // AMS summarised: fewer messages, the newest ones, and a summary in their place.
      expect(chatCallsWith(endpoint, 'summarization', token).length).toBeGreaterThan(0);
      const doc = await rawDocument(ams, key);
      const kept = (doc.messages ?? []).map((m) => m.id);
      expect(kept.length).toBeGreaterThan(0);
      expect(kept.length).toBeLessThan(acknowledged.length);
      expect(kept).toEqual(acknowledged.slice(acknowledged.length - kept.length));
      expect(doc.context).toMatch(/^Summary of \d+ messages: /);

      // The session itself is whole, and the live session still appends (its revision held).
      expect(await storedIds(key)).toEqual(acknowledged);
      const next = userEvent(`after the summary ${token}`, 30);
      await service.appendEvent({ session, event: next });
      acknowledged.push(next.id);
      expect(await storedIds(key)).toEqual(acknowledged);
      expect((await rawDocument(ams, key)).context).toMatch(/^Summary of \d+ messages: /);

      // Another process's live session that the summarising writes moved past is still stale
      // (singleWriter promises one writer, so there the second service is not checked).
      if (!singleWriter) {
        const other = amsService(server.baseUrl, { contextWindowMax: WINDOW });
        const otherSession = (await other.getSession(key))!;
        const moved = userEvent(`moves it on ${token}`, 31);
        await service.appendEvent({ session, event: moved });
        acknowledged.push(moved.id);
        await expect(
          other.appendEvent({ session: otherSession, event: userEvent(`stale ${token}`, 32) }),
        ).rejects.toBeInstanceOf(StaleSessionError);
      }
      expect(await storedIds(key)).toEqual(acknowledged);
    },
  );
});

interface RunningWorker {
  ready: Promise<void>;
  done: Promise<WorkerReport>;
  go(): void;
}

/** One append worker process (the concurrent-writers test's), on its own session. */
function startWorker(job: WorkerJob): RunningWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    cwd: ROOT,
    env: { ...process.env, ADK_REDIS_WORKER: JSON.stringify(job) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout });
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  let report: WorkerReport | undefined;
  lines.on('line', (line) => {
    if (line === 'ready') markReady();
    else if (line.startsWith('{')) report = JSON.parse(line) as WorkerReport;
  });
  const done = new Promise<WorkerReport>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0 && report) resolve(report);
      else reject(new Error(`worker ${job.worker} exited with ${code}: ${stderr.slice(-2000)}`));
    });
  });
  return {
    ready: Promise.race([ready, done.then(() => undefined)]),
    done,
    go: () => child.stdin.end('go\n'),
  };
}
