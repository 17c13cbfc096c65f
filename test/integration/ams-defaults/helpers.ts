/**
 * Shared by the tests that run the session service against AMS as users deploy it (the harness's
 * `defaults` profile): a server of their own, paced appends, raw reads of the stored document, and
 * a wait for AMS's background work to be over.
 */
import { createEvent, createEventActions, type Session } from '@google/adk';
import {
  createAgentMemoryServerClient,
  unwrap,
  type AgentMemoryServerClient,
  type AmsWorkingMemory,
} from '../../../src/clients/index.js';
import {
  RedisSessionMemoryService,
  type RedisSessionMemoryServiceConfig,
} from '../../../src/index.js';
import { defaultChatScript, type ModelEndpoint } from '../../support/model-endpoint/index.js';
import { uniqueId } from '../../support/ids.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A session key with plain ids (sent to AMS unchanged, so raw reads can address them). */
export function newKey(prefix: string): { appName: string; userId: string; sessionId: string } {
  return {
    appName: uniqueId(`${prefix}-app`),
    userId: uniqueId(`${prefix}-user`),
    sessionId: uniqueId(`${prefix}-session`),
  };
}

export function amsService(
  baseUrl: string,
  extra: Partial<RedisSessionMemoryServiceConfig> = {},
): RedisSessionMemoryService {
  return new RedisSessionMemoryService({
    backend: 'opensource-agent-memory',
    apiBaseUrl: baseUrl,
    ...extra,
  });
}

/**
 * Chat answers as the default script gives them, with the background tasks' calls (extraction,
 * duplicate merging) held for `delayMs`, so writes land while AMS waits for its LLM. Summarisation
 * answers at once: it runs inside the PUT.
 */
export function slowBackgroundCalls(endpoint: ModelEndpoint, delayMs: number): void {
  endpoint.setChatScript(async (input) => {
    const content = (await defaultChatScript(input)) as string;
    const slow = input.kind === 'extraction' || input.kind === 'merge';
    return { content, delayMs: slow ? delayMs : 0 };
  });
}

/** A user event with text (so it also becomes an AMS message) and a state change. */
export function userEvent(text: string, index: number) {
  return createEvent({
    invocationId: 'ams-defaults',
    author: 'user',
    content: { role: 'user', parts: [{ text }] },
    actions: createEventActions({ stateDelta: { count: index } }),
  });
}

/**
 * Appends `count` text events to the live session, `gapMs` apart; returns the ids of the appends
 * that resolved (the acknowledged ones), in order. The first failure is thrown.
 */
export async function appendPaced(
  service: RedisSessionMemoryService,
  session: Session,
  count: number,
  gapMs: number,
  text: (i: number) => string,
): Promise<string[]> {
  const acknowledged: string[] = [];
  for (let i = 0; i < count; i++) {
    const event = userEvent(text(i), i);
    await service.appendEvent({ session, event });
    acknowledged.push(event.id);
    if (gapMs > 0) await sleep(gapMs);
  }
  return acknowledged;
}

/**
 * Resolves once AMS's background work that `since` could have started is over: no chat call in
 * flight, and none started, for longer than the extraction debounce (a task queued by a write
 * sleeps that long before it reads the document), counted from `since` and from the newest call.
 */
export async function backgroundSettled(
  endpoint: ModelEndpoint,
  debounceSeconds: number,
  since: number,
  timeoutMs = 60_000,
): Promise<void> {
  const quietMs = debounceSeconds * 1000 + 1500;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const calls = endpoint.chatCalls();
    const inFlight = calls.some((call) => call.finishedAt === undefined);
    const newest = Math.max(since, ...calls.map((call) => call.finishedAt ?? call.startedAt));
    if (!inFlight && Date.now() - newest > quietMs) return;
    if (Date.now() > deadline) throw new Error('AMS background work did not settle');
    await sleep(100);
  }
}

/** A raw AMS client (no retries), for reading documents as stored. */
export function rawClient(baseUrl: string): AgentMemoryServerClient {
  return createAgentMemoryServerClient({ baseUrl, retry: { maxRetries: 0 } });
}

/** The stored document of a session whose ids are plain (see {@link newKey}). */
export async function rawDocument(
  ams: AgentMemoryServerClient,
  key: { appName: string; userId: string; sessionId: string },
): Promise<AmsWorkingMemory> {
  return unwrap(
    ams.GET('/v1/working-memory/{session_id}', {
      params: {
        path: { session_id: key.sessionId },
        query: { namespace: key.appName, user_id: key.userId },
      },
    }),
  );
}

/** The chat calls of `kind` whose prompt contains `token`. */
export function chatCallsWith(
  endpoint: ModelEndpoint,
  kind: 'extraction' | 'summarization',
  token: string,
) {
  return endpoint.chatCalls(kind).filter((call) => call.input.some((text) => text.includes(token)));
}
