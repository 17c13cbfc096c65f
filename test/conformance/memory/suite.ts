/**
 * The long-term memory conformance suite: one set of cases, derived from the memory service's
 * contract (issue 12 §4), that every backend runs. A backend file calls
 * `runMemoryServiceConformance` with a factory and declares where it knowingly diverges; each
 * declared case runs as an expected failure, so a fix forces the declaration's removal.
 */
import { describe, expect, it } from 'vitest';
import { crudCases } from './cases/crud.js';
import { errorCases } from './cases/errors.js';
import { explicitCases } from './cases/explicit.js';
import { hostileCases } from './cases/hostile.js';
import { ingestionCases } from './cases/ingestion.js';
import { isolationCases } from './cases/isolation.js';
import { searchCases } from './cases/search.js';
import {
  prototypeKeys,
  uniqueId,
  type MemoryConformanceCase,
  type MemoryHarness,
  type MemoryServiceFactory,
} from './harness.js';

export interface MemoryConformanceOptions {
  /** case id -> reason. Each listed case runs as an expected failure (vitest `it.fails`). */
  divergences?: Record<string, string>;
  /** Per-test timeout in ms (network backends); the project's `testTimeout` when omitted. */
  timeoutMs?: number;
}

/** Cases by contract area, in the order they are reported. */
const AREAS: ReadonlyArray<readonly [string, readonly MemoryConformanceCase[]]> = [
  ['isolation', isolationCases],
  ['ingestion', ingestionCases],
  ['explicit', explicitCases],
  ['search', searchCases],
  ['crud', crudCases],
  ['hostile', hostileCases],
  ['errors', errorCases],
];

/** Every case id, `<area>.<name>`. */
export const MEMORY_CONFORMANCE_CASES: readonly string[] = Object.freeze(
  AREAS.flatMap(([, cases]) => cases.map((c) => c.id)),
);

if (new Set(MEMORY_CONFORMANCE_CASES).size !== MEMORY_CONFORMANCE_CASES.length) {
  throw new Error('memory conformance: duplicate case id');
}

/**
 * Registers the suite for one backend. `factory()` must return a service over the same storage on
 * every call (a second call stands for a second process); cases isolate themselves with fresh app
 * and user ids, never by assuming empty storage.
 */
export function runMemoryServiceConformance(
  name: string,
  factory: MemoryServiceFactory,
  options: MemoryConformanceOptions = {},
): void {
  const divergences = options.divergences ?? {};
  const known = new Set(MEMORY_CONFORMANCE_CASES);
  const unknown = Object.keys(divergences).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new Error(
      `memory conformance(${name}): unknown divergence case id(s): ${unknown.join(', ')}`,
    );
  }
  const unexplained = Object.entries(divergences).filter(([, why]) => !why.trim());
  if (unexplained.length > 0) {
    throw new Error(
      `memory conformance(${name}): divergence without a reason: ${unexplained.map(([id]) => id).join(', ')}`,
    );
  }

  const run = (c: MemoryConformanceCase) => async () => {
    const harness: MemoryHarness = {
      service: await factory(),
      another: async () => factory(),
      configured: async (config) => factory(config),
      scope: () => ({ appName: uniqueId('app'), userId: uniqueId('user') }),
    };
    const before = prototypeKeys();
    try {
      await c.run(harness);
    } finally {
      expect(prototypeKeys(), 'Object.prototype was polluted').toEqual(before);
    }
  };

  describe(`memory service conformance: ${name}`, () => {
    for (const [area, cases] of AREAS) {
      describe(area, () => {
        for (const c of cases) {
          const reason = divergences[c.id];
          if (reason === undefined) {
            it(`${c.id}: ${c.title}`, run(c), options.timeoutMs);
          } else {
            it.fails(`${c.id}: ${c.title} [divergence: ${reason}]`, run(c), options.timeoutMs);
          }
        }
      });
    }
  });
}
