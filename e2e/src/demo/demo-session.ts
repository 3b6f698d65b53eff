import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type ManagedProcess, freePort, hasTool, itWhen, launchBrowser, startNodeProcess, watchPage } from '@eks-info/testing';

const TOOLS: Array<[string, string]> = [
  ['nats-server', 'nats'],
  ['moto_server', 'moto'],
  ['ec2-metadata-mock', 'aemm'],
  ['chromium', 'chromium'],
];
const missing = TOOLS.filter(([tool]) => !hasTool(tool)).map(([tool, name]) => `${tool} (scripts/tools/install.sh ${name})`);

/** A test of the demo: skipped with the reason (and failed under CI) when a tool the demo needs is missing. */
export const demoTest = itWhen(missing.length ? { ok: false, reason: `the demo needs ${missing.join(', ')}` } : { ok: true });

/** `npm run demo` in its own process, its own data directory, and a browser to look at it. */
export interface DemoSession {
  url: string;
  dataDir: string;
  browser: Browser;
  /** A new page at `route`, answered 200, with its console errors and failed requests collected. */
  open(route: string): Promise<{ page: Page; errors: string[] }>;
  stop(): Promise<void>;
}

/** Starts the demo with `env` (e.g. its time scale); undefined when a tool is missing (the tests skip). */
export async function startDemoSession(env: Record<string, string>): Promise<DemoSession | undefined> {
  if (missing.length) return undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'eks-info-demo-'));
  let demo: ManagedProcess | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    await demo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    demo = await startNodeProcess({
      name: 'demo',
      entry: 'local/src/demo.js',
      env: { PORT: String(port), DEMO_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
      readyUrl: `${url}/ready`,
      timeoutMs: 60_000,
    });
    browser = await launchBrowser();
  } catch (err) {
    await stop();
    throw err;
  }
  const opened = browser;
  return {
    url,
    dataDir,
    browser: opened,
    stop,
    async open(route) {
      const page = await opened.newPage({ viewport: { width: 1280, height: 900 } });
      const { errors } = watchPage(page);
      const res = await page.goto(`${url}${route}`, { waitUntil: 'domcontentloaded' });
      expect(res?.status()).toBe(200);
      return { page, errors };
    },
  };
}
