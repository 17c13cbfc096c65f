/**
 * A minimal in-process memory service that follows the contract to the letter. It exists only to
 * check the suite itself: every case must pass on it, so a case no backend could pass (a bug in
 * the test) cannot hide behind a divergence declared for ADK's InMemoryMemoryService.
 * Not a product: no persistence, lexical ranking (the managed fake's word cosine), and "a backend"
 * only as far as the error cases need one: with `apiBaseUrl` set, every call first asks that URL
 * and turns an error status into a BackendError.
 */
import { createHash } from 'node:crypto';
import type {
  Event,
  MemoryEntry,
  SearchMemoryRequest,
  SearchMemoryResponse,
  Session,
} from '@google/adk';
import { BackendError, InvalidArgumentError } from '../../../src/common.js';
import { lexicalSimilarity } from '../../support/fake-redis-agent-memory/index.js';
import type {
  ConformanceConfig,
  ExtendedMemoryApi,
  MemoryRecordView,
  MemoryServiceUnderTest,
} from './harness.js';

interface Tenant {
  appName: string;
  userId: string;
}

interface Stored {
  tenant: string;
  record: MemoryRecordView;
}

/** Records shared by every service made over it (one "store"). */
export class ReferenceMemoryStorage {
  readonly records = new Map<string, Stored>();
}

const tenantKey = ({ appName, userId }: Tenant) => JSON.stringify([appName, userId]);
const idOf = (...parts: string[]) =>
  `ref-${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32)}`;

function visibleText(event: Event): string {
  return (event.content?.parts ?? [])
    .map((part) => (part.thought ? '' : (part.text ?? '')))
    .join('');
}

function entryText(memory: MemoryEntry | string): string {
  return typeof memory === 'string'
    ? memory
    : (memory.content.parts ?? []).map((part) => part.text ?? '').join('');
}

export class ReferenceMemoryService implements MemoryServiceUnderTest, ExtendedMemoryApi {
  constructor(
    private readonly storage: ReferenceMemoryStorage,
    private readonly config: ConformanceConfig = {},
  ) {}

  async addSessionToMemory(session: Session): Promise<void> {
    await this.addEventsToMemory({
      appName: session.appName,
      userId: session.userId,
      sessionId: session.id,
      events: session.events,
    });
  }

  async searchMemory(req: SearchMemoryRequest): Promise<SearchMemoryResponse> {
    const records = await this.search({ ...req, limit: this.config.searchTopK ?? 10 });
    return {
      memories: records.map((r) => ({
        content: { role: r.author === 'user' ? 'user' : 'model', parts: [{ text: r.text }] },
        ...(r.author === undefined ? {} : { author: r.author }),
        timestamp: r.createdAt,
      })),
    };
  }

  async addEventsToMemory(
    req: Tenant & { events: Event[]; sessionId?: string },
  ): Promise<{ stored: string[] }> {
    await this.call(req);
    if (this.config.storeEventsAsMessages === false) return { stored: [] };
    const stored: string[] = [];
    for (const event of req.events) {
      const text = visibleText(event);
      if (!text.trim()) continue;
      const id = idOf(
        'event',
        req.appName,
        req.userId,
        req.sessionId ?? '',
        event.id || String(event.timestamp),
        text,
      );
      this.put(req, id, {
        id,
        text,
        ...(event.author === undefined ? {} : { author: event.author }),
        memoryType: 'message',
        topics: [],
        ...(req.sessionId === undefined ? {} : { sessionId: req.sessionId }),
        createdAt: new Date(event.timestamp).toISOString(),
      });
      stored.push(id);
    }
    return { stored };
  }

  async addMemory(
    req: Tenant & {
      memories: (MemoryEntry | string)[];
      customMetadata?: { memoryType?: string; topics?: string[]; sessionId?: string };
    },
  ): Promise<{ stored: string[] }> {
    const texts = req.memories.map(entryText);
    if (texts.some((text) => !text.trim())) {
      throw new InvalidArgumentError('memories', 'a memory text is empty');
    }
    await this.call(req);
    const meta = req.customMetadata ?? {};
    const stored = texts.map((text) => {
      const id = idOf('memory', req.appName, req.userId, text);
      this.put(req, id, {
        id,
        text,
        memoryType: meta.memoryType ?? 'semantic',
        topics: [...(meta.topics ?? [])],
        ...(meta.sessionId === undefined ? {} : { sessionId: meta.sessionId }),
        createdAt: new Date().toISOString(),
      });
      return id;
    });
    return { stored };
  }

