/// <reference lib="dom" />
/**
 * /scaling and /scaling/history in a real browser (Debian chromium via playwright-core) under
 * `npm run demo -- --scripted`: the fake API server plays the scripted scale-up (compressed 20×) and the pages
 * show nodes, the Pending pod, the HPA maths, the charts and the events — the sections updating
 * live, swapped in by htmx from the HTML fragments the gateway pushes over SSE, without a reload,
 * with opened details kept across the swaps, the node list filtered on demand and the event filter
 * kept.
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
    env: {
      PORT: String(port),
      DEMO_DATA_DIR: dataDir,
      // The scripted story (`npm run demo -- --scripted`): its timings are known in advance.
      DEMO_MODE: 'scripted',
      SCENARIO_SCALE: '0.05',
      SCENARIO_DELAY_SECONDS: '3',
      SAMPLE_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'warn',
    },
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

/** Resolves when htmx next swaps a fragment from the live stream into the slot of `section`. */
function nextSwap(page: Page, section: string, timeoutMs = 30_000): Promise<void> {
  return page.evaluate(
    ([id, ms]) =>
      new Promise<void>((resolve, reject) => {
        const slot = document.querySelector(`[sse-swap="${id}"]`);
        if (!slot) return reject(new Error(`no slot for ${id}`));
        const timer = setTimeout(() => reject(new Error(`no live update of ${id} within ${ms} ms`)), ms);
        slot.addEventListener(
          'htmx:sseMessage',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      }),
    [section, timeoutMs] as const,
  );
}

describe('/scaling under npm run demo', () => {
  it('shows the nodes and the HPA maths, then the Pending pod and the new node live, without a reload', async () => {
    const { page, errors } = await open('/scaling');
    await page.waitForSelector('#scaling-nodes li.scaling-node');
    expect(await page.locator('#scaling-nodes li.scaling-node').count()).toBeGreaterThanOrEqual(3);
    await page.waitForSelector('[data-live-state]:text("live")');
    // No reload: the address may change in place (the node list's filters), the document may not.
    const loads: string[] = [];
    page.on('load', () => loads.push(page.url()));

    // The story unfolds: the HPA wants 4, one pod stays Pending, a fourth node joins.
    await page.waitForSelector('#scaling-pending td:has-text("Unschedulable")', { timeout: 30_000 });
    expect(await page.textContent('#scaling-pending')).toContain('Insufficient cpu');
    // The maths for the moment shown (the story moves on quickly at this speed).
    const hpa = (await page.textContent('#scaling-hpas')) ?? '';
    expect(hpa).toMatch(/cpu: \d+ % of requests vs target 60 %: (ceil\(\d × \d+ \/ 60\) = ceil\([\d.]+\) = \d|\d+ \/ 60 = [\d.]+, within the 10 % tolerance)/);
    expect(hpa).toContain('Conditions and behaviour');
    await page.waitForFunction(() => document.querySelectorAll('#scaling-nodes li.scaling-node').length === 4, undefined, { timeout: 30_000 });
    expect(await page.textContent('#scaling-ca')).toContain('InProgress');
    expect(loads).toEqual([]);
    await screenshot(page, 'scaling-desktop');

    // Requested vs used vs allocatable as bars (<meter>, no inline styles under the CSP).
    expect(await page.locator('#scaling-nodes li.scaling-node meter').count()).toBeGreaterThanOrEqual(15);
    // The heat strip: one drawn cell per node (canvas pixels, not elements).
    const cells = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLCanvasElement>('canvas.heat-cells')).map((c) => [
        c.getAttribute('data-states')?.length ?? 0,
        c.getContext('2d')!.getImageData(1, 1, 1, 1).data[3],
      ]),
    );
    expect(cells.reduce((sum, [n]) => sum + n, 0)).toBe(4);
    expect(cells.every(([, alpha]) => alpha === 255)).toBe(true);

    // The capacity filter asks the gateway for the spot nodes' cards; the address says so, and the
    // list stays filtered through the next live changes (it fetches itself again at each one).
    await page.selectOption('select[name="capacityType"]', 'spot');
    await page.waitForFunction(() => document.getElementById('node-results')?.getAttribute('data-address')?.includes('capacityType=spot'));
    expect(await page.locator('#scaling-nodes li.scaling-node').count()).toBe(1);
    expect(await page.locator('#scaling-nodes li.scaling-node').textContent()).toContain('spot');
    await page.waitForURL(/\/scaling\?capacityType=spot/);
    const listBefore = await page.evaluateHandle(() => document.getElementById('node-results'));
    await page.waitForFunction((old) => document.getElementById('node-results') !== old, listBefore, { timeout: 30_000 });
    expect(await page.locator('#scaling-nodes li.scaling-node').count()).toBe(1);
    expect(await page.locator('#scaling-nodes li.scaling-node').textContent()).toContain('spot');
    // Reset: every node again, as the live section.
    await page.click('[data-reset-filters]');
    await page.waitForSelector('#node-results [sse-swap="scaling-nodes"] li.scaling-node');
    expect(await page.locator('#scaling-nodes li.scaling-node').count()).toBe(4);
    expect(await page.inputValue('select[name="capacityType"]')).toBe('');

    // Details the reader opened stay open when their section is swapped.
    await page.click('#scaling-hpas details.hpa-more summary');
    expect(await page.locator('#scaling-hpas details.hpa-more[open]').count()).toBe(1);
    await nextSwap(page, 'scaling-hpas', 40_000);
    expect(await page.locator('#scaling-hpas details.hpa-more[open]').count()).toBe(1);
    expect(loads).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refreshes in place with the button and stays live: the new content gets the next updates', async () => {
    const { page, errors } = await open('/scaling');
    await page.waitForSelector('[data-live-state]:text("live")');
    const streams: string[] = [];
    page.on('request', (r) => void (r.url().includes('/scaling/live') && streams.push(r.url())));
    await Promise.all([page.waitForEvent('requestfinished', (r) => r.url() === `${url}/scaling`), page.click('[data-refresh]')]);
    await page.waitForFunction(() => !document.querySelector('[data-refresh]')?.hasAttribute('disabled'));
    await page.waitForSelector('[data-live-state]:text("live")');
    expect(await page.locator('#scaling-nodes li.scaling-node').count()).toBeGreaterThanOrEqual(3);
    // The stream (on <main>, which the refresh keeps) goes on, into the slots the refresh brought.
    await nextSwap(page, 'scaling-summary');
    expect(streams).toEqual([]);
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

    // Filtering the event table, and the filter still applied after the events are swapped (the story repeats: more events come).
    await page.fill('input[data-filter="#scaling-events"]', 'Node Ready');
    const visible = await page.locator('#scaling-events tbody tr:not([hidden])').allTextContents();
    expect(visible.length).toBeGreaterThan(0);
    for (const text of visible) expect(text).toContain('Node Ready');
    await screenshot(page, 'scaling-history-desktop');
    const rowsBefore = await page.locator('#scaling-events tbody tr').count();
    await nextSwap(page, 'history-events', 45_000);
    expect(await page.locator('#scaling-events tbody tr').count()).toBeGreaterThan(rowsBefore);
    const after = await page.locator('#scaling-events tbody tr:not([hidden])').allTextContents();
    expect(after.length).toBeGreaterThan(0);
    for (const text of after) expect(text).toContain('Node Ready');
    expect(await page.inputValue('input[data-filter="#scaling-events"]')).toBe('Node Ready');
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
