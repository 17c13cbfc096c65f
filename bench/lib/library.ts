/**
 * The library as users run it: the package build in bench/.dist (made by `npm run bench` with the
 * package's tsup config, ESM only, no type declarations), not the sources through tsx, whose
 * transform wraps every function expression in a naming call that the published build does not
 * have (it showed in the per-call CPU figures). Types come from the sources the build is made from.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as Library from '../../src/index.js';

const entry = new URL('../.dist/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  throw new Error(
    'bench/.dist is missing: run the bench with `npm run bench`, which builds it first',
  );
}
const built = (await import(entry.href)) as typeof Library;

export const { RedisSessionMemoryService, RedisLongTermMemoryService } = built;
export type RedisSessionMemoryService = Library.RedisSessionMemoryService;
export type RedisLongTermMemoryService = Library.RedisLongTermMemoryService;
export type {
  RedisSessionMemoryServiceConfig,
  RedisLongTermMemoryServiceConfig,
} from '../../src/index.js';
