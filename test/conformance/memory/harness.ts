/**
 * Shared pieces of the long-term memory conformance suite: the service API the cases code against
 * (ADK's `BaseMemoryService` plus the library's extended methods), the per-test harness and small
 * helpers. A backend that only implements `BaseMemoryService` (ADK's `InMemoryMemoryService`) runs
 * the same cases: those that need the extended API fail on it and are declared as divergences.
 */
import {
  createEvent,
  createSession,
  type BaseMemoryService,
  type Event,
  type MemoryEntry,
  type Session,
} from '@google/adk';
import { expect } from 'vitest';
import { uniqueId } from '../../support/ids.js';

/** A stored memory as the extended API returns it (the service's `MemoryRecord`). */
export interface MemoryRecordView {
  id: string;
  text: string;
  author?: string;
  memoryType: string;
  topics: string[];
  sessionId?: string;
  createdAt: string;
  updatedAt?: string;
  score?: number;
}

interface Tenant {
  appName: string;
  userId: string;
}

/** The extended API of `RedisLongTermMemoryService`, beyond ADK's two methods. */
export interface ExtendedMemoryApi {
  addEventsToMemory(
    req: Tenant & { events: Event[]; sessionId?: string; customMetadata?: Record<string, unknown> },
  ): Promise<{ stored: string[] }>;
  addMemory(
    req: Tenant & {
      memories: (MemoryEntry | string)[];
      customMetadata?: { memoryType?: string; topics?: string[]; sessionId?: string } & Record<
        string,
        unknown
      >;
    },
  ): Promise<{ stored: string[] }>;
  search(
    req: Tenant & {
      query: string;
      limit?: number;
      filters?: { memoryTypes?: string[]; topics?: string[]; sessionId?: string };
    },
  ): Promise<MemoryRecordView[]>;
  getMemory(req: Tenant & { memoryId: string }): Promise<MemoryRecordView | undefined>;
  updateMemory(
    req: Tenant & { memoryId: string; text?: string; topics?: string[]; memoryType?: string },
  ): Promise<MemoryRecordView | undefined>;
  deleteMemory(req: Tenant & { memoryId: string }): Promise<boolean>;
  deleteMemories(
    req: Tenant & { memoryIds?: string[]; sessionId?: string },
  ): Promise<{ deleted: string[] }>;
}

/** What a runner hands the suite: ADK's interface, and the extended API where the backend has it. */
export type MemoryServiceUnderTest = BaseMemoryService & Partial<ExtendedMemoryApi>;

/** Settings a case may ask a backend's service for; everything else is the runner's default. */
export interface ConformanceConfig {
  apiBaseUrl?: string;
  apiKey?: string;
  retry?: { maxRetries: number };
  similarityThreshold?: number;
  searchTopK?: number;
  storeEventsAsMessages?: boolean;
}

/**
 * Makes a service over the runner's shared storage. Without `config` it is the runner's default
 * service; with one, the same backend configured with those settings on top. A backend that takes
 * no configuration throws when given one.
 */
export type MemoryServiceFactory = (
  config?: ConformanceConfig,
) => MemoryServiceUnderTest | Promise<MemoryServiceUnderTest>;

/** What one case gets to work with. */
export interface MemoryHarness {
  /** A service made for this test by one `factory()` call. */
  readonly service: MemoryServiceUnderTest;
  /** Another service over the same storage, as a second process would hold. */
  readonly another: () => Promise<MemoryServiceUnderTest>;
  /** The backend's service with some settings changed (throws where the backend has none). */
  readonly configured: (config: ConformanceConfig) => Promise<MemoryServiceUnderTest>;
  /** A fresh `{appName, userId}` no other test has used. */
  readonly scope: () => Tenant;
}

export interface MemoryConformanceCase {
  /** Stable id `<area>.<name>`; divergence declarations refer to it. */
  readonly id: string;
  /** What the case checks, for the test title. */
  readonly title: string;
  run(h: MemoryHarness): Promise<void>;
}

