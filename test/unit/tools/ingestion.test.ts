/** The ingestion plugin and callback: only new events, filters, failures reported and retried. */
import {
  createEventActions,
  InMemoryMemoryService,
  type Context,
  type Event,
  type InvocationContext,
  type Session,
} from '@google/adk';
import { describe, expect, it, vi } from 'vitest';
import {
  createMemoryIngestionCallback,
  MemoryIngestionPlugin,
  type MemoryIngestionErrorInfo,
  type MemoryIngestionOptions,
} from '../../../src/index.js';

const event = (id: string, author: string, text: string, extra: Partial<Event> = {}): Event => ({
  id,
  invocationId: 'inv',
  author,
  content: { role: author === 'user' ? 'user' : 'model', parts: [{ text }] },
  actions: createEventActions(),
  timestamp: 1_700_000_000_000,
  ...extra,
});

const session = (events: Event[], userId = 'alice'): Session => ({
  id: 's1',
  appName: 'travel',
  userId,
  state: {},
  events,
  lastUpdateTime: 0,
});

/** A memory service that records what it was asked to add (and fails when told to). */
function recordingService() {
  const calls: { sessionId?: string; userId: string; eventIds: string[] }[] = [];
  let failure: Error | undefined;
  return {
    calls,
    failWith(error: Error | undefined) {
      failure = error;
    },
    addEventsToMemory: vi.fn(
      (request: { appName: string; userId: string; sessionId?: string; events: Event[] }) => {
        if (failure) return Promise.reject(failure);
        const eventIds = request.events.map((e) => e.id);
        calls.push({
          userId: request.userId,
          eventIds,
          ...(request.sessionId ? { sessionId: request.sessionId } : {}),
        });
        return Promise.resolve({ stored: eventIds.map((id) => `m-${id}`) });
      },
    ),
  };
}

const runAfter = (plugin: MemoryIngestionPlugin, s: Session) =>
  plugin.afterRunCallback({ invocationContext: { session: s } as unknown as InvocationContext });

const pluginOn = (
  service: ReturnType<typeof recordingService>,
  options: MemoryIngestionOptions = {},
) => new MemoryIngestionPlugin({ memoryService: service as never, ...options });

describe('MemoryIngestionPlugin', () => {
  it('adds only the events not yet ingested, with the session id', async () => {
    const service = recordingService();
    const plugin = pluginOn(service);
    const s = session([event('e1', 'user', 'I like aisle seats'), event('e2', 'agent', 'Noted')]);
    await runAfter(plugin, s);
    s.events.push(event('e3', 'user', 'And vegetarian meals'), event('e4', 'agent', 'Noted too'));
    await runAfter(plugin, s);
    await runAfter(plugin, s);
    expect(service.calls).toEqual([
      { userId: 'alice', sessionId: 's1', eventIds: ['e1', 'e2'] },
      { userId: 'alice', sessionId: 's1', eventIds: ['e3', 'e4'] },
    ]);
  });

  it('skips events without visible text and partial events; applies authors and the filter', async () => {
    const service = recordingService();
    const plugin = pluginOn(service, {
      authors: ['user'],
      filter: (e) => !(e.content?.parts?.[0]?.text ?? '').includes('secret'),
    });
    const s = session([
      event('e1', 'user', 'I like aisle seats'),
      event('e2', 'agent', 'Noted'),
      event('e3', 'user', '   '),
      event('e4', 'user', 'half a sent', { partial: true }),
      event('e5', 'user', 'my secret is 1234'),
      event('e6', 'user', '', {
        content: { role: 'user', parts: [{ functionResponse: { name: 'f', response: {} } }] },
      }),
    ]);
    await runAfter(plugin, s);
    expect(service.calls).toEqual([{ userId: 'alice', sessionId: 's1', eventIds: ['e1'] }]);
  });

  it('never fails the turn when memory is down: onError gets the typed error, and the events are retried', async () => {
    const service = recordingService();
    const onError = vi.fn<(error: unknown, info: MemoryIngestionErrorInfo) => void>();
    const plugin = pluginOn(service, { onError });
    const s = session([event('e1', 'user', 'I like aisle seats')]);
    const down = new TypeError('fetch failed');
    service.failWith(down);
    await expect(runAfter(plugin, s)).resolves.toBeUndefined();
    expect(onError).toHaveBeenCalledWith(down, {
      appName: 'travel',
      userId: 'alice',
      sessionId: 's1',
      eventIds: ['e1'],
    });
    service.failWith(undefined);
    s.events.push(event('e2', 'agent', 'Noted'));
    await runAfter(plugin, s);
    expect(service.calls).toEqual([{ userId: 'alice', sessionId: 's1', eventIds: ['e1', 'e2'] }]);
  });

  it('survives an onError that throws', async () => {
    const service = recordingService();
    service.failWith(new Error('down'));
    const plugin = pluginOn(service, {
      onError: () => {
        throw new Error('callback bug');
      },
    });
    await expect(
      runAfter(plugin, session([event('e1', 'user', 'hi there')])),
    ).resolves.toBeUndefined();
  });

  it("uses the runner's memory service when none is given; addSessionToMemory for other services", async () => {
    const memoryService = new InMemoryMemoryService();
    const plugin = new MemoryIngestionPlugin();
    const s = session([event('e1', 'user', 'I like aisle seats')]);
    await plugin.afterRunCallback({
      invocationContext: { session: s, memoryService } as unknown as InvocationContext,
    });
    const found = await memoryService.searchMemory({
      appName: 'travel',
      userId: 'alice',
      query: 'aisle',
    });
    expect(found.memories.map((m) => m.content.parts?.[0]?.text)).toEqual(['I like aisle seats']);
  });

  it('reports a missing memory service instead of failing', async () => {
    const onError = vi.fn();
    const plugin = new MemoryIngestionPlugin({ onError });
    await runAfter(plugin, session([event('e1', 'user', 'hi')]));
    expect(onError).toHaveBeenCalledTimes(1);
    expect(String(onError.mock.calls[0]?.[0])).toMatch(/no memory service/);
  });
});

describe('createMemoryIngestionCallback', () => {
  it('ingests from an afterAgentCallback and lets the agent answer stand', async () => {
    const service = recordingService();
    const callback = createMemoryIngestionCallback({ memoryService: service as never });
    const s = session([event('e1', 'user', 'I like aisle seats')]);
    const context = { invocationContext: { session: s } } as unknown as Context;
    await expect(callback(context)).resolves.toBeUndefined();
    expect(service.calls).toEqual([{ userId: 'alice', sessionId: 's1', eventIds: ['e1'] }]);
  });
});
