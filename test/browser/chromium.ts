/**
 * Headless Chromium from the operating system's package (Debian's `chromium`), driven by
 * playwright-core. Every request that does not go to the server under test is aborted, so the
 * test stays on loopback (the dev UI asks for web fonts, which then fall back to local ones).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where Debian's package installs the browser; CHROMIUM_PATH overrides. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser with a fresh profile, allowed to reach `origin` only. */
export interface LoopbackBrowser {
  readonly context: BrowserContext;
  /** Lets the browser reach another origin (the restarted server's). */
  allow(origin: string): void;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh `--user-data-dir`. */
export async function launchChromium(): Promise<LoopbackBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No browser at ${CHROMIUM_PATH}: install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM_PATH.`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'adk-redis-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 900 },
  });
  const allowed = new Set<string>();
  await context.route(
    (url) => !allowed.has(url.origin),
    (route) => route.abort('blockedbyclient'),
  );
  return {
    context,
    allow: (origin) => allowed.add(origin),
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
