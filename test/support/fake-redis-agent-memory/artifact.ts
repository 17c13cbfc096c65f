/**
 * The committed schema artifact (test/support/generated/redis-agent-memory.operations.json,
 * written by `npm run generate` from the pinned OpenAPI document): the fake's only source of truth
 * about routes, parameters and body shapes.
 */
import { readFileSync } from 'node:fs';
import type {
  ArtifactOperation,
  ArtifactParameter,
  OperationsArtifact,
} from '../../../scripts/lib/specs.js';

export type { ArtifactOperation, ArtifactParameter, OperationsArtifact };

const ARTIFACT_URL = new URL('../generated/redis-agent-memory.operations.json', import.meta.url);

let cached: OperationsArtifact | undefined;

/** The artifact, read once per process. */
export function loadArtifact(): OperationsArtifact {
  cached ??= JSON.parse(readFileSync(ARTIFACT_URL, 'utf8')) as OperationsArtifact;
  return cached;
}
