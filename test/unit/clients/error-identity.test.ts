/**
 * What a user of the published package sees of an error: a stable `code` on every class, a brand
 * check that holds across two copies of the package (ESM and CJS), and the class's own name after
 * bundling (a crash printed `_BackendError`).
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as pkg from '../../../src/index.js';

/** One instance of every error class the entry exports, built with plausible arguments. */
function instances(m: typeof pkg): [string, Error][] {
  const key = { appName: 'a', userId: 'u', sessionId: 's' };
  const backend = {
    backend: 'redis-agent-memory' as const,
    status: 404,
    method: 'GET',
    path: '/x',
  };
  return [
    ['AdkRedisError', new m.AdkRedisError('x')],
    ['ConfigurationError', new m.ConfigurationError('f', 'x')],
    ['InvalidArgumentError', new m.InvalidArgumentError('f', 'x')],
    ['BackendError', new m.BackendError(backend)],
    ['EndpointNotFoundError', new m.EndpointNotFoundError(backend)],
    ['StoreNotFoundError', new m.StoreNotFoundError(backend)],
    ['WrongApiError', new m.WrongApiError(backend)],
    ['AuthenticationError', new m.AuthenticationError(backend)],
    ['TimeoutError', new m.TimeoutError('redis-agent-memory', 'GET', '/x', 5, 1)],
    ['NetworkError', new m.NetworkError('redis-agent-memory', 'GET', '/x', 1, 'ECONNREFUSED')],
    [
      'MalformedResponseError',
      new m.MalformedResponseError('redis-agent-memory', 'GET', '/x', 'y'),
    ],
    ['SessionNotFoundError', new m.SessionNotFoundError(key)],
    ['SessionAlreadyExistsError', new m.SessionAlreadyExistsError(key)],
    ['StaleSessionError', new m.StaleSessionError(key)],
    ['SessionIdCollisionError', new m.SessionIdCollisionError(key, { appName: 'b' })],
    ['EventTooLargeError', new m.EventTooLargeError(key, 'e', 2, 1)],
  ];
}

describe('error codes', () => {
  it('every error class has its own stable ADK_REDIS_ code, also in toJSON', () => {
    const all = instances(pkg);
    const codes = all.map(([, error]) => (error as pkg.AdkRedisError).code);
    for (const code of codes) expect(code).toMatch(/^ADK_REDIS_[A-Z_]+$/);
    expect(new Set(codes).size).toBe(all.length);
    for (const [, error] of all) {
      expect((error as pkg.AdkRedisError).toJSON().code).toBe((error as pkg.AdkRedisError).code);
    }
  });

  it('isAdkRedisError holds for every class and for nothing else', () => {
    for (const [, error] of instances(pkg)) expect(pkg.isAdkRedisError(error)).toBe(true);
    for (const other of [new Error('x'), { code: 'ADK_REDIS_X' }, null, 'ADK_REDIS_X', undefined]) {
      expect(pkg.isAdkRedisError(other)).toBe(false);
    }
  });

  it('isAdkRedisError holds across two copies of the package, where instanceof fails', async () => {
    vi.resetModules();
    // A second evaluation of the module graph: a copy of every class, like the CJS build's.
    const copy = await import('../../../src/index.js');
    vi.resetModules();
    expect(copy.BackendError).not.toBe(pkg.BackendError);
    for (const [, error] of instances(copy)) {
      expect(error instanceof pkg.AdkRedisError).toBe(false);
      expect(pkg.isAdkRedisError(error)).toBe(true);
    }
  });
});

describe('error names after bundling', () => {
  it('a bundled CJS copy prints each class by its own name', async () => {
    // Inside the project (tmp/ is ignored by git), so the bundle resolves zod and the rest.
    const root = fileURLToPath(new URL('../../../tmp/', import.meta.url));
    mkdirSync(root, { recursive: true });
    const dir = mkdtempSync(join(root, 'names-'));
    try {
      const outfile = join(dir, 'index.cjs');
      await build({
        entryPoints: [fileURLToPath(new URL('../../../src/index.ts', import.meta.url))],
        bundle: true,
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        external: ['@google/adk', 'zod', 'openapi-fetch'],
        outfile,
        logLevel: 'silent',
      });
      writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}');
      const bundled = createRequire(outfile)(outfile) as typeof pkg;
      for (const [name, error] of instances(bundled)) {
        expect(error.constructor.name).toBe(name);
        expect(error.name).toBe(name);
        expect(inspect(error).split('\n')[0]).toMatch(new RegExp(`^${name}[: ]`));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
