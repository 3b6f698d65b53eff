/// <reference lib="dom" />
/**
 * The home page's spot interruption card in a real browser (Debian chromium via playwright-core)
 * against `npm start`'s single process, with IMDS served by amazon-ec2-metadata-mock over IMDSv2:
 * the mock recommends a rebalance at once and sends a spot interruption notice a little later,
 * and the open page shows the notice arrive in place. In local mode (IMDS off) the card says why
 * there is nothing to read and what to do.
 */
import type { Browser, Page } from 'playwright-core';
import { type LocalApp, MetadataMock, freePort, launchBrowser, screenshot, startLocalApp, watchPage } from '@eks-info/testing';

jest.setTimeout(150_000);

/** When the mock starts serving the spot notice, counted from its start: time for the app to start and the page to load first. */
const NOTICE_AFTER_SECONDS = 30;

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

async function open(app: LocalApp, path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const { errors } = watchPage(page);
  const res = await page.goto(`${app.url}${path}`, { waitUntil: 'domcontentloaded' });
  expect(res?.status()).toBe(200);
  return { page, errors };
}

describe('on a spot instance (the metadata mock)', () => {
  let mock: MetadataMock;
  let mockStartedAt: number;
  let app: LocalApp;

  beforeAll(async () => {
    mock = await MetadataMock.start({
      lifecycle: 'spot',
      rebalanceRecommendation: {},
      spotInterruption: { action: 'hibernate', afterSeconds: NOTICE_AFTER_SECONDS },
    });
    mockStartedAt = Date.now();
    // AWS calls (the subnet's routes) go to a closed loopback port: nothing leaves the machine.
    const closed = await freePort();
    app = await startLocalApp({
      IMDS_MODE: 'on',
      IMDS_ENDPOINT: mock.endpoint,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${closed}`,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    });
  });

  afterAll(async () => {
    await app?.stop();
    await mock?.stop();
  });

  it('shows the rebalance recommendation, then the spot interruption notice when it comes, without a reload', async () => {
    const { page, errors } = await open(app, '/');
    const card = page.locator('#interruption');
    await card.waitFor();
    const loadedAfter = (Date.now() - mockStartedAt) / 1000;
    if (loadedAfter > NOTICE_AFTER_SECONDS - 5) throw new Error(`the page loaded ${loadedAfter} s after the mock started: too late to see the notice arrive`);

    expect(await card.locator('[data-interruption-state]').getAttribute('data-interruption-state')).toBe('rebalance');
    expect(await card.textContent()).toContain('Rebalance recommendation since');
    // Yellow: a warning, not yet a notice.
    expect(await card.getAttribute('class')).toContain('tone-warn');
    expect(await card.locator('.card-head .badge').textContent()).toBe('rebalance');
    await page.waitForSelector('[data-live-state]:text("live")').catch(() => undefined);
    await page.evaluate(() => {
      (window as unknown as { marker: string }).marker = 'the same document';
    });
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));

    await page.waitForSelector('#interruption [data-interruption-state="interruption"]', { timeout: (NOTICE_AFTER_SECONDS + 20) * 1000 });
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('EC2 will hibernate this instance');
    // Red: the card and its callout.
    expect(await card.getAttribute('class')).toContain('tone-bad');
    expect(await card.locator('.card-head .badge').textContent()).toBe('notice');
    expect(await card.locator('.callout.bad').count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe('the same document');
    expect(navigations).toEqual([]);
    await screenshot(page, 'home-spot-interruption');

    // The JSON twin says the same.
    const json = (await (await fetch(`${app.url}/api/v1/environment/interruption`)).json()) as {
      interruption: { status: string; data: { state: string; spot: { action: string } } };
    };
    expect(json.interruption).toMatchObject({ status: 'ok', data: { state: 'interruption', spot: { action: 'hibernate' } } });
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('in local mode (IMDS off)', () => {
  let app: LocalApp;

  beforeAll(async () => {
    app = await startLocalApp();
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('says there is no notice to read here, why, and how to see one', async () => {
    const { page, errors } = await open(app, '/');
    const card = page.locator('#interruption');
    await card.waitFor();
    expect(await card.getAttribute('class')).toContain('is-unavailable');
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('not running on EC2');
    expect(text).toContain('IMDS_MODE=on');
    expect(text).toContain('npm run demo');
    expect(errors).toEqual([]);
    await page.close();
  });
});
