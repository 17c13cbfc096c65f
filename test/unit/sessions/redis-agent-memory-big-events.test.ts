/**
 * Events over the managed service's per-event metadata limit, on the fake with that limit enforced
 * (16 KiB): they are stored as part records before their own record and read back whole, in
 * order; content stays a readable conversation; a failed append leaves nothing readable; retried
 * POSTs do not duplicate; stale copies still lose; the Python adk-redis's reading still works.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createEvent, createEventActions, type Event, type Session } from '@google/adk';
import { describe, expect, it } from 'vitest';
import {
  EventTooLargeError,
  StaleSessionError,
  unwrap,
  type RedisSessionMemoryService,
} from '../../../src/index.js';
import { useFakeRedisAgentMemory } from '../../support/fake-redis-agent-memory/fixture.js';
import { MAX_METADATA_BYTES } from '../../support/fake-redis-agent-memory/handlers.js';
import { uniqueId } from '../../support/ids.js';

const fixture = useFakeRedisAgentMemory();
const { service, raw } = fixture;

const KiB = 1024;
const alnum = (prefix: string) => `${prefix}${uniqueId('').replace(/[^A-Za-z0-9]/g, '')}`;
const jsonOf = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

// Written out here, independently of the library: the Python package's storage session id.
const storageId = (appName: string, userId: string, sessionId: string): string =>
  createHash('sha256')
    .update(`${appName.replace(/[^A-Za-z0-9-]/g, '-')}\0${userId}\0${sessionId}`)
    .digest('hex');

async function stored(session: Session) {
  return unwrap(
    raw().GET('/v1/stores/{storeId}/session-memory/{sessionId}', {
      params: { path: { sessionId: storageId(session.appName, session.userId, session.id) } },
    }),
  );
}

/** Search results as a tool returns them: about `bytes` of JSON, varied text, some non-ASCII. */
function searchResults(bytes: number): Record<string, unknown> {
  const results: Record<string, string>[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const result = {
      title: `Result ${i}: Café "Roma" — ${randomBytes(6).toString('hex')}`,
      url: `https://example.com/${i}?q=rome&lang=it`,
      snippet: `Line one of ${i}.\nLine two with tabs\tand quotes "x" and emoji 🍕 ${'lorem '.repeat(20)}`,
    };
    size += JSON.stringify(result).length;
    results.push(result);
  }
  return { results };
}

const toolCall = (name: string) =>
  createEvent({
    invocationId: 'inv',
    author: 'researcher',
    content: { role: 'model', parts: [{ functionCall: { id: 'call-1', name, args: { q: 'x' } } }] },
  });
const toolResult = (name: string, response: Record<string, unknown>) =>
  createEvent({
    invocationId: 'inv',
    author: 'researcher',
    content: { role: 'user', parts: [{ functionResponse: { id: 'call-1', name, response } }] },
  });
const textEvent = (author: string, text: string, extra: Partial<Event> = {}): Event =>
  createEvent({
    invocationId: 'inv',
    author,
    content: { role: author === 'user' ? 'user' : 'model', parts: [{ text }] },
    ...extra,
  });

async function newSession(sessions: RedisSessionMemoryService, state?: Record<string, unknown>) {
  return sessions.createSession({ appName: alnum('app'), userId: alnum('user'), state });
}

const reload = (sessions: RedisSessionMemoryService, session: Session) =>
  sessions.getSession({ appName: session.appName, userId: session.userId, sessionId: session.id });

