/**
 * The single-writer fast path on AMS, against the nock fake, by cases the real server cannot
 * produce: every PUT a `singleWriter` service sends equals what a service reading first sends for
 * the same calls (hostile state, a summarising AMS, strategy options holding a `context` key, an
 * answer in another key order, callers changing what they were handed), and a getSession racing
 * an append or a delete does not leave the cache on a document storage has moved past.
 */
import { createEvent, type Event, type Session } from '@google/adk';
import { describe, expect, it } from 'vitest';
import {
  SessionNotFoundError,
  StaleSessionError,
  type RedisSessionMemoryServiceConfig,
  type RedisSessionMemoryService,
} from '../../../src/sessions/index.js';
import { hostileInitialState, hostileStepEvent } from '../../support/hostile-session.js';
import type { Doc, SeenRequest } from './fake-ams.js';
import { useFakeAms } from './fake-ams-fixture.js';

const APP = 'fast-app';
const USER = 'alice';
const T0 = Date.parse('2025-05-01T08:00:00.000Z');

const fixture = useFakeAms();
const { service } = fixture;

const key = (sessionId: string) => ({ appName: APP, userId: USER, sessionId });
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** An event of step n with a fixed id and time (see hostileStepEvent). */
const stepEvent = (n: number, tag: string): Event =>
  hostileStepEvent(n, { id: `${tag}-${String(n).padStart(4, '0')}`, timestamp: T0 + n * 1000 });

/** A summarising AMS (decided by the document alone, so both services see the same). */
function summariseAbove(limit: number, keep: number): (doc: Doc) => Doc {
  return (doc) => {
    const messages = (doc.messages ?? []) as { id: string }[];
    if (doc.namespace !== APP || messages.length <= limit) return doc;
    const dropped = messages.slice(0, -keep).map((m) => m.id);
    return {
      ...doc,
      context: `${typeof doc.context === 'string' ? doc.context : ''}|${dropped.join(',')}`,
      messages: messages.slice(-keep),
      tokens: Number(doc.tokens ?? 0) + 1,
    };
  };
}

type Body = Record<string, unknown> & {
  context?: unknown;
  data: Record<string, unknown> & { adk_redis: Record<string, unknown> };
  messages: Record<string, unknown>[];
};

/** A session-document PUT without what differs between two writers of the same calls. */
function normalised(request: SeenRequest): unknown {
  const body = structuredClone(request.body) as Body;
  const envelope = body.data.adk_redis;
  envelope.writeId = 'W';
  envelope.session = 'S';
  envelope.createdAt = 'C';
  // The create's time is the clock's; every later one is its event's.
  if (envelope.revision === 1) envelope.lastUpdateTime = 'C';
  envelope.segments = (envelope.segments as [string, number, number][]).map(([, count, newest]) => [
    'seg',
    count,
    newest,
  ]);
  for (const message of body.messages) message.persisted_at = 'P';
  return { query: request.query, body };
}

const sessionPuts = (sessionId: string): SeenRequest[] => fixture.ams.seen('PUT', sessionId);

/**
 * Runs the same calls on a session of `svc`: appends (with the caller changing its events, the
 * live state and what getSession handed out between them), and returns the events as they were
 * when each was appended.
 */
async function drive(
  svc: RedisSessionMemoryService,
  sessionId: string,
  steps: number,
): Promise<{ live: Session; expected: unknown[] }> {
  let live = await svc.createSession({ ...key(sessionId), state: hostileInitialState() });
  const expected: unknown[] = [];
  for (let n = 0; n < steps; n++) {
    const event = stepEvent(n, 'ev');
    await svc.appendEvent({ session: live, event });
    expected.push(plain(event));
    // The caller changes what it holds: the event it passed and the live session's copies.
    event.content!.parts!.push({ text: 'changed after append' });
    (event.actions.stateDelta as Record<string, unknown>).counter = 'changed';
    if (n % 10 === 9) {
      // Reloaded, then the caller changes the events and state it was handed: the events must
      // not reach storage (the state is the live state, which every append stores).
      live = (await svc.getSession(key(sessionId)))!;
      expect(plain(live.events)).toEqual(expected);
      for (const e of live.events) {
        e.content?.parts?.push({ text: 'changed in a read' });
        e.author = 'changed';
      }
      (live.state.nested as { deep: { list: unknown[] } }).deep.list.push('changed in a read');
    }
  }
  return { live, expected };
}

