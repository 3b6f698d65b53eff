/**
 * What access records cost the storage service: a gateway's worth of page views — 5,000 a
 * second for 10 s — sent as the gateway sends them (one `access.batch` message per 100 ms), and,
 * in the same invocation, as single messages (how it was before batching). The figure is the
 * storage process's CPU time over the run, from /proc, as a share of one core; its idle CPU over
 * the same time is the baseline. Every record must reach the EBS access log.
 *
 *   npm run bench -- access          BENCH_ACCESS_RATE=5000 BENCH_ACCESS_SECONDS=10
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { ACCESS_BATCH_MAX, AccessEvents, type AccessRecord } from '@eks-info/contracts';
import { createRuntime } from '@eks-info/platform';
import { NatsServer, componentEntry, freePort, processCpuSeconds, startNodeProcess, waitFor } from '@eks-info/testing';

const RATE = Number(process.env.BENCH_ACCESS_RATE ?? 5000);
const SECONDS = Number(process.env.BENCH_ACCESS_SECONDS ?? 10);

const record = (i: number): AccessRecord => ({
  timestamp: new Date().toISOString(),
  pod_name: 'gateway-bench',
  node_name: 'node-a',
  client_ip: `10.0.${(i >> 8) & 255}.${i & 255}`,
  request_path: ['/', '/storage', '/api/v1/environment', '/scaling'][i % 4],
  request_method: 'GET',
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36',
  response_status: 200,
  response_time_ms: 3.2,
  request_id: `req_${i.toString(16).padStart(20, '0')}`,
});

/** Lines in the access logs of an EBS directory (the current file and rotated ones). */
function loggedLines(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    if (/(^|\/)access(-[^/]*)?\.log$/.test(f)) n += readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean).length;
  }
  return n;
}

export async function accessBench(): Promise<string> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'access-bench-'));
  const nats = await NatsServer.start();
  const runtime = createRuntime(
    'bench',
    'bench',
    { NATS_URL: [nats.url], RPC_TIMEOUT_MS: 10_000, LOG_LEVEL: 'silent' } as Parameters<typeof createRuntime>[2],
    {
      logger: pino({ level: 'silent' }),
    },
  );
  const mgmt = await freePort();
  const ebs = path.join(root, 'ebs');
  const storage = await startNodeProcess({
    name: 'storage',
    entry: componentEntry('storage'),
    env: {
      NATS_URL: nats.url,
      MANAGEMENT_PORT: String(mgmt),
      MANAGEMENT_HOST: '127.0.0.1',
      EBS_PATH: ebs,
      EFS_PATH: path.join(root, 'efs'),
      REQUIRE_MOUNTS: 'false',
      ACCESS_LOG_MAX_BYTES: String(512 * 1024 * 1024),
      KUBE_MODE: 'off',
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: '--max-semi-space-size=2',
    },
    readyUrl: `http://127.0.0.1:${mgmt}/ready`,
  });
  try {
    if (runtime.transport.kind === 'nats') await runtime.transport.connection.whenReady();
    await new Promise((r) => setTimeout(r, 2000));
    const cpuOver = async (run: () => Promise<void>) => {
      const before = processCpuSeconds(storage.pid);
      const started = performance.now();
      await run();
      const seconds = (performance.now() - started) / 1000;
      return { share: (processCpuSeconds(storage.pid) - before) / seconds, seconds };
    };
    const idle = await cpuOver(() => new Promise((r) => setTimeout(r, SECONDS * 1000)));
    let sent = 0;
    /** RATE records a second for SECONDS, in ticks of `tickMs`, each tick sending `send(records)`. */
    const drive = (tickMs: number, send: (records: AccessRecord[]) => void) =>
      new Promise<void>((resolve) => {
        const perTick = Math.round((RATE * tickMs) / 1000);
        const ticks = Math.round((SECONDS * 1000) / tickMs);
        let done = 0;
        const timer = setInterval(() => {
          const records = Array.from({ length: perTick }, () => record(sent++));
          send(records);
          if (++done >= ticks) {
            clearInterval(timer);
            resolve();
          }
        }, tickMs);
      });
    const batched = await cpuOver(() =>
      drive(100, (records) => {
        for (let i = 0; i < records.length; i += ACCESS_BATCH_MAX) runtime.bus.emit(AccessEvents.batch, { records: records.slice(i, i + ACCESS_BATCH_MAX) });
      }),
    );
    const afterBatched = sent;
    await waitFor(() => loggedLines(ebs) >= afterBatched, { timeoutMs: 20_000, what: 'every batched record in the access log' });
    const single = await cpuOver(() => drive(10, (records) => records.forEach((r) => runtime.bus.emit(AccessEvents.recorded, r))));
    await waitFor(() => loggedLines(ebs) >= sent, { timeoutMs: 30_000, what: 'every single record in the access log' });
    const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
    return [
      `${RATE.toLocaleString('en-US')} page views a second for ${SECONDS} s, every record found in the EBS access log (${sent.toLocaleString('en-US')} records).`,
      '',
      '| Storage service CPU (one core = 100 %) | share | budget |',
      '| --- | ---: | --- |',
      `| idle (baseline, same duration) | ${pct(idle.share)} | |`,
      `| batched: one \`access.batch\` per 100 ms (what the gateway sends) | ${pct(batched.share)} (${pct(batched.share - idle.share)} above idle) | ≤ 5 % spent on them |`,
      `| one message per view (before batching) | ${pct(single.share)} (${pct(single.share - idle.share)} above idle) | |`,
      '',
      `Batching costs ${(single.share / Math.max(batched.share, 1e-6)).toFixed(1)}× less CPU than a message per view.`,
    ].join('\n');
  } finally {
    await runtime.bus.close();
    await storage.stop();
    await nats.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  accessBench().then(
    (md) => process.stdout.write(`${md}\n`),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
