/// <reference lib="dom" />
/**
 * `npm run demo` in a real browser (Debian chromium via playwright-core): every page filled from
 * the simulated sources — the fake Kubernetes API server, the EC2 metadata mock over IMDSv2,
 * moto's EKS VPC — each labelled "simulated"; and the loop the product exists to show: a
 * sustained load on /stress drives the stress HPA from the stress pods' measured CPU, the replica
 * that does not fit goes Pending, a node joins and turns Ready, the chain's time is measured, and
 * once the load stops the HPA scales back in after its (compressed) stabilisation window.
 *
 * Time runs ten times faster than in a cluster (DEMO_SCALE=0.1): the HPA syncs every 1.5 s, a
 * node registers 5 s after the scale-up and is Ready 3 s later, the scale-down window is 30 s.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { screenshot, watchPage } from '@eks-info/testing';
import { type DemoSession, demoTest as test, startDemoSession } from './demo-session';

jest.setTimeout(180_000);

let demo: DemoSession | undefined;

beforeAll(async () => {
  demo = await startDemoSession({
    DEMO_SCALE: '0.1',
    DEMO_NODE_REGISTER_SECONDS: '50',
    DEMO_NODE_READY_SECONDS: '30',
    DEMO_SCALE_DOWN_SECONDS: '100',
    SAMPLE_INTERVAL_SECONDS: '1',
  });
});

afterAll(() => demo?.stop());

const open = (route: string) => demo!.open(route);

/** The card of a section by its title: its state class and its text. */
async function card(page: Page, title: string): Promise<{ state: string; text: string; labels: string[] }> {
  const c = page.locator('section.card', { has: page.locator(`h2:text-is("${title}")`) }).first();
  const state = ((await c.getAttribute('class')) ?? '').split(' ').find((x) => x.startsWith('is-')) ?? '';
  const labels = await c.locator('[data-simulated]').evaluateAll((els) => els.map((e) => e.getAttribute('data-simulated') ?? ''));
  return { state, text: (await c.textContent()) ?? '', labels };
}

/** "2 current · 4 desired" of the stress page's HPA section. */
async function hpaReplicas(page: Page): Promise<{ current: number; desired: number } | undefined> {
  const m = /(\d+)\s*current\s*·\s*(\d+)\s*desired/.exec((await page.textContent('#stress-hpa')) ?? '');
  return m ? { current: Number(m[1]), desired: Number(m[2]) } : undefined;
}

