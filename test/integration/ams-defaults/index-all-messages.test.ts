/**
 * AMS defaults plus `INDEX_ALL_MESSAGES_IN_LONG_TERM_MEMORY=true`: after every PUT the promotion
 * task reads the document, turns each message without `persisted_at` into a `message` record
 * (semantic duplicates merged by the LLM, held here for a while) and writes back what it read with
 * `persisted_at` stamped. Appends made in between must not be lost.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BackendError, unwrap, type AgentMemoryServerClient } from '../../../src/clients/index.js';
import { startMemoryServer, type RunningMemoryServer } from '../../../scripts/lib/memory-server.js';
import type { ModelEndpoint } from '../../support/model-endpoint/index.js';
import { uniqueId } from '../../support/ids.js';
import { until } from '../ams-profiles/poll.js';
import {
  amsService,
  appendPaced,
  backgroundSettled,
  newKey,
  rawClient,
  rawDocument,
  slowBackgroundCalls,
} from './helpers.js';

const DEBOUNCE_SECONDS = 1;
const LLM_DELAY_MS = 1_500;

let server: RunningMemoryServer;
let endpoint: ModelEndpoint;
let ams: AgentMemoryServerClient;

vi.setConfig({ testTimeout: 120_000 });

beforeAll(async () => {
  server = await startMemoryServer({
    profile: 'defaults',
    extractionDebounceSeconds: DEBOUNCE_SECONDS,
    indexAllMessages: true,
  });
  endpoint = server.modelEndpoint!;
  slowBackgroundCalls(endpoint, LLM_DELAY_MS);
  ams = rawClient(server.baseUrl);
});

afterAll(async () => {
  await server?.stop();
});

/**
 * The `message` records AMS indexed for a session. A search can answer 500 while the promotion
 * task is writing to the index on a loaded machine (seen once), so a few attempts are made.
 */
async function messageRecords(sessionId: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      const found = await unwrap(
        ams.POST('/v1/long-term-memory/search', {
          body: { session_id: { eq: sessionId }, memory_type: { eq: 'message' }, limit: 100 },
        }),
      );
      return found.memories;
    } catch (error) {
      if (attempt >= 3 || !(error instanceof BackendError) || error.status !== 500) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

describe('session service on AMS defaults with every message indexed', () => {
  it('the server indexes an unmarked message and stamps it (the setting is on)', async () => {
    const sessionId = uniqueId('plain');
    const token = uniqueId('tok');
    await unwrap(
      ams.PUT('/v1/working-memory/{session_id}', {
        params: { path: { session_id: sessionId } },
        body: {
          messages: [
            {
              id: uniqueId('m'),
              role: 'user',
              content: `indexed ${token}`,
              created_at: new Date().toISOString(),
              discrete_memory_extracted: 't',
            },
          ],
        },
      }),
    );
    const records = await until('the message record', async () => {
      const found = await messageRecords(sessionId);
      return found.length > 0 ? found : undefined;
    });
    expect(records[0]!.text).toBe(`user: indexed ${token}`);
  });

  it('stores every event appended while the promotion task rewrites, in order', async () => {
    const key = newKey('indexall');
    const token = uniqueId('tok');
    const service = amsService(server.baseUrl);
    const session = await service.createSession(key);
    // Near-duplicate texts, so indexing each one waits for the (slow) merge call.
    const acknowledged = await appendPaced(service, session, 20, 200, (i) => {
      return `I like the window seat number ${i} ${token}`;
    });
    await backgroundSettled(endpoint, DEBOUNCE_SECONDS, Date.now());

    const stored = await amsService(server.baseUrl).getSession(key);
    expect(stored!.events.map((event) => event.id)).toEqual(acknowledged);
    // What it costs: AMS indexes none of them (the library's memory service ingests instead).
    expect(await messageRecords(key.sessionId)).toEqual([]);
    // The document keeps the messages of its recent events (older ones live in history
    // segments), each exactly once and in order: the newest acknowledged ones.
    const doc = await rawDocument(ams, key);
    const messageIds = (doc.messages ?? []).map((message) => message.id);
    expect(messageIds.length).toBeGreaterThan(0);
    expect(messageIds).toEqual(acknowledged.slice(-messageIds.length));
  });
});
