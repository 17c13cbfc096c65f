/**
 * `npm run bench [-- --only <section> --quick]`: prints performance figures of RedisSessionMemoryService
 * on a real Agent Memory Server and on the fake managed API, with the targets next to them. It
 * never fails on a figure: it prints them (and which targets are met) for people to read.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { parseBenchArgs, type SectionName } from './lib/args.js';
import { ROOT, startEnv, type BenchEnv } from './lib/env.js';
import { heading, note, printTargets, progress } from './lib/report.js';
import { coldImport } from './sections/cold-import.js';
import { eventSizes } from './sections/event-sizes.js';
import { growth } from './sections/growth.js';
import { memory } from './sections/memory.js';
import { overhead } from './sections/overhead.js';
import { peer } from './sections/peer.js';
import { roundTrips } from './sections/round-trips.js';
import { throughput } from './sections/throughput.js';

const SECTION_RUNNERS: Record<
  SectionName,
  { needs: { ams: boolean; fake: boolean }; run: (env: BenchEnv, quick: boolean) => Promise<void> }
> = {
  'round-trips': { needs: { ams: true, fake: true }, run: (env) => roundTrips(env) },
  overhead: { needs: { ams: true, fake: true }, run: (env, quick) => overhead(env, quick) },
  growth: { needs: { ams: true, fake: true }, run: (env, quick) => growth(env, quick) },
  throughput: { needs: { ams: true, fake: true }, run: (env, quick) => throughput(env, quick) },
  peer: { needs: { ams: true, fake: false }, run: (env, quick) => peer(env, quick) },
  'cold-import': { needs: { ams: false, fake: false }, run: (_env, quick) => coldImport(quick) },
  'event-sizes': { needs: { ams: false, fake: true }, run: (env, quick) => eventSizes(env, quick) },
  // Starts its own long-term-memory AMS (the shared one runs the working-memory profile).
  memory: { needs: { ams: false, fake: true }, run: (env, quick) => memory(env, quick) },
};

/** The commit measured, and whether src/ has uncommitted changes (read-only git). */
function sourceVersion(): string {
  const git = (...args: string[]): string | undefined => {
    const result = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
    return result.status === 0 ? result.stdout.trim() : undefined;
  };
  const commit = git('rev-parse', '--short', 'HEAD');
  if (!commit) return 'not a git checkout';
  const dirty = git('status', '--porcelain', '--', 'src');
  return `${commit}${dirty ? ' + uncommitted changes in src/' : ''} (the bench runs their package build, bench/.dist)`;
}

const loadavg = (): string =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const sections = [...args.only];
  heading('adk-redis bench');
  note(`date: ${new Date().toISOString()}`);
  note(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; Node ${process.version} on ${process.platform}`,
  );
  note(`source: ${sourceVersion()}`);
  note(`load average at start: ${loadavg()} (other processes on the machine add noise)`);
  note(
    `command: npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  );
  note(
    `sections: ${sections.join(', ')}${args.quick ? ' (quick: smaller N, noisier figures)' : ''}`,
  );
  const needs = {
    ams: sections.some((s) => SECTION_RUNNERS[s].needs.ams),
    fake: sections.some((s) => SECTION_RUNNERS[s].needs.fake),
  };
  const started = performance.now();
  const env = await startEnv(needs);
  // Ctrl-C: stop the servers this run started (AMS runs in process groups of its own).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: stopping the servers`);
      void env.stop().finally(() => process.exit(130));
    });
  }
  let failed = false;
  try {
    for (const section of sections) {
      const sectionStarted = performance.now();
      progress(`section ${section}`);
      try {
        await SECTION_RUNNERS[section].run(env, args.quick);
      } catch (error) {
        failed = true;
        note(
          `\nSECTION ${section} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      }
      progress(
        `section ${section} took ${((performance.now() - sectionStarted) / 1000).toFixed(1)} s`,
      );
    }
  } finally {
    await env.stop();
  }
  printTargets();
  note(`\nload average at end: ${loadavg()}`);
  note(`\ntotal bench time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (failed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