describe('npm run demo', () => {
  test('fills every page from the simulated sources and labels each simulated section', async () => {
    const home = await open('/');
    const pod = await card(home.page, 'Pod');
    expect(pod).toMatchObject({ state: 'is-ok', labels: ['kubernetes'] });
    expect(pod.text).toMatch(/eks-info-environment-[a-z0-9]+-[a-z0-9]{5}/);
    expect(pod.text).toContain('downward API env vars');
    for (const title of ['Cluster', 'Node']) expect(await card(home.page, title)).toMatchObject({ state: 'is-ok', labels: ['kubernetes'] });
    expect((await card(home.page, 'Node')).text).toContain('m7g.large');
    const ec2 = await card(home.page, 'EC2 instance');
    expect(ec2).toMatchObject({ state: 'is-ok', labels: ['imds'] });
    expect(ec2.text).toMatch(/i-[0-9a-f]{17}/);
    const net = await card(home.page, 'Network');
    expect(net).toMatchObject({ state: 'is-ok', labels: ['imds', 'aws'] });
    expect(net.text).toMatch(/0\.0\.0\.0\/0 → nat-[0-9a-f]+/);
    await screenshot(home.page, 'demo-home');

    const network = await open('/network');
    for (const title of ['VPC', 'Subnets', 'Security groups', 'Route tables', 'Load balancers'])
      expect((await card(network.page, title)).labels).toContain('aws');
    const subnets = network.page.locator('section.card:has(h2:text-is("Subnets")) tbody tr');
    expect(await subnets.count()).toBe(6);
    const rows = await subnets.allTextContents();
    expect(rows.filter((r) => r.includes('public'))).toHaveLength(3);
    expect(new Set(rows.map((r) => /eu-west-1[abc]/.exec(r)?.[0])).size).toBe(3);
    expect((await card(network.page, 'Route tables')).text).toMatch(/nat-[0-9a-f]+/);
    const lbs = (await card(network.page, 'Load balancers')).text;
    expect(lbs).toContain('application');
    expect(lbs).toContain('healthy');
    await screenshot(network.page, 'demo-network');

    const resources = await open('/resources');
    for (const title of ['Pods', 'Deployments and StatefulSets', 'Services', 'Node usage', 'Pod usage', 'Persistent volumes and claims', 'Recent warnings']) {
      const c = await card(resources.page, title);
      expect([title, c.state, c.labels]).toEqual([title, 'is-ok', ['kubernetes']]);
    }
    expect((await card(resources.page, 'Services')).text).toContain('eks-info-gateway');
    const volumes = (await card(resources.page, 'Persistent volumes and claims')).text;
    for (const claim of ['data-eks-info-storage-0', 'eks-info-efs', 'eks-info-scaling-monitor']) expect(volumes).toContain(claim);
    expect(volumes).not.toContain('Pending');
    expect((await card(resources.page, 'Recent warnings')).text).toContain('Unhealthy');
    // Per-pod usage: the dashboard's own pods' made up by the simulated metrics-server and marked
    // so; the stress pods' measured from their real processes, never marked.
    const usage = resources.page.locator('#pod-usage');
    const gatewayRows = usage.locator('li.pod-usage-row[data-pod^="eks-info-gateway-"]');
    expect(await gatewayRows.count()).toBe(2);
    expect(await gatewayRows.locator('[data-simulated-usage]').count()).toBe(2);
    expect(await gatewayRows.first().locator('[data-resource="cpu"]').textContent()).toMatch(/^\d+m$/);
    expect(await usage.locator('li.pod-usage-row[data-pod^="eks-info-stress-"]').count()).toBe(2);
    expect(await usage.locator('li.pod-usage-row[data-pod^="eks-info-stress-"] [data-simulated-usage]').count()).toBe(0);

    const storage = await open('/storage');
    const ebs = await card(storage.page, "EBS — this pod's volume");
    expect(ebs.labels).toEqual(['kubernetes', 'aws']);
    expect(ebs.text).toContain('data-eks-info-storage-0');
    expect(ebs.text).toContain('Bound');
    expect(ebs.text).toMatch(/vol-[0-9a-f]+/);
    const efs = await card(storage.page, 'EFS — shared by every pod');
    expect(efs.text).toMatch(/fs-[0-9a-f]+/);
    expect(efs.text).toMatch(/fsap-[0-9a-f]+/);
    await screenshot(storage.page, 'demo-storage');

    const stress = await open('/stress');
    await stress.page.waitForFunction(() => document.querySelectorAll('#stress-pods-table tbody tr[data-pod]').length === 2);
    const hpa = await card(stress.page, 'Stress HPA');
    expect(hpa).toMatchObject({ state: 'is-ok', labels: ['kubernetes'] });
    expect(hpa.text).toContain('eks-info-stress');
    for (const p of [home, network, resources, storage, stress]) {
      expect(p.errors).toEqual([]);
      await p.page.close();
    }
  });

  test('closes the loop: load → HPA → Pending → node Ready → measured; no load → scaled back in after the window', async () => {
    // /scaling first, so its live sections show the Pending pod while it waits.
    const scaling = await open('/scaling');
    await scaling.page.waitForSelector('[data-live-state]:text("live")');
    expect(await scaling.page.locator('#scaling-nodes li.scaling-node').count()).toBe(3);
    const { page, errors } = await open('/stress');
    await page.waitForFunction(() => document.querySelectorAll('#stress-pods-table tbody tr[data-pod]').length === 2);
    await page.waitForSelector('[data-live-state]:text("live")');
    expect(await hpaReplicas(page)).toEqual({ current: 2, desired: 2 });

    // 800m over two pods of 250m: 160 % against the 60 % target.
    await page.fill('#load-test input[name=millicores]', '800');
    await page.fill('#load-test input[name=durationSeconds]', '120');
    const started = Date.now();
    await page.click('#load-test button[type=submit]');
    await page.waitForSelector('#stress-result .callout.ok');
    // The first sync may still average in the idle seconds before the load (the metrics window), so
    // it can ask for 3; the syncs after it see the full 160 % and ask for at least 4 (ceil(2 × 160 / 60)
    // = 6, or ceil(3 × 107 / 60) = 6 once a third replica shares the load).
    await page.waitForFunction(
      () => {
        const m = /(\d+)\s*current\s*·\s*(\d+)\s*desired/.exec(document.querySelector('#stress-hpa')?.textContent ?? '');
        return m !== null && Number(m[2]) >= 4;
      },
      undefined,
      { timeout: 45_000 },
    );
    const decided = await hpaReplicas(page);
    expect(decided!.desired).toBeGreaterThanOrEqual(4);
    // The HPA's own maths on the page, from the utilisation the simulated HPA wrote (measured CPU).
    expect((await page.textContent('#stress-hpa')) ?? '').toMatch(/ceil\(\d+ × [\d.]+ \/ 60\)/);
    // The node cards flag the loaded stress pods above their CPU request, from their measured usage (not marked simulated).
    const loaded = '#scaling-nodes li.pod-usage-row[data-pod^="eks-info-stress-"][data-above-request*="cpu"]';
    await scaling.page.waitForSelector(loaded, { timeout: 20_000 });
    expect(await scaling.page.locator(`${loaded} [data-simulated-usage]`).count()).toBe(0);
    expect(await scaling.page.locator('#scaling-nodes li.pod-usage-row[data-pod^="eks-info-gateway-"] [data-simulated-usage]').count()).toBe(2);
    await screenshot(scaling.page, 'demo-scaling-pod-usage');

    // The replica that does not fit is Pending with the scheduler's reason; a fourth node joins and turns Ready.
    await scaling.page.waitForSelector('#scaling-pending td:has-text("Insufficient cpu")', { timeout: 20_000 });
    expect(await scaling.page.textContent('#scaling-pending')).toContain('0/3 nodes are available: 3 Insufficient cpu.');
    await screenshot(scaling.page, 'demo-scaling-pending');
    await scaling.page.waitForFunction(
      () => {
        const cards = Array.from(document.querySelectorAll('#scaling-nodes li.scaling-node'));
        // One node joins for the first Pending replica; a second may follow when the HPA climbs to its maximum.
        return cards.length >= 4 && cards.every((c) => c.querySelector('.node-head .badge')?.textContent?.trim() === 'Ready');
      },
      undefined,
      { timeout: 30_000 },
    );
    // The node cost on /scaling: simulated prices (the Price List stand-in's $0.0892/h on-demand m7g.large, moto's spot
    // price), now with the added on-demand node; every card shows its $/h.
    await scaling.page.waitForFunction(() => /\b([4-9]) of \1 nodes priced/.test(document.querySelector('#scaling-cost')?.textContent ?? ''), undefined, {
      timeout: 15_000,
    });
    const cost = await card(scaling.page, 'Node cost');
    expect(cost).toMatchObject({ state: 'is-ok', labels: ['prices'] });
    expect(cost.text).toContain('simulated prices');
    expect(cost.text).toContain('pricing:GetProducts');
    expect(cost.text).toContain('ec2:DescribeSpotPriceHistory');
    expect(await scaling.page.locator('#scaling-nodes .node-price').allTextContents()).toEqual(expect.arrayContaining(['$0.0892/h']));
    await screenshot(scaling.page, 'demo-scaling-cost');

    // The new pods run as stress processes and take their share of the load.
    await page.waitForFunction((n) => document.querySelectorAll('#stress-pods-table tbody tr[data-pod]').length >= n, decided!.desired, { timeout: 30_000 });

    // The chain measured from the objects' times: Pending → its new node Ready, and the HPA's decision → its pods Ready.
    await page.waitForFunction(
      () => {
        const text = document.querySelector('#stress-timeline')?.textContent ?? '';
        return /Pod Pending → its new node Ready: average [\d.]+ s/.test(text) && /HPA decision → all new pods Ready: average [\d.]+ s/.test(text);
      },
      undefined,
      { timeout: 30_000 },
    );
    const timeline = (await page.textContent('#stress-timeline')) ?? '';
    const chain = Number(/Pod Pending → its new node Ready: average ([\d.]+) s/.exec(timeline)![1]);
    // A pod waits at least for the node to be Ready (3 s after it registers), and not longer than the test ran.
    expect(chain).toBeGreaterThanOrEqual(3);
    expect(chain).toBeLessThan((Date.now() - started) / 1000);
    expect(timeline).toMatch(/HPA decision → all new pods Ready: average [\d.]+ s/);
    expect(timeline).toContain('hpa_scale_up');
    expect(timeline).toContain('pod_pending');
    // What the scale-out added: one on-demand m7g.large at the stand-in's price, costed while it runs.
    await page.waitForFunction(() => /\+\$0\.(0892|1784)\/h/.test(document.querySelector('#stress-cost')?.textContent ?? ''), undefined, { timeout: 15_000 });
    const stressCost = (await page.textContent('#stress-cost')) ?? '';
    expect(stressCost).toContain('simulated prices');
    expect(stressCost).toMatch(/Cluster now: \$0\.\d+\/h/);
    expect(stressCost).toMatch(/which cost \$[\d.]+ so far/);
    await screenshot(page, 'demo-stress-scaled');

    // /scaling/history measures the node too: created → Ready is the configured 30 cluster seconds (3 s), in whole-second timestamps.
    const history = await open('/scaling/history?hours=1');
    const nodeRow = history.page.locator('#response-time-stats tr[data-chain="node_created_to_ready"] td');
    await history.page.waitForFunction(
      () => Number(document.querySelector('#response-time-stats tr[data-chain="node_created_to_ready"] td:nth-child(2)')?.textContent?.trim() ?? 0) >= 1,
      undefined,
      { timeout: 15_000 },
    );
    const nodeSeconds = Number(/([\d.]+)/.exec((await nodeRow.nth(2).textContent()) ?? '')?.[1]);
    expect(nodeSeconds).toBeGreaterThanOrEqual(2);
    expect(nodeSeconds).toBeLessThanOrEqual(5);
    expect(await history.page.locator('#response-time-stats tr[data-chain="pending_to_node_ready"] td').nth(1).textContent()).not.toBe('0');
    // Each node scale-up chain carries the added node's $/h and what it cost so far.
    expect(await history.page.locator('#response-time-chains .chain-cost').first().textContent()).toMatch(
      /^\+\$0\.0892\/h × [\d.]+ (s|min|h) = \$[\d.]+ so far$/,
    );
    await screenshot(history.page, 'demo-history');
    expect(history.errors).toEqual([]);
    await history.page.close();

    // Stop the load: the HPA holds the replicas for its 30 s window, then scales back to 2.
    await page.click('#stress-loads-table button[data-stop]');
    await page.waitForFunction(() => /Stopped load-/.test(document.getElementById('stress-result')?.textContent ?? ''));
    const stopped = Date.now();
    await page.waitForFunction(
      () => {
        const m = /(\d+)\s*current\s*·\s*(\d+)\s*desired/.exec(document.querySelector('#stress-hpa')?.textContent ?? '');
        return m !== null && Number(m[2]) === 2;
      },
      undefined,
      { timeout: 60_000 },
    );
    expect(Date.now() - stopped).toBeGreaterThanOrEqual(20_000);
    await page.waitForFunction(() => /hpa_scale_down/.test(document.querySelector('#stress-timeline')?.textContent ?? ''), undefined, { timeout: 15_000 });
    expect(errors).toEqual([]);
    expect(scaling.errors).toEqual([]);
    await page.close();
    await scaling.page.close();
  });

  test("Export: the load's report and the history's download as files that open from disk with the network off", async () => {
    // The load of the previous test ended and the pod that dispatched it may have been scaled in: the gateway remembers it.
    const { page, errors } = await open('/stress');
    const save = async (p: Page, selector: string, name: string) => {
      const [download] = await Promise.all([p.waitForEvent('download'), p.click(selector)]);
      const file = path.join(demo!.dataDir, name);
      await download.saveAs(file);
      return file;
    };
    const html = await save(page, '#stress-export', 'stress-report.html');
    const json = JSON.parse(readFileSync(await save(page, '#stress-export-json', 'stress-report.json'), 'utf8'));
    expect(json.run).toMatchObject({ id: expect.stringMatching(/^load-/), kind: 'load', finishedAt: expect.any(String) });
    const loadId: string = json.run.id;
    const history = await open('/scaling/history?hours=1');
    const historyHtml = await save(history.page, '#page-export', 'history-report.html');

    // Offline, and every request other than the file itself is recorded (and refused).
    const context = await demo!.browser.newContext({ offline: true });
    const requests: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    const offline = await context.newPage();
    const offlineErrors = watchPage(offline).errors;
    await offline.goto(pathToFileURL(html).href);
    expect(await offline.textContent('#report-title')).toBe(`Sustained load ${loadId}`);
    // The loop the demo ran is in the file: the HPA's decision, the Pending pod, the node that joined, the measured chain.
    const events = (await offline.textContent('#report-events')) ?? '';
    for (const type of ['hpa_scale_up', 'pod_pending', 'node_ready']) expect(events).toContain(type);
    expect(await offline.textContent('#report-chains')).toMatch(/pending_to_node_ready[\s\S]*completed/);
    expect(await offline.locator('#report-node-events tbody tr').count()).toBeGreaterThanOrEqual(2);
    // Charts are drawn: SVG lines with a visible length, the replicas rising above the 2 the demo starts with.
    const replicas = await offline.locator('#report-chart-replicas polyline').count();
    expect(replicas).toBeGreaterThanOrEqual(2);
    const box = await offline.locator('#report-chart-nodes svg').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(await offline.textContent('#report-chart-replicas .legend')).toMatch(/desired: \d+ at the end, [3-9] at most/);
    // What the scale-out cost, in the demo's simulated prices, and labelled so.
    const cost = (await offline.textContent('#report-cost')) ?? '';
    expect(cost).toContain('Simulated prices.');
    // Each added node is an on-demand m7g.large at the stand-in's $0.0892/h (one, or two when the HPA climbed to its maximum).
    const added = /added \+\$([\d.]+)\/h with (\d+) node\(s\)/.exec(cost);
    expect(added).not.toBeNull();
    expect(Number(added![2])).toBeGreaterThanOrEqual(1);
    expect(Number(added![1])).toBeCloseTo(Number(added![2]) * 0.0892, 4);
    await screenshot(offline, 'demo-report');
    await offline.goto(pathToFileURL(historyHtml).href);
    expect(await offline.textContent('#report-title')).toBe('Scaling history, last 1 h');
    expect(await offline.locator('#report-chart-nodes polyline').count()).toBeGreaterThanOrEqual(2);
    expect(requests).toEqual([]);
    expect(offlineErrors).toEqual([]);
    expect(errors).toEqual([]);
    expect(history.errors).toEqual([]);
    await context.close();
    await page.close();
    await history.page.close();
  });
});