describe('singleWriter sends what a service reading first sends', () => {
  const contextOptions: Partial<RedisSessionMemoryServiceConfig> = {
    extractionStrategy: 'custom',
    extractionStrategyConfig: { context: null, custom_prompt: '"context":null,' },
  };
  for (const [label, summarise, extra] of [
    ['AMS storing as sent', undefined, {}],
    ['a summarising AMS', summariseAbove(6, 3), {}],
    [
      'a summarising AMS, strategy options with a "context" key',
      summariseAbove(5, 2),
      contextOptions,
    ],
  ] as const) {
    it(`${label}: every session PUT and the history read back are the same`, async () => {
      fixture.ams.onPut = summarise;
      const steps = 45;
      const reading = await drive(service(extra), 'reading', steps);
      const single = await drive(service({ ...extra, singleWriter: true }), 'single', steps);

      const [a, b] = [sessionPuts('reading'), sessionPuts('single')];
      expect(b).toHaveLength(a.length);
      expect(b.map(normalised)).toEqual(a.map(normalised));
      if (summarise) {
        const contexts = b.map((r) => (r.body as Body).context);
        expect(new Set(contexts).size).toBeGreaterThan(2);
      }
      // A third service, reading cold, sees each session as its writer's live session does.
      for (const [sessionId, run] of [
        ['reading', reading],
        ['single', single],
      ] as const) {
        const cold = (await service().getSession(key(sessionId)))!;
        expect(plain(cold.events)).toEqual(run.expected);
        expect(plain(cold.state)).toEqual(plain(run.live.state));
        expect(Object.keys(cold.state)).toContain('__proto__');
      }
    });
  }
});

describe('the answer of a PUT, kept or parsed', () => {
  /** Appends e1..e4 to a singleWriter session while AMS summarises, with `answerOrder` applied. */
  async function summarisedRun(answerOrder: (doc: Doc) => Doc, state: Record<string, unknown>) {
    const svc = service({ singleWriter: true });
    const session = await svc.createSession({ ...key('s1'), state });
    const summarise = summariseAbove(2, 1);
    fixture.ams.onPut = (doc) => answerOrder(summarise(doc));
    for (let n = 1; n <= 4; n++) {
      await svc.appendEvent({
        session,
        event: createEvent({
          id: `e${n}`,
          author: 'user',
          timestamp: T0 + n,
          content: { role: 'user', parts: [{ text: `t${n}` }] },
        }),
      });
    }
    const puts = sessionPuts('s1').map((r) => r.body as Body);
    return { puts, stored: fixture.ams.doc(APP, USER, 's1')! };
  }

  /**
   * Each append's PUT must carry the context and messages AMS answered the append before with
   * (`puts[0]` is the create's, `answers` are the appends').
   */
  function expectBuiltOnAnswers(puts: Body[], answers: Doc[]) {
    expect(puts).toHaveLength(answers.length + 1);
    for (let i = 2; i < puts.length; i++) {
      const answer = answers[i - 2]!;
      expect(puts[i]!.context, `PUT ${i}`).toEqual(answer.context ?? null);
      const carried = (answer.messages as { id: string }[]).map((m) => m.id);
      expect(puts[i]!.messages.map((m) => m.id).slice(0, carried.length), `PUT ${i}`).toEqual(
        carried,
      );
    }
  }

  it('AMS’s own key order, state holding null `context` keys: each summary is built on', async () => {
    const answers: Doc[] = [];
    const { puts, stored } = await summarisedRun(
      (doc) => {
        if (doc.session_id === 's1') answers.push(structuredClone(doc));
        return doc;
      },
      { context: null, zz: null },
    );
    expect(answers.filter((d) => d.context !== null).length).toBeGreaterThan(1);
    // The create's PUT came first: its answer is the create's, the appends' follow.
    expectBuiltOnAnswers(puts, answers);
    expect(stored.context).toBe(answers.at(-1)!.context);
  });

  // KNOWN LIMITATION, by design: putKept reads the top-level context as the last `"context":` key,
  // because AMS 0.15.2 writes it right after `data`. A server that wrote it first, summarising,
  // with a state entry `"context":null,` inside `data`, would have its summary taken for "stored
  // as sent" and lost. `it.fails` keeps this visible: it starts failing (flip it to `it`) once the
  // check no longer depends on AMS's key order.
  it.fails(
    'KNOWN LIMITATION (it.fails): an answer with `context` before `data`, a summary and a null `context` state key',
    async () => {
      const answers: Doc[] = [];
      const contextFirst = (doc: Doc): Doc => {
        const { context, ...rest } = doc;
        const reordered = { context, ...rest } as Doc;
        if (doc.session_id === 's1') answers.push(structuredClone(reordered));
        return reordered;
      };
      const { puts } = await summarisedRun(contextFirst, { context: null, zz: null });
      expect(answers.filter((d) => d.context !== null).length).toBeGreaterThan(1);
      expectBuiltOnAnswers(puts, answers);
    },
  );

  it('an answer with `context` first and no decoy in `data`: each summary is built on', async () => {
    const answers: Doc[] = [];
    const contextFirst = (doc: Doc): Doc => {
      const { context, ...rest } = doc;
      const reordered = { context, ...rest } as Doc;
      if (doc.session_id === 's1') answers.push(structuredClone(reordered));
      return reordered;
    };
    const { puts } = await summarisedRun(contextFirst, { plain: 1 });
    expectBuiltOnAnswers(puts, answers);
  });

  it('a summary that leaves `context` as sent text elsewhere in the answer is not mistaken for it', async () => {
    // The summary itself holds what the sent context looked like in JSON.
    const svc = service({ singleWriter: true });
    const session = await svc.createSession(key('s1'));
    fixture.ams.onPut = (doc) =>
      (doc.messages as unknown[]).length > 1
        ? { ...doc, context: 'null,"x":1', messages: (doc.messages as unknown[]).slice(-1) }
        : doc;
    for (let n = 1; n <= 3; n++) {
      await svc.appendEvent({
        session,
        event: createEvent({
          id: `e${n}`,
          author: 'user',
          timestamp: T0 + n,
          content: { role: 'user', parts: [{ text: `t${n}` }] },
        }),
      });
    }
    const puts = sessionPuts('s1').map((r) => r.body as Body);
    expect(puts.at(-1)!.context).toBe('null,"x":1');
    expect(puts.at(-1)!.messages.map((m) => m.id)).toEqual(['e2', 'e3']);
  });
});

