/** The `specs:pull` command line: the forms it accepts and how it refuses the others. */
import { describe, expect, it } from 'vitest';
import {
  parsePullArgs,
  provenanceOf,
  refInUrl,
  refuseUnrecordableUrl,
  revisionFromUrl,
  upstreamUrl,
} from '../../../scripts/lib/pull-args.js';
import { SpecsError, type Upstream } from '../../../scripts/lib/specs.js';

const COMMIT = '0af446c112d439b5708a579a3c7ab30379459d29';

function refusal(argv: string[], env: NodeJS.ProcessEnv = {}): SpecsError {
  try {
    parsePullArgs(argv, env);
  } catch (error) {
    if (error instanceof SpecsError) return error;
    throw error;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('parsePullArgs', () => {
  it('accepts the documented forms', () => {
    expect(parsePullArgs(['redis-agent-memory', 'doc.json', '--revision', COMMIT], {})).toEqual({
      name: 'redis-agent-memory',
      source: 'doc.json',
      revision: COMMIT,
      help: false,
    });
    expect(parsePullArgs(['redis-agent-memory', `--revision=${COMMIT}`, 'doc.json'], {})).toEqual({
      name: 'redis-agent-memory',
      source: 'doc.json',
      revision: COMMIT,
      help: false,
    });
    expect(parsePullArgs(['redis-agent-memory'], {})).toEqual({
      name: 'redis-agent-memory',
      help: false,
    });
    expect(parsePullArgs(['agent-memory-server'], {})).toEqual({
      name: 'agent-memory-server',
      help: false,
    });
    expect(parsePullArgs(['--help'], {}).help).toBe(true);
  });

  it.each([
    [[], 'name the API to pull'],
    [['managed'], 'unknown API "managed"'],
    [['redis-agent-memory', 'a.json', 'b.json'], 'one document at a time'],
    [['redis-agent-memory', 'a.json', '--revision'], '--revision needs a value'],
    [['redis-agent-memory', 'a.json', '--revision', 'main'], 'is not a commit'],
    [['redis-agent-memory', '--revision', COMMIT], '--revision needs the document'],
    [['agent-memory-server', 'a.json'], 'agent-memory-server takes no file'],
    [['--managed', 'a.json'], '--managed is gone'],
    [['--only', 'redis-agent-memory'], '--only is gone'],
    [['redis-agent-memory', 'a.json', '--force'], 'unknown option --force'],
  ])('refuses %j: %s', (argv, message) => {
    const error = refusal(argv);
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain(message);
  });

  it('notices a flag that npm took for itself (no `--`)', () => {
    const error = refusal(['redis-agent-memory', 'a.json', COMMIT], {
      npm_config_revision: 'true',
    });
    expect(error.code).toBe('USAGE');
    expect(error.message).toContain('put `--` after `npm run specs:pull`');
  });
});

describe('revisions from upstream URLs', () => {
  const upstream: Upstream = {
    repository: 'owner/docs',
    path: 'api/openapi.json',
    url: 'https://raw.example.invalid/owner/docs/{revision}/api/openapi.json',
    license: 'L',
    reference: 'R',
  };

  it('reads the commit a raw URL names, and builds that URL back', () => {
    const url = upstreamUrl(upstream, COMMIT);
    expect(url).toBe(`https://raw.example.invalid/owner/docs/${COMMIT}/api/openapi.json`);
    expect(revisionFromUrl(upstream, url)).toBe(COMMIT);
  });

  it('finds no revision in a branch URL or another document', () => {
    expect(revisionFromUrl(upstream, upstreamUrl(upstream, 'main'))).toBeUndefined();
    expect(refInUrl(upstream, upstreamUrl(upstream, 'main'))).toBe('main');
    expect(
      revisionFromUrl(upstream, `https://raw.example.invalid/owner/docs/${COMMIT}/other.json`),
    ).toBeUndefined();
  });
});

describe('provenance of an adopted document', () => {
  const upstream: Upstream = {
    repository: 'owner/docs',
    path: 'api/openapi.json',
    url: 'https://raw.example.invalid/owner/docs/{revision}/api/openapi.json',
    license: 'L',
    reference: 'R',
  };
  const at = (ref: string): string => upstreamUrl(upstream, ref);
  const args = (source: string, revision?: string) => ({
    name: 'redis-agent-memory' as const,
    source,
    help: false,
    ...(revision ? { revision } : {}),
  });

  it('takes the commit from a raw URL, or from --revision for a file (recording the raw URL)', () => {
    expect(provenanceOf(args(at(COMMIT)), upstream)).toEqual({ revision: COMMIT, url: at(COMMIT) });
    expect(provenanceOf(args('doc.json', COMMIT), upstream)).toEqual({
      revision: COMMIT,
      url: at(COMMIT),
    });
    const elsewhere = 'http://127.0.0.1:8080/doc.json';
    expect(provenanceOf(args(elsewhere, COMMIT), upstream)).toEqual({
      revision: COMMIT,
      url: elsewhere,
    });
  });

  it('asks for the commit when nothing names it', () => {
    expect(() => provenanceOf(args('doc.json'), upstream)).toThrow('Pass it with --revision');
    expect(() => provenanceOf(args('doc.json', COMMIT), undefined)).toThrow('no URL is known');
  });

  it('refuses, before fetching, an upstream URL at a branch or at another commit', () => {
    expect(() => refuseUnrecordableUrl(args(at('main')), upstream)).toThrow(
      'names main, a branch or tag, which moves',
    );
    expect(() => refuseUnrecordableUrl(args(at(COMMIT), 'abcdef1'), upstream)).toThrow(
      `the URL names commit ${COMMIT} but --revision says abcdef1`,
    );
    expect(() => refuseUnrecordableUrl(args(at(COMMIT), COMMIT), upstream)).not.toThrow();
    expect(() => refuseUnrecordableUrl(args('doc.json'), upstream)).not.toThrow();
  });
});
