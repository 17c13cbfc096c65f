/**
 * Starts one real Agent Memory Server per vitest project, or uses AMS_BASE_URL.
 * Projects `integration` and `reliability` get the `working-memory` profile; project `memory`
 * gets the `long-term-memory` profile and its loopback model endpoint (AMS_BASE_URL is not used
 * there: an external server would not have the settings those tests rely on).
 * Fails (never skips) when the server cannot be started.
 */
import type { TestProject } from 'vitest/node';
import {
  startMemoryServer,
  type MemoryServerProfile,
  type RunningMemoryServer,
} from '../../scripts/lib/memory-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    amsBaseUrl: string;
    /** The profile the shared server runs (`scripts/ams/PROFILES.md`). */
    amsProfile: MemoryServerProfile;
    /** The loopback model endpoint's OpenAI base URL (`…/v1`); '' when the profile has none. */
    modelEndpointUrl: string;
  }
}

/** The profile each project's shared server runs. */
const PROFILE_OF_PROJECT: Readonly<Record<string, MemoryServerProfile>> = {
  memory: 'long-term-memory',
};

/**
 * Returns its own teardown (rather than exporting one) so that projects sharing this file each
 * stop their own server, even when vitest loads the module once for several projects.
 */
export async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const profile = PROFILE_OF_PROJECT[project.name] ?? 'working-memory';
  project.provide('amsProfile', profile);
  const external = process.env.AMS_BASE_URL;
  if (external && profile === 'working-memory') {
    project.provide('amsBaseUrl', external.replace(/\/+$/, ''));
    project.provide('modelEndpointUrl', '');
    return undefined;
  }
  const server: RunningMemoryServer = await startMemoryServer({ profile });
  project.provide('amsBaseUrl', server.baseUrl);
  project.provide('modelEndpointUrl', server.modelEndpointUrl ?? '');
  return () => server.stop();
}
