/// <reference lib="dom" />
/**
 * /stress in a real browser (Debian chromium via playwright-core) against `npm start`'s single
 * process: start a short CPU test from the form, watch its progress and the pod's CPU rise in
 * the live sections (HTML rendered by the gateway, pushed over SSE and swapped in by htmx), stop
 * it; and the same forms and Stop button without JavaScript (CSRF, 303, errors).
 */
import type { Browser, Page } from 'playwright-core';
import { type LocalApp, launchBrowser, screenshot, startLocalApp, watchPage } from '@eks-info/testing';

jest.setTimeout(120_000);

let app: LocalApp;
let browser: Browser;

beforeAll(async () => {
  // Normal thread priority: browser suites share the machine, and this one only checks that CPU rises.
  app = await startLocalApp({ STRESS_WORKER_NICE: '0' });
  browser = await launchBrowser();
});

/** Stops what a failed test left running. */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c().catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** The pod's CPU as the live table shows it, in millicores. */
async function podMillicores(page: Page): Promise<number> {
  const text = (await page.textContent('#stress-pods-table tbody tr td.usage .usage-text')) ?? '';
  const m = /^([\d.]+)(m| cores)/.exec(text.trim());
  if (!m) return NaN;
  return m[2] === 'm' ? Number(m[1]) : Number(m[1]) * 1000;
}

describe('/stress', () => {
  it('starts a short CPU test, shows its progress and the pod CPU rising live, and stops it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const { errors } = watchPage(page);
    await page.goto(`${app.url}/stress`, { waitUntil: 'load' });
    await page.waitForSelector('#stress-pods-table tbody tr[data-pod]');
    await page.waitForSelector('[data-live-state]:text("live")');
    const measured = await podMillicores(page);
    const idle = Number.isFinite(measured) ? measured : 0;

    await page.fill('#cpu-test input[name=durationSeconds]', '20');
    await page.fill('#cpu-test input[name=intensity]', '60');
    await page.fill('#cpu-test input[name=workers]', '1');
    await page.click('#cpu-test button[type=submit]');
    await page.waitForSelector('#stress-result .callout.ok');
    const started = (await page.textContent('#stress-result')) ?? '';
    expect(started).toMatch(/Started cpu-[0-9a-f]+ \(cpu\) on 1 pod/);
    const id = /Started (cpu-[0-9a-f]+)/.exec(started)![1];

    // Progress in the tests table and in the pod's row, moving forward.
    const row = page.locator(`#stress-running-table tr[data-test="${id}"]`);
    await row.waitFor();
    const progressOf = async () => Number(await row.locator('progress').getAttribute('value'));
    const p1 = await progressOf();
    await page.waitForFunction((first) => {
      const bar = document.querySelector('#stress-running-table tr[data-test] progress');
      return bar !== null && Number(bar.getAttribute('value')) > first;
    }, p1);
    expect(await page.locator('#stress-pods-table tbody tr progress').count()).toBe(1);

    // A failure below must not leave the test running into the next one (one test per pod at a time).
    cleanups.push(() => fetch(`${app.url}/api/v1/stress/tests/${id}`, { method: 'DELETE' }).then(() => undefined));

    // The pod's CPU rises in the live table (a 60 % worker; loosely, the machine is shared: other
    // tiers run beside this one), and the server-drawn chart has points.
    await page.waitForFunction(
      (floor) => {
        const text = document.querySelector('#stress-pods-table tbody tr td.usage .usage-text')?.textContent ?? '';
        const m = /^([\d.]+)(m| cores)/.exec(text.trim());
        return m !== null && (m[2] === 'm' ? Number(m[1]) : Number(m[1]) * 1000) >= floor;
      },
      idle + 150,
      { timeout: 20_000 },
    );
    expect(await podMillicores(page)).toBeGreaterThan(idle);
    const points = await page.evaluate(() => document.querySelector('#stress-cpu-chart polyline')?.getAttribute('points')?.trim().split(/\s+/).length ?? 0);
    expect(points).toBeGreaterThan(1);
    await screenshot(page, 'stress-running');

    await row.locator('button').click();
    await page.waitForFunction(() => /Stopped cpu-/.test(document.getElementById('stress-result')?.textContent ?? ''));
    await page.waitForSelector('#stress-running-table tbody tr.empty-row');
    await page.waitForSelector(`#stress-recent-table tr[data-test="${id}"]`);
    expect(await page.textContent(`#stress-recent-table tr[data-test="${id}"]`)).toContain('stopped');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('works without JavaScript: a bad value comes back as 400 with the range, a good one redirects with a confirmation', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${app.url}/stress`);
    await page.fill('#memory-test input[name=durationSeconds]', '5000');
    await page.fill('#memory-test input[name=targetMb]', '16');
    const [bad] = await Promise.all([page.waitForNavigation(), page.click('#memory-test button[type=submit]')]);
    expect(bad?.status()).toBe(400);
    expect(await page.textContent('#stress-result')).toContain('durationSeconds must be a whole number from 5 to 600 (got 5000).');
    // The form keeps what was typed.
    expect(await page.inputValue('#memory-test input[name=durationSeconds]')).toBe('5000');

    await page.fill('#memory-test input[name=durationSeconds]', '30');
    const [good] = await Promise.all([page.waitForNavigation(), page.click('#memory-test button[type=submit]')]);
    expect(good?.status()).toBe(200);
    expect(page.url()).toMatch(/\/stress\?started=mem-[0-9a-f]+&pods=1$/);
    expect(await page.textContent('#stress-result')).toMatch(/Started mem-[0-9a-f]+ on 1 pod\./);
    const id = /started=(mem-[0-9a-f]+)/.exec(page.url())![1];
    await screenshot(page, 'stress-no-js');

    // The Stop button of the shared tests section posts the page's own stop form (its CSRF token) for that test.
    const stop = page.locator(`#stress-running-table tr[data-test="${id}"] button[data-stop]`);
    for (let i = 0; i < 20 && !(await stop.count()); i++) {
      await new Promise((r) => setTimeout(r, 250));
      await page.reload();
    }
    const [stopped] = await Promise.all([page.waitForNavigation(), stop.click()]);
    expect(stopped?.status()).toBe(200);
    expect(page.url()).toMatch(new RegExp(`/stress\\?stopped=${id}&pods=1$`));
    expect(await page.textContent('#stress-result')).toContain(`Stopped ${id} on 1 pod.`);
    await context.close();
  });

  it('fits a phone screen', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const { errors } = watchPage(page);
    await page.goto(`${app.url}/stress`, { waitUntil: 'load' });
    await page.waitForSelector('#stress-pods-table tbody tr[data-pod]');
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
    await screenshot(page, 'stress-phone');
    expect(errors).toEqual([]);
    await page.close();
  });
});