  async search(
    req: Tenant & {
      query: string;
      limit?: number;
      filters?: { memoryTypes?: string[]; topics?: string[]; sessionId?: string };
    },
  ): Promise<MemoryRecordView[]> {
    const limit = req.limit ?? this.config.searchTopK ?? 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new InvalidArgumentError('limit', 'limit must be an integer in 1..100');
    }
    await this.call(req);
    const { memoryTypes, topics, sessionId } = req.filters ?? {};
    const threshold = this.config.similarityThreshold;
    return this.own(req)
      .filter(
        (r) =>
          (!memoryTypes || memoryTypes.includes(r.memoryType)) &&
          (!topics || topics.some((t) => r.topics.includes(t))) &&
          (sessionId === undefined || r.sessionId === sessionId),
      )
      .map((r) => ({ ...r, score: lexicalSimilarity(req.query, r.text) }))
      .filter((r) => threshold === undefined || r.score >= threshold)
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  }

  async getMemory(req: Tenant & { memoryId: string }): Promise<MemoryRecordView | undefined> {
    await this.call(req);
    return this.mine(req);
  }

  async updateMemory(
    req: Tenant & { memoryId: string; text?: string; topics?: string[]; memoryType?: string },
  ): Promise<MemoryRecordView | undefined> {
    await this.call(req);
    const record = this.mine(req);
    if (!record) return undefined;
    const updated: MemoryRecordView = {
      ...record,
      ...(req.text === undefined ? {} : { text: req.text }),
      ...(req.topics === undefined ? {} : { topics: [...req.topics] }),
      ...(req.memoryType === undefined ? {} : { memoryType: req.memoryType }),
      updatedAt: new Date().toISOString(),
    };
    this.storage.records.set(req.memoryId, { tenant: tenantKey(req), record: updated });
    return { ...updated };
  }

  async deleteMemory(req: Tenant & { memoryId: string }): Promise<boolean> {
    await this.call(req);
    if (!this.mine(req)) return false;
    this.storage.records.delete(req.memoryId);
    return true;
  }

  async deleteMemories(
    req: Tenant & { memoryIds?: string[]; sessionId?: string },
  ): Promise<{ deleted: string[] }> {
    await this.call(req);
    const targets = this.own(req).filter((r) =>
      req.memoryIds
        ? req.memoryIds.includes(r.id)
        : req.sessionId === undefined || r.sessionId === req.sessionId,
    );
    for (const r of targets) this.storage.records.delete(r.id);
    return { deleted: targets.map((r) => r.id) };
  }

  private own(tenant: Tenant): MemoryRecordView[] {
    const key = tenantKey(tenant);
    return [...this.storage.records.values()]
      .filter((s) => s.tenant === key)
      .map((s) => ({ ...s.record }));
  }

  private mine(req: Tenant & { memoryId: string }): MemoryRecordView | undefined {
    const stored = this.storage.records.get(req.memoryId);
    return stored?.tenant === tenantKey(req) ? { ...stored.record } : undefined;
  }

  private put(tenant: Tenant, id: string, record: MemoryRecordView): void {
    const existing = this.storage.records.get(id);
    // Ids hash the tenant in, so an existing record is this tenant's own copy of the same fact.
    if (!existing) this.storage.records.set(id, { tenant: tenantKey(tenant), record });
  }

  /** Validates the tenant; with an `apiBaseUrl`, asks it first and fails as a backend would. */
  private async call(tenant: Tenant): Promise<void> {
    if (!tenant.appName) throw new InvalidArgumentError('appName', 'appName is empty');
    if (!tenant.userId) throw new InvalidArgumentError('userId', 'userId is empty');
    const { apiBaseUrl, apiKey } = this.config;
    if (apiBaseUrl === undefined) return;
    const path = '/reference';
    const response = await fetch(new URL(path, apiBaseUrl), {
      method: 'POST',
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    });
    await response.body?.cancel();
    if (!response.ok) {
      throw new BackendError({
        backend: 'redis-agent-memory',
        status: response.status,
        method: 'POST',
        path,
        title: response.statusText,
      });
    }
  }
}
