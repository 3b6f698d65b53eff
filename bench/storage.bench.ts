/**
 * Storage latency and throughput against baselines measured in the same invocation:
 *   - EFS write: a shared file written by the storage service (bus request over NATS → temp file,
 *     fsync, rename) vs a plain writeFile of the same record by this process;
 *   - EFS list: the newest 100 of 1,000 files with their metadata (bus request) vs readdir plus
 *     reading those 100 files directly;
 *   - S3 upload and list against moto: through the service (bus request → SDK → moto) vs the same
 *     SDK call made directly by this process;
 *   - HTTP: GET /api/v1/storage/efs through the gateway vs a bare node:http server with the same
 *     JSON body (wrk, alternating rounds, medians).
 * Every loop is bounded in count; the table prints p50/p99 and the ratio to its baseline.
 *
 *   npm run build && node dist/bench/storage.bench.js     BENCH_SECONDS=10 BENCH_CONNECTIONS=50
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListObjectsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pino from 'pino';
import { StorageRpc } from '@eks-info/contracts';
import { createRuntime } from '@eks-info/platform';
import { type ManagedProcess, MotoServer, NatsServer, freePort, startNodeProcess, waitFor, componentEntry } from '@eks-info/testing';
import { compare, rssMiB } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WRITES = 1000;
const LISTS = 100;
const S3_OPS = 200;
const BUCKET = 'eks-info-bench';

interface Timing {
  name: string;
  baseline: string;
  p50: number;
  p99: number;
  baseP50: number;
  baseP99: number;
  count: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `op` `count` times one after the other; returns p50 and p99 in ms. */
async function timed(count: number, op: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await op(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: Math.round(percentile(ms, 50) * 100) / 100, p99: Math.round(percentile(ms, 99) * 100) / 100 };
}