describe('a tool result over the per-event limit', () => {
  it.each([
    ['14 KiB', 14 * KiB],
    ['20 KiB', 20 * KiB],
    ['60 KiB', 60 * KiB],
    ['1 MiB', 1024 * KiB],
  ])('of %s is stored, read back deep-equal and in order', async (_label, size) => {
    const sessions = service();
    const session = await newSession(sessions);
    const events = [
      textEvent('user', 'Find me pizza places in Rome'),
      toolCall('web_search'),
      toolResult('web_search', searchResults(size)),
      textEvent('researcher', 'Here are the best places.', {
        actions: createEventActions({ stateDelta: { searched: true } }),
      }),
    ];
    for (const event of events) await sessions.appendEvent({ session, event });
    const read = (await reload(sessions, session))!;
    expect(jsonOf(read.events)).toEqual(jsonOf(session.events));
    expect(read.state).toEqual({ searched: true });
    // Every request the service received kept its metadata under the limit.
    for (const request of fixture.fake.requests.filter((r) => r.method === 'POST')) {
      const metadata = (request.body as { metadata?: unknown }).metadata;
      expect(Buffer.byteLength(JSON.stringify(metadata ?? null))).toBeLessThanOrEqual(
        MAX_METADATA_BYTES,
      );
    }
    // And the session keeps taking appends from the same live copy.
    await sessions.appendEvent({ session, event: textEvent('user', 'Thanks') });
    expect(jsonOf((await reload(sessions, session))!.events)).toEqual(jsonOf(session.events));
  });

  it('with 1 MiB of inline data round-trips, and so does a 1 MiB text', async () => {
    const sessions = service();
    const session = await newSession(sessions);
    const image = createEvent({
      invocationId: 'inv',
      author: 'user',
      content: {
        role: 'user',
        parts: [
          { text: 'What is in this picture?' },
          {
            inlineData: { mimeType: 'image/png', data: randomBytes(768 * KiB).toString('base64') },
          },
        ],
      },
    });
    const longText = textEvent('writer', `Chapter one.\n${'It was a long day. '.repeat(56 * KiB)}`);
    await sessions.appendEvent({ session, event: image });
    await sessions.appendEvent({ session, event: longText });
    const read = (await reload(sessions, session))!;
    expect(jsonOf(read.events)).toEqual(jsonOf(session.events));
  });

  it('with a large initial state and a large state change is stored', async () => {
    const sessions = service();
    const big = { notes: 'n'.repeat(64 * KiB) };
    const session = await newSession(sessions, { ...big, 'app:big': 'a'.repeat(20 * KiB) });
    await sessions.appendEvent({
      session,
      event: textEvent('agent', 'noted', {
        actions: createEventActions({ stateDelta: { more: 'm'.repeat(40 * KiB) } }),
      }),
    });
    const read = (await reload(sessions, session))!;
    expect(read.state).toEqual(session.state);
    expect(jsonOf(read.events)).toEqual(jsonOf(session.events));
  });
});

