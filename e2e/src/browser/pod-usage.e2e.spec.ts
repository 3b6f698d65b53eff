/// <reference lib="dom" />
/**
 * Per-pod usage in a real browser (Debian chromium via playwright-core): `npm start`'s single
 * process against the fake Kubernetes API server over HTTPS, whose metrics.k8s.io answers as
 * metrics-server does. /resources and the /scaling node cards show each pod's CPU and memory
 * against its requests and limits and flag the pods above their requests; a change of usage
 * reaches the open /scaling page live; without metrics-server both say so and how to install it.
 */
import { rmSync } from 'node:fs';
import type { ResourcesView } from '@eks-info/contracts';
import type { Browser, Page } from 'playwright-core';
import { FakeKubeApiServer, type LocalApp, kubeFixtures as fx, launchBrowser, screenshot, startLocalApp, waitFor, watchPage } from '@eks-info/testing';
import { tempDir } from '../scaling/support';

jest.setTimeout(120_000);

const MiB = 2 ** 20;
let server: FakeKubeApiServer;
let app: LocalApp;
let browser: Browser;
let historyDir: string;

beforeAll(async () => {
  server = await FakeKubeApiServer.start({
    karpenter: false,
    objects: [
      fx.node({ name: 'node-a', cpuCores: 2, memoryGi: 8 }),
      fx.node({ name: 'node-b', cpuCores: 2, memoryGi: 8 }),
      fx.nodeMetrics({ name: 'node-a', cpuMillis: 700, memoryBytes: 2 * 2 ** 30 }),
      fx.nodeMetrics({ name: 'node-b', cpuMillis: 300, memoryBytes: 2 ** 30 }),
      fx.pod({
        name: 'api-7c9d-hot',
        node: 'node-a',
        containers: [{ name: 'api', requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } }],
      }),
      fx.podMetrics({ name: 'api-7c9d-hot', containers: [{ name: 'api', cpuMillis: 350, memoryBytes: 100 * MiB }] }),
      fx.pod({
        name: 'api-7c9d-calm',
        node: 'node-a',
        containers: [{ name: 'api', requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } }],
      }),
      fx.podMetrics({ name: 'api-7c9d-calm', containers: [{ name: 'api', cpuMillis: 40, memoryBytes: 90 * MiB }] }),
      fx.pod({ name: 'cache-0', node: 'node-b', containers: [{ name: 'redis', requests: { cpu: '50m', memory: '256Mi' }, limits: { memory: '256Mi' } }] }),
      fx.podMetrics({ name: 'cache-0', containers: [{ name: 'redis', cpuMillis: 10, memoryBytes: 250 * MiB }] }),
    ],
  });
  historyDir = tempDir('pod-usage-');
  app = await startLocalApp({
    KUBE_MODE: 'kubeconfig',
    KUBECONFIG: server.writeKubeconfig(),
    WATCH_NAMESPACE: 'demo',
    HISTORY_PATH: historyDir,
    SAMPLE_INTERVAL_SECONDS: '1',
    KUBE_METRICS_POLL_SECONDS: '5',
    READ_RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'warn',
  });
  await waitFor(async () => (await fetch(`${app.url}/ready`)).status === 200, { timeoutMs: 20_000, what: 'the local app to be ready' });
  await waitFor(async () => (await resourcesJson()).podUsage.status === 'ok', { timeoutMs: 20_000, what: 'pod usage on /resources' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await server?.close();
  if (historyDir) rmSync(historyDir, { recursive: true, force: true });
});

async function resourcesJson(): Promise<ResourcesView> {
  return (await (await fetch(`${app.url}/api/v1/resources`)).json()) as ResourcesView;
}

async function open(route: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const { errors } = watchPage(page);
  const res = await page.goto(`${app.url}${route}`, { waitUntil: 'domcontentloaded' });
  expect(res?.status()).toBe(200);
  return { page, errors };
}

/** A pod's usage row: its colour class, what it is flagged above, and its text. */
async function row(page: Page, scope: string, pod: string): Promise<{ health: string; above: string; text: string }> {
  const r = page.locator(`${scope} li.pod-usage-row[data-pod="${pod}"]`).first();
  const classes = ((await r.getAttribute('class')) ?? '').split(' ');
  return {
    health: classes.find((c) => ['ok', 'warn', 'bad'].includes(c)) ?? '',
    above: (await r.getAttribute('data-above-request')) ?? '',
    text: ((await r.textContent()) ?? '').replace(/\s+/g, ' '),
  };
}

