/**
 * Distributed mode with real processes: a nats-server (16 MB payloads, as in the chart), moto for
 * S3, two storage processes each with its own "EBS" directory and one shared "EFS" directory, and
 * a gateway. Each pod sees the other's shared files, keeps its own entries and access log, pages
 * show different served-by pods, the periodic report is uploaded exactly once per window, and a
 * 10 MiB file crosses the bus both ways intact.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import type { AccessRecord, AccessStatsReport } from '@eks-info/contracts';
import { type ManagedProcess, MotoServer, NatsServer, freePort, startNodeProcess, waitFor, componentEntry } from '@eks-info/testing';
import { csrf, multipart, raw } from './http-client';

jest.setTimeout(180_000);

const BUCKET = 'eks-info-dist';
const PODS = ['storage-0', 'storage-1'];
const INTERVAL_SECONDS = 5;
const JSON_TYPE = { 'content-type': 'application/json' };

describe('two storage pods over NATS', () => {
  let root: string;
  let nats: NatsServer;
  let moto: MotoServer;
  let s3: S3Client;
  let gateway: ManagedProcess;
  const storage: Array<{ process: ManagedProcess; management: string; ebs: string }> = [];
  let base: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'storage-dist-'));
    mkdirSync(path.join(root, 'efs'));
    [nats, moto] = await Promise.all([NatsServer.start({ maxPayload: '16MB' }), MotoServer.start()]);
    s3 = new S3Client({ ...moto.clientConfig(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: moto.region as 'eu-west-1' } }));
    // Versioning keeps every upload of a key: exactly-once shows as exactly one version.
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));

    await Promise.all(
      PODS.map(async (pod, i) => {
        const port = await freePort();
        const ebs = path.join(root, `ebs-${i}`);
        mkdirSync(ebs);
        const process = await startNodeProcess({
          name: pod,
          entry: componentEntry('storage'),
          env: {
            ...moto.env,
            NATS_URL: nats.url,
            POD_NAME: pod,
            NODE_NAME: `node-${i}`,
            MANAGEMENT_PORT: String(port),
            MANAGEMENT_HOST: '127.0.0.1',
            EBS_PATH: ebs,
            EFS_PATH: path.join(root, 'efs'),
            REQUIRE_MOUNTS: 'false',
            S3_BUCKET: BUCKET,
            REPORT_INTERVAL_SECONDS: String(INTERVAL_SECONDS),
            KUBE_MODE: 'off',
            IMDS_MODE: 'off',
            SHUTDOWN_GRACE_MS: '0',
          },
          readyUrl: `http://127.0.0.1:${port}/ready`,
        });
        storage[i] = { process, management: `http://127.0.0.1:${port}`, ebs };
      }),
    );
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    gateway = await startNodeProcess({
      name: 'gateway',
      entry: componentEntry('gateway'),
      env: {
        NATS_URL: nats.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        POD_NAME: 'gateway-0',
        MUTATION_RATE_LIMIT_PER_MINUTE: '10000',
        RPC_TIMEOUT_MS: '10000',
        SHUTDOWN_GRACE_MS: '0',
      },
      readyUrl: `${base}/ready`,
    });
    // Queue subscriptions are bound right after connecting: wait until both pods answer.
    await waitFor(
      async () => {
        const seen = new Set<string>();
        for (let i = 0; i < 12; i++) seen.add((await raw(base, 'GET', '/api/v1/storage/ebs?limit=1')).json<{ servedBy: { pod: string } }>().servedBy.pod);
        return seen.size === 2;
      },
      { timeoutMs: 15_000, what: 'both storage pods answering' },
    );
  }, 90_000);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(storage.map((s) => s.process.stop()));
    s3?.destroy();
    await Promise.all([nats?.stop(), moto?.stop()]);
    rmSync(root, { recursive: true, force: true });
  });

  it('reports the mounts and NATS as ready on each pod', async () => {
    for (const s of storage) {
      const ready = (await raw(s.management, 'GET', '/ready')).json<{ status: string; details: Record<string, { status: string }> }>();
      expect(ready.status).toBe('ok');
      expect(Object.keys(ready.details).sort()).toEqual(['ebs', 'efs', 'nats']);
    }
  });

  it('shares EFS files: each pod reads what the other wrote', async () => {
    const written: Array<{ filename: string; writer: string }> = [];
    for (let i = 0; i < 10; i++) {
      const res = await raw(base, 'POST', '/api/v1/storage/efs/files', { headers: JSON_TYPE, body: JSON.stringify({ content: `from request ${i}` }) });
      expect(res.status).toBe(201);
      const body = res.json<{ file: { filename: string; metadata: { created_by_pod: string } } }>();
      written.push({ filename: body.file.filename, writer: body.file.metadata.created_by_pod });
    }
    expect(new Set(written.map((w) => w.writer))).toEqual(new Set(PODS));
    // Every file, read until a pod other than its writer answers.
    for (const { filename, writer } of written) {
      const other = await waitFor(
        async () => {
          const res = (await raw(base, 'GET', `/api/v1/storage/efs/files/${filename}`)).json<{ file: { content: string }; servedBy: { pod: string } }>();
          return res.servedBy.pod !== writer ? res : undefined;
        },
        { timeoutMs: 5000, intervalMs: 0, what: `${filename} read by the other pod` },
      );
      expect(other.file.content).toMatch(/^from request \d$/);
    }
    const listing = (await raw(base, 'GET', '/api/v1/storage/efs')).json<{ files: { data: { total: number; writers: Array<{ pod: string }> } } }>();
    expect(listing.files.data.total).toBe(10);
    expect(listing.files.data.writers.map((w) => w.pod)).toEqual(PODS);
  });

  it("keeps EBS entries per pod: each volume holds only its own pod's entries", async () => {
    for (let i = 0; i < 8; i++) await raw(base, 'POST', '/api/v1/storage/ebs/entries', { headers: JSON_TYPE, body: JSON.stringify({ content: `entry ${i}` }) });
    const views = new Map<string, Array<{ pod: string }>>();
    await waitFor(
      async () => {
        const v = (await raw(base, 'GET', '/api/v1/storage/ebs')).json<{ servedBy: { pod: string }; entries: { data: { items: Array<{ pod: string }> } } }>();
        views.set(v.servedBy.pod, v.entries.data.items);
        return views.size === 2;
      },
      { timeoutMs: 5000, intervalMs: 0, what: 'an EBS view from each pod' },
    );
    for (const [pod, items] of views) {
      expect(items.length).toBeGreaterThan(0);
      expect(new Set(items.map((e) => e.pod))).toEqual(new Set([pod]));
    }
    PODS.forEach((pod, i) => {
      const onDisk = readFileSync(path.join(storage[i].ebs, 'entries.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { pod: string });
      expect(new Set(onDisk.map((e) => e.pod))).toEqual(new Set([pod]));
    });
  });

  it('shows different served-by pods on the pages', async () => {
    const served = new Set<string>();
    for (let i = 0; i < 12 && served.size < 2; i++) {
      const html = (await raw(base, 'GET', '/efs')).text;
      served.add(/id="served-pod">([^<]+)</.exec(html)?.[1] ?? 'none');
      expect(html).toMatch(/<strong>storage<\/strong> storage-[01]/); // footer
    }
    expect(served).toEqual(new Set(PODS));
  });

  it("appends each request to exactly one pod's access log", async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `req_dist_${i}_${randomBytes(3).toString('hex')}`);
    for (const id of ids) await raw(base, 'GET', '/api/v1/storage/s3?pageSize=1', { headers: { 'x-request-id': id } });
    const logged = await waitFor(
      () => {
        const all = storage.flatMap((s) => {
          const file = path.join(s.ebs, 'access-log', 'access.log');
          return existsSync(file)
            ? readFileSync(file, 'utf8')
                .trim()
                .split('\n')
                .map((l) => JSON.parse(l) as AccessRecord)
            : [];
        });
        const ours = all.filter((r) => ids.includes(r.request_id ?? ''));
        return ours.length >= ids.length ? { all, ours } : undefined;
      },
      { timeoutMs: 5000, what: 'the access records of 30 requests' },
    );
    expect(logged.ours.map((r) => r.request_id).sort()).toEqual([...ids].sort()); // each exactly once
    expect(logged.ours[0]).toMatchObject({ pod_name: 'gateway-0', request_method: 'GET', request_path: '/api/v1/storage/s3', response_status: 200 });
    const perPod = storage.map(
      (s) =>
        readFileSync(path.join(s.ebs, 'access-log', 'access.log'), 'utf8')
          .split('\n')
          .filter((l) => ids.some((id) => l.includes(id))).length,
    );
    expect(perPod.every((n) => n > 0)).toBe(true);
  });

  it("uploads each window's report exactly once, merged from both pods' logs", async () => {
    const started = Date.now();
    const reportsPrefix = 'eks-info/reports/';
    // Traffic during the next windows, so reports have requests from both pods.
    const traffic = (async () => {
      while (Date.now() - started < 2 * INTERVAL_SECONDS * 1000) {
        await raw(base, 'GET', '/api/v1/storage/ebs?limit=1');
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const versions = await waitFor(
      async () => {
        const out = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: reportsPrefix }));
        const scheduled = (out.Versions ?? []).filter((v) => v.LastModified && v.LastModified.getTime() > started);
        return scheduled.length >= 2 ? (out.Versions ?? []) : undefined;
      },
      { timeoutMs: 4 * INTERVAL_SECONDS * 1000 + 10_000, intervalMs: 500, what: 'two scheduled reports' },
    );
    await traffic;
    const perKey = new Map<string, number>();
    for (const v of versions) perKey.set(v.Key!, (perKey.get(v.Key!) ?? 0) + 1);
    expect([...perKey.values()].every((n) => n === 1)).toBe(true);

    const reports: AccessStatsReport[] = [];
    for (const key of perKey.keys()) {
      const body = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
      reports.push(JSON.parse(body) as AccessStatsReport);
    }
    for (const r of reports) {
      expect(r.report_id).toMatch(/^stats_\d{8}_\d{6}$/);
      expect(`${reportsPrefix}${r.report_id}.json`).toBe([...perKey.keys()].find((k) => k.endsWith(`${r.report_id}.json`)));
      expect(Date.parse(r.time_range.end) - Date.parse(r.time_range.start)).toBe(INTERVAL_SECONDS * 1000);
      expect(r.sources).toEqual(PODS);
      expect(PODS).toContain(r.generated_by);
    }
    expect(reports.some((r) => r.statistics.total_requests > 0 && r.statistics.path_distribution['/api'] > 0)).toBe(true);
    // The window locks on the shared volume, one per report.
    const locks = readdirSync(path.join(root, 'efs', '.eks-info', 'report-locks'));
    for (const r of reports) expect(locks).toContain(`${r.report_id}.lock`);
    // And the pods agree: one uploaded each report, the other found it claimed. A next window may
    // close while the counters are read: they must lie between the reports listed before and after.
    const uploaded = await Promise.all(
      storage.map(async (s) => {
        const metrics = (await raw(s.management, 'GET', '/metrics')).text;
        return Number(/storage_reports_total\{trigger="schedule",outcome="uploaded"\} (\d+)/.exec(metrics)?.[1] ?? 0);
      }),
    );
    const after = (await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: reportsPrefix }))).Versions ?? [];
    const total = uploaded.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(reports.length);
    expect(total).toBeLessThanOrEqual(after.length);
    expect(new Set(after.map((v) => v.Key)).size).toBe(after.length);
  });

  it('carries a 10 MiB file through the gateway and NATS, both ways, intact', async () => {
    const data = randomBytes(10 * 1024 * 1024);
    const { token, cookie } = await csrf(base);
    const form = multipart({ _csrf: token }, { field: 'file', name: 'big.bin', type: 'application/octet-stream', data });
    const up = await raw(base, 'POST', '/api/v1/storage/s3/objects', { headers: { 'content-type': form.type, cookie }, body: form.body });
    expect(up.status).toBe(201);
    const key = up.json<{ object: { key: string; size: number } }>().object.key;
    const down = await raw(base, 'GET', `/api/v1/storage/s3/objects/${key}`);
    expect(down.status).toBe(200);
    expect(down.headers['content-disposition']).toMatch(/^attachment;/);
    expect(createHash('sha256').update(down.body).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('honours an idempotency key whichever pod gets the retry: one EFS file and one S3 object per key', async () => {
    const uploads = async () => (await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'eks-info/uploads/' }))).Versions?.length ?? 0;
    const sharedHolding = (content: string) =>
      readdirSync(path.join(root, 'efs', 'shared')).filter((n) => readFileSync(path.join(root, 'efs', 'shared', n), 'utf8').includes(content));
    for (const [route, field] of [
      ['/api/v1/storage/efs/files', 'file'],
      ['/api/v1/storage/s3/objects', 'object'],
    ] as const) {
      const key = `dist-${field}-${randomBytes(4).toString('hex')}`;
      const content = `retried under ${key}`;
      const objectsBefore = await uploads();
      const send = () => raw(base, 'POST', route, { headers: { ...JSON_TYPE, 'idempotency-key': key }, body: JSON.stringify({ content }) });
      // Eight at once (a client retrying in a hurry), then more until both pods have answered one.
      const answers = await Promise.all(Array.from({ length: 8 }, send));
      const servedBy = new Set(answers.map((a) => a.json<{ servedBy: { pod: string } }>().servedBy.pod));
      for (let i = 0; i < 30 && servedBy.size < 2; i++) {
        const more = await send();
        answers.push(more);
        servedBy.add(more.json<{ servedBy: { pod: string } }>().servedBy.pod);
      }
      expect(servedBy).toEqual(new Set(PODS));
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
      expect(new Set(answers.map((a) => JSON.stringify(a.json()[field])))).toHaveProperty('size', 1);
      expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(answers.length - 1);
      if (field === 'file') expect(sharedHolding(content)).toHaveLength(1);
      else expect(await uploads()).toBe(objectsBefore + 1);
    }
  });
});

describe('an upload above the NATS payload limit', () => {
  let root: string;
  let nats: NatsServer;
  let storage: ManagedProcess;
  let gateway: ManagedProcess;
  let base: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'storage-payload-'));
    // nats-server's own default max_payload (1 MB), as a hand-started server has.
    nats = await NatsServer.start();
    const [mgmt, port] = [await freePort(), await freePort()];
    storage = await startNodeProcess({
      name: 'storage',
      entry: componentEntry('storage'),
      env: {
        NATS_URL: nats.url,
        MANAGEMENT_PORT: String(mgmt),
        MANAGEMENT_HOST: '127.0.0.1',
        EBS_PATH: path.join(root, 'ebs'),
        EFS_PATH: path.join(root, 'efs'),
        S3_LOCAL_DIR: path.join(root, 's3'),
        REQUIRE_MOUNTS: 'false',
        KUBE_MODE: 'off',
        IMDS_MODE: 'off',
        SHUTDOWN_GRACE_MS: '0',
      },
      readyUrl: `http://127.0.0.1:${mgmt}/ready`,
    });
    base = `http://127.0.0.1:${port}`;
    gateway = await startNodeProcess({
      name: 'gateway',
      entry: componentEntry('gateway'),
      env: { NATS_URL: nats.url, PORT: String(port), HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '0' },
      readyUrl: `${base}/ready`,
    });
    await waitFor(async () => (await raw(base, 'GET', '/api/v1/storage/s3')).status === 200, { timeoutMs: 10_000, what: 'the storage service on the bus' });
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await storage?.stop();
    await nats?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('is refused with 413 naming the NATS setting, and the next upload works', async () => {
    const { token, cookie } = await csrf(base);
    const big = multipart({ _csrf: token }, { field: 'file', name: 'big.bin', type: 'application/octet-stream', data: randomBytes(1536 * 1024) });
    const res = await raw(base, 'POST', '/api/v1/storage/s3/objects', { headers: { 'content-type': big.type, cookie }, body: big.body });
    expect(res.status).toBe(413);
    expect(res.json()).toMatchObject({
      code: 'STORAGE.TOO_LARGE',
      message: 'The upload is larger than the message bus accepts.',
      fix: expect.stringContaining('max_payload'),
    });
    const small = multipart({ _csrf: token }, { field: 'file', name: 'small.bin', type: 'application/octet-stream', data: randomBytes(64 * 1024) });
    expect((await raw(base, 'POST', '/api/v1/storage/s3/objects', { headers: { 'content-type': small.type, cookie }, body: small.body })).status).toBe(201);
  });
});