export async function storageBench(): Promise<string> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'storage-bench-'));
  for (const d of ['ebs', 'efs', 'baseline']) mkdirSync(path.join(root, d));
  const [nats, moto] = await Promise.all([NatsServer.start({ maxPayload: '16MB' }), MotoServer.start()]);
  const s3 = new S3Client({ ...moto.clientConfig(), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: moto.region as 'eu-west-1' } }));
  const processes: ManagedProcess[] = [];
  const runtime = createRuntime(
    'bench',
    'bench',
    { NATS_URL: [nats.url], RPC_TIMEOUT_MS: 10_000, LOG_LEVEL: 'silent' } as Parameters<typeof createRuntime>[2],
    { logger: pino({ level: 'silent' }) },
  );
  try {
    const [mgmt, port] = [await freePort(), await freePort()];
    const t0 = Date.now();
    const storage = await startNodeProcess({
      name: 'storage',
      entry: componentEntry('storage'),
      env: {
        ...moto.env,
        NATS_URL: nats.url,
        POD_NAME: 'storage-0',
        MANAGEMENT_PORT: String(mgmt),
        MANAGEMENT_HOST: '127.0.0.1',
        EBS_PATH: path.join(root, 'ebs'),
        EFS_PATH: path.join(root, 'efs'),
        REQUIRE_MOUNTS: 'false',
        S3_BUCKET: BUCKET,
        KUBE_MODE: 'off',
        IMDS_MODE: 'off',
        LOG_LEVEL: 'warn',
      },
      readyUrl: `http://127.0.0.1:${mgmt}/ready`,
    });
    const readyMs = Date.now() - t0;
    processes.push(storage);
    const gateway = await startNodeProcess({
      name: 'gateway',
      entry: componentEntry('gateway'),
      env: { NATS_URL: nats.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', READ_RATE_LIMIT_PER_MINUTE: '0' },
      readyUrl: `http://127.0.0.1:${port}/ready`,
    });
    processes.push(gateway);
    if (runtime.transport.kind === 'nats') await runtime.transport.connection.whenReady();
    await waitFor(() => runtime.bus.request(StorageRpc.ebs, { limit: 1 }).then(() => true), { timeoutMs: 10_000, what: 'the storage service on the bus' });
    await new Promise((r) => setTimeout(r, 1500));
    const idleRss = rssMiB(storage.pid);

    const content = 'x'.repeat(512);
    const record = JSON.stringify({
      filename: 'shared_data_x.json',
      content,
      metadata: { created_by_pod: 'storage-0', created_by_node: 'node', created_at: new Date().toISOString(), size_bytes: 512, content_type: 'text/plain' },
    });
    const results: Timing[] = [];

    const efsBase = await timed(WRITES, (i) => writeFile(path.join(root, 'baseline', `f${String(i).padStart(5, '0')}.json`), record));
    const efsWrite = await timed(WRITES, () => runtime.bus.request(StorageRpc.efsWrite, { content }));
    results.push({
      name: `EFS write 512 B (${WRITES}×, bus → temp+fsync+rename)`,
      baseline: 'writeFile in-process',
      ...efsWrite,
      baseP50: efsBase.p50,
      baseP99: efsBase.p99,
      count: WRITES,
    });

    const listBase = await timed(LISTS, async () => {
      const names = (await readdir(path.join(root, 'baseline'))).sort().reverse().slice(0, 100);
      await Promise.all(names.map((n) => readFile(path.join(root, 'baseline', n), 'utf8').then((t) => JSON.parse(t) as unknown)));
    });
    const list = await timed(LISTS, () => runtime.bus.request(StorageRpc.efs, { limit: 100 }));
    results.push({
      name: `EFS list newest 100 of ${WRITES} (${LISTS}×, bus)`,
      baseline: 'readdir + 100 reads in-process',
      ...list,
      baseP50: listBase.p50,
      baseP99: listBase.p99,
      count: LISTS,
    });

    const body = Buffer.from('y'.repeat(1024));
    const putBase = await timed(S3_OPS, (i) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `baseline/${i}.txt`, Body: body })));
    const put = await timed(S3_OPS, () => runtime.bus.request(StorageRpc.s3Upload, { content: body.toString() }));
    results.push({
      name: `S3 upload 1 KiB to moto (${S3_OPS}×, bus)`,
      baseline: 'SDK PutObject in-process',
      ...put,
      baseP50: putBase.p50,
      baseP99: putBase.p99,
      count: S3_OPS,
    });

    const listS3Base = await timed(S3_OPS, () => s3.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'eks-info/uploads/', MaxKeys: 25 })));
    const listS3 = await timed(S3_OPS, () => runtime.bus.request(StorageRpc.s3, { pageSize: 25 }));
    results.push({
      name: `S3 page of 25 + reports (${S3_OPS}×, bus; 2 listings)`,
      baseline: 'SDK ListObjects in-process (1 listing)',
      ...listS3,
      baseP50: listS3Base.p50,
      baseP99: listS3Base.p99,
      count: S3_OPS,
    });

    // HTTP through the gateway, against a bare server with the same body.
    const api = `http://127.0.0.1:${port}/api/v1/storage/efs?limit=20`;
    const json = await (await fetch(api)).text();
    const bare = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.end(json);
    });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    const barePort = (bare.address() as AddressInfo).port;
    const [bareRun, apiRun] = await compare(
      [
        { name: 'bare', url: `http://127.0.0.1:${barePort}/` },
        { name: 'api', url: api },
      ],
      { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS },
    );
    bare.close();
    const loadedRss = rssMiB(storage.pid);

    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}x` : '—');
    const lines = [
      `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${new Date().toISOString()}; the EFS directory is local disk here, so the figures isolate the app's own cost.`,
      '',
      '| Operation | p50 ms | p99 ms | baseline | base p50 | base p99 | p50 ratio |',
      '| --- | ---: | ---: | --- | ---: | ---: | ---: |',
      ...results.map((r) => `| ${r.name} | ${r.p50} | ${r.p99} | ${r.baseline} | ${r.baseP50} | ${r.baseP99} | ${ratio(r.p50, r.baseP50)} |`),
      '',
      `| HTTP (${CONNECTIONS} connections, ${SECONDS} s) | req/s | p50 ms | p99 ms | ratio to bare | errors | non-2xx |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      `| bare node:http, same ${Buffer.byteLength(json)} B body | ${Math.round(bareRun.rps)} | ${bareRun.p50} | ${bareRun.p99} | 1.00x | ${bareRun.errors} | ${bareRun.non2xx} |`,
      `| gateway GET /api/v1/storage/efs?limit=20 (reads 20 files) | ${Math.round(apiRun.rps)} | ${apiRun.p50} | ${apiRun.p99} | ${(apiRun.rps / bareRun.rps).toFixed(2)}x | ${apiRun.errors} | ${apiRun.non2xx} |`,
      '',
      `Storage service: ready ${readyMs} ms after start (with the local checks and S3 set-up); RSS idle ${idleRss} MiB, after the runs ${loadedRss} MiB.`,
    ];
    return lines.join('\n');
  } finally {
    await runtime.bus.close();
    for (const p of processes.reverse()) await p.stop();
    s3.destroy();
    await Promise.all([nats.stop(), moto.stop()]);
    rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  storageBench().then(
    (md) => process.stdout.write(`${md}\n`),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