describe('per-pod usage', () => {
  it('/resources lists every pod with usage against requests and limits, flags those above their requests, and agrees with its JSON twin', async () => {
    const { page, errors } = await open('/resources');
    const card = page.locator('section.card', { has: page.locator('h2:text-is("Pod usage")') });
    expect(await card.getAttribute('class')).toContain('is-ok');
    const hot = await row(page, '#pod-usage', 'api-7c9d-hot');
    expect(hot).toMatchObject({ health: 'warn', above: 'cpu' });
    expect(hot.text).toContain('above request: cpu');
    expect(hot.text).toContain('350m of 100m requested (350 %) · limit 1 cores');
    expect(hot.text).toContain('100 MiB of 128 MiB requested (78 %) · limit 512 MiB');
    expect(await row(page, '#pod-usage', 'api-7c9d-calm')).toMatchObject({ health: 'ok', above: '' });
    // 250 of 256 MiB, the limit: red, the OOM kill is near.
    const cache = await row(page, '#pod-usage', 'cache-0');
    expect(cache).toMatchObject({ health: 'bad', above: '' });
    expect(cache.text).toContain('memory near its limit');
    expect(await card.locator('[data-above-request-count]').getAttribute('data-above-request-count')).toBe('1');

    const json = await resourcesJson();
    if (json.podUsage.status !== 'ok') throw new Error(json.podUsage.message);
    expect(json.podUsage.data.pods.map((p) => [p.name, p.aboveRequest, p.health])).toEqual([
      ['api-7c9d-calm', [], 'ok'],
      ['api-7c9d-hot', ['cpu'], 'warn'],
      ['cache-0', [], 'error'],
    ]);
    await screenshot(page, 'pod-usage-resources');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('/scaling shows the pods of each node card with their usage, and a change of usage reaches the open page live', async () => {
    const { page, errors } = await open('/scaling');
    await page.waitForSelector('[data-live-state]:text("live")');
    const nodeA = '#scaling-nodes li.scaling-node[data-node="node-a"]';
    await page.waitForSelector(`${nodeA} li.pod-usage-row`);
    expect(await page.locator(`${nodeA} li.pod-usage-row`).evaluateAll((els) => els.map((e) => e.getAttribute('data-pod')))).toEqual([
      'api-7c9d-calm',
      'api-7c9d-hot',
    ]);
    expect(await row(page, nodeA, 'api-7c9d-hot')).toMatchObject({ health: 'warn', above: 'cpu' });
    expect(await row(page, '#scaling-nodes li.scaling-node[data-node="node-b"]', 'cache-0')).toMatchObject({ health: 'bad' });
    // Not in the overview or the heat strip.
    expect(await page.locator('#scaling-overview [data-pod], #scaling-heat [data-pod]').count()).toBe(0);
    await screenshot(page, 'pod-usage-scaling');

    // The hot pod calms down: the next poll (each sample, 1 s) turns its row green without a reload.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    server.upsert(fx.podMetrics({ name: 'api-7c9d-hot', containers: [{ name: 'api', cpuMillis: 80, memoryBytes: 100 * MiB }] }));
    await page.waitForFunction((selector) => document.querySelector(`${selector} li.pod-usage-row[data-pod="api-7c9d-hot"]`)?.classList.contains('ok'), nodeA, {
      timeout: 15_000,
    });
    expect(await row(page, nodeA, 'api-7c9d-hot')).toMatchObject({ health: 'ok', above: '' });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('without metrics-server, both pages say so and how to install it', async () => {
    server.setFeature('metrics', false);
    await waitFor(async () => (await resourcesJson()).podUsage.status === 'unavailable', { timeoutMs: 20_000, what: 'pod usage gone from /resources' });

    const resources = await open('/resources');
    const card = resources.page.locator('section.card', { has: resources.page.locator('h2:text-is("Pod usage")') });
    expect(await card.getAttribute('class')).toContain('is-unavailable');
    const text = ((await card.textContent()) ?? '').replace(/\s+/g, ' ');
    expect(text).toContain('metrics.k8s.io is not installed');
    expect(text).toContain('What to do:');
    expect(text).toContain('kubectl apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml');
    expect(text).toContain('aws eks create-addon --cluster-name <name> --addon-name metrics-server');
    // Only that section: the pods are still listed.
    expect(await resources.page.locator('section.card', { has: resources.page.locator('h2:text-is("Pods")') }).getAttribute('class')).toContain('is-ok');

    const scaling = await open('/scaling');
    await scaling.page.waitForSelector('#scaling-nodes .pod-usage-problem', { timeout: 15_000 });
    const problem = ((await scaling.page.textContent('#scaling-nodes .pod-usage-problem')) ?? '').replace(/\s+/g, ' ');
    expect(problem).toContain('metrics.k8s.io is not installed');
    expect(problem).toContain('aws eks create-addon --cluster-name <name> --addon-name metrics-server');
    // Requests and limits stay on the cards; the usage is a dash.
    const hot = await row(scaling.page, '#scaling-nodes li.scaling-node[data-node="node-a"]', 'api-7c9d-hot');
    expect(hot.text).toContain('— of 100m requested');
    await screenshot(scaling.page, 'pod-usage-no-metrics-server');
    expect([...resources.errors, ...scaling.errors]).toEqual([]);
    await resources.page.close();
    await scaling.page.close();
  });
});
