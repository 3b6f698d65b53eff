/// <reference lib="dom" />
/**
 * `npm run demo` with simulated interruptions, in a real browser (Debian chromium via
 * playwright-core): DEMO_REBALANCE_SECONDS and DEMO_SPOT_INTERRUPTION_SECONDS have the EC2
 * metadata mock recommend a rebalance at once and send a spot interruption notice later for
 * this pod's node. The home page's card shows the notice arrive, labelled simulated; at the
 * notice the simulated Node Termination Handler cordons and taints the node, and /scaling marks
 * the node as drained by it, with the reason, and lists the drain among the node events.
 */
import { screenshot } from '@eks-info/testing';
import { type DemoSession, demoTest as test, startDemoSession } from './demo-session';

jest.setTimeout(180_000);

/** Real seconds after the demo starts: time for it to come up and for the page to show the rebalance first. */
const NOTICE_AFTER_SECONDS = 40;

let demo: DemoSession | undefined;
let startedAt: number;

beforeAll(async () => {
  startedAt = Date.now();
  demo = await startDemoSession({ DEMO_REBALANCE_SECONDS: '0', DEMO_SPOT_INTERRUPTION_SECONDS: String(NOTICE_AFTER_SECONDS) });
});

afterAll(() => demo?.stop());

const open = (route: string) => demo!.open(route);

describe('npm run demo with simulated interruptions', () => {
  test('the home page shows the simulated rebalance recommendation, then the spot notice; /scaling marks the node drained by the Node Termination Handler', async () => {
    const home = await open('/');
    const card = home.page.locator('#interruption');
    await card.waitFor();
    const loadedAfter = (Date.now() - startedAt) / 1000;
    if (loadedAfter > NOTICE_AFTER_SECONDS - 5)
      throw new Error(`the home page loaded ${loadedAfter} s after the demo started: too late to see the notice arrive`);
    expect(await card.locator('[data-interruption-state]').getAttribute('data-interruption-state')).toBe('rebalance');
    expect(await card.locator('[data-simulated="imds"]').count()).toBe(1);

    await home.page.waitForSelector('#interruption [data-interruption-state="interruption"]', { timeout: (NOTICE_AFTER_SECONDS + 20) * 1000 });
    expect(await card.textContent()).toContain('EC2 will terminate this instance');
    await screenshot(home.page, 'demo-home-spot-interruption');
    expect(home.errors).toEqual([]);

    // The environment pod's node: the one the home page's Pod card names.
    const node = (await home.page
      .locator('section.card', { has: home.page.locator('h2:text-is("Pod")') })
      .locator('.kv:has(dt:text-is("Node")) dd')
      .textContent())!.trim();
    await home.page.close();

    const scaling = await open('/scaling');
    const nodeCard = scaling.page.locator(`li[data-node="${node}"]`);
    await scaling.page.waitForSelector(`li[data-node="${node}"] [data-drain="node-termination-handler"]`, { timeout: 20_000 });
    const drain = (await nodeCard.locator('[data-drain]').textContent()) ?? '';
    expect(drain).toContain('AWS Node Termination Handler');
    expect(drain).toContain('Spot ITN received (simulated)');
    expect(await nodeCard.locator('.node-head .badge').textContent()).toBe('Ready (draining)');
    expect(await scaling.page.locator('[data-draining="node-termination-handler"]').count()).toBe(1);
    const events = scaling.page.locator('#scaling-node-events tr', { hasText: 'Node draining' });
    await events.first().waitFor({ timeout: 10_000 });
    expect(await events.first().textContent()).toContain(node);
    await screenshot(scaling.page, 'demo-scaling-draining');
    expect(scaling.errors).toEqual([]);
    await scaling.page.close();
  });
});
