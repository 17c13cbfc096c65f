/**
 * `npm run specs:pull -- <api> …`: adopt an OpenAPI document and record its provenance (where
 * from, revision, version, sha256, date) in specs/sources.json. Usage: scripts/lib/pull-args.ts.
 *
 * - redis-agent-memory (third-party, CC BY-NC-SA 4.0): the document goes into the cache outside the
 *   repository (scripts/lib/spec-documents.ts), never into the project.
 * - agent-memory-server: GET /openapi.json of the pinned server, committed pretty-printed.
 *
 * Then `npm run generate` reads exactly the recorded bytes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { AMS_VERSION, startMemoryServer } from './lib/memory-server.js';
import {
  PULL_USAGE,
  isUrl,
  parsePullArgs,
  provenanceOf,
  refuseUnrecordableUrl,
  upstreamUrl,
  type PullArgs,
} from './lib/pull-args.js';
import { cacheDocument, fetchDocument, versionOf } from './lib/spec-documents.js';
import {
  PROJECT_ROOT,
  SpecsError,
  exitWithError,
  readSources,
  sha256,
  writeSources,
  type SpecSource,
} from './lib/specs.js';

const NEXT_STEPS =
  'Next: npm run generate, review the diff (README, "Regenerating the clients"), then npm run generate:check.';

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Reads a file the user named: relative to where they ran npm, which runs scripts at the root. */
function readUserFile(location: string): Buffer {
  const full = resolve(process.env.INIT_CWD ?? process.cwd(), location);
  if (!existsSync(full)) {
    throw new SpecsError(
      'DOCUMENT_MISSING',
      `no file at ${full} (a relative path is taken from the directory you ran npm in).`,
    );
  }
  return readFileSync(full);
}

/** Refuses what is not an OpenAPI 3 JSON document, before anything is recorded. */
function checkDocument(bytes: Buffer, from: string): { version: string; title: string } {
  let document: {
    openapi?: unknown;
    info?: { title?: unknown; version?: unknown };
    paths?: unknown;
  };
  try {
    document = JSON.parse(bytes.toString('utf8')) as typeof document;
  } catch {
    throw new SpecsError(
      'INVALID_DOCUMENT',
      `${from} is not JSON (a web page instead of the raw file?). Nothing was recorded.`,
    );
  }
  const { openapi, info, paths } = document ?? {};
  if (
    typeof openapi !== 'string' ||
    !openapi.startsWith('3.') ||
    typeof info?.version !== 'string' ||
    typeof paths !== 'object'
  ) {
    throw new SpecsError(
      'INVALID_DOCUMENT',
      `${from} is not an OpenAPI 3 document (needs "openapi": "3.x", info.version and paths). Nothing was recorded.`,
    );
  }
  return { version: info.version, title: typeof info.title === 'string' ? info.title : '' };
}

/** Downloads the pinned revision into the cache; never changes what is pinned. */
async function restoreManaged(source: SpecSource): Promise<void> {
  if (!source.url) {
    throw new SpecsError(
      'PROVENANCE_MISSING',
      'specs/sources.json records no URL for redis-agent-memory: pass the file, npm run specs:pull -- redis-agent-memory <file>.',
    );
  }
  const bytes = await fetchDocument(source.url);
  const digest = sha256(bytes);
  if (digest !== source.sha256) {
    throw new SpecsError(
      'CHECKSUM_MISMATCH',
      `GET ${source.url} served sha256 ${digest} (version ${versionOf(bytes)}), not the recorded ${source.sha256}; nothing was changed. ` +
        `To adopt what it serves instead: npm run specs:pull -- redis-agent-memory ${source.url} --revision <commit>.`,
    );
  }
  const cached = cacheDocument('redis-agent-memory', bytes);
  console.log(
    `redis-agent-memory: the pinned document (revision ${source.revision}, sha256 ${digest}) is now cached at ${cached}.`,
  );
  console.log('Nothing changed in the project; npm run generate can read it now.');
}

