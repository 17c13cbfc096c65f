/**
 * Where the pinned bytes of each document live, and how they are read, fetched and cached.
 *
 * A document we produce ourselves (AMS) is committed under specs/. A third-party document (the
 * managed API's, CC BY-NC-SA 4.0) is never committed: `specs:pull` keeps it in a cache outside the
 * repository, keyed by sha256, and generation reads it from there or from a copy beside the project
 * (as CI has), always checked against the sha256 recorded in specs/sources.json.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { cacheDir } from './memory-server.js';
import { PROJECT_ROOT, SpecsError, sha256, type SpecName, type SpecSource } from './specs.js';

/** Pinned documents that are not committed: `<cache>/specs/<name>/<sha256>.json`. */
export function specCacheDir(): string {
  return join(cacheDir(), 'specs');
}

export function cachedDocumentPath(name: SpecName, digest: string): string {
  return join(specCacheDir(), name, `${digest}.json`);
}

/** Stores `bytes` in the cache under their sha256 (atomically) and returns the file's path. */
export function cacheDocument(name: SpecName, bytes: Buffer): string {
  const target = cachedDocumentPath(name, sha256(bytes));
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, target);
  return target;
}

/** Bytes and a label saying where they were read from. */
export interface LoadedDocument {
  bytes: Buffer;
  from: string;
}

/**
 * The pinned bytes of `name`, verified against `source.sha256`: the committed file, else the
 * cache, else the copy beside the project (which is then cached). Fails with what was tried and
 * the exact command that puts the document in place.
 */
export function loadPinnedDocument(name: SpecName, source: SpecSource): LoadedDocument {
  if (source.file) return loadCommitted(name, source, source.file);

  const tried: string[] = [];
  let mismatched = false;
  const cached = cachedDocumentPath(name, source.sha256);
  if (existsSync(cached)) {
    const bytes = readFileSync(cached);
    const digest = sha256(bytes);
    if (digest === source.sha256) return { bytes, from: `the cache (${cached})` };
    rmSync(cached, { force: true });
    mismatched = true;
    tried.push(`${cached}: damaged (sha256 ${digest}); removed it`);
  } else {
    tried.push(`${cached}: not there`);
  }

  if (source.path) {
    const beside = resolve(PROJECT_ROOT, source.path);
    if (existsSync(beside)) {
      const bytes = readFileSync(beside);
      const digest = sha256(bytes);
      if (digest === source.sha256) {
        cacheDocument(name, bytes);
        return { bytes, from: source.path };
      }
      mismatched = true;
      tried.push(
        `${source.path}: another document (sha256 ${digest}, version ${versionOf(bytes)})`,
      );
    } else {
      tried.push(`${source.path}: not there`);
    }
  }

  const what = `${name}: the pinned document (${source.title} ${source.version}, revision ${source.revision ?? 'unknown'}, sha256 ${source.sha256})`;
  throw new SpecsError(
    mismatched ? 'CHECKSUM_MISMATCH' : 'DOCUMENT_MISSING',
    [
      `${what} is not on this machine${mismatched ? ' with the recorded sha256' : ''}. Tried:`,
      ...tried.map((line) => `  - ${line}`),
      'To put it in place:',
      `  npm run specs:pull -- ${name}          # downloads ${source.url ?? 'its recorded URL'} into the cache`,
      `  npm run specs:pull -- ${name} <file>   # or from a copy of that revision you already have`,
      ...(source.path
        ? [`  or copy that revision to ${source.path} (what CI reads; no network there)`]
        : []),
      `To adopt a different document instead: npm run specs:pull -- ${name} <file|url> --revision <commit>, then npm run generate.`,
    ].join('\n'),
  );
}

function loadCommitted(name: SpecName, source: SpecSource, file: string): LoadedDocument {
  const full = join(PROJECT_ROOT, file);
  if (!existsSync(full)) {
    throw new SpecsError(
      'DOCUMENT_MISSING',
      `${name}: ${file} is missing. Restore it with \`git checkout -- ${file}\`, or record a fresh one with \`npm run specs:pull -- ${name}\`.`,
    );
  }
  const bytes = readFileSync(full);
  const digest = sha256(bytes);
  if (digest !== source.sha256) {
    throw new SpecsError(
      'CHECKSUM_MISMATCH',
      `${name}: ${file} has sha256 ${digest}, but specs/sources.json records ${source.sha256}. ` +
        `It was edited by hand: restore it with \`git checkout -- ${file}\`, or record what the pinned server serves with \`npm run specs:pull -- ${name}\` and then \`npm run generate\`.`,
    );
  }
  return { bytes, from: file };
}

/** `info.version` of a document's bytes, or `unknown` when they are not an OpenAPI document. */
export function versionOf(bytes: Buffer): string {
  try {
    const document = JSON.parse(bytes.toString('utf8')) as { info?: { version?: unknown } };
    return typeof document.info?.version === 'string' ? document.info.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** GET `url`; a failure names the URL and its cause, and says what to try next. */
export async function fetchDocument(url: string, timeoutMs = 30_000): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new SpecsError(
      'FETCH_FAILED',
      `GET ${url} failed: ${describeFetchError(error, timeoutMs)}. Check the URL and the network ` +
        '(HTTPS_PROXY?), or download the document another way and pass the file instead.',
    );
  }
  if (!response.ok) {
    throw new SpecsError(
      'FETCH_FAILED',
      `GET ${url} answered ${response.status} ${response.statusText}. Check the URL (a raw file, at a commit that has it), or pass a downloaded file instead.`,
    );
  }
  return Buffer.from(await response.arrayBuffer());
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  // undici reports the real reason (ECONNREFUSED, ENOTFOUND, a TLS error...) as the cause.
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause instanceof Error) {
    const code = typeof cause.code === 'string' ? `${cause.code}: ` : '';
    return `${code}${cause.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
