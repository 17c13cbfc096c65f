/** Command line of `npm run bench`: `--only <section>[,<section>]`, `--quick`, `--help`. */
import { parseArgs } from 'node:util';

export const SECTIONS = [
  'round-trips',
  'overhead',
  'growth',
  'throughput',
  'peer',
  'cold-import',
  'memory',
] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface BenchArgs {
  only: Set<SectionName>;
  quick: boolean;
}

export const USAGE = `npm run bench [-- --only <section>[,<section>...]] [--quick]

sections: ${SECTIONS.join(', ')}
--quick   smaller N, shorter sessions (for iterating; figures are noisier)
AMS_BASE_URL=<url> uses a running Agent Memory Server instead of starting one.`;

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string', multiple: true },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const requested = (values.only ?? []).flatMap((value) => value.split(',')).map((s) => s.trim());
  const only = new Set<SectionName>();
  for (const name of requested.filter(Boolean)) {
    if (!(SECTIONS as readonly string[]).includes(name)) {
      throw new Error(`unknown section "${name}"; sections: ${SECTIONS.join(', ')}`);
    }
    only.add(name as SectionName);
  }
  if (only.size === 0) for (const name of SECTIONS) only.add(name);
  return { only, quick: values.quick ?? false };
}