/** Holds the answer of the first GET of the user-state document until released. */
class HeldUserRead {
  private release!: () => void;
  private readonly released = new Promise<void>((resolve) => (this.release = resolve));
  private armed = false;
  private sessionRead!: () => void;
  /** Settles once the held read's session-document GET has been answered. */
  readonly sessionAnswered = new Promise<void>((resolve) => (this.sessionRead = resolve));

  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const path = decodeURIComponent(new URL(request.url).pathname);
    const response = await fetch(request);
    if (!this.armed || request.method !== 'GET') return response;
    if (path.endsWith('/s1')) this.sessionRead();
    if (path.includes('adk~user~')) {
      this.armed = false;
      await this.released;
    }
    return response;
  };

  arm(): void {
    this.armed = true;
  }

  open(): void {
    this.release();
  }
}

function textEvent(id: string, n: number): Event {
  return createEvent({
    id,
    author: 'user',
    timestamp: T0 + n,
    content: { role: 'user', parts: [{ text: id }] },
  });
}

const storedEventIds = (): string[] =>
  (
    (
      fixture.ams.doc(APP, USER, 's1')?.data as
        { adk_redis: { events: { id: string }[] } } | undefined
    )?.adk_redis.events ?? []
  ).map((e) => e.id);

/**
 * A getSession whose session GET was answered before an append (or delete) of this process, but
 * which finishes after it. A service reading first refuses the old copy as stale and builds the
 * current live session's append on what is stored; singleWriter promises the same ("stale live
 * sessions of this process are still detected").
 */
async function racedRead(
  singleWriter: boolean,
  during: (svc: RedisSessionMemoryService, live: Session) => Promise<void>,
) {
  const held = new HeldUserRead();
  const svc = service({ singleWriter, fetch: held.fetch });
  const live = await svc.createSession(key('s1'));
  await svc.appendEvent({ session: live, event: textEvent('e1', 1) });
  held.arm();
  const reading = svc.getSession(key('s1'));
  await held.sessionAnswered;
  await during(svc, live);
  held.open();
  const old = (await reading)!;
  expect(old.events.map((e) => e.id)).toEqual(['e1']);
  return { svc, live, old };
}