/** A case list built by `area.name` ids; keeps each area file short. */
export function defineCases(
  area: string,
  cases: Record<string, { title: string; run(h: MemoryHarness): Promise<void> }>,
): MemoryConformanceCase[] {
  return Object.entries(cases).map(([name, c]) => ({ id: `${area}.${name}`, ...c }));
}

/**
 * The extended API of a service, or a failure naming what is missing (a backend with only ADK's
 * two methods fails every case that needs more, and declares those cases as divergences).
 */
export function extended(service: MemoryServiceUnderTest): ExtendedMemoryApi {
  const methods = [
    'addEventsToMemory',
    'addMemory',
    'search',
    'getMemory',
    'updateMemory',
    'deleteMemory',
    'deleteMemories',
  ] as const;
  const missing = methods.filter((m) => typeof service[m] !== 'function');
  if (missing.length > 0) {
    throw new Error(`the service has no ${missing.join(', ')}`);
  }
  return service as ExtendedMemoryApi;
}

/** A whole second one hour ago: realistic, integer, distinct from "now". */
export function baseTime(): number {
  return Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
}

/** A text event as a user or an agent would produce it. */
export function textEvent(
  text: string,
  timestamp: number,
  opts: { author?: string; id?: string } = {},
): Event {
  const author = opts.author ?? 'user';
  return createEvent({
    ...(opts.id ? { id: opts.id } : {}),
    invocationId: 'inv-memory-conformance',
    author,
    timestamp,
    content: { role: author === 'user' ? 'user' : 'model', parts: [{ text }] },
  });
}

/** A session holding one event per text (alternating user and agent unless `author` is given). */
export function sessionWith(
  tenant: Tenant,
  texts: readonly string[],
  opts: { id?: string; author?: string } = {},
): Session {
  const start = baseTime();
  const events = texts.map((text, i) =>
    textEvent(text, start + i * 1000, {
      author: opts.author ?? (i % 2 === 0 ? 'user' : 'memory_agent'),
    }),
  );
  return createSession({
    id: opts.id ?? uniqueId('session'),
    appName: tenant.appName,
    userId: tenant.userId,
    state: {},
    events,
    lastUpdateTime: events.at(-1)?.timestamp ?? start,
  });
}

/** The text of a search entry (its text parts joined), as ADK's memory tools read it. */
export function entryText(entry: MemoryEntry): string {
  return (entry.content.parts ?? []).map((p) => p.text ?? '').join('');
}

/** The texts `searchMemory` finds for a tenant and query. */
export async function foundTexts(
  service: MemoryServiceUnderTest,
  tenant: Tenant,
  query: string,
): Promise<string[]> {
  const { memories } = await service.searchMemory({ ...tenant, query });
  return memories.map(entryText);
}

/** How often `text` occurs in `texts`. */
export function count(texts: readonly string[], text: string): number {
  return texts.filter((t) => t === text).length;
}

/**
 * `n` words made of ASCII letters only (ADK's in-memory service only matches `[A-Za-z]+` words),
 * unique to this call: the handles a case searches facts by.
 */
export function markers(n: number): string[] {
  const letters = (value: number, width: number) => {
    let out = '';
    for (let i = 0; i < width; i++) {
      out = String.fromCharCode(97 + (value % 26)) + out;
      value = Math.floor(value / 26);
    }
    return out;
  };
  const run = letters(Math.floor(Math.random() * 26 ** 7), 7);
  return Array.from({ length: n }, (_, i) => `zq${run}${letters(i, 3)}`);
}

/** One unique ASCII word (see {@link markers}). */
export function marker(): string {
  return markers(1)[0]!;
}

/** Awaits a rejection and returns the error (fails the case if the promise resolves). */
export async function rejection(promise: Promise<unknown>, what: string): Promise<unknown> {
  let error: unknown;
  let resolved = false;
  try {
    await promise;
    resolved = true;
  } catch (e) {
    error = e;
  }
  expect(resolved, `${what} should have been rejected`).toBe(false);
  return error;
}

/** Own property names of `Object.prototype`, to detect pollution around a case. */
export function prototypeKeys(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}

export { uniqueId };
