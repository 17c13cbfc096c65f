/**
 * The documented regeneration workflow, run as a user would on a temporary copy of the tree:
 * a newer managed document (one route and two schemas added to the pinned one) goes through
 * `specs:pull` and `generate`; the typed client then accepts the new route and `generate:check`
 * passes; the failure paths exit non-zero and say what to do.
 *
 * Needs the pinned managed document on this machine (cache or the copy beside the project, as in
 * CI); without it the suite is skipped and says so.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256, type Sources } from '../../../scripts/lib/specs.js';
import {
  NEW_PROSE,
  askTheFake,
  copyTree,
  newerDocument,
  npm,
  pinnedManagedDocument,
  script,
  typecheckNewRoute,
  type Tree,
} from './workflow-tree.js';

const pinned = pinnedManagedDocument();
if (!pinned) {
  console.warn(
    'regeneration workflow skipped: the pinned managed document is not on this machine (npm run specs:pull -- redis-agent-memory)',
  );
}

const REVISION = '0af446c112d439b5708a579a3c7ab30379459d29';
const GENERATED = 'src/generated/redis-agent-memory.ts';
const ARTIFACT = 'test/support/generated/redis-agent-memory.operations.json';

describe.skipIf(!pinned)(
  'regenerating the managed client from a newer document',
  { timeout: 60_000 },
  () => {
    let tree: Tree;
    let newer: Buffer;
    let served: Buffer;
    let server: Server;
    let docUrl: string;
    let originalSources: string;

    const read = (file: string): string => readFileSync(join(tree.root, file), 'utf8');
    const sources = (): Sources => JSON.parse(read('specs/sources.json')) as Sources;
    const cached = (digest: string): string =>
      join(tree.cache, 'specs', 'redis-agent-memory', `${digest}.json`);

    beforeAll(async () => {
      tree = copyTree();
      newer = newerDocument(pinned!);
      served = newer;
      writeFileSync(join(dirname(tree.root), 'newer.json'), newer);
      originalSources = read('specs/sources.json');
      server = createServer((_req, res) => res.end(served));
      await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
      docUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`;
    });

    afterAll(async () => {
      await new Promise((closed) => server?.close(closed));
      if (tree) rmSync(dirname(tree.root), { recursive: true, force: true });
    });

    it('refuses bad arguments with usage text and changes nothing', async () => {
      const none = await script(tree, 'specs-pull.ts', []);
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('name the API to pull');
      expect(none.stderr).toContain('Usage:');

      // As the old README wrote it: without `--`, npm swallows the flag.
      const swallowed = await npm(tree, [
        'run',
        '-s',
        'specs:pull',
        'redis-agent-memory',
        join(dirname(tree.root), 'newer.json'),
        '--revision',
        REVISION,
      ]);
      expect(swallowed.code).toBe(2);
      expect(swallowed.stderr).toContain('put `--` after `npm run specs:pull`');

      const noRevision = await script(tree, 'specs-pull.ts', [
        'redis-agent-memory',
        join(dirname(tree.root), 'newer.json'),
      ]);
      expect(noRevision.code).toBe(1);
      expect(noRevision.stderr).toContain('PROVENANCE_MISSING');
      expect(noRevision.stderr).toContain('--revision <commit>');

      const generateWithFile = await script(tree, 'generate.ts', ['newer.json']);
      expect(generateWithFile.code).toBe(2);
      expect(generateWithFile.stderr).toContain('npm run specs:pull');
      expect(read('specs/sources.json')).toBe(originalSources);
    });

    it('names the URL and the cause when the document cannot be fetched', async () => {
      const closed = createServer();
      await new Promise<void>((ready) => closed.listen(0, '127.0.0.1', ready));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((done) => closed.close(done));
      const url = `http://127.0.0.1:${port}/openapi.json`;
      const result = await script(tree, 'specs-pull.ts', ['redis-agent-memory', url]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`GET ${url} failed: ECONNREFUSED`);
      expect(read('specs/sources.json')).toBe(originalSources);
    });

    it('adopts a file with its revision: provenance names the upstream URL at that commit', async () => {
      const file = join(dirname(tree.root), 'newer.json');
      const args = ['redis-agent-memory', file, '--revision', REVISION];
      const result = await script(tree, 'specs-pull.ts', args);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Next: npm run generate');
      const source = sources()['redis-agent-memory'];
      expect(source).toMatchObject({
        version: '1.1.0',
        revision: REVISION,
        sha256: sha256(newer),
        bytes: newer.length,
        retrievedFrom: 'a local file (newer.json)',
        url: source.upstream!.url.replace('{revision}', REVISION),
        origin: `${source.upstream!.repository}@${REVISION}:${source.upstream!.path}`,
      });
      expect(source.retrieved).toBe(new Date().toISOString().slice(0, 10));
      expect(readFileSync(cached(sha256(newer)))).toEqual(newer);
      expect(read(GENERATED)).not.toContain(REVISION); // not regenerated yet

      // Back to the pinned state, to adopt the same document from a URL next.
      writeFileSync(join(tree.root, 'specs/sources.json'), originalSources);
      rmSync(cached(sha256(newer)));
    });

    it('adopts a URL and records it', async () => {
      const result = await npm(tree, [
        'run',
        '-s',
        'specs:pull',
        '--',
        'redis-agent-memory',
        docUrl,
        '--revision',
        REVISION,
      ]);
      expect(result.code).toBe(0);
      expect(sources()['redis-agent-memory']).toMatchObject({
        revision: REVISION,
        url: docUrl,
        retrievedFrom: docUrl,
        sha256: sha256(newer),
      });
      expect(existsSync(cached(sha256(newer)))).toBe(true);
    });

    it('generate:check fails while the code is not regenerated, and says what to run', async () => {
      const result = await script(tree, 'generate.ts', ['--check']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('STALE_OUTPUT');
      expect(result.stderr).toContain(GENERATED);
      expect(result.stderr).toContain(ARTIFACT);
      expect(result.stderr).toContain('run `npm run generate`');
    });

    it('generate writes the new route without prose; the typed client accepts it; the check passes', async () => {
      const generated = await npm(tree, ['run', '-s', 'generate']);
      expect(generated.stderr).toBe('');
      expect(generated.code).toBe(0);

      const code = read(GENERATED);
      expect(code).toContain(`${docUrl} (revision ${REVISION})`);
      expect(code).toContain(`sha256: ${sha256(newer)}`);
      expect(code).toContain('"/v1/stores/{storeId}/sessions"');
      expect(code).toContain('ListSessionSummaries');
      expect(code).not.toContain(NEW_PROSE);
      expect(code).not.toContain('@description');

      const artifact = JSON.parse(read(ARTIFACT)) as {
        sha256: string;
        operations: Record<string, { method: string; path: string }>;
        $defs: Record<string, unknown>;
      };
      expect(artifact.sha256).toBe(sha256(newer));
      expect(artifact.operations.ListSessionSummaries).toMatchObject({
        method: 'GET',
        path: '/v1/stores/{storeId}/sessions',
      });
      expect(artifact.$defs).toHaveProperty('SessionSummaryEntry');
      expect(read(ARTIFACT)).not.toContain(NEW_PROSE);

      expect(typecheckNewRoute(tree)).toEqual([]);
      const check = await npm(tree, ['run', '-s', 'generate:check']);
      expect(check.stderr).toBe('');
      expect(check.code).toBe(0);
    });

    it('the fake routes the new operation, from the regenerated artifact, to a clear problem', async () => {
      const { status, body } = await askTheFake(tree, '/v1/stores/{storeId}/sessions');
      expect(status).toBe(404);
      expect(body).toMatchObject({ status: 404 });
      expect((body as { detail?: string }).detail).toContain(
        'ListSessionSummaries is not implemented by the fake',
      );
    });

    it('fails on a damaged cached document, says how to restore it, and restore works', async () => {
      writeFileSync(cached(sha256(newer)), '{"tampered": true}\n');
      const damaged = await script(tree, 'generate.ts', ['--check']);
      expect(damaged.code).toBe(1);
      expect(damaged.stderr).toContain('CHECKSUM_MISMATCH');
      expect(damaged.stderr).toContain('damaged');
      expect(damaged.stderr).toContain('npm run specs:pull -- redis-agent-memory ');
      expect(damaged.stderr).toContain(docUrl);

      served = Buffer.from('{"openapi": "3.0.2"}');
      const wrong = await script(tree, 'specs-pull.ts', ['redis-agent-memory']);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain(`GET ${docUrl} served sha256 ${sha256(served)}`);
      expect(wrong.stderr).toContain('nothing was changed');

      served = newer;
      const restored = await npm(tree, ['run', '-s', 'specs:pull', '--', 'redis-agent-memory']);
      expect(restored.code).toBe(0);
      expect(restored.stdout).toContain('Nothing changed in the project');
      expect(readFileSync(cached(sha256(newer)))).toEqual(newer);
    });
  },
);