describe('a getSession racing a write of this process', () => {
  for (const singleWriter of [false, true]) {
    // A read used to keep the document it fetched although an append or delete of this process
    // replaced it meanwhile, so the next append built on (and was stale-checked against) a
    // document storage had moved past (fixed on main by the shared kept copies, kept.ts).
    const mode = singleWriter ? 'singleWriter' : 'reading first';
    it(`${mode}: the current live session appends on what is stored after the race`, async () => {
      const { svc, live } = await racedRead(singleWriter, async (s, l) => {
        await s.appendEvent({ session: l, event: textEvent('e2', 2) });
      });
      await svc.appendEvent({ session: live, event: textEvent('e3', 3) });
      expect(storedEventIds()).toEqual(['e1', 'e2', 'e3']);
    });

    it(`${mode}: the copy read before the append is refused as stale, the append it missed kept`, async () => {
      const { svc, old } = await racedRead(singleWriter, async (s, l) => {
        await s.appendEvent({ session: l, event: textEvent('e2', 2) });
      });
      await expect(
        svc.appendEvent({ session: old, event: textEvent('e3', 3) }),
      ).rejects.toBeInstanceOf(StaleSessionError);
      expect(storedEventIds()).toEqual(['e1', 'e2']);
    });

    it(`${mode}: a session deleted during the read is not written back by a later append`, async () => {
      const { svc, live } = await racedRead(singleWriter, async (s) => {
        await s.deleteSession(key('s1'));
      });
      await expect(
        svc.appendEvent({ session: live, event: textEvent('e2', 2) }),
      ).rejects.toBeInstanceOf(SessionNotFoundError);
      expect(fixture.ams.doc(APP, USER, 's1')).toBeUndefined();
    });
  }
});

/** A gate a test opens by hand, and a signal of when something reached it. */
function gate() {
  let open!: () => void;
  let reached!: () => void;
  return {
    opened: new Promise<void>((resolve) => (open = resolve)),
    reachedAt: new Promise<void>((resolve) => (reached = resolve)),
    open: () => open(),
    reach: () => reached(),
  };
}

/**
 * A getSession that begins while an append's PUT is in flight: its session GET is answered
 * before the PUT lands (the document without the append), and it finishes after the append has
 * returned. The append then is what storage holds; the read's older document must not replace it.
 */
async function readDuringPut(singleWriter: boolean, failAfterLanding = false) {
  const put = gate();
  const userRead = gate();
  const sessionAnswered = gate();
  let armed = false;
  const svc = service({
    singleWriter,
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const path = decodeURIComponent(new URL(request.url).pathname);
      const heldPut = armed && request.method === 'PUT' && path.endsWith('/s1');
      if (heldPut) {
        put.reach();
        await put.opened;
      }
      const response = await fetch(request);
      // The write lands, its answer is lost: an uncertain write.
      if (heldPut && failAfterLanding) return new Response('{"detail":"lost"}', { status: 503 });
      if (armed && request.method === 'GET' && path.endsWith('/s1')) sessionAnswered.reach();
      if (armed && request.method === 'GET' && path.includes('adk~user~')) await userRead.opened;
      return response;
    },
  });
  const live = await svc.createSession(key('s1'));
  await svc.appendEvent({ session: live, event: textEvent('e1', 1) });
  armed = true;
  const appending = svc.appendEvent({ session: live, event: textEvent('e2', 2) });
  await put.reachedAt;
  const reading = svc.getSession(key('s1'));
  await sessionAnswered.reachedAt;
  put.open();
  if (failAfterLanding) await expect(appending).rejects.toThrow();
  else await appending;
  userRead.open();
  const old = (await reading)!;
  armed = false;
  expect(old.events.map((e) => e.id)).toEqual(['e1']);
  return { svc, live, old };
}

