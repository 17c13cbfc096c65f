/**
 * Finding the pinned bytes (committed file, cache, copy beside the project), always checked
 * against the recorded sha256, and fetch failures that name the URL and the cause.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cacheDocument,
  cachedDocumentPath,
  fetchDocument,
  loadPinnedDocument,
} from '../../../scripts/lib/spec-documents.js';
import { SpecsError, sha256, type SpecSource } from '../../../scripts/lib/specs.js';

const pinned = Buffer.from('{"openapi":"3.0.2","info":{"version":"1.0.0"},"paths":{}}\n');
const other = Buffer.from('{"openapi":"3.0.2","info":{"version":"2.0.0"},"paths":{}}\n');

function failure(action: () => unknown): SpecsError {
  try {
    action();
  } catch (error) {
    if (error instanceof SpecsError) return error;
    throw error;
  }
  throw new Error('did not fail');
}

describe('loadPinnedDocument', () => {
  let dir: string;
  let previousCache: string | undefined;
  let source: SpecSource;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'adk-redis-specs-'));
    previousCache = process.env.ADK_REDIS_CACHE_DIR;
    process.env.ADK_REDIS_CACHE_DIR = join(dir, 'cache');
    source = {
      title: 'Managed',
      version: '1.0.0',
      origin: 'owner/docs@abc1234:api.json',
      revision: 'abc1234',
      sha256: sha256(pinned),
      url: 'https://raw.example.invalid/owner/docs/abc1234/api.json',
      path: join(dir, 'beside.json'), // absolute here; relative to the project in sources.json
      generated: 'x.ts',
      options: { defaultNonNullable: false, stripProse: true },
    };
  });

  afterEach(() => {
    if (previousCache === undefined) delete process.env.ADK_REDIS_CACHE_DIR;
    else process.env.ADK_REDIS_CACHE_DIR = previousCache;
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the cache first', () => {
    cacheDocument('redis-agent-memory', pinned);
    const loaded = loadPinnedDocument('redis-agent-memory', source);
    expect(loaded.bytes).toEqual(pinned);
    expect(loaded.from).toContain('the cache');
  });

  it('falls back to the copy beside the project, and caches it', () => {
    writeFileSync(source.path!, pinned);
    expect(loadPinnedDocument('redis-agent-memory', source)).toEqual({
      bytes: pinned,
      from: source.path,
    });
    expect(readFileSync(cachedDocumentPath('redis-agent-memory', source.sha256))).toEqual(pinned);
  });

  it('says what it tried and the exact commands when the document is not here', () => {
    const error = failure(() => loadPinnedDocument('redis-agent-memory', source));
    expect(error.code).toBe('DOCUMENT_MISSING');
    expect(error.message).toContain(`revision abc1234, sha256 ${source.sha256}`);
    expect(error.message).toContain(`${source.path}: not there`);
    expect(error.message).toContain(
      `npm run specs:pull -- redis-agent-memory          # downloads ${source.url}`,
    );
    expect(error.message).toContain('npm run specs:pull -- redis-agent-memory <file>');
  });

  it('refuses another document beside the project (an old revision), naming its version', () => {
    writeFileSync(source.path!, other);
    const error = failure(() => loadPinnedDocument('redis-agent-memory', source));
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.message).toContain(`another document (sha256 ${sha256(other)}, version 2.0.0)`);
  });

  it('removes a damaged cached copy and says so', () => {
    const cached = cachedDocumentPath('redis-agent-memory', source.sha256);
    cacheDocument('redis-agent-memory', pinned);
    writeFileSync(cached, other);
    const error = failure(() => loadPinnedDocument('redis-agent-memory', source));
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.message).toContain(`damaged (sha256 ${sha256(other)}); removed it`);
    expect(existsSync(cached)).toBe(false);
  });

  it('checks a committed document and says how to restore it', () => {
    const committed: SpecSource = {
      ...source,
      file: 'specs/agent-memory-server.openapi.json',
      sha256: sha256('something else'),
    };
    const mismatch = failure(() => loadPinnedDocument('agent-memory-server', committed));
    expect(mismatch.code).toBe('CHECKSUM_MISMATCH');
    expect(mismatch.message).toContain('git checkout -- specs/agent-memory-server.openapi.json');

    const missing = failure(() =>
      loadPinnedDocument('agent-memory-server', { ...committed, file: 'specs/absent.json' }),
    );
    expect(missing.code).toBe('DOCUMENT_MISSING');
    expect(missing.message).toContain('npm run specs:pull -- agent-memory-server');
  });
});

describe('fetchDocument', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((closed) => server?.close(closed) ?? closed(undefined));
    server = undefined;
  });

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((ready) => server!.listen(0, '127.0.0.1', ready));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api.json`;
  }

  it('returns the bytes', async () => {
    const url = await listen((_req, res) => res.end(pinned));
    expect(await fetchDocument(url)).toEqual(pinned);
  });

  it('names the URL and the status of an error answer', async () => {
    const url = await listen((_req, res) => {
      res.statusCode = 404;
      res.end('no');
    });
    await expect(fetchDocument(url)).rejects.toThrow(`GET ${url} answered 404 Not Found`);
  });

  it('names the URL and the cause when nothing listens', async () => {
    const url = await listen(() => undefined);
    await new Promise((closed) => server!.close(closed));
    server = undefined;
    await expect(fetchDocument(url)).rejects.toThrow(`GET ${url} failed: ECONNREFUSED`);
  });

  it('names the URL when no answer comes', async () => {
    const url = await listen(() => undefined); // never answers
    await expect(fetchDocument(url, 200)).rejects.toThrow(
      `GET ${url} failed: no answer within 0.2 s`,
    );
  });
});