async function pullManaged(args: PullArgs, source: SpecSource): Promise<boolean> {
  if (args.source === undefined) {
    await restoreManaged(source);
    return false;
  }
  const location = args.source;
  refuseUnrecordableUrl(args, source.upstream);
  const bytes = isUrl(location) ? await fetchDocument(location) : readUserFile(location);
  const { version } = checkDocument(bytes, location);
  const digest = sha256(bytes);
  if (digest === source.sha256) {
    const cached = cacheDocument('redis-agent-memory', bytes);
    console.log(
      `redis-agent-memory: unchanged (revision ${source.revision}, sha256 ${digest}); cached at ${cached}. Nothing else to do.`,
    );
    return false;
  }

  const { revision, url } = provenanceOf(args, source.upstream);
  const cached = cacheDocument('redis-agent-memory', bytes);
  const previous = `revision ${source.revision ?? 'unknown'}, version ${source.version}`;
  const upstream = source.upstream;
  source.version = version;
  source.revision = revision;
  source.origin =
    upstream && url === upstreamUrl(upstream, revision)
      ? `${upstream.repository}@${revision}:${upstream.path}`
      : `${url} (revision ${revision})`;
  source.url = url;
  source.retrievedFrom = isUrl(location) ? location : `a local file (${basename(location)})`;
  source.retrieved = today();
  source.bytes = bytes.length;
  source.sha256 = digest;
  console.log(
    `redis-agent-memory: adopted version ${version}, revision ${revision}, sha256 ${digest} (was ${previous}).`,
  );
  console.log(`  cached at ${cached} (not committed${upstream ? `: ${upstream.license}` : ''})`);
  if (!isUrl(location)) console.log(`  recorded URL (not fetched): ${url}`);
  if (source.path) {
    console.log(`  CI has no network: it needs this revision at ${source.path}`);
  }
  return true;
}

async function fetchAmsDocument(): Promise<string> {
  const external = process.env.AMS_BASE_URL;
  const server = external ? undefined : await startMemoryServer();
  const baseUrl = external ?? server!.baseUrl;
  try {
    const bytes = await fetchDocument(`${baseUrl}/openapi.json`);
    const document = JSON.parse(bytes.toString('utf8')) as { info?: { version?: string } };
    if (document.info?.version !== AMS_VERSION) {
      throw new SpecsError(
        'INVALID_DOCUMENT',
        `the server at ${baseUrl} is version ${document.info?.version}, not the pinned ${AMS_VERSION}. Unset AMS_BASE_URL to start the pinned one.`,
      );
    }
    return `${JSON.stringify(document, null, 2)}\n`;
  } finally {
    await server?.stop();
  }
}

async function pullAgentMemoryServer(source: SpecSource): Promise<boolean> {
  const text = await fetchAmsDocument();
  const digest = sha256(text);
  const file = source.file ?? 'specs/agent-memory-server.openapi.json';
  if (digest === source.sha256) {
    console.log(`agent-memory-server ${AMS_VERSION}: unchanged (sha256 ${digest}).`);
    return false;
  }
  writeFileSync(join(PROJECT_ROOT, file), text);
  source.version = AMS_VERSION;
  source.revision = `agent-memory-server==${AMS_VERSION}`;
  source.origin = `GET /openapi.json of agent-memory-server==${AMS_VERSION} (PyPI), started by scripts/lib/memory-server.ts`;
  source.retrievedFrom = 'GET /openapi.json of the pinned server (scripts/lib/memory-server.ts)';
  source.retrieved = today();
  source.bytes = Buffer.byteLength(text);
  source.sha256 = digest;
  console.log(`agent-memory-server ${AMS_VERSION}: ${file} rewritten, sha256 ${digest}.`);
  return true;
}

async function main(): Promise<void> {
  const args = parsePullArgs(process.argv.slice(2));
  if (args.help) {
    console.log(PULL_USAGE);
    return;
  }
  const sources = readSources();
  const source = sources[args.name];
  const changed =
    args.name === 'redis-agent-memory'
      ? await pullManaged(args, source)
      : await pullAgentMemoryServer(source);
  if (changed) {
    writeSources(sources);
    console.log('specs/sources.json updated.');
    console.log(NEXT_STEPS);
  }
}

main().catch((error: unknown) => exitWithError(error, PULL_USAGE));
