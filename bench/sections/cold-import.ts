/**
 * Section 6: cold import and package size. Each sample is a fresh `node` process that imports
 * `@google/adk` first (the peer every user already loads), then times importing the built
 * `dist/index.js` (ESM) or requiring `dist/index.cjs` (CJS). Packed size from `npm pack --dry-run`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../lib/env.js';
import { heading, note, progress, table } from '../lib/report.js';
import { bytes, median, ms } from '../lib/stats.js';

// `settleMs`: idle time after importing @google/adk. Right after that import the process is still
// digesting ADK's large module graph (garbage collection, compilation: even a plain CPU loop runs
// up to 3× slower then), and timing at once charges part of that to adk-redis.
const ESM_PROBE = (distUrl: string, settleMs: number): string => `
const t0 = performance.now();
await import('@google/adk');
const t1 = performance.now();
await new Promise((resolve) => setTimeout(resolve, ${settleMs}));
const t2 = performance.now();
await import(${JSON.stringify(distUrl)});
const t3 = performance.now();
console.log(JSON.stringify({ adk: t1 - t0, lib: t3 - t2 }));
`;

const CJS_PROBE = (distPath: string): string => `
const t0 = performance.now();
require('@google/adk');
const t1 = performance.now();
require(${JSON.stringify(distPath)});
const t2 = performance.now();
console.log(JSON.stringify({ adk: t1 - t0, lib: t2 - t1 }));
`;

function sample(args: string[]): { adk: number; lib: number } {
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`probe failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as { adk: number; lib: number };
}

export function coldImport(quick: boolean): Promise<void> {
  heading('6. Cold import and package size');
  const esm = join(ROOT, 'dist', 'index.js');
  const cjs = join(ROOT, 'dist', 'index.cjs');
  if (!existsSync(esm) || !existsSync(cjs)) {
    progress('dist/ is missing: npm run build');
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const samples = quick ? 5 : 10;
  note(
    `${samples} fresh node processes each; median. Right after importing @google/adk the process is`,
    "still digesting ADK's module graph (GC, compilation), which lands in the next import's time:",
    'the first row waits 500 ms first.',
    `dist/index.js built ${statSync(esm).mtime.toISOString()}`,
    '(an existing dist/ is not rebuilt: run `npm run build` first to measure the current sources).',
  );
  const rows: (string | number)[][] = [];
  for (const [label, args] of [
    [
      'ESM import(dist/index.js), 500 ms after @google/adk',
      ['--input-type=module', '-e', ESM_PROBE(pathToFileURL(esm).href, 500)],
    ],
    [
      'ESM import(dist/index.js), right after @google/adk',
      ['--input-type=module', '-e', ESM_PROBE(pathToFileURL(esm).href, 0)],
    ],
    ['CJS require(dist/index.cjs), right after @google/adk', ['-e', CJS_PROBE(cjs)]],
  ] as const) {
    sample([...args]); // warm the file system cache
    const runs = Array.from({ length: samples }, () => sample([...args]));
    rows.push([label, ms(median(runs.map((r) => r.lib))), ms(median(runs.map((r) => r.adk)))]);
  }
  table(['import', 'adk-redis (after @google/adk)', '@google/adk itself (for scale)'], rows);

  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as {
    size: number;
    unpackedSize: number;
    entryCount: number;
    files: { path: string; size: number }[];
  }[];
  const pack = packed[0]!;
  const largest = [...pack.files].sort((a, b) => b.size - a.size).slice(0, 5);
  table(
    ['npm pack --dry-run', 'value'],
    [
      ['tarball size', bytes(pack.size)],
      ['unpacked size', bytes(pack.unpackedSize)],
      ['files', pack.entryCount],
      ['largest files', largest.map((f) => `${f.path} ${bytes(f.size)}`).join(', ')],
    ],
  );
  return Promise.resolve();
}
