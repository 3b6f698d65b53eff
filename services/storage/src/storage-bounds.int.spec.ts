/**
 * Every store users write to is bounded, oldest first, and the pages say how: the app as
 * `npm start` runs it (real files for EBS and EFS, the embedded S3 server), driven over HTTP
 * with small bounds, then read back through the JSON API, the pages and the files themselves.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { EbsView, EfsView, S3View } from '@eks-info/contracts';
import { type LocalApp, startLocalApp, waitFor } from '@eks-info/testing';

jest.setTimeout(120_000);

const ENTRIES_MAX = 256 * 1024;
const EFS_MAX = 10;
const S3_MAX = 10;
let app: LocalApp;

async function call<T>(method: string, url: string, body?: unknown): Promise<{ status: number; json: T }> {
  const res = await fetch(`${app.url}${url}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as T };
}
const page = async (url: string) => (await fetch(`${app.url}${url}`)).text();
/** The data of an ok section, or a failure that says what the section said. */
function data<T>(section: { status: string; data?: T; message?: string }): T {
  if (section.status !== 'ok') throw new Error(`section ${section.status}: ${section.message}`);
  return section.data as T;
}

beforeAll(async () => {
  app = await startLocalApp({
    EBS_ENTRIES_MAX_BYTES: String(ENTRIES_MAX),
    EFS_MAX_FILES: String(EFS_MAX),
    S3_MAX_OBJECTS: String(S3_MAX),
    MUTATION_RATE_LIMIT_PER_MINUTE: '100000',
    LOG_LEVEL: 'warn',
  });
});
afterAll(async () => {
  await app?.stop();
});

it('EBS entries: the file never passes its bound; the oldest entries go first', async () => {
  const text = (n: number) => `entry-${String(n).padStart(3, '0')} ${'x'.repeat(30_000)}`;
  for (let n = 0; n < 20; n++) expect((await call('POST', '/api/v1/storage/ebs/entries', { content: text(n) })).status).toBe(201);
  const file = path.join(app.dataDir, 'ebs', 'entries.jsonl');
  expect(statSync(file).size).toBeLessThanOrEqual(ENTRIES_MAX);
  const stored = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { content: string }).content.slice(0, 9));
  // The newest are all there, in order; the oldest are the ones missing.
  expect(stored.at(-1)).toBe('entry-019');
  const first = Number(stored[0].slice(6));
  expect(first).toBeGreaterThan(0);
  expect(stored).toEqual(Array.from({ length: 20 - first }, (_, i) => `entry-${String(first + i).padStart(3, '0')}`));

  const view = (await call<EbsView>('GET', '/api/v1/storage/ebs')).json;
  const entries = data(view.entries);
  expect(entries.total).toBe(stored.length);
  expect(entries.bound).toMatchObject({ maxBytes: ENTRIES_MAX, items: stored.length, bytes: statSync(file).size, removedSinceStart: first });
  expect(data(view.accessLog).maxFiles).toBe(20);
  expect(await page('/ebs')).toContain(`Kept: at most 256 KiB (now ${stored.length}, `);
});

it('EFS files: a write beyond the count deletes the oldest, and the page says so', async () => {
  const written: string[] = [];
  for (let n = 0; n < EFS_MAX + 3; n++) {
    const res = await call<{ file: { filename: string } }>('POST', '/api/v1/storage/efs/files', { content: `file ${n}` });
    expect(res.status).toBe(201);
    written.push(res.json.file.filename);
  }
  const onDisk = readdirSync(path.join(app.dataDir, 'efs', 'shared'))
    .filter((n) => n.startsWith('shared_data_'))
    .sort();
  expect(onDisk).toEqual(written.slice(3).sort());
  const files = data((await call<EfsView>('GET', '/api/v1/storage/efs')).json.files);
  expect(files.total).toBe(EFS_MAX);
  expect(files.bound).toMatchObject({ maxItems: EFS_MAX, items: EFS_MAX, removedSinceStart: 3 });
  expect(await page('/efs')).toContain(`Kept: the newest ${EFS_MAX}, at most`);
});

it('S3 uploads: after an upload the oldest beyond the count are deleted, and the page says so', async () => {
  const keys: string[] = [];
  for (let n = 0; n < S3_MAX + 4; n++) {
    const res = await call<{ object: { key: string } }>('POST', '/api/v1/storage/s3/objects', { text: `upload ${n}` });
    expect(res.status).toBe(201);
    keys.push(res.json.object.key);
    // Key stamps have one-second resolution: spread the uploads so "oldest" is well defined.
    if (n % 3 === 2) await new Promise((r) => setTimeout(r, 1000));
  }
  // Pruning runs after the answer.
  const listed = await waitFor(
    async () => {
      const objects = data((await call<S3View>('GET', '/api/v1/storage/s3?pageSize=100')).json.objects);
      return objects.items.length === S3_MAX && objects.bound.items === S3_MAX ? objects : undefined;
    },
    { timeoutMs: 15_000, what: 'the uploads pruned to the bound' },
  );
  const sortedKeys = [...keys].sort();
  expect(listed.items.map((o) => o.key)).toEqual(sortedKeys.slice(sortedKeys.length - S3_MAX));
  expect(listed.bound).toMatchObject({ maxItems: S3_MAX, maxBytes: 1024 * 1024 * 1024, removedSinceStart: 4 });
  expect(await page('/s3')).toContain(`Kept: the newest ${S3_MAX}, at most 1.0 GiB (now ${S3_MAX}, `);
});
