/**
 * Soak on AMS as users deploy it (harness profile `defaults`: long-term memory, discrete extraction,
 * summarisation on), its background LLM calls held for a while. SESSIONS sessions take
 * APPENDS_PER_SESSION appends each, at once, from two services (one with `singleWriter`), two of
 * them summarised by AMS as they grow; meanwhile another client keeps writing unmarked messages to
 * a session of its own, so AMS's extraction runs throughout. Afterwards every session is read back
 * through a fresh service: every acknowledged event is stored exactly once, in append order, and
 * the state is the last append's. Bounded by count; prints one summary line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrap, type AgentMemoryServerClient } from '../../src/clients/index.js';
import type { RedisSessionMemoryService } from '../../src/index.js';
import { startMemoryServer, type RunningMemoryServer } from '../../scripts/lib/memory-server.js';
import type { ModelEndpoint } from '../support/model-endpoint/index.js';
import { uniqueId } from '../support/ids.js';
import {
  amsService,
  backgroundSettled,
  newKey,
  rawClient,
  rawDocument,
  slowBackgroundCalls,
  userEvent,
} from '../integration/ams-defaults/helpers.js';
import { sleep } from './helpers.js';

const SESSIONS = 4;
const APPENDS_PER_SESSION = 50;
const DEBOUNCE_SECONDS = 1;
const LLM_DELAY_MS = 1_200;
// Summarised sessions: AMS keeps the newest messages that fit in 40% of this many tokens.
const WINDOW = 400;

let server: RunningMemoryServer;
let endpoint: ModelEndpoint;
let ams: AgentMemoryServerClient;

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

/** Another client's session, written unmarked every `everyMs` until `stop` resolves. */
async function keepExtracting(
  stop: Promise<void>,
  everyMs: number,
): Promise<{ sessionId: string; writes: number }> {
  const sessionId = uniqueId('other-client');
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  const messages = [];
  while (!stopped) {
    messages.push({
      id: uniqueId('m'),
      role: 'user',
      content: `another client says thing ${messages.length} ${sessionId}`,
      created_at: new Date().toISOString(),
    });
    await unwrap(
      ams.PUT('/v1/working-memory/{session_id}', {
        params: { path: { session_id: sessionId } },
        body: { messages },
      }),
    );
    await sleep(everyMs);
  }
  return { sessionId, writes: messages.length };
}

describe('soak on AMS defaults (extraction and summarisation on)', () => {
  it('stores every acknowledged event exactly once, in order', async () => {
    const plain = amsService(server.baseUrl);
    const summarised = amsService(server.baseUrl, { contextWindowMax: WINDOW });
    const singleWriter = amsService(server.baseUrl, {
      contextWindowMax: WINDOW,
      singleWriter: true,
    });
    const services: RedisSessionMemoryService[] = [plain, plain, summarised, singleWriter];
    const token = uniqueId('soak');
    const started = Date.now();
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const other = keepExtracting(finished, 700);

    const runs = services.slice(0, SESSIONS).map(async (service, n) => {
      const key = newKey(`soak${n}`);
      const session = await service.createSession(key);
      const acknowledged: string[] = [];
      for (let i = 0; i < APPENDS_PER_SESSION; i++) {
        const text = `session ${n} turn ${i} talks about subject${i} at some length ${token}`;
        const event = userEvent(text, i);
        await service.appendEvent({ session, event });
        acknowledged.push(event.id);
        await sleep(((i * 7 + n * 13) % 4) * 40);
      }
      return { key, acknowledged };
    });
    const results = await Promise.all(runs).catch(async (error: unknown) => {
      // Stop the other client before the server goes away with the failed test.
      finish();
      await other.catch(() => undefined);
      throw error;
    });
    const ended = Date.now();
    finish();
    const { sessionId: otherSession, writes } = await other;
    await backgroundSettled(endpoint, DEBOUNCE_SECONDS, Date.now());

    const reader = amsService(server.baseUrl);
    let stored = 0;
    for (const { key, acknowledged } of results) {
      const session = await reader.getSession(key);
      const ids = session!.events.map((event) => event.id);
      expect(ids).toEqual(acknowledged);
      expect(session!.state.count).toBe(APPENDS_PER_SESSION - 1);
      stored += ids.length;
    }
    // AMS trimmed the summarised sessions' messages; the events are all there regardless.
    for (const { key } of results.slice(2)) {
      const doc = await rawDocument(ams, key);
      expect(doc.messages!.length).toBeLessThan(APPENDS_PER_SESSION);
      expect(doc.context).toMatch(/^Summary of \d+ messages: /);
    }
    // Extraction ran during the appends: the other client's session was extracted meanwhile.
    const during = endpoint
      .chatCalls('extraction')
      .filter((call) => call.startedAt >= started && call.startedAt <= ended);
    const otherExtractions = during.filter((call) =>
      call.input.some((t) => t.includes(otherSession)),
    );
    expect(otherExtractions.length).toBeGreaterThanOrEqual(2);
    const ours = during.filter((call) => call.input.some((t) => t.includes(token)));
    const summaries = endpoint
      .chatCalls('summarization')
      .filter((call) => call.input.some((t) => t.includes(token)));

    console.log(
      `[ams-defaults-soak] sessions=${SESSIONS} appends=${SESSIONS * APPENDS_PER_SESSION} ` +
        `stored=${stored} lost=${SESSIONS * APPENDS_PER_SESSION - stored} ` +
        `seconds=${((ended - started) / 1000).toFixed(1)} ` +
        `extractions-during-run=${during.length} (other client ${otherExtractions.length}, ` +
        `of our sessions ${ours.length}) other-client-writes=${writes} summarisations=${summaries.length}`,
    );
    expect(ours).toEqual([]);
  });
});
