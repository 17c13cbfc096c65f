/**
 * A stateful fake of the Redis Agent Memory Data Plane API (managed; no local server exists), as a
 * real loopback HTTP server. Health, session memory and long-term memory are faked; any other
 * route answers 404 `/errors/resource-not-found`.
 *
 * Every request is checked against the committed schema artifact derived from the pinned OpenAPI
 * document (test/support/generated/redis-agent-memory.operations.json), and so is every response
 * the fake sends: a response that breaks the contract is recorded in `violations` and replaced by
 * a 500, so tests should assert `violations` stays empty.
 *
 * Where the spec is silent, the fake chooses (real servers may differ):
 * - order of checks: fault injection, then credentials (any `/v1/` path), routing, path
 *   parameters (400), store id (404), query parameters (400), body (413/400), the operation;
 * - 400 `fields[].rule` is the JSON Schema keyword at fault (`pattern`, `maxLength`, `enum`,
 *   `required`, `format`, `type`...), or `json`, `mediaType`, `encoding`, `pageToken`,
 *   `mutuallyExclusive` for checks outside the schemas; `field` is a dotted path;
 * - undeclared query parameters and extra body properties are ignored; a repeated one is a 400;
 * - events keep arrival order (no sorting by `createdAt`), `createdAt` is echoed as sent;
 * - ListSessions with `includeAll=false` and no filter is a 400; `total` counts all matches; page
 *   tokens are tied to their filter and survive deletions;
 * - summarisation, cleanup and the short-term TTL follow the store's settings, off unless given
 *   (see {@link SessionRetentionOptions}); without cleanup, summarised events stay retrievable by
 *   id and with `includeSummarisedEvents=true`; `summarize()`, `cleanup()` and `expire()` apply
 *   them by hand; deleting the last event keeps the (empty) session;
 * - StoreHealth reports `sessionMemory` and `longTermMemory`; 424 uses `/errors/resource-unavailable`;
 * - long-term memory (the rest are switches: `longTermMemory`, see {@link LongTermMemoryOptions}):
 *   search ranks by a lexical cosine (`lexicalSimilarity`) then id, without `text` by id alone
 *   (then `similarityThreshold` is unused); `filterOp` defaults to `all` and combines the filter's
 *   keys (one per attribute), whose operators all apply; a key without operators or an empty
 *   `in`/`all` is a 400; page tokens are tied to text, threshold, filter and filterOp (not limit)
 *   and survive deletions; a schema violation in any record refuses the whole bulk request (400);
 *   `errors` is omitted when empty; an empty PATCH answers the record unchanged; the fields route
 *   compares memoryType and namespace exactly and merges attributes; memoryType stays absent when
 *   not given; records are never extracted from sessions (the real service does, in background);
 * - event `metadata` over 16 KiB (UTF-8 JSON; Redis documents about 16 KB) gets a 400 on `metadata`;
 * - bodies over 1 MiB get 413; injected statuses the spec does not declare (502, 503) are sent as
 *   `about:blank` problems, unchecked.
 *
 * @example
 * const ram = await startFakeRedisAgentMemory();
 * const client = createRedisAgentMemoryClient({ baseUrl: ram.baseUrl, apiKey: ram.apiKey, storeId: ram.storeId });
 * // ...
 * await ram.stop();
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadArtifact } from './artifact.js';
import { FaultQueue, type Fault } from './faults.js';
import { resolveLongTermMemoryOptions, type LongTermMemoryOptions } from './memory-options.js';
import { MemoryStore } from './memory-store.js';
import { FakeHttpHandler, type RecordedRequest } from './server.js';
import { resolveSessionRetention, type SessionRetentionOptions } from './session-retention.js';
import { SessionStore } from './store.js';

export type { Fault, LongTermMemoryOptions, RecordedRequest, SessionRetentionOptions };
export { lexicalSimilarity } from './memory-ranking.js';

export interface FakeRedisAgentMemoryOptions {
  /** The accepted API key (default `fake-api-key`). */
  apiKey?: string;
  /** The one store that exists (default `fake-store`); any other store id answers 404. */
  storeId?: string;
  /** Accept requests without credentials (self-managed `auth.method: none`). */
  authDisabled?: boolean;
  /** Port on 127.0.0.1 (default 0: a free port). */
  port?: number;
  /** How long-term memory answers where the API document is silent (defaults documented there). */
  longTermMemory?: LongTermMemoryOptions;
  /** The store's session retention: summarisation, cleanup and TTL (all off by default). */
  sessionRetention?: SessionRetentionOptions;
}

export interface FakeRedisAgentMemory {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  baseUrl: string;
  apiKey: string;
  storeId: string;
  /** Every request received: method, path, query, body (parsed), status returned (0 = dropped). */
  readonly requests: ReadonlyArray<RecordedRequest>;
  /** Contract violations the fake detected in its OWN responses (must stay empty; tests assert it). */
  readonly violations: readonly string[];
  /**
   * Injects failures for the next matching requests: status with problem body (and optional
   * Retry-After), or a dropped connection. Faults are matched before auth and validation.
   */
  injectFault(fault: Fault): void;
  /**
   * Simulates server-side summarisation: the first `count` events of a session move into `summary`
   * (summarizedUpToEventId = last moved, summarizedEvents accumulates, text given). Throws when the
   * session does not exist or has fewer than `count` events. With `cleanup` (default: the store's
   * setting) the moved events are removed at once.
   */
  summarize(sessionId: string, count: number, text?: string, cleanup?: boolean): void;
  /** Simulates the service's cleanup: the session's summarised events are removed. */
  cleanup(sessionId: string): void;
  /** Simulates TTL expiry of a session (throws when it does not exist). */
  expire(sessionId: string): void;
  /** Forgets all sessions, memory records, recorded requests, violations and pending faults. */
  reset(): void;
  stop(): Promise<void>;
}

export async function startFakeRedisAgentMemory(
  options: FakeRedisAgentMemoryOptions = {},
): Promise<FakeRedisAgentMemory> {
  const config = {
    apiKey: options.apiKey ?? 'fake-api-key',
    storeId: options.storeId ?? 'fake-store',
    authDisabled: options.authDisabled ?? false,
  };
  const store = new SessionStore(resolveSessionRetention(options.sessionRetention));
  const memories = new MemoryStore(resolveLongTermMemoryOptions(options.longTermMemory));
  const faults = new FaultQueue();
  const http = new FakeHttpHandler(config, loadArtifact(), store, faults, memories);
  const server = createServer(http.listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey: config.apiKey,
    storeId: config.storeId,
    get requests() {
      return http.requests;
    },
    get violations() {
      return http.violations;
    },
    injectFault: (fault) => faults.add(fault),
    summarize: (sessionId, count, text, cleanup) =>
      store.summarize(sessionId, count, text, cleanup),
    cleanup: (sessionId) => store.cleanup(sessionId),
    expire: (sessionId) => store.expire(sessionId),
    reset: () => {
      store.clear();
      memories.clear();
      faults.clear();
      http.requests.length = 0;
      http.violations.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets would hold close() open until they time out.
        server.closeAllConnections();
      }),
  };
}
