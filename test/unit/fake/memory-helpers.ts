/**
 * Shared pieces of the long-term memory tests: routes, a controllable clock, typed calls through
 * the repo's low-level client, and the switch settings every general test runs under.
 */
import { unwrap } from '../../../src/index.js';
import type { components } from '../../../src/generated/redis-agent-memory.js';
import type { LongTermMemoryOptions } from '../../support/fake-redis-agent-memory/index.js';
import type { FakeContext } from './helpers.js';

type Schemas = components['schemas'];
export type CreateMemoryRecord = Schemas['CreateMemoryRecord'];
export type SearchRequest = Schemas['SearchLongTermMemoryRequestContent'];
export type MemoryFilter = Schemas['LongTermMemoryFilter'];

export const LTM = '/v1/stores/{storeId}/long-term-memory' as const;
export const SEARCH = '/v1/stores/{storeId}/long-term-memory/search' as const;
export const MEMORY = '/v1/stores/{storeId}/long-term-memory/{memoryId}' as const;
export const FIELDS = '/v1/stores/{storeId}/long-term-memory/{memoryId}/fields' as const;

/** A clock the tests move by hand, so timestamps are known without waiting. */
export class TestClock {
  static readonly START = Date.parse('2026-03-01T00:00:00.000Z');
  private at = TestClock.START;
  readonly now = (): Date => new Date(this.at);
  reset(): void {
    this.at = TestClock.START;
  }
  /** Moves on by `ms` and returns the new time as ISO text. */
  tick(ms = 1000): string {
    this.at += ms;
    return new Date(this.at).toISOString();
  }
  iso(): string {
    return new Date(this.at).toISOString();
  }
}

/** The defaults and the other choice of every switch: general behaviour must hold under both. */
export const SETTINGS: [string, LongTermMemoryOptions][] = [
  ['default switches', {}],
  [
    'alternative switches',
    {
      existingId: 'replace',
      missingOnDelete: 'skip',
      fieldsScopeMismatch: 'not-found',
      customMemoryTypes: ['preference'],
    },
  ],
];

/** A valid record; `overrides` may also remove fields (set them to undefined). */
export function record(
  id: string,
  overrides: Partial<Record<keyof CreateMemoryRecord, unknown>> = {},
): CreateMemoryRecord {
  const body: Record<string, unknown> = {
    id,
    ownerId: 'owner-1',
    text: `memory ${id}`,
    ...overrides,
  };
  for (const key of Object.keys(body)) if (body[key] === undefined) delete body[key];
  return body as unknown as CreateMemoryRecord;
}

/** Typed calls of one fake. */
export function memoryApi(ctx: FakeContext) {
  return {
    create: (memories: CreateMemoryRecord[]) =>
      unwrap(ctx.client().POST(LTM, { body: { memories } })),
    get: (memoryId: string) => ctx.client().GET(MEMORY, { params: { path: { memoryId } } }),
    search: (body: SearchRequest = {}) => unwrap(ctx.client().POST(SEARCH, { body })),
    /** Ids of a search, in order. */
    ids: async (body: SearchRequest = {}) =>
      (await unwrap(ctx.client().POST(SEARCH, { body }))).items.map((item) => item.id),
    remove: (memoryIds: string[]) => unwrap(ctx.client().DELETE(LTM, { body: { memoryIds } })),
  };
}
