/** The command line of `npm run specs:pull`, and the provenance it records for a document. */
import { SPEC_NAMES, SpecsError, isSpecName, type SpecName, type Upstream } from './specs.js';

export const PULL_USAGE = `Usage:
  npm run specs:pull -- redis-agent-memory <file|url> [--revision <commit>]
      Adopt a managed API document: check it, keep it in the cache (never in the repository) and
      record where it came from in specs/sources.json. --revision is the redis/docs commit of the
      document; it can be left out when the URL names it (a raw URL at a commit).
  npm run specs:pull -- redis-agent-memory
      Download the pinned revision (its recorded URL) into the cache, for a new machine.
  npm run specs:pull -- agent-memory-server
      Record GET /openapi.json of the pinned Agent Memory Server (started here, or the one at
      AMS_BASE_URL) as specs/agent-memory-server.openapi.json.
Then: npm run generate, review the diff, npm run generate:check.`;

export interface PullArgs {
  name: SpecName;
  /** A file path or an http(s) URL; absent: restore (managed) or the pinned server (AMS). */
  source?: string;
  revision?: string;
  help: boolean;
}

/** Options npm takes for itself when the `--` is missing: it then sets `npm_config_<name>`. */
const FLAGS_NPM_CAN_SWALLOW = ['revision', 'managed'];
const REVISION = /^[0-9a-f]{7,40}$/i;

/** Parses `specs:pull` arguments; bad or missing ones throw a `USAGE` {@link SpecsError}. */
export function parsePullArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): PullArgs {
  for (const flag of FLAGS_NPM_CAN_SWALLOW) {
    if (env[`npm_config_${flag}`] !== undefined) {
      throw new SpecsError(
        'USAGE',
        `npm took --${flag} for itself: put \`--\` after \`npm run specs:pull\` (npm run specs:pull -- redis-agent-memory <file|url> --revision <commit>).`,
      );
    }
  }
  const positional: string[] = [];
  let revision: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--revision' || arg.startsWith('--revision=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!value || value.startsWith('-')) {
        throw new SpecsError('USAGE', '--revision needs a value: the commit of the document.');
      }
      if (!REVISION.test(value)) {
        throw new SpecsError(
          'USAGE',
          `--revision ${value} is not a commit (7 to 40 hex digits): a branch or tag moves, and the recorded URL must keep serving these bytes.`,
        );
      }
      revision = value;
    } else if (arg === '--managed' || arg === '--only') {
      throw new SpecsError(
        'USAGE',
        `${arg} is gone: name the API first (npm run specs:pull -- redis-agent-memory <file|url>).`,
      );
    } else if (arg.startsWith('-')) {
      throw new SpecsError('USAGE', `unknown option ${arg}.`);
    } else positional.push(arg);
  }
  if (help) return { name: 'redis-agent-memory', help };

  const [name, source, ...extra] = positional;
  if (name === undefined) {
    throw new SpecsError('USAGE', `name the API to pull: ${SPEC_NAMES.join(' or ')}.`);
  }
  if (!isSpecName(name)) {
    throw new SpecsError('USAGE', `unknown API "${name}": expected ${SPEC_NAMES.join(' or ')}.`);
  }
  if (extra.length > 0) {
    throw new SpecsError('USAGE', `one document at a time; unexpected: ${extra.join(' ')}.`);
  }
  if (name === 'agent-memory-server' && (source !== undefined || revision !== undefined)) {
    throw new SpecsError(
      'USAGE',
      'agent-memory-server takes no file, URL or revision: its document is what the pinned server serves (set AMS_BASE_URL to use a running one).',
    );
  }
  if (source === undefined && revision !== undefined) {
    throw new SpecsError('USAGE', '--revision needs the document: a file or a URL.');
  }
  return {
    name,
    help,
    ...(source === undefined ? {} : { source }),
    ...(revision === undefined ? {} : { revision }),
  };
}

export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

/** The raw URL of the upstream document at `revision`. */
export function upstreamUrl(upstream: Upstream, revision: string): string {
  return upstream.url.replace('{revision}', revision);
}

/** The git ref (commit, branch or tag) a URL names, when it is the upstream document's raw URL. */
export function refInUrl(upstream: Upstream, url: string): string | undefined {
  const [before, after] = upstream.url.split('{revision}') as [string, string | undefined];
  if (after === undefined || !url.startsWith(before) || !url.endsWith(after)) return undefined;
  const ref = url.slice(before.length, url.length - after.length);
  return ref === '' ? undefined : ref;
}

/** The revision a URL names, when it is the upstream document's raw URL at a commit. */
export function revisionFromUrl(upstream: Upstream, url: string): string | undefined {
  const ref = refInUrl(upstream, url);
  return ref !== undefined && REVISION.test(ref) ? ref : undefined;
}

/**
 * Refuses, before anything is fetched, an upstream URL that cannot be recorded: one at a branch
 * or tag (its bytes move), or at a commit other than `--revision`.
 */
export function refuseUnrecordableUrl(args: PullArgs, upstream: Upstream | undefined): void {
  const location = args.source;
  if (!upstream || location === undefined || !isUrl(location)) return;
  const ref = refInUrl(upstream, location);
  if (ref === undefined) return;
  if (!REVISION.test(ref)) {
    throw new SpecsError(
      'PROVENANCE_MISSING',
      `${location} names ${ref}, a branch or tag, which moves: pass the raw URL at a commit (${upstreamUrl(upstream, '<commit>')}). Nothing was recorded.`,
    );
  }
  if (args.revision && ref.toLowerCase() !== args.revision.toLowerCase()) {
    throw new SpecsError(
      'USAGE',
      `the URL names commit ${ref} but --revision says ${args.revision}.`,
    );
  }
}

/** The revision and the URL that serves exactly these bytes, for a newly adopted document. */
export function provenanceOf(
  args: PullArgs,
  upstream: Upstream | undefined,
): { revision: string; url: string } {
  const location = args.source!;
  const named = upstream && isUrl(location) ? revisionFromUrl(upstream, location) : undefined;
  const revision = named ?? args.revision;
  if (!revision) {
    const example = upstream ? upstreamUrl(upstream, '<commit>') : '<url at a commit>';
    throw new SpecsError(
      'PROVENANCE_MISSING',
      `which ${upstream?.repository ?? 'upstream'} commit is ${location} from? Pass it with --revision <commit>, or pass the raw URL at that commit (${example}). Nothing was recorded.`,
    );
  }
  if (isUrl(location)) return { revision, url: location };
  if (!upstream) {
    throw new SpecsError(
      'PROVENANCE_MISSING',
      `no URL is known for revision ${revision}: pass the URL that serves this document instead of a file.`,
    );
  }
  return { revision, url: upstreamUrl(upstream, revision) };
}
