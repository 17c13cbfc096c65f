// Loads every public entry point of the built package as ESM and as CJS and checks that the
// error classes are one class across entry points (so `instanceof` works whichever you import).
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const entries = [
  'adk-redis',
  'adk-redis/agent-memory-server',
  'adk-redis/redis-agent-memory',
  'adk-redis/memory',
];
const esm = await Promise.all(entries.map((e) => import(e)));
const cjs = entries.map((e) => require(e));
for (const [i, entry] of entries.entries()) {
  for (const [kind, mod] of [
    ['esm', esm[i]],
    ['cjs', cjs[i]],
  ]) {
    assert.equal(typeof mod.BackendError, 'function', `${kind} ${entry} exports BackendError`);
    assert.equal(typeof mod.unwrap, 'function', `${kind} ${entry} exports unwrap`);
    assert.equal(
      mod.BackendError,
      (kind === 'esm' ? esm : cjs)[0].BackendError,
      `${kind} ${entry}: one BackendError class`,
    );
  }
}
assert.equal(typeof esm[1].createAgentMemoryServerClient, 'function');
assert.equal(typeof cjs[2].createRedisAgentMemoryClient, 'function');
for (const mod of [esm[0], esm[3], cjs[0], cjs[3]]) {
  assert.equal(typeof mod.RedisLongTermMemoryService, 'function', 'exports the memory service');
}
assert.equal(esm[3].MemoryWriteError, esm[0].MemoryWriteError, 'one MemoryWriteError class');
// adk-redis/tools: the memory tools and the ingestion plugin, one class across entry points.
const toolsEsm = await import('adk-redis/tools');
const toolsCjs = require('adk-redis/tools');
for (const [kind, mod, root] of [
  ['esm', toolsEsm, esm[0]],
  ['cjs', toolsCjs, cjs[0]],
]) {
  assert.equal(
    typeof mod.createMemoryTools,
    'function',
    `${kind} adk-redis/tools exports createMemoryTools`,
  );
  assert.equal(
    mod.MemoryIngestionPlugin,
    root.MemoryIngestionPlugin,
    `${kind}: one MemoryIngestionPlugin class`,
  );
}
// The adk-redis bin: a #! line, executable, and it answers --version without the devtools loaded.
const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
assert.ok(readFileSync(cliPath, 'utf8').startsWith('#!/usr/bin/env node'), 'dist/cli.js has #!');
assert.ok((statSync(cliPath).mode & 0o111) !== 0, 'dist/cli.js is executable');
const cliVersion = execFileSync(cliPath, ['--version'], { encoding: 'utf8' }).trim();
assert.equal(cliVersion, esm[0].VERSION, 'adk-redis --version prints the package version');
console.log(
  `dist ok: ${entries.length + 1} entry points load as ESM and CJS and share their error classes`,
);
