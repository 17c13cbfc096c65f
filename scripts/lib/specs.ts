/** Where each backend's OpenAPI document comes from, and how its bytes are checked. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCES_FILE = join(PROJECT_ROOT, 'specs', 'sources.json');

export type SpecName = 'agent-memory-server' | 'redis-agent-memory';

export interface SpecSource {
  title: string;
  version: string;
  /** How the document is obtained, in words a maintainer can follow. */
  origin: string;
  /** Committed copy, relative to the project root (only for documents we produce ourselves). */
  file?: string;
  /** Local path tried first (relative to the project root), for documents we may not commit. */
  path?: string;
  /** Public URL used when `path` is absent. */
  url?: string;
  /** sha256 of the exact bytes generation uses. */
  sha256: string;
  /** Output of `npm run generate`, relative to the project root. */
  generated: string;
  /** openapi-typescript options that this document needs. */
  options: { defaultNonNullable: boolean };
}

export type Sources = Record<SpecName, SpecSource>;

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function readSources(): Sources {
  return JSON.parse(readFileSync(SOURCES_FILE, 'utf8')) as Sources;
}

export function writeSources(sources: Sources): void {
  writeFileSync(SOURCES_FILE, `${JSON.stringify(sources, null, 2)}\n`);
}

/**
 * The bytes of a document: the committed file, else the local path, else the public URL.
 * `override` (a path or URL) wins over all of them.
 */
export async function loadSpecBytes(
  source: SpecSource,
  override?: string,
): Promise<{ bytes: Buffer; from: string }> {
  const location =
    override ??
    (source.file ? join(PROJECT_ROOT, source.file) : undefined) ??
    localPath(source) ??
    source.url;
  if (!location) throw new Error(`${source.title}: no file, path or url to read it from`);
  if (/^https?:\/\//.test(location)) {
    const response = await fetch(location, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok)
      throw new Error(`${source.title}: GET ${location} answered ${response.status}`);
    return { bytes: Buffer.from(await response.arrayBuffer()), from: location };
  }
  return { bytes: readFileSync(resolve(PROJECT_ROOT, location)), from: location };
}

function localPath(source: SpecSource): string | undefined {
  if (!source.path) return undefined;
  const full = resolve(PROJECT_ROOT, source.path);
  return existsSync(full) ? full : undefined;
}
