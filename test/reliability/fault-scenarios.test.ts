/**
 * Faults at exact moments of an append, on both backends: what the soak does at random, made
 * deterministic with the chaos proxy's script.
 *
 * - A fault BEFORE the session write is forwarded: the append throws a typed error, nothing is
 *   stored, and the same live session appends again without a StaleSessionError.
 * - A fault AFTER the session write was applied (the answer lost or corrupted): the append throws
 *   a typed error, the event is stored exactly once, the next append from the same live session
 *   throws StaleSessionError and writes nothing, and after a reload appends work again.
 * - A failed append sends nothing after it has returned (known bug: see below).
 */
import { createEvent, createEventActions, type Event, type Session } from '@google/adk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  AdkRedisError,
  StaleSessionError,
  type RedisSessionMemoryService,
} from '../../src/index.js';
import {
  startChaosProxy,
  type ChaosProxy,
  type FaultKind,
  type ProxiedRequest,
  type ScriptDecision,
} from '../support/chaos-proxy/index.js';
import { uniqueId } from '../support/ids.js';
import {
  amsBackend,
  describeError,
  sleep,
  startRamBackend,
  type BackendName,
  type BackendUnderTest,
  type RamUnderTest,
} from './helpers.js';

const event = (text: string, delta: Record<string, unknown> = {}): Event =>
  createEvent({
    invocationId: 'inv-fault',
    author: 'user',
    content: { role: 'user', parts: [{ text }] },
    actions: createEventActions({ stateDelta: delta }),
  });

/** What the managed API's POST body says it is: an ADK event, or a state record. */
const managedKind = (request: ProxiedRequest): string | undefined => {
  try {
    const body = JSON.parse(request.body) as { metadata?: { adk_redis?: { kind?: string } } };
    return body.metadata?.adk_redis?.kind;
  } catch {
    return undefined;
  }
};

