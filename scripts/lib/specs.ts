/**
 * specs/sources.json: which OpenAPI document each generated client comes from, with its full
 * provenance (where from, revision, version, sha256, date), and the error type of the spec scripts.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export {
  OPERATIONS_ARTIFACTS,
  deriveOperationsArtifact,
  type ArtifactOperation,
  type ArtifactParameter,
  type OperationsArtifact,
} from './operations-artifact.js';

/** The project the scripts belong to (a temporary copy of the tree is its own project). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCES_FILE = 'specs/sources.json';

export const SPEC_NAMES = ['agent-memory-server', 'redis-agent-memory'] as const;
export type SpecName = (typeof SPEC_NAMES)[number];

/** Where a third-party document is published, so that any revision of it can be fetched. */
export interface Upstream {
  /** `owner/name` of the repository that publishes the document. */
  repository: string;
  /** The document's path inside that repository. */
  path: string;
  /** Raw URL of the document at a revision: `{revision}` stands for the commit. */
  url: string;
  /** The document's licence: why its bytes are not committed and its prose is removed. */
  license: string;
  /** The published API reference: where the documentation removed from the code lives. */
  reference: string;
}

export interface SpecSource {
  title: string;
  /** `info.version` of the pinned document. */
  version: string;
  /** One line naming the pinned document: repository, revision and path, or how it was served. */
  origin: string;
  /** Revision of the pinned document: an upstream commit, or the server version that served it. */
  revision?: string;
  /** How `specs:pull` obtained the bytes: a URL, a local file (its base name), or a server. */
  retrievedFrom?: string;
  /** UTC date (YYYY-MM-DD) on which `specs:pull` recorded the pinned document. */
  retrieved?: string;
  /** Size of the pinned document in bytes. */
  bytes?: number;
  /** sha256 of the exact bytes generation uses. */
  sha256: string;
  /** Committed copy, relative to the project root (only for documents we produce ourselves). */
  file?: string;
  /** A copy beside the project (as CI has), relative to the project root; used when it matches. */
  path?: string;
  /** URL that serves exactly the pinned bytes. */
  url?: string;
  /** For third-party documents: where they are published. */
  upstream?: Upstream;
  /** Output of `npm run generate`, relative to the project root. */
  generated: string;
  options: {
    /** openapi-typescript's `defaultNonNullable`. */
    defaultNonNullable: boolean;
    /** Generate from the document with its prose removed (see scripts/lib/prose.ts). */
    stripProse?: boolean;
  };
}

export type Sources = Record<SpecName, SpecSource>;

/** Stable codes of {@link SpecsError}; the scripts exit 2 for `USAGE`, 1 otherwise. */
export type SpecsErrorCode =
  | 'USAGE'
  | 'DOCUMENT_MISSING'
  | 'CHECKSUM_MISMATCH'
  | 'FETCH_FAILED'
  | 'INVALID_DOCUMENT'
  | 'PROVENANCE_MISSING'
  | 'STALE_OUTPUT';

/** A failure of `specs:pull` or `generate`: its message says what happened and what to do next. */
export class SpecsError extends Error {
  override readonly name = 'SpecsError';
  constructor(
    readonly code: SpecsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isSpecName(value: string): value is SpecName {
  return (SPEC_NAMES as readonly string[]).includes(value);
}

export function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function readSources(): Sources {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, SOURCES_FILE), 'utf8')) as Sources;
}

export function writeSources(sources: Sources): void {
  writeFileSync(join(PROJECT_ROOT, SOURCES_FILE), `${JSON.stringify(sources, null, 2)}\n`);
}

/**
 * Prints a script's failure and exits: 2 with the usage text for bad arguments, 1 otherwise.
 * Anything that is not a {@link SpecsError} is unexpected and keeps its stack.
 */
export function exitWithError(error: unknown, usage: string): never {
  if (error instanceof SpecsError) {
    console.error(`error [${error.code}]: ${error.message}`);
    if (error.code === 'USAGE') console.error(`\n${usage}`);
    process.exit(error.code === 'USAGE' ? 2 : 1);
  }
  console.error(error);
  process.exit(1);
}
