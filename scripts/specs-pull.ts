/**
 * `npm run specs:pull`: refresh the OpenAPI documents and record their sha256 in specs/sources.json.
 *
 * - AMS: GET /openapi.json from the pinned server (started here, or AMS_BASE_URL), committed
 *   pretty-printed as specs/agent-memory-server.openapi.json.
 * - Managed API: read from `--managed <path|url>`, else ../shared/upstream-specs when present, else
 *   the public URL. Only its sha256 is recorded; the upstream document is not copied into the repo.
 *
 * Then run `npm run generate` and review the diff.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AMS_VERSION, startMemoryServer } from './lib/memory-server.js';
import { PROJECT_ROOT, loadSpecBytes, readSources, sha256, writeSources } from './lib/specs.js';

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function pullAgentMemoryServer(): Promise<string> {
  const external = process.env.AMS_BASE_URL;
  const server = external ? undefined : await startMemoryServer();
  const baseUrl = external ?? server!.baseUrl;
  try {
    const response = await fetch(`${baseUrl}/openapi.json`, {
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`GET ${baseUrl}/openapi.json answered ${response.status}`);
    const document = (await response.json()) as { info?: { version?: string } };
    if (document.info?.version !== AMS_VERSION) {
      throw new Error(
        `the server at ${baseUrl} is version ${document.info?.version}, not the pinned ${AMS_VERSION}`,
      );
    }
    return `${JSON.stringify(document, null, 2)}\n`;
  } finally {
    await server?.stop();
  }
}

async function main(): Promise<void> {
  const sources = readSources();
  const only = flag('--only');

  if (!only || only === 'agent-memory-server') {
    const text = await pullAgentMemoryServer();
    const source = sources['agent-memory-server'];
    writeFileSync(join(PROJECT_ROOT, source.file!), text);
    const digest = sha256(text);
    console.log(
      `agent-memory-server ${AMS_VERSION}: ${source.file} sha256 ${digest}${digest === source.sha256 ? ' (unchanged)' : ' (changed)'}`,
    );
    source.sha256 = digest;
  }

  if (!only || only === 'redis-agent-memory') {
    const source = sources['redis-agent-memory'];
    const { bytes, from } = await loadSpecBytes(source, flag('--managed'));
    const document = JSON.parse(bytes.toString('utf8')) as { info?: { version?: string } };
    const digest = sha256(bytes);
    console.log(
      `redis-agent-memory ${document.info?.version}: ${from} sha256 ${digest}${digest === source.sha256 ? ' (unchanged)' : ' (changed)'}`,
    );
    source.sha256 = digest;
    source.version = document.info?.version ?? source.version;
  }

  writeSources(sources);
  console.log('specs/sources.json updated; now run `npm run generate` and review the diff.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