function scenarios(name: BackendName, start: () => Promise<BackendUnderTest>): void {
  const title = name === 'ams' ? 'Agent Memory Server' : 'Redis Agent Memory (fake)';
  describe(`faults at exact moments of an append: ${title}`, () => {
    let backend: BackendUnderTest;
    let proxy: ChaosProxy;
    let rule: ((request: ProxiedRequest) => ScriptDecision) | undefined;
    let chaotic: RedisSessionMemoryService;
    let direct: RedisSessionMemoryService;

    beforeAll(async () => {
      backend = await start();
      proxy = await startChaosProxy({
        target: backend.target,
        record: true,
        script: (request) => rule?.(request),
      });
      chaotic = backend.service(proxy.url, {
        timeoutMs: 300,
        retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 },
      });
      direct = backend.service();
    });
    afterAll(async () => {
      await proxy?.stop();
      if (name === 'ram') {
        expect((backend as RamUnderTest).fake.violations).toEqual([]);
        await (backend as RamUnderTest).fake.stop();
      }
    });

    /** The session's own write: AMS PUT of its document, managed POST of an ADK event. */
    const isSessionWrite = (sessionId: string) => (request: ProxiedRequest) =>
      name === 'ams'
        ? request.method === 'PUT' && request.path === `/v1/working-memory/${sessionId}`
        : request.method === 'POST' && managedKind(request) === 'event';
    /** A write of the user's state (AMS: its document; managed: a user-state record). */
    const isUserStateWrite = (request: ProxiedRequest) =>
      name === 'ams'
        ? request.method === 'GET' && request.path.includes('/adk~user~')
        : request.method === 'POST' && managedKind(request) === 'user-state';

    const newSession = async (): Promise<Session> =>
      chaotic.createSession({
        appName: uniqueId('scenario-app'),
        userId: uniqueId('scenario-user'),
        state: { n: 0 },
      });
    const stored = async (live: Session): Promise<Session> =>
      (await direct.getSession({
        appName: live.appName,
        userId: live.userId,
        sessionId: live.id,
      }))!;

    const BEFORE: FaultKind[] = [
      'status5xx',
      'status429',
      'timeout',
      'reset',
      'truncate',
      'html200',
      'html502',
    ];
    it.each(BEFORE)(
      '%s before the write is forwarded: typed error, nothing stored, carry on',
      async (kind) => {
        const live = await newSession();
        const match = isSessionWrite(live.id);
        // Every attempt, retries included, meets the fault.
        rule = (request) => (match(request) ? { kind, phase: 'before', status: 503 } : undefined);
        const failed = event('never stored', { n: 1 });
        const error = await chaotic
          .appendEvent({ session: live, event: failed })
          .catch((e: unknown) => e);
        rule = undefined;
        expect(error, describeError(error)).toBeInstanceOf(AdkRedisError);
        expect(live.events).toEqual([]);
        expect(live.state).toEqual({ n: 0 });
        const after = await stored(live);
        expect(after.events).toEqual([]);
        expect(after.state).toEqual({ n: 0 });
        const next = event('next', { n: 2 });
        await chaotic.appendEvent({ session: live, event: next });
        expect((await stored(live)).events.map((e) => e.id)).toEqual([next.id]);
      },
    );

    const AFTER: FaultKind[] = ['status5xx', 'timeout', 'reset', 'truncate', 'html200', 'html502'];
    it.each(AFTER)(
      '%s after the write was applied: stored once, then stale until reloaded',
      async (kind) => {
        const live = await newSession();
        const match = isSessionWrite(live.id);
        rule = (request) => (match(request) ? { kind, phase: 'after', status: 503 } : undefined);
        const landed = event('landed', { n: 1 });
        const error = await chaotic
          .appendEvent({ session: live, event: landed })
          .catch((e: unknown) => e);
        rule = undefined;
        expect(error, describeError(error)).toBeInstanceOf(AdkRedisError);
        expect(live.events).toEqual([]);
        const after = await stored(live);
        expect(after.events.filter((e) => e.id === landed.id)).toHaveLength(1);
        expect(after.state).toEqual({ n: 1 });
        // The live session is behind storage now: told so, nothing written.
        const blocked = event('blocked', { n: 99 });
        const stale = await chaotic
          .appendEvent({ session: live, event: blocked })
          .catch((e: unknown) => e);
        expect(stale, describeError(stale)).toBeInstanceOf(StaleSessionError);
        expect((await stored(live)).events.map((e) => e.id)).toEqual([landed.id]);
        // Reloaded, it carries on.
        const reloaded = await stored(live);
        const next = event('next', { n: 2 });
        await chaotic.appendEvent({ session: reloaded, event: next });
        const final = await stored(live);
        expect(final.events.map((e) => e.id)).toEqual([landed.id, next.id]);
        expect(final.state).toEqual({ n: 2 });
      },
    );

    // The session write and the app/user writes settle before the append does, so nothing lands
    // after a failed append returned (an earlier version raced them with Promise.all).
    it('a failed append sends nothing after it returns', async () => {
      const live = await newSession();
      const match = isSessionWrite(live.id);
      // The user-state write fails at once; the session write is slow (but within the timeout).
      rule = (request) =>
        isUserStateWrite(request)
          ? { kind: 'html200', phase: 'before' }
          : match(request)
            ? { kind: 'slow', phase: 'before', delayMs: 150 }
            : undefined;
      const failed = event('failed', { 'user:seen': 1 });
      const error = await chaotic
        .appendEvent({ session: live, event: failed })
        .catch((e: unknown) => e);
      rule = undefined;
      expect(error, describeError(error)).toBeInstanceOf(AdkRedisError);
      // The same live session appends again, as a caller would after a transient error.
      const next = event('next');
      const second = await chaotic.appendEvent({ session: live, event: next }).then(
        () => 'resolved',
        (e: unknown) => (e instanceof Error ? e.name : 'error'),
      );
      const right = (await stored(live)).events.map((e) => e.id);
      await sleep(400);
      const later = (await stored(live)).events.map((e) => e.id);
      // Nothing landed after the calls returned; a resolved append is stored.
      expect(later).toEqual(right);
      if (second === 'resolved') expect(later).toContain(next.id);
    });
  });
}

scenarios('ams', () => Promise.resolve(amsBackend(inject('amsBaseUrl'))));
scenarios('ram', () => startRamBackend());
