/**
 * Starts one real Agent Memory Server for the integration project, or uses AMS_BASE_URL.
 * Fails (never skips) when the server cannot be started.
 */
import type { TestProject } from 'vitest/node';
import { startMemoryServer, type RunningMemoryServer } from '../../scripts/lib/memory-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    amsBaseUrl: string;
  }
}

let server: RunningMemoryServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  const external = process.env.AMS_BASE_URL;
  if (external) {
    project.provide('amsBaseUrl', external.replace(/\/+$/, ''));
    return;
  }
  server = await startMemoryServer();
  project.provide('amsBaseUrl', server.baseUrl);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
