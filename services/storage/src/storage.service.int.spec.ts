/**
 * The storage service as a whole, in process: the real module and handlers on the in-process bus
 * (the same JSON round-trip as NATS), real directories for EBS and EFS, and the local S3 server.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { AccessEvents, type AccessRecord, StorageRpc } from '@eks-info/contracts';
import { type ProcessRuntime, RpcError, type RunningApp, commonConfig, createRuntime, loadConfig, resolveIdentity } from '@eks-info/platform';
import { waitFor } from '@eks-info/testing';
import { ReportService } from './reports/report.service';
import { startStorageService } from './storage.app';
import { type StorageConfig, storageConfig } from './storage.config';

const access = (path: string, status = 200): AccessRecord => ({
  timestamp: new Date().toISOString(),
  pod_name: 'gateway-0',
  node_name: 'node-a',
  client_ip: '203.0.113.7',
  request_path: path,
  request_method: 'GET',
  user_agent: 'test',
  response_status: status,
  response_time_ms: 12,
});

async function start(dir: string, env: Record<string, string> = {}): Promise<{ app: RunningApp; runtime: ProcessRuntime }> {
  const config = loadConfig(
    { ...commonConfig, ...storageConfig },
    {
      EBS_PATH: path.join(dir, 'ebs'),
      EFS_PATH: path.join(dir, 'efs'),
      S3_LOCAL_DIR: path.join(dir, 's3'),
      REQUIRE_MOUNTS: 'false',
      KUBE_MODE: 'off',
      IMDS_MODE: 'off',
      LOG_LEVEL: 'silent',
      TEXT_LIMIT_BYTES: '1024',
      ...env,
    },
  ) as StorageConfig;
  const runtime = createRuntime('storage', 'storage-test-0', config, { logger: pino({ level: 'silent' }) });
  const app = await startStorageService({ identity: { ...resolveIdentity('storage', {}), pod: 'storage-test-0', node: 'node-a' }, runtime, config });
  return { app, runtime };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof RpcError ? `${e.code} ${e.status}` : String(e)),
  );

describe('storage service (in process)', () => {
  let dir: string;
  let app: RunningApp;
  let runtime: ProcessRuntime;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'storage-svc-'));
    ({ app, runtime } = await start(dir));
  });

  afterAll(async () => {
    await app?.close();
    await runtime?.bus.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is ready with plain directories in local mode, and says so', async () => {
    const checks = await runtime.readiness.run();
    expect(checks.ebs).toMatchObject({ ok: true });
    expect(checks.efs.detail).toMatch(/^Local mode: .*efs is a plain directory/);
  });

  it('writes and reads EBS entries and records this start on the volume', async () => {
    const written = await runtime.bus.request(StorageRpc.ebsWrite, { content: 'first <entry>' });
    expect(written).toMatchObject({
      entry: { pod: 'storage-test-0', node: 'node-a', content: 'first <entry>' },
      servedBy: { service: 'storage', pod: 'storage-test-0' },
    });
    const view = await runtime.bus.request(StorageRpc.ebs, {});
    expect(view.entries).toMatchObject({ status: 'ok', data: { total: 1, items: [{ content: 'first <entry>' }] } });
    expect(view.incarnations).toMatchObject({ status: 'ok', data: { total: 1, current: { number: 1, pod: 'storage-test-0' } } });
    expect(view.volume).toMatchObject({ state: 'plain-directory', ready: true, localMode: true });
    expect(view.config).toMatchObject({ status: 'unavailable', code: 'KUBE.NOT_IN_CLUSTER' });
  });

  it('appends the gateway access events to the access log on EBS', async () => {
    for (let i = 0; i < 5; i++) runtime.bus.emit(AccessEvents.recorded, access(`/efs?i=${i}`));
    await waitFor(async () => {
      const view = await runtime.bus.request(StorageRpc.ebs, {});
      return view.accessLog.status === 'ok' && view.accessLog.data.items.length >= 5 ? view : undefined;
    });
    const lines = readFileSync(path.join(dir, 'ebs', 'access-log', 'access.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AccessRecord);
    expect(lines.map((l) => l.request_path)).toEqual(['/efs?i=0', '/efs?i=1', '/efs?i=2', '/efs?i=3', '/efs?i=4']);
    expect(lines[0]).toEqual({ ...access('/efs?i=0'), timestamp: expect.any(String) });
  });

  it('writes, lists, reads and deletes shared EFS files', async () => {
    const { file } = await runtime.bus.request(StorageRpc.efsWrite, { content: 'shared <b>text</b>' });
    expect(file.filename).toMatch(/^shared_data_\d{8}_\d{6}_\d{3}_[a-z2-7]{10}\.json$/);
    const view = await runtime.bus.request(StorageRpc.efs, {});
    expect(view.files).toMatchObject({ status: 'ok', data: { total: 1, writers: [{ pod: 'storage-test-0', count: 1 }] } });
    const read = await runtime.bus.request(StorageRpc.efsRead, { name: file.filename });
    expect(read.file).toMatchObject({
      content: 'shared <b>text</b>',
      metadata: { created_by_pod: 'storage-test-0', created_by_node: 'node-a', size_bytes: 18, content_type: 'text/plain' },
    });
    await runtime.bus.request(StorageRpc.efsDelete, { name: file.filename });
    expect(await failure(runtime.bus.request(StorageRpc.efsRead, { name: file.filename }))).toBe('STORAGE.NOT_FOUND 404');
  });

  it('uploads text and files to (local) S3 with generated keys and serves them back as text or bytes', async () => {
    const text = await runtime.bus.request(StorageRpc.s3Upload, { content: '<script>alert(1)</script>' });
    expect(text.object).toMatchObject({ contentType: 'text/plain; charset=utf-8', metadata: { pod: 'storage-test-0' } });
    expect(text.object.key).toMatch(/^eks-info\/uploads\/upload_\d{8}_\d{6}_[0-9a-f]{12}\.txt$/);
    const html = await runtime.bus.request(StorageRpc.s3Upload, {
      base64: Buffer.from('<h1>hi</h1>').toString('base64'),
      filename: 'page.html',
      contentType: 'text/html',
    });
    // Stored as text/plain (never as HTML), key extension .txt.
    expect(html.object).toMatchObject({ contentType: 'text/plain; charset=utf-8', metadata: { 'original-name': 'page.html' } });
    const png = await runtime.bus.request(StorageRpc.s3Upload, {
      base64: Buffer.from([137, 80, 78, 71, 0, 1]).toString('base64'),
      filename: 'dot.PNG',
      contentType: 'image/png',
    });
    expect(png.object).toMatchObject({ contentType: 'application/octet-stream' });
    expect(png.object.key).toMatch(/\.png$/);

    const back = await runtime.bus.request(StorageRpc.s3Read, { key: text.object.key });
    expect(back).toMatchObject({ isText: true, text: '<script>alert(1)</script>', base64: null, contentType: 'text/plain; charset=utf-8' });
    const bin = await runtime.bus.request(StorageRpc.s3Read, { key: png.object.key });
    expect(bin).toMatchObject({ isText: false, text: null, base64: Buffer.from([137, 80, 78, 71, 0, 1]).toString('base64') });

    const view = await runtime.bus.request(StorageRpc.s3, { pageSize: 2 });
    expect(view.objects).toMatchObject({ status: 'ok', data: { pageSize: 2, next: expect.any(String) } });
    expect(view.config).toMatchObject({ status: 'ok', data: { local: true, access: { method: 'local' } } });
    await runtime.bus.request(StorageRpc.s3Delete, { key: png.object.key });
    expect(await failure(runtime.bus.request(StorageRpc.s3Read, { key: png.object.key }))).toBe('STORAGE.NOT_FOUND 404');
  });

  it('refuses bad input with a 4xx code and changes nothing', async () => {
    const before = { ebs: readdirSync(path.join(dir, 'ebs')).sort(), efs: readdirSync(path.join(dir, 'efs', 'shared')).sort() };
    const entries = readFileSync(path.join(dir, 'ebs', 'entries.jsonl'), 'utf8');
    const cases: Array<[string, Promise<unknown>]> = [
      ['STORAGE.INVALID 400', runtime.bus.request(StorageRpc.ebsWrite, { content: 123 as unknown as string })],
      ['STORAGE.INVALID 400', runtime.bus.request(StorageRpc.ebsWrite, null as never)],
      ['STORAGE.TOO_LARGE 413', runtime.bus.request(StorageRpc.ebsWrite, { content: 'x'.repeat(1025) })],
      ['STORAGE.TOO_LARGE 413', runtime.bus.request(StorageRpc.efsWrite, { content: 'é'.repeat(513) })],
      ['STORAGE.INVALID 400', runtime.bus.request(StorageRpc.efsRead, { name: '../ebs/entries.jsonl' })],
      ['STORAGE.INVALID 400', runtime.bus.request(StorageRpc.efsDelete, { name: 'entries.jsonl' })],
      ['STORAGE.INVALID 400', runtime.bus.request(StorageRpc.ebs, { limit: 0 })],
      ['STORAGE.OUTSIDE_PREFIX 400', runtime.bus.request(StorageRpc.s3Delete, { key: 'other/file.txt' })],
      ['STORAGE.OUTSIDE_PREFIX 400', runtime.bus.request(StorageRpc.s3Read, { key: 'eks-info/' })],
      ['STORAGE.INVALID 400', runtime.bus.request(StorageRpc.s3Read, { key: 'eks-info/uploads/../../x' })],
      ['STORAGE.INVALID 400', runtime.bus.request(StorageRpc.s3Upload, { content: 'a', base64: 'YQ==' })],
      ['STORAGE.INVALID 400', runtime.bus.request(StorageRpc.s3Upload, { base64: 'not base64!' })],
      ['STORAGE.INVALID 400', runtime.bus.request(StorageRpc.s3Upload, { base64: 'YQ==', filename: '../../etc/passwd' })],
      ['STORAGE.INVALID 400', runtime.bus.request(StorageRpc.s3, { after: '../x' })],
    ];
    for (const [expected, request] of cases) expect(await failure(request)).toBe(expected);
    expect({ ebs: readdirSync(path.join(dir, 'ebs')).sort(), efs: readdirSync(path.join(dir, 'efs', 'shared')).sort() }).toEqual(before);
    expect(readFileSync(path.join(dir, 'ebs', 'entries.jsonl'), 'utf8')).toBe(entries);
  });

  it('reports the access statistics of a window once: the lock on EFS decides, S3 refuses a copy', async () => {
    for (const p of ['/', '/ebs', '/api/v1/storage']) runtime.bus.emit(AccessEvents.recorded, access(p, p === '/' ? 500 : 200));
    const reports = app.app.get(ReportService);
    const end = Math.ceil(Date.now() / 60_000) * 60_000 + 60_000;
    // The window ends in the future here, so it holds every record written so far today.
    const now = await runtime.bus.request(StorageRpc.reportNow, {});
    expect(now.report).toMatchObject({ generated_by: 'storage-test-0', sources: ['storage-test-0'], trigger: 'manual' });
    expect(now.report.statistics.total_requests).toBeGreaterThanOrEqual(3);

    expect(await reports.runWindow(end)).toBe('uploaded');
    expect(await reports.runWindow(end)).toBe('claimed-elsewhere');
    const lock = path.join(dir, 'efs', '.eks-info', 'report-locks');
    expect(readdirSync(lock)).toHaveLength(1);
    // Without the lock (another pod on another share), S3 already holds it: not uploaded twice.
    rmSync(lock, { recursive: true });
    expect(await reports.runWindow(end)).toBe('exists');

    const view = await runtime.bus.request(StorageRpc.s3, {});
    expect(view.reports.status === 'ok' && view.reports.data.items.map((i) => i.name)).toEqual(expect.arrayContaining([`${now.report.report_id}.json`]));
    expect(view.reports.status === 'ok' && view.reports.data.items).toHaveLength(2);
  });

  it('cleans up old access logs on every pod that answers the broadcast', async () => {
    const replies = await runtime.bus.gather(StorageRpc.ebsCleanup, { olderThanDays: 0 }, { windowMs: 1000 });
    expect(replies).toEqual([expect.objectContaining({ olderThanDays: 0, deleted: [], servedBy: expect.objectContaining({ pod: 'storage-test-0' }) })]);
  });
});

describe('storage service with REQUIRE_MOUNTS on a plain directory', () => {
  it('is not ready and refuses to write where data would be lost', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'storage-unmounted-'));
    const ebs = path.join(dir, 'ebs');
    const { app, runtime } = await start(dir, { REQUIRE_MOUNTS: 'true', EBS_PATH: ebs, S3_LOCAL_DIR: '' });
    try {
      const checks = await runtime.readiness.run();
      expect(checks.ebs).toMatchObject({ ok: false, detail: expect.stringContaining('does not exist') });
      expect(await failure(runtime.bus.request(StorageRpc.ebsWrite, { content: 'x' }))).toBe('STORAGE.VOLUME_ERROR 503');
      const err = await runtime.bus.request(StorageRpc.efsWrite, { content: 'x' }).catch((e: RpcError) => e);
      expect(err).toMatchObject({ code: 'STORAGE.VOLUME_ERROR', fix: expect.stringContaining('REQUIRE_MOUNTS=false') });
      runtime.bus.emit(AccessEvents.recorded, access('/'));
      await new Promise((r) => setTimeout(r, 400));
      expect(existsSync(ebs)).toBe(false); // nothing created where the volume should be
      const s3 = await runtime.bus.request(StorageRpc.s3, {});
      expect(s3.config).toMatchObject({
        status: 'unavailable',
        code: 'STORAGE.NOT_CONFIGURED',
        message: 'No S3 bucket is configured here (S3_BUCKET is not set).',
      });
    } finally {
      await app.close();
      await runtime.bus.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
