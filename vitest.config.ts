import { defineConfig } from 'vitest/config';

// Five projects: `unit` needs nothing but Node (nock, local fakes); `integration` runs against a
// real Agent Memory Server that its global setup starts (or AMS_BASE_URL); `reliability` (chaos
// proxy, hostile input, secrets, concurrent processes) uses the same setup; `memory` runs against
// a real server with long-term memory on (profile `long-term-memory`, same global setup), and its
// files that need AMS's LLM features start a `defaults` server of their own; `browser` drives ADK's
// dev UI in headless Chromium against the working-memory server.
// CI sets VITEST_JSON_REPORT to a file path so that .ci/run can print one summary line.
const jsonReport = process.env.VITEST_JSON_REPORT;

// Tests that need AMS long-term memory or its LLM features (the `memory` project only).
const MEMORY_TESTS = [
  'test/integration/ams-profiles/**/*.test.ts',
  'test/integration/ams-defaults/**/*.test.ts',
  'test/integration/memory/**/*.test.ts',
];

export default defineConfig({
  test: {
    ...(jsonReport ? { reporters: ['default', ['json', { outputFile: jsonReport }]] } : {}),
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/conformance/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
          environment: 'node',
          // The documented config variables of the shell are cleared (see the file).
          setupFiles: ['test/unit/setup-environment.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'test/integration/**/*.test.ts',
            'test/conformance/**/*.integration.test.ts',
            'test/e2e/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', ...MEMORY_TESTS],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 240_000,
          // One server is shared; files run one at a time so they do not share sessions by accident.
          fileParallelism: false,
        },
      },
      {
        // Faults, hostile input, secrets and concurrent processes on both backends (the managed one
        // on its fake); the same global setup, so inject('amsBaseUrl') works.
        test: {
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
      {
        // Long-term memory on the real server: the shared `long-term-memory` server, plus a
        // `defaults` server that a file starts itself when it needs extraction or summarisation.
        test: {
          name: 'memory',
          include: MEMORY_TESTS,
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
      {
        // ADK's dev UI in headless Chromium (Debian's package, driven by playwright-core), served
        // by the adk-redis CLI on the shared Agent Memory Server of the same global setup.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
