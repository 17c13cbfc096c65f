/**
 * The session-service conformance suite: one set of cases, derived from the session contract
 * (README.md, "Behaviour"), that every backend runs. A backend file calls
 * `runSessionServiceConformance` with a factory and declares where it knowingly diverges.
 */
import type { BaseSessionService } from '@google/adk';
import { describe, expect, it } from 'vitest';
import { appendCases } from './cases/append.js';
import { createCases, deleteCases, getCases, getOrCreateCases } from './cases/crud.js';
import { fidelityCases } from './cases/fidelity.js';
import { idCases, isolationCases } from './cases/ids.js';
import { listCases } from './cases/list.js';
import { runnerCases } from './cases/runner.js';
import { staleCases } from './cases/stale.js';
import { initialStateCases, scopeCases } from './cases/state.js';
import { prototypeKeys, uniqueId, type ConformanceCase, type Harness } from './harness.js';

export interface ConformanceOptions {
  /** case id -> reason. Each listed case runs as an expected failure (vitest `it.fails`), so a fix forces removal. */
  divergences?: Record<string, string>;
  /**
   * Extra time budget per test in ms (network backends). Used as each case's vitest timeout;
   * when omitted, the project's `testTimeout` applies.
   */
  timeoutMs?: number;
}

/** Cases by contract area, in the order they are reported. */
const AREAS: ReadonlyArray<readonly [string, readonly ConformanceCase[]]> = [
  ['create', createCases],
  ['get', getCases],
  ['get-or-create', getOrCreateCases],
  ['delete', deleteCases],
  ['initial-state', initialStateCases],
  ['append', appendCases],
  ['list', listCases],
  ['scope', scopeCases],
  ['stale', staleCases],
  ['fidelity', fidelityCases],
  ['ids', idCases],
  ['isolation', isolationCases],
  ['runner', runnerCases],
];

/** Every case id, `<area>.<name>`. */
export const CONFORMANCE_CASES: readonly string[] = Object.freeze(
  AREAS.flatMap(([, cases]) => cases.map((c) => c.id)),
);

// Ids are the keys of divergence declarations: a duplicate would make one ambiguous.
if (new Set(CONFORMANCE_CASES).size !== CONFORMANCE_CASES.length) {
  throw new Error('conformance: duplicate case id');
}

/**
 * Registers the suite for one backend. `factory` must return a service over the same storage on
 * every call (a second call stands for a second process); cases isolate themselves with fresh
 * app names, never by assuming empty storage.
 */
export function runSessionServiceConformance(
  name: string,
  factory: () => BaseSessionService | Promise<BaseSessionService>,
  options: ConformanceOptions = {},
): void {
  const divergences = options.divergences ?? {};
  const known = new Set(CONFORMANCE_CASES);
  // Fail at definition time, so a renamed or removed case cannot leave a stale declaration behind.
  const unknown = Object.keys(divergences).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new Error(`conformance(${name}): unknown divergence case id(s): ${unknown.join(', ')}`);
  }
  const unexplained = Object.entries(divergences).filter(([, why]) => !why.trim());
  if (unexplained.length > 0) {
    throw new Error(
      `conformance(${name}): divergence without a reason: ${unexplained.map(([id]) => id).join(', ')}`,
    );
  }

  const run = (c: ConformanceCase) => async () => {
    const harness: Harness = {
      service: await factory(),
      another: async () => factory(),
      scope: () => ({ appName: uniqueId('app'), userId: uniqueId('user') }),
    };
    const before = prototypeKeys();
    try {
      await c.run(harness);
    } finally {
      // Whatever the case did, it must not have planted keys on Object.prototype.
      expect(prototypeKeys(), 'Object.prototype was polluted').toEqual(before);
    }
  };

  describe(`session service conformance: ${name}`, () => {
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
