/// <reference lib="dom" />
/**
 * The storage pages in a real browser (Debian chromium via playwright-core) against `npm start`:
 * /storage shows all four sections; write, list, view and delete on /ebs, /efs and /s3; stored
 * markup stays text; the file-size check refuses a too-large file before uploading it; phone width.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type LocalApp, launchBrowser, screenshot, startLocalApp, watchPage } from '@eks-info/testing';

jest.setTimeout(120_000);

const XSS = '<img src=x onerror="window.__pwned=1">';

let root: string;
let app: LocalApp;
let browser: Browser;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'storage-pages-'));
  app = await startLocalApp({ DATA_DIR: root, UPLOAD_LIMIT_BYTES: String(64 * 1024), MUTATION_RATE_LIMIT_PER_MINUTE: '1000' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function open(pathname: string, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const { errors } = watchPage(page);
  // Deleting asks first: answer yes.
  page.on('dialog', (d) => void d.accept());
  const res = await page.goto(`${app.url}${pathname}`, { waitUntil: 'networkidle' });
  expect(res?.status()).toBe(200);
  return { page, errors };
}

const pwned = (page: Page) => page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? 0);

it('/storage shows mounts, EBS, EFS and S3, each with its status', async () => {
  const { page, errors } = await open('/storage');
  for (const id of ['mounts', 'ebs', 'efs', 's3']) expect(await page.locator(`section.card#${id}`).count()).toBe(1);
  const text = await page.textContent('main');
  expect(text).toContain('Local mode:');
  expect(text).toContain('Local S3: an S3-compatible server on this machine stands in for AWS.');
  expect(text).toContain('s3:PutObject');
  expect(await page.locator('a[href="/ebs"], a[href="/efs"], a[href="/s3"]').count()).toBeGreaterThanOrEqual(3);
  expect(await page.textContent('footer')).toMatch(/gateway .*storage/s);
  await screenshot(page, 'storage-desktop');
  expect(errors).toEqual([]);
  await page.close();
});

it('/ebs writes an entry, lists it as text and shows the start record and the access log', async () => {
  const { page, errors } = await open('/ebs');
  await page.fill('#ebs-content', `ebs ${XSS}`);
  await Promise.all([page.waitForURL(/\/ebs\?done=entry-written/), page.click('#write button[type="submit"]')]);
  expect(await page.textContent('[role="status"]')).toContain('Entry appended');
  expect(await page.textContent('#entries-table tbody tr:first-child')).toContain(`ebs ${XSS}`);
  expect(await pwned(page)).toBe(0);
  expect(await page.textContent('#incarnations')).toContain('this one is number 1');
  await page.reload({ waitUntil: 'networkidle' });
  expect(await page.locator('#access-table tbody tr').count()).toBeGreaterThan(0);
  expect(await page.textContent('#access-table')).toContain('/ebs');
  await screenshot(page, 'ebs-desktop');
  expect(errors).toEqual([]);
  await page.close();
});

it('/efs writes, lists, views and deletes a shared file', async () => {
  const { page, errors } = await open('/efs');
  await page.fill('#efs-content', `efs ${XSS}`);
  await Promise.all([page.waitForURL(/\/efs\?done=file-written/), page.click('#write button[type="submit"]')]);
  const row = page.locator('#files-table tbody tr').first();
  const served = await page.textContent('#served-pod');
  expect(await row.textContent()).toContain(served!);
  await Promise.all([page.waitForURL(/\/efs\/files\/shared_data_/), row.locator('a').first().click()]);
  expect(await page.textContent('#file-content')).toBe(`efs ${XSS}`);
  expect(await pwned(page)).toBe(0);
  await screenshot(page, 'efs-file');
  await Promise.all([page.waitForURL(/\/efs\?done=file-deleted/), page.click('button.danger')]);
  expect(await page.textContent('#files-table')).toContain('No shared files yet');
  expect(errors).toEqual([]);
  await page.close();
});

it('/s3 uploads text and a file, views, downloads, deletes, and makes a report', async () => {
  const { page, errors } = await open('/s3');
  expect(await page.textContent('#local-s3')).toContain('Local S3');
  await page.fill('#s3-text', `s3 ${XSS}`);
  await Promise.all([page.waitForURL(/\/s3\?done=uploaded/), page.click('#upload-text button[type="submit"]')]);
  expect(await page.locator('#objects-table tbody tr').count()).toBe(1);

  await page.setInputFiles('#s3-file', { name: 'notes.bin', mimeType: 'application/octet-stream', buffer: Buffer.from([1, 2, 3, 0, 255]) });
  await Promise.all([page.waitForURL(/\/s3\?done=uploaded/), page.click('#upload-file button[type="submit"]')]);
  expect(await page.locator('#objects-table tbody tr').count()).toBe(2);

  // The text object: shown escaped in the page; its download is an attachment.
  const textRow = page.locator('#objects-table tbody tr', { hasText: '.txt' });
  await Promise.all([page.waitForURL(/\/s3\/objects\/eks-info\/uploads\//), textRow.locator('a').first().click()]);
  expect(await page.textContent('#object-content')).toBe(`s3 ${XSS}`);
  expect(await pwned(page)).toBe(0);
  const href = await page.getAttribute('a:has-text("Download")', 'href');
  const download = await page.request.get(`${app.url}${href}`);
  expect(download.headers()['content-disposition']).toMatch(/^attachment;/);
  expect(download.headers()['x-content-type-options']).toBe('nosniff');
  await screenshot(page, 's3-object');
  await Promise.all([page.waitForURL(/\/s3\?done=deleted/), page.click('button.danger')]);
  expect(await page.locator('#objects-table tbody tr').count()).toBe(1);

  await Promise.all([page.waitForURL(/\/s3\?done=report/), page.click('#reports button[type="submit"]')]);
  expect(await page.textContent('#reports-table')).toMatch(/stats_\d{8}_\d{6}\.json/);
  await screenshot(page, 's3-desktop');
  expect(errors).toEqual([]);
  await page.close();
});

it('/s3 refuses a file above the upload limit before sending it', async () => {
  const { page, errors } = await open('/s3');
  let posted = false;
  page.on('request', (r) => {
    if (r.method() === 'POST') posted = true;
  });
  await page.setInputFiles('#s3-file', { name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(65 * 1024) });
  expect(await page.textContent('[data-file-info]')).toContain('larger than the 64.0 KiB limit');
  await page.click('#upload-file button[type="submit"]');
  await page.waitForTimeout(300);
  expect(posted).toBe(false);
  expect(await page.textContent('[data-file-info]')).toContain('at most 64.0 KiB can be uploaded');
  expect(await page.isEnabled('#upload-file button[type="submit"]')).toBe(true);
  expect(errors).toEqual([]);
  await page.close();
});

it.each(['/storage', '/ebs', '/efs', '/s3'])('%s fits a phone screen', async (pathname) => {
  const { page, errors } = await open(pathname, { width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(1);
  await screenshot(page, `${pathname.slice(1)}-phone`);
  expect(errors).toEqual([]);
  await page.close();
});
