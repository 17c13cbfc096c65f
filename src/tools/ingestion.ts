/**
 * Automatic ingestion: after each turn, the session's events that are not in long-term memory yet
 * are added to it (nothing in ADK calls `addSessionToMemory` by itself). A memory failure never
 * fails the user's turn; it goes to `onError` (default: ADK's logger), and the events are tried
 * again after the next turn.
 */
import {
  BasePlugin,
  getLogger,
  type BaseMemoryService,
  type Context,
  type Event,
  type InvocationContext,
  type Session,
} from '@google/adk';
import { RecentMap } from '../shared/recent.js';
import { runSerially } from '../shared/serial.js';
import { visibleText } from '../shared/content.js';
import type { MemoryIngestionService, MemoryScope } from './service.js';

/** What failed, for `onError`. */
export interface MemoryIngestionErrorInfo extends MemoryScope {
  /** The ADK session id. */
  sessionId: string;
  /** The ids of the events that were not ingested (tried again after the next turn). */
  eventIds: string[];
}

/** Options of {@link MemoryIngestionPlugin} and {@link createMemoryIngestionCallback}. */
export interface MemoryIngestionOptions {
  /**
   * The memory service to write to (default: the runner's `memoryService`). With a service that
   * has `addEventsToMemory` (such as `RedisLongTermMemoryService`) only the new events are sent;
   * with any other `BaseMemoryService`, `addSessionToMemory(session)` is called.
   */
  memoryService?: MemoryIngestionService | BaseMemoryService;
  /** Only events by these authors (for example `['user']`); default: every author. */
  authors?: readonly string[];
  /** Only events this returns true for (after the other rules: visible text, not partial, authors). */
  filter?: (event: Event, session: Session) => boolean;
  /** Called with the typed error when a write fails (default: ADK's logger at warn level). */
  onError?: (error: unknown, info: MemoryIngestionErrorInfo) => void;
  /** Called after events were written, with their ids (for metrics or tests). */
  onIngested?: (info: MemoryIngestionErrorInfo & { stored: string[] }) => void;
  /** Sessions whose ingested event ids are remembered at once (default 1 000). */
  maxTrackedSessions?: number;
}

/**
 * Adds each turn's new events to long-term memory. The core of both the plugin and the callback.
 */
export class MemoryIngestion {
  /** Per session, the ids of the events already ingested by this process. */
  private readonly ingested: RecentMap<string, Set<string>>;

  constructor(private readonly options: MemoryIngestionOptions = {}) {
    this.ingested = new RecentMap(options.maxTrackedSessions ?? 1_000);
  }

  /** Ingests the session's new events. Never throws: failures go to `onError`. */
  async ingest(invocationContext: InvocationContext): Promise<void> {
    const session = invocationContext.session;
    const service = this.options.memoryService ?? invocationContext.memoryService;
    if (!session || !service) {
      this.report(
        new Error('MemoryIngestion: no memory service (pass memoryService or give the runner one)'),
        session,
        [],
      );
      return;
    }
    const key = JSON.stringify([session.appName, session.userId, session.id]);
    await runSerially(`memory-ingestion:${key}`, async () => {
      const done = this.ingested.get(key) ?? new Set<string>();
      const events = session.events.filter(
        (event) => !done.has(event.id) && this.wanted(event, session),
      );
      if (events.length === 0) return;
      const eventIds = events.map((event) => event.id);
      try {
        let stored: string[] = [];
        if (hasAddEvents(service)) {
          ({ stored } = await service.addEventsToMemory({
            appName: session.appName,
            userId: session.userId,
            sessionId: session.id,
            events,
          }));
        } else {
          await service.addSessionToMemory(session);
        }
        for (const id of eventIds) done.add(id);
        this.ingested.set(key, done);
        this.options.onIngested?.({ ...info(session, eventIds), stored });
      } catch (error) {
        this.report(error, session, eventIds);
      }
    });
  }

  private wanted(event: Event, session: Session): boolean {
    if (event.partial) return false;
    if (visibleText(event) === '') return false;
    if (this.options.authors && !this.options.authors.includes(event.author ?? '')) return false;
    return this.options.filter ? this.options.filter(event, session) : true;
  }

  private report(error: unknown, session: Session | undefined, eventIds: string[]): void {
    const details = session
      ? info(session, eventIds)
      : { appName: '', userId: '', sessionId: '', eventIds };
    try {
      if (this.options.onError) this.options.onError(error, details);
      else {
        getLogger().warn(
          `adk-redis memory ingestion failed for session ${details.sessionId} (${eventIds.length} events kept for the next turn):`,
          error,
        );
      }
    } catch (callbackError) {
      // A throwing onError must not fail the turn either; log both.
      getLogger().error('adk-redis memory ingestion: onError threw', callbackError, error);
    }
  }
}

function info(session: Session, eventIds: string[]): MemoryIngestionErrorInfo {
  return { appName: session.appName, userId: session.userId, sessionId: session.id, eventIds };
}

function hasAddEvents(service: object): service is MemoryIngestionService {
  return typeof (service as Partial<MemoryIngestionService>).addEventsToMemory === 'function';
}

/**
 * An ADK plugin that adds every turn's new events to long-term memory after the run (give it to
 * the `Runner`'s `plugins`). Events are tried again after the next turn when a write fails.
 *
 * @example
 * const runner = new Runner({ appName, agent, sessionService, memoryService,
 *   plugins: [new MemoryIngestionPlugin()] });
 */
export class MemoryIngestionPlugin extends BasePlugin {
  private readonly ingestion: MemoryIngestion;

  constructor(options: MemoryIngestionOptions & { name?: string } = {}) {
    super(options.name ?? 'adk_redis_memory_ingestion');
    this.ingestion = new MemoryIngestion(options);
  }

  override async afterRunCallback({
    invocationContext,
  }: {
    invocationContext: InvocationContext;
  }): Promise<void> {
    await this.ingestion.ingest(invocationContext);
  }
}

/**
 * The same ingestion as an agent's `afterAgentCallback` (for runners you do not build yourself).
 *
 * @example
 * const agent = new LlmAgent({ ..., afterAgentCallback: createMemoryIngestionCallback() });
 */
export function createMemoryIngestionCallback(
  options: MemoryIngestionOptions = {},
): (context: Context) => Promise<undefined> {
  const ingestion = new MemoryIngestion(options);
  return async (context) => {
    await ingestion.ingest(context.invocationContext);
    return undefined;
  };
}
