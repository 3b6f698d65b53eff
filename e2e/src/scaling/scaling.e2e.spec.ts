/// <reference lib="dom" />
/**
 * /scaling and /scaling/history in a real browser (Debian chromium via playwright-core) under
 * `npm run demo`: the fake API server plays the scripted scale-up (compressed 20×) and the pages
 * show nodes, the Pending pod, the HPA maths, the charts and the events — the /scaling page
 * updating live over SSE, without a reload.
 */
import { rmSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { type ManagedProcess, freePort, launchBrowser, screenshot, startNodeProcess, watchPage } from '@eks-info/testing';
import { tempDir } from './support';

jest.setTimeout(120_000);

let demo: ManagedProcess;
let browser: Browser;
let url: string;
let dataDir: string;

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  dataDir = tempDir('scaling-demo-');
  demo = await startNodeProcess({
    name: 'demo',
    entry: 'local/src/demo.js',
    env: { PORT: String(port), DEMO_DATA_DIR: dataDir, SCENARIO_SCALE: '0.05', SCENARIO_DELAY_SECONDS: '3', SAMPLE_INTERVAL_SECONDS: '1', LOG_LEVEL: 'warn' },
    readyUrl: `${url}/ready`,
    timeoutMs: 30_000,
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function open(path: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const { errors } = watchPage(page);
  const res = await page.goto(`${url}${path}`, { waitUntil: 'domcontentloaded' });
  expect(res?.status()).toBe(200);
  return { page, errors };
}

describe('/scaling under npm run demo', () => {
  it('shows the nodes and the HPA maths, then the Pending pod and the new node live, without a reload', async () => {
    const { page, errors } = await open('/scaling');
    await page.waitForSelector('#scaling-nodes li.scaling-node');
    expect(await page.locator('#scaling-nodes li.scaling-node').count()).toBeGreaterThanOrEqual(3);
    await page.waitForSelector('[data-live-state]:text("live")');
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));

    // The story unfolds: the HPA wants 4, one pod stays Pending, a fourth node joins.
    await page.waitForSelector('#scaling-pending td:has-text("Unschedulable")', { timeout: 30_000 });
    expect(await page.textContent('#scaling-pending')).toContain('Insufficient cpu');
    // The maths for the moment shown (the story moves on quickly at this speed).
    const hpa = (await page.textContent('#scaling-hpas')) ?? '';
    expect(hpa).toMatch(/cpu: \d+ % of requests vs target 60 %: (ceil\(\d × \d+ \/ 60\) = ceil\([\d.]+\) = \d|\d+ \/ 60 = [\d.]+, within the 10 % tolerance)/);
    expect(hpa).toContain('Conditions and behaviour');
    await page.waitForFunction(() => document.querySelectorAll('#scaling-nodes li.scaling-node').length === 4, undefined, { timeout: 30_000 });
    expect(await page.textContent('#scaling-ca')).toContain('InProgress');
    expect(navigations).toEqual([]);
    await screenshot(page, 'scaling-desktop');

    // The node filter narrows the cards and keeps them narrowed through live updates.
    await page.fill('[data-node-filter]', 'spot');
    expect(await page.locator('#scaling-nodes li.scaling-node:visible').count()).toBe(1);
    await page.evaluate(() => new Promise((resolve) => document.addEventListener('eksinfo:scaling-snapshot', resolve, { once: true })));
    expect(await page.locator('#scaling-nodes li.scaling-node:visible').count()).toBe(1);

    // Requested vs used vs allocatable as bars (<meter>, no inline styles under the CSP).
    expect(await page.locator('#scaling-nodes li.scaling-node meter').count()).toBeGreaterThanOrEqual(15);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refreshes in place with the button and stays live', async () => {
    const { page, errors } = await open('/scaling');
    await page.waitForSelector('[data-live-state]:text("live")');
    await Promise.all([page.waitForEvent('requestfinished', (r) => r.url() === `${url}/scaling`), page.click('[data-refresh]')]);
    await page.waitForSelector('[data-live-state]:text("live")');
    expect(await page.locator('#scaling-nodes li.scaling-node').count()).toBeGreaterThanOrEqual(3);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a phone screen', async () => {
    const { page, errors } = await open('/scaling', { width: 390, height: 844 });
    await page.waitForSelector('#scaling-nodes li.scaling-node');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
    await screenshot(page, 'scaling-phone');
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('/scaling/history under npm run demo', () => {
  it('draws the charts, lists the events and shows the response times once the story has played', async () => {
    // At 0.05 s per scripted second, the last pod is Ready about 7 s into the story.
    const { page: first } = await open('/scaling/history?hours=1');
    // Eleven events up to the last new pod turning Ready (they arrive live on the open page).
    await first.waitForFunction(() => document.querySelectorAll('#scaling-events tbody tr[data-event]').length >= 11, undefined, { timeout: 40_000 });
    await first.close();

    const { page, errors } = await open('/scaling/history?hours=1');
    await page.waitForSelector('#scaling-history[data-charts="drawn"]', { timeout: 15_000 });
    const points = await page.evaluate(() => {
      const chart = (
        window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: { datasets: Array<{ label: string; data: unknown[] }> } } | undefined } }
      ).Chart;
      return ['pods', 'nodes', 'cpu', 'memory'].map((name) => {
        const c = chart.getChart(document.getElementById(`chart-${name}`) as HTMLCanvasElement);
        return [name, c ? c.data.datasets[0].data.length : 0, c ? c.data.datasets.map((d) => d.label) : []] as const;
      });
    });
    for (const [name, count] of points) expect([name, count > 0]).toEqual([name, true]);
    expect(points[0][2]).toEqual(expect.arrayContaining(['all pods', 'Pending', 'Deployment/stress']));

    const events = (await page.textContent('#scaling-events')) ?? '';
    for (const label of ['HPA scale-up', 'Pod Pending', 'Node scale-up', 'Node added', 'Node Ready', 'Pod Ready']) expect(events).toContain(label);
    const row = (type: string) => page.locator(`#response-time-stats tr[data-chain="${type}"] td`).nth(1).textContent();
    expect(Number(await row('hpa_to_pods_ready'))).toBeGreaterThanOrEqual(1);
    expect(Number(await row('node_created_to_ready'))).toBeGreaterThanOrEqual(1);

    // Filtering the event table.
    await page.fill('input[data-filter="#scaling-events"]', 'Node Ready');
    const visible = await page.locator('#scaling-events tbody tr:not([hidden])').allTextContents();
    expect(visible.length).toBeGreaterThan(0);
    for (const text of visible) expect(text).toContain('Node Ready');
    await screenshot(page, 'scaling-history-desktop');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a phone screen', async () => {
    const { page, errors } = await open('/scaling/history', { width: 390, height: 844 });
    await page.waitForSelector('#scaling-history[data-charts="drawn"]', { timeout: 15_000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
    await screenshot(page, 'scaling-history-phone');
    expect(errors).toEqual([]);
    await page.close();
  });
});
