/**
 * Errors: bad input is an InvalidArgumentError before anything is sent; a server that refuses or
 * fails gives the library's typed errors, and the API key (which that server echoes back in its
 * problem body) appears nowhere in them: message, stack, JSON, inspection or cause chain.
 */
import { inspect } from 'node:util';
import { expect } from 'vitest';
import { AdkRedisError, BackendError, InvalidArgumentError } from '../../../../src/common.js';
import { startFailingServer } from '../failing-server.js';
import {
  defineCases,
  extended,
  rejection,
  sessionWith,
  uniqueId,
  type MemoryHarness,
  type MemoryServiceUnderTest,
} from '../harness.js';

const SECRET = 'sk-conformance-7f3a9c1e5b2d4f6081a3c5e7d9b1f2a4';

/** Every text an error exposes, its causes included. */
function exposedTexts(error: unknown): string[] {
  const texts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    texts.push(inspect(current, { depth: 8 }));
    if (current instanceof Error) {
      texts.push(current.toString(), current.message, current.stack ?? '');
      try {
        texts.push(JSON.stringify(current) ?? '');
      } catch {
        // A cause that cannot be serialised still had its message and stack checked.
      }
      current = (current as { cause?: unknown }).cause;
    } else {
      current = undefined;
    }
  }
  return texts;
}

/** Every operation of the service, each against `tenant`. */
function operations(service: MemoryServiceUnderTest, tenant: { appName: string; userId: string }) {
  const api = extended(service);
  const memoryId = 'adk-00000000000000000000000000000abc';
  return {
    addSessionToMemory: () => service.addSessionToMemory(sessionWith(tenant, ['kiwi fact'])),
    searchMemory: () => service.searchMemory({ ...tenant, query: 'kiwi' }),
    addMemory: () => api.addMemory({ ...tenant, memories: ['kiwi fact'] }),
    search: () => api.search({ ...tenant, query: 'kiwi' }),
    getMemory: () => api.getMemory({ ...tenant, memoryId }),
    updateMemory: () => api.updateMemory({ ...tenant, memoryId, text: 'kiwi' }),
    deleteMemory: () => api.deleteMemory({ ...tenant, memoryId }),
    deleteMemories: () => api.deleteMemories(tenant),
  };
}

async function expectSecretFreeBackendErrors(h: MemoryHarness, status: number): Promise<void> {
  const server = await startFailingServer(status);
  try {
    const service = await h.configured({
      apiBaseUrl: server.baseUrl,
      apiKey: SECRET,
      retry: { maxRetries: 0 },
    });
    for (const [name, call] of Object.entries(operations(service, h.scope()))) {
      const error = await rejection(call(), name);
      expect(error, name).toBeInstanceOf(AdkRedisError);
      expect(error, name).toBeInstanceOf(BackendError);
      expect((error as BackendError).status, name).toBe(status);
      for (const text of exposedTexts(error)) expect(text, name).not.toContain(SECRET);
    }
    expect(server.requests, 'the service reached the failing server').toBeGreaterThan(0);
  } finally {
    await server.stop();
  }
}

export const errorCases = defineCases('errors', {
  'unauthorized-no-secret': {
    title: 'a 401 is a BackendError on every operation, with the API key nowhere in it',
    run: (h) => expectSecretFreeBackendErrors(h, 401),
  },
  'server-error-no-secret': {
    title: 'a 500 is a BackendError on every operation, with the API key nowhere in it',
    run: (h) => expectSecretFreeBackendErrors(h, 500),
  },
  'invalid-tenant': {
    title: 'an empty appName or userId is an InvalidArgumentError, and nothing is sent',
    async run({ configured }) {
      const server = await startFailingServer(500);
      try {
        const service = await configured({
          apiBaseUrl: server.baseUrl,
          apiKey: SECRET,
          retry: { maxRetries: 0 },
        });
        for (const tenant of [
          { appName: '', userId: uniqueId('user') },
          { appName: uniqueId('app'), userId: '' },
        ]) {
          for (const [name, call] of Object.entries(operations(service, tenant))) {
            const what = `${name}(${JSON.stringify(tenant)})`;
            expect(await rejection(call(), what), what).toBeInstanceOf(InvalidArgumentError);
          }
        }
        expect(server.requests, 'requests sent').toBe(0);
      } finally {
        await server.stop();
      }
    },
  },
  'invalid-input-not-sent': {
    title: 'an empty memory text or a bad limit is refused before anything is sent',
    async run({ configured, scope }) {
      const server = await startFailingServer(500);
      try {
        const api = extended(
          await configured({
            apiBaseUrl: server.baseUrl,
            apiKey: SECRET,
            retry: { maxRetries: 0 },
          }),
        );
        const tenant = scope();
        const calls = {
          'addMemory([""])': () => api.addMemory({ ...tenant, memories: [''] }),
          'addMemory(["ok", " "])': () => api.addMemory({ ...tenant, memories: ['ok', ' '] }),
          'search(limit 0)': () => api.search({ ...tenant, query: 'x', limit: 0 }),
          'search(limit 101)': () => api.search({ ...tenant, query: 'x', limit: 101 }),
        };
        for (const [what, call] of Object.entries(calls)) {
          expect(await rejection(call(), what), what).toBeInstanceOf(InvalidArgumentError);
        }
        expect(server.requests, 'requests sent').toBe(0);
      } finally {
        await server.stop();
      }
    },
  },
  'invalid-tenant-base-api': {
    title: 'searchMemory with an empty appName or userId rejects (InvalidArgumentError)',
    async run({ service }) {
      for (const tenant of [
        { appName: '', userId: uniqueId('user') },
        { appName: uniqueId('app'), userId: '' },
      ]) {
        const error = await rejection(
          service.searchMemory({ ...tenant, query: 'anything' }),
          JSON.stringify(tenant),
        );
        expect(error).toBeInstanceOf(InvalidArgumentError);
      }
    },
  },
});