describe('a getSession that begins while an append of this process is in flight', () => {
  for (const singleWriter of [false, true]) {
    // This read begins while the write is in flight and ends after it settled: what it found may
    // be the document as it was before, which must not be kept (kept.ts marks a write's end too).
    const mode = singleWriter ? 'singleWriter' : 'reading first';
    it(`${mode}: the current live session appends on what is stored after the race`, async () => {
      const { svc, live } = await readDuringPut(singleWriter);
      await svc.appendEvent({ session: live, event: textEvent('e3', 3) });
      expect(storedEventIds()).toEqual(['e1', 'e2', 'e3']);
    });

    it(`${mode}: the copy it returned is refused as stale, the append it missed kept`, async () => {
      const { svc, old } = await readDuringPut(singleWriter);
      await expect(
        svc.appendEvent({ session: old, event: textEvent('e3', 3) }),
      ).rejects.toBeInstanceOf(StaleSessionError);
      expect(storedEventIds()).toEqual(['e1', 'e2']);
    });

    it(`${mode}: after an uncertain write, the next append still finds what it stored`, async () => {
      // The append of e2 failed for its caller but landed; reading first, the live session is
      // then stale. A kept copy must not hide that (e2 silently overwritten by e3's write).
      const { svc, live } = await readDuringPut(singleWriter, true);
      expect(live.events.map((e) => e.id)).toEqual(['e1']);
      await expect(
        svc.appendEvent({ session: live, event: textEvent('e3', 3) }),
      ).rejects.toBeInstanceOf(StaleSessionError);
      expect(storedEventIds()).toEqual(['e1', 'e2']);
    });
  }
});

describe('a getSession that begins while a delete of this process is in flight', () => {
  for (const singleWriter of [false, true]) {
    // This read begins while the write is in flight and ends after it settled: what it found may
    // be the document as it was before, which must not be kept (kept.ts marks a write's end too).
    const mode = singleWriter ? 'singleWriter' : 'reading first';
    it(`${mode}: the deleted session is not written back by a later append`, async () => {
      const del = gate();
      const userRead = gate();
      const sessionAnswered = gate();
      let armed = false;
      const svc = service({
        singleWriter,
        fetch: async (input, init) => {
          const request = new Request(input, init);
          const path = decodeURIComponent(new URL(request.url).pathname);
          if (armed && request.method === 'DELETE' && path.endsWith('/s1')) {
            del.reach();
            await del.opened;
          }
          const response = await fetch(request);
          if (armed && request.method === 'GET' && path.endsWith('/s1')) sessionAnswered.reach();
          if (armed && request.method === 'GET' && path.includes('adk~user~')) {
            await userRead.opened;
          }
          return response;
        },
      });
      const live = await svc.createSession(key('s1'));
      await svc.appendEvent({ session: live, event: textEvent('e1', 1) });
      armed = true;
      const deleting = svc.deleteSession(key('s1'));
      await del.reachedAt;
      const reading = svc.getSession(key('s1'));
      await sessionAnswered.reachedAt;
      del.open();
      await deleting;
      userRead.open();
      expect((await reading)?.events.map((e) => e.id)).toEqual(['e1']);
      armed = false;
      await expect(
        svc.appendEvent({ session: live, event: textEvent('e2', 2) }),
      ).rejects.toBeInstanceOf(SessionNotFoundError);
      expect(fixture.ams.doc(APP, USER, 's1')).toBeUndefined();
    });
  }
});

/**
 * Two service instances of one process on the same session. The README and the config's TSDoc
 * promise per process: "Stale live sessions of this process are still detected; writes by other
 * processes are not" (and live sessions are tracked module-wide, so any instance can tell).
 */
describe('two services in one process', () => {
  for (const singleWriter of [false, true]) {
    // Each store instance used to keep its own cache, so an instance built on the document it last
    // saw although the other instance of this process wrote since (fixed on main, kept.ts).
    const mode = singleWriter ? 'singleWriter' : 'reading first';
    it(`${mode}: a copy another instance moved past is refused as stale; the other’s event stays`, async () => {
      const a = service({ singleWriter });
      const b = service({ singleWriter });
      const live = await a.createSession(key('s1'));
      await a.appendEvent({ session: live, event: textEvent('e1', 1) });
      const copy = (await b.getSession(key('s1')))!;
      await a.appendEvent({ session: live, event: textEvent('e2', 2) });
      await expect(
        b.appendEvent({ session: copy, event: textEvent('e3', 3) }),
      ).rejects.toBeInstanceOf(StaleSessionError);
      expect(storedEventIds()).toEqual(['e1', 'e2']);
    });

    it(`${mode}: the current live session appends through the other instance`, async () => {
      const a = service({ singleWriter });
      const b = service({ singleWriter });
      const live = await a.createSession(key('s1'));
      await a.appendEvent({ session: live, event: textEvent('e1', 1) });
      await b.getSession(key('s1'));
      await a.appendEvent({ session: live, event: textEvent('e2', 2) });
      await b.appendEvent({ session: live, event: textEvent('e3', 3) });
      expect(storedEventIds()).toEqual(['e1', 'e2', 'e3']);
    });
  }
});
