import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type ConsoleMessage, type Page, chromium } from 'playwright-core';
import { repoRoot, toolPath } from '../process/paths';

/**
 * Debian's chromium driven by playwright-core (never a downloaded browser). The flags keep it
 * from reaching out to the network on its own; playwright gives each launch a fresh profile.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: toolPath('chromium'),
    args: CHROMIUM_ARGS,
  });
}

/** Collects console errors and failed requests of a page, so a test can assert there were none. */
export function watchPage(page: Page): { errors: string[] } {
  const errors: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    // EventSource streams are cut when the page closes; that is not a failure.
    if (!req.url().includes('/api/v1/stream/')) errors.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`);
  });
  return { errors };
}

/** Screenshots go to a git-ignored folder for people to look at after a run. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = path.join(repoRoot, 'test-output', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