describe('what the service itself reads', () => {
  it('is a readable conversation: no JSON or base64 in content, part records empty', async () => {
    const sessions = service();
    const session = await newSession(sessions);
    await sessions.appendEvent({ session, event: textEvent('user', 'Search for Rome') });
    await sessions.appendEvent({
      session,
      event: toolResult('web_search', searchResults(100 * KiB)),
    });
    const image = createEvent({
      invocationId: 'inv',
      author: 'user',
      content: {
        role: 'user',
        parts: [
          { inlineData: { mimeType: 'image/png', data: randomBytes(64 * KiB).toString('base64') } },
        ],
      },
    });
    await sessions.appendEvent({ session, event: image });
    const long = 'word '.repeat(80 * KiB);
    await sessions.appendEvent({ session, event: textEvent('agent', long) });
    const data = await stored(session);
    const texts = data.events.flatMap((e) => e.content.map((c) => c.text ?? ''));
    for (const text of texts) {
      expect(text.length).toBeLessThanOrEqual(256 * KiB);
      expect(text).not.toMatch(/[{[]\s*"/); // no JSON
      expect(text).not.toMatch(/[A-Za-z0-9+/]{200}/); // no base64
    }
    expect(texts).toEqual([
      '(session created)',
      'Search for Rome',
      '(function response: web_search)',
      '(file)',
      expect.stringMatching(/^word word .* \(\d+ more characters in the stored event\)$/s),
    ]);
    const parts = data.events.filter((e) => e.content.length === 0);
    expect(parts.length).toBeGreaterThan(0);
    expect(parts.every((e) => e.role === 'SYSTEM')).toBe(true);
    // The long text is still whole in the event as read back.
    const read = (await reload(sessions, session))!;
    expect(read.events.at(-1)?.content?.parts?.[0]?.text).toBe(long);
  });
});

/**
 * The Python adk-redis 0.0.10's `get_session` on the managed API, written out from its behaviour:
 * records with non-blank text become text events (texts joined by a newline), in order, with
 * the state merged from their `metadata.state_delta`; records without text are skipped.
 */
function readAsPython(data: { events: { content: { text?: string }[]; metadata?: unknown }[] }) {
  const events: { id: unknown; text: string }[] = [];
  const state: Record<string, unknown> = {};
  for (const event of data.events) {
    const text = event.content
      .map((c) => c.text ?? '')
      .filter(Boolean)
      .join('\n')
      .trim();
    if (!text) continue;
    const metadata = (event.metadata ?? {}) as Record<string, unknown>;
    const delta = metadata.state_delta;
    if (delta && typeof delta === 'object' && !Array.isArray(delta)) Object.assign(state, delta);
    events.push({ id: metadata.adk_event_id, text });
  }
  return { events, state };
}

describe('the Python adk-redis reading a session with big events', () => {
  it('sees one text event per ADK event, with its state, and no part records', async () => {
    const sessions = service();
    const session = await newSession(sessions, { lang: 'it' });
    const result = toolResult('web_search', searchResults(200 * KiB));
    result.actions = createEventActions({ stateDelta: { found: 12 } });
    await sessions.appendEvent({ session, event: textEvent('user', 'Pizza in Rome?') });
    await sessions.appendEvent({ session, event: result });
    await sessions.appendEvent({ session, event: textEvent('researcher', 'Try Da Michele.') });
    const python = readAsPython(await stored(session));
    expect(python.events).toEqual([
      { id: undefined, text: '(session created)' },
      { id: session.events[0]!.id, text: 'Pizza in Rome?' },
      { id: result.id, text: '(function response: web_search)' },
      { id: session.events[2]!.id, text: 'Try Da Michele.' },
    ]);
    expect(python.state).toEqual({ lang: 'it', found: 12 });
  });
});

describe('failures', () => {
  it('an append that fails part-way leaves no event, and the session reads and appends on', async () => {
    let posts = 0;
    const failing = service({
      retry: { maxRetries: 0 },
      fetch: (input, init) => {
        const url = input instanceof Request ? input.url : String(input);
        if (init?.method === 'POST' && url.endsWith('/session-memory/events') && ++posts === 4) {
          return Promise.resolve(new Response('{"status":400}', { status: 400 }));
        }
        return fetch(input, init);
      },
    });
    const session = await newSession(failing);
    posts = 0;
    const big = toolResult('web_search', searchResults(300 * KiB));
    await expect(failing.appendEvent({ session, event: big })).rejects.toThrow();
    expect(session.events).toEqual([]);
    const sessions = service();
    const read = (await reload(sessions, session))!;
    expect(read.events).toEqual([]);
    // Some parts landed, and nothing reads them as an event.
    expect((await stored(session)).events.length).toBeGreaterThan(1);
    await sessions.appendEvent({ session: read, event: big });
    await sessions.appendEvent({ session: read, event: textEvent('user', 'ok') });
    expect(jsonOf((await reload(sessions, read))!.events)).toEqual(jsonOf(read.events));
  });

  it('POSTs retried after lost answers store duplicates that read back once', async () => {
    const sessions = service();
    const session = await newSession(sessions);
    fixture.fake.injectFault({ method: 'POST', status: 503, afterHandling: true, times: 6 });
    const big = toolResult('web_search', searchResults(150 * KiB));
    await sessions.appendEvent({ session, event: big });
    const read = (await reload(sessions, session))!;
    expect(jsonOf(read.events)).toEqual(jsonOf([big]));
  });

  it('parts whose digest does not match are ignored: a record reads only with its own', async () => {
    const sessions = service();
    const session = await newSession(sessions);
    const big = toolResult('web_search', searchResults(50 * KiB));
    await sessions.appendEvent({ session, event: big });
    const data = await stored(session);
    // Another writer's parts for the same event id, with other data, land after ours: ignored.
    const ours = data.events.filter((e) => e.content.length === 0);
    for (const part of ours) {
      const meta = structuredClone(part.metadata) as { adk_redis_part: { data: string } };
      meta.adk_redis_part.data = meta.adk_redis_part.data.replace(/Result/g, 'Tampered');
      await unwrap(
        raw().POST('/v1/stores/{storeId}/session-memory/events', {
          body: { ...part, metadata: meta },
        }),
      );
    }
    expect(jsonOf((await reload(sessions, session))!.events)).toEqual(jsonOf([big]));
  });

  it('a record whose parts were summarised away reads as absent, without an error', async () => {
    const sessions = service();
    const session = await newSession(sessions);
    await sessions.appendEvent({
      session,
      event: toolResult('web_search', searchResults(40 * KiB)),
    });
    await sessions.appendEvent({ session, event: textEvent('user', 'after') });
    const id = storageId(session.appName, session.userId, session.id);
    fixture.fake.summarize(id, 2, 'They searched.');
    const read = (await reload(sessions, session))!;
    expect(read.events.map((e) => e.content?.parts?.[0]?.text)).toEqual(['after']);
  });
});

describe('stale writers with big events', () => {
  it('two live copies: exactly one big append wins and reads back whole', async () => {
    const sessions = service();
    const first = await newSession(sessions);
    const second = (await reload(sessions, first))!;
    const a = toolResult('web_search', searchResults(80 * KiB));
    const b = toolResult('web_search', searchResults(80 * KiB));
    const outcomes = await Promise.allSettled([
      sessions.appendEvent({ session: first, event: a }),
      sessions.appendEvent({ session: second, event: b }),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost[0]?.reason).toBeInstanceOf(StaleSessionError);
    const winner = outcomes[0].status === 'fulfilled' ? a : b;
    expect(jsonOf((await reload(sessions, first))!.events)).toEqual(jsonOf([winner]));
  });

  it('a copy from another service that loaded before a big append is stale', async () => {
    const writer = service();
    const other = service();
    const session = await newSession(writer);
    const copy = (await reload(other, session))!;
    await writer.appendEvent({ session, event: toolResult('web_search', searchResults(40 * KiB)) });
    await expect(
      other.appendEvent({ session: copy, event: textEvent('user', 'late') }),
    ).rejects.toBeInstanceOf(StaleSessionError);
    // The writer's own copy keeps appending (its revision counts the part records).
    await writer.appendEvent({ session, event: textEvent('user', 'next') });
    expect(jsonOf((await reload(other, session))!.events)).toEqual(jsonOf(session.events));
  });
});

describe('maxEventBytes', () => {
  it('stays a guard: an event over it throws EventTooLargeError and sends nothing', async () => {
    const sessions = service({ maxEventBytes: 64 * KiB });
    const session = await newSession(sessions);
    await sessions.appendEvent({
      session,
      event: toolResult('web_search', searchResults(40 * KiB)),
    });
    const before = fixture.fake.requests.length;
    const big = toolResult('web_search', searchResults(80 * KiB));
    const error = await sessions.appendEvent({ session, event: big }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventTooLargeError);
    expect(error).toMatchObject({ eventId: big.id, limitBytes: 64 * KiB });
    expect(fixture.fake.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
  });

  it('defaults to 4 MiB: a 3 MiB event is stored, a 5 MiB one refused', async () => {
    const sessions = service();
    const session = await newSession(sessions);
    const blob = (bytes: number) =>
      createEvent({
        invocationId: 'inv',
        author: 'user',
        content: {
          role: 'user',
          parts: [{ inlineData: { mimeType: 'application/pdf', data: 'A'.repeat(bytes) } }],
        },
      });
    await sessions.appendEvent({ session, event: blob(3 * 1024 * KiB) });
    const error = await sessions
      .appendEvent({ session, event: blob(5 * 1024 * KiB) })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'EventTooLargeError', limitBytes: 4 * 1024 * KiB });
    expect(jsonOf((await reload(sessions, session))!.events)).toEqual(jsonOf(session.events));
  });
});
