/**
 * ADK's dev UI in a real browser, served by `adk-redis web` with sessions on a real Agent Memory
 * Server: pick the agent, send a message to an offline-model agent, see the reply; restart the
 * server; reload and see the session and its events still listed. The screenshot taken after the
 * restart is kept, and its path printed, as a CI artifact.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueId } from '../support/ids.js';
import { launchChromium, type LoopbackBrowser } from './chromium.js';
import { startCli, type CliProcess } from './cli-process.js';

const AGENTS_DIR = fileURLToPath(new URL('./fixtures/agents', import.meta.url));
const APP = 'echo_agent';
/** BROWSER_ARTIFACTS_DIR keeps screenshots elsewhere (CI points it at its artifact folder). */
const ARTIFACTS_DIR = process.env.BROWSER_ARTIFACTS_DIR ?? join(tmpdir(), 'adk-redis-browser');

describe('adk-redis web: the ADK dev UI on the Agent Memory Server', () => {
  let browser: LoopbackBrowser | undefined;
  let server: CliProcess | undefined;

  const start = async () => {
    server = await startCli(
      [
        'web',
        AGENTS_DIR,
        '--backend',
        'opensource-agent-memory',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--log-level',
        'warn',
      ],
      { ...process.env, AMS_BASE_URL: inject('amsBaseUrl') },
    );
    browser?.allow(new URL(server.url).origin);
    return server;
  };

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await server?.stop();
    await browser?.close();
  });

  it('keeps the session and its events across a server restart', async () => {
    const userId = uniqueId('browser-user');
    const message = `My favourite colour is teal (${uniqueId('note')})`;
    const first = await start();
    const page = await browser!.context.newPage();

    await page.goto(`${first.url}/dev-ui/?app=${APP}&userId=${encodeURIComponent(userId)}`);
    const input = page.getByPlaceholder('Type a message...');
    await input.fill(message);
    await input.press('Enter');
    await expect
      .poll(() => page.getByText(`Noted: ${message}`).count(), { timeout: 90_000 })
      .toBeGreaterThan(0);
    const sessionId = new URL(page.url()).searchParams.get('session');
    expect(sessionId).toBeTruthy();

    expect(await first.stop()).toBe(0);
    const second = await start();
    expect(second.url).not.toBe('');

    // A fresh page on the new server: no session chosen, so the list comes from storage.
    await page.goto(`${second.url}/dev-ui/?app=${APP}&userId=${encodeURIComponent(userId)}`);
    const sessionPicker = page.locator(
      '.toolbar-session-group button[mattooltip="Select a session"]',
    );
    await sessionPicker.waitFor({ timeout: 90_000 });
    await sessionPicker.click();
    // The picker lists sessions by id (the list carries no events); choosing one loads them.
    const listed = page.getByText(sessionId!, { exact: true }).first();
    await listed.waitFor({ timeout: 60_000 });
    await listed.click();
    await expect
      .poll(() => page.getByText(`Noted: ${message}`).count(), { timeout: 60_000 })
      .toBeGreaterThan(0);
    expect(new URL(page.url()).searchParams.get('session')).toBe(sessionId);

    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const screenshot = join(ARTIFACTS_DIR, 'dev-ui-after-restart.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`dev UI screenshot (after the restart): ${screenshot}`);
  });
});
