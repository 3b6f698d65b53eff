/// <reference lib="dom" />
/**
 * Every page in a real browser (Debian chromium via playwright-core) against `npm start`'s
 * single process: loads, no console errors or failed requests, key content present, works at
 * phone width, and screenshots for people to look at; and a live section changing in place when
 * what it shows changes.
 */
import type { Browser, Page } from 'playwright-core';
import { type LocalApp, launchBrowser, screenshot, startLocalApp, watchPage } from '@eks-info/testing';

jest.setTimeout(120_000);

let app: LocalApp;
let browser: Browser;

beforeAll(async () => {
  app = await startLocalApp();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function open(path: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const { errors } = watchPage(page);
  const res = await page.goto(`${app.url}${path}`, { waitUntil: 'networkidle' });
  expect(res?.status()).toBe(200);
  return { page, errors };
}

const PAGES: Array<[string, string, string[], string]> = [
  ['/', 'home', ['Environment', 'System and architecture', 'Environment variables', 'Not running in Kubernetes'], '/api/v1/environment'],
  ['/resources', 'resources', ['Resources', 'Pods', 'Node usage', 'Not running in Kubernetes'], '/api/v1/resources'],
  ['/network', 'network', ['Network', 'Refresh from AWS', 'No VPC: not running on EC2 and VPC_ID is not set'], '/api/v1/network'],
];

describe.each(PAGES)('%s', (path, name, texts, jsonTwin) => {
  it('loads without console errors and shows its sections', async () => {
    const { page, errors } = await open(path);
    const body = await page.textContent('body');
    for (const text of texts) expect(body).toContain(text);
    // The page links its JSON twin.
    expect(await page.getAttribute('.page-head a:text-is("JSON")', 'href')).toBe(jsonTwin);
    // Every section is coloured by its status.
    expect(await page.locator('section.card').count()).toBeGreaterThan(0);
    // The footer names which pod of the gateway and the answering service served the page.
    expect(await page.textContent('footer')).toMatch(/gateway .*environment/s);
    await screenshot(page, `${name}-desktop`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits a phone screen with the menu behind a toggle', async () => {
    const { page, errors } = await open(path, { width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    expect(await page.isVisible('#nav')).toBe(false);
    await page.click('.nav-toggle');
    expect(await page.isVisible('#nav')).toBe(true);
    await screenshot(page, `${name}-phone`);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('interactions', () => {
  it('refreshes the page content in place with a loading indicator', async () => {
    const { page, errors } = await open('/');
    const before = await page.textContent('main');
    // Record every aria-busy value the body takes, however briefly (a local refresh is fast).
    const busyStates = page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const seen: string[] = [];
          new MutationObserver(() => seen.push(document.body.getAttribute('aria-busy') ?? '')).observe(document.body, {
            attributes: true,
            attributeFilter: ['aria-busy'],
          });
          document.addEventListener('eksinfo:refreshed', () => setTimeout(() => resolve(seen), 50), { once: true });
        }),
    );
    // The overview is collected at most once a second: wait past that, so fresh content exists.
    await page.waitForTimeout(1_100);
    await page.click('[data-refresh]');
    expect(await busyStates).toEqual(['true', 'false']);
    const after = await page.textContent('main');
    expect(after).not.toBe(before); // "Collected at" moved on
    expect(errors).toEqual([]);
    await page.close();
  });

  it('filters the environment variables table', async () => {
    const { page } = await open('/');
    const rows = page.locator('#env-table tbody tr:not([hidden])');
    const all = await rows.count();
    await page.fill('input[data-filter]', 'PATH');
    const filtered = await rows.count();
    expect(filtered).toBeGreaterThan(0);
    expect(filtered).toBeLessThan(all);
    for (const text of await rows.allTextContents()) expect(text.toLowerCase()).toContain('path');
    await page.close();
  });

  it('posts the network refresh form with its CSRF token and comes back to the page', async () => {
    const { page, errors } = await open('/network');
    await Promise.all([page.waitForURL(`${app.url}/network`), page.click('form[action="/network/refresh"] button')]);
    expect(await page.textContent('h1')).toBe('Network');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says honestly that later slices are not built yet', async () => {
    for (const path of ['/stress', '/scaling', '/scaling/history']) {
      const { page, errors } = await open(path);
      const body = (await page.textContent('main')) ?? '';
      if (body.includes('Not built yet')) expect(body).toContain('not available in this build');
      expect(errors).toEqual([]);
      await page.close();
    }
  });
});

describe('live sections', () => {
  it('change the page in place when the stress pods change: no reload, no navigation, no console or CSP error', async () => {
    const { page, errors } = await open('/stress');
    await page.waitForSelector('[data-live-state]:text("live")');
    await page.evaluate(() => {
      const w = window as unknown as { marker: string; main: Element | null; swaps: number };
      w.marker = 'the same document';
      w.main = document.getElementById('main');
      w.swaps = 0;
      document.addEventListener('htmx:sseMessage', () => w.swaps++);
    });
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    expect(await page.locator('#stress-running-table tr[data-test]').count()).toBe(0);

    // What the page shows changes, without the page doing anything: a CPU test starts through the API.
    const res = await fetch(`${app.url}/api/v1/stress/cpu`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: app.url },
      body: JSON.stringify({ durationSeconds: 10, intensity: 20, workers: 1 }),
    });
    expect(res.status).toBe(201);
    const { testId } = (await res.json()) as { testId: string };
    try {
      await page.waitForSelector(`#stress-running-table tr[data-test="${testId}"]`, { timeout: 10_000 });
      expect(await page.textContent(`#stress-pods-table tr[data-pod] .mono:text("${testId}")`)).toBe(testId);
      const state = await page.evaluate(() => {
        const w = window as unknown as { marker: string; main: Element | null; swaps: number };
        return { marker: w.marker, sameMain: w.main === document.getElementById('main'), swapped: w.swaps > 0 };
      });
      expect(state).toEqual({ marker: 'the same document', sameMain: true, swapped: true });
      expect(navigations).toEqual([]);
      // Nothing was fetched for it: it came over the stream that was already open.
      expect(requests).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await fetch(`${app.url}/api/v1/stress/tests/${testId}`, { method: 'DELETE', headers: { origin: app.url } });
      await page.close();
    }
  });
});
