/**
 * Requested vs measured load of the stress service, in one invocation, against a baseline taken
 * in the same run (the idle process): CPU from /proc/<pid>/stat, memory as RSS from
 * /proc/<pid>/status, never the process's own claims. Also /health latency at full load against
 * idle, and a sustained load over one then two processes.
 *
 *   bash scripts/run.sh build && .tools/bin/node dist/bench/stress.bench.js
 *   BENCH_SECONDS=5 (measurement window per row)
 *
 * Run it on a quiet machine: other processes competing for the cores lower the CPU figures.
 */
import os from 'node:os';
import pino from 'pino';
import { StressRpc } from '@eks-info/contracts';
import { createRuntime } from '@eks-info/platform';
import {
  NatsServer,
  StressBusClient,
  type StressProcess,
  measureCores,
  measureCoresOf,
  percentile,
  processRssBytes,
  startStressProcess,
} from '@eks-info/testing';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const MiB = 1024 * 1024;
let seq = 0;
const id = (p: string) => `${p}-bench-${process.pid}-${++seq}`;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function healthLatencies(url: string, ms: number): Promise<number[]> {
  const out: number[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const t = performance.now();
    await (await fetch(`${url}/health`)).arrayBuffer();
    out.push(performance.now() - t);
    await pause(20);
  }
  return out;
}

export async function stressBench(): Promise<string> {
  const nats = await NatsServer.start();
  const runtime = createRuntime(
    'stress-bench',
    'bench',
    { NATS_URL: [nats.url], RPC_TIMEOUT_MS: 5000, LOG_LEVEL: 'silent' } as Parameters<typeof createRuntime>[2],
    { logger: pino({ level: 'silent' }) },
  );
  if (runtime.transport.kind === 'nats') await runtime.transport.connection.whenReady();
  const client = new StressBusClient(runtime.bus);
  const fleet: StressProcess[] = [await startStressProcess({ pod: 'bench-a', natsUrl: nats.url })];
  const a = fleet[0];
  await client.waitForHeartbeat((hb) => hb.pod === 'bench-a');
  await pause(2000);

  // Baseline: the idle process.
  const idleCores = await measureCores(a.pid, SECONDS * 1000);
  const idleRss = processRssBytes(a.pid);
  const idleHealth = await healthLatencies(a.managementUrl, 3000);

  const cpuRows: string[] = [];
  const cores = Math.min(2, os.availableParallelism());
  const cases: Array<[number, number]> = [
    [25, 1],
    [50, 1],
    [75, 1],
    [100, 1],
    [50, cores],
    [100, cores],
  ];
  let fullLoadHealth: number[] = [];
  for (const [intensity, workers] of cases) {
    const { test } = await client.bus.request(StressRpc.start, { testId: id('cpu'), spec: { kind: 'cpu', durationSeconds: SECONDS + 10, intensity, workers } });
    await pause(700);
    const measured = (await measureCores(a.pid, SECONDS * 1000)) - idleCores;
    if (intensity === 100 && workers === cores) fullLoadHealth = await healthLatencies(a.managementUrl, 3000);
    await client.bus.gather(StressRpc.stop, { id: test.id }, { windowMs: 300 });
    const requested = (intensity / 100) * workers;
    cpuRows.push(
      `| ${intensity} % × ${workers} | ${(requested * 1000).toFixed(0)}m | ${(measured * 1000).toFixed(0)}m | ${(measured / requested).toFixed(3)} |`,
    );
    await pause(500);
  }

  const memRows: string[] = [];
  for (const mb of [64, 128, 256, 512]) {
    const before = processRssBytes(a.pid);
    const { test } = await client.bus.request(StressRpc.start, { testId: id('mem'), spec: { kind: 'memory', durationSeconds: 60, targetMb: mb } });
    const t = performance.now();
    await client.waitForHeartbeat((hb) => hb.pod === 'bench-a' && hb.test?.id === test.id && hb.test.memory?.allocating === false, 30_000);
    const fillMs = performance.now() - t;
    const raised = (processRssBytes(a.pid) - before) / MiB;
    const s = performance.now();
    await client.bus.gather(StressRpc.stop, { id: test.id }, { windowMs: 1 });
    while (processRssBytes(a.pid) > before + 0.1 * idleRss && performance.now() - s < 10_000) await pause(10);
    const backMs = performance.now() - s;
    const reported = await client.waitForHeartbeat((hb) => hb.pod === 'bench-a' && hb.lastTest?.id === test.id && hb.lastTest.memory?.reclaimMs !== null);
    memRows.push(
      `| ${mb} MiB | +${raised.toFixed(1)} MiB | ${(raised / mb).toFixed(3)} | ${fillMs.toFixed(0)} ms | ${backMs.toFixed(0)} ms | ${reported.lastTest!.memory!.reclaimedMb} MiB in ${reported.lastTest!.memory!.reclaimMs} ms |`,
    );
  }

  // Sustained load: the same aggregate over one process, then two.
  const loadRows: string[] = [];
  const millicores = 1000;
  const { load } = await client.bus.request(StressRpc.startLoad, { loadId: id('load'), millicores, durationSeconds: 120 });
  await pause(2000);
  const one = (await measureCores(a.pid, SECONDS * 1000)) - idleCores;
  loadRows.push(`| 1 | ${(one * 1000).toFixed(0)}m | ${(one * 1000).toFixed(0)}m | ${(one / (millicores / 1000)).toFixed(3)} |`);
  fleet.push(await startStressProcess({ pod: 'bench-b', natsUrl: nats.url }));
  await client.waitForHeartbeat((hb) => hb.pod === 'bench-b' && hb.units.executedTotal > 0);
  await pause(1000);
  const two = (
    await measureCoresOf(
      fleet.map((p) => p.pid),
      SECONDS * 1000,
    )
  ).map((c) => c - idleCores);
  loadRows.push(
    `| 2 | ${two.map((c) => `${(c * 1000).toFixed(0)}m`).join(' + ')} | ${((two[0] + two[1]) * 1000).toFixed(0)}m | ${((two[0] + two[1]) / (millicores / 1000)).toFixed(3)} |`,
  );
  await client.bus.gather(StressRpc.stop, { id: load.id }, { windowMs: 300 });

  const p = (xs: number[], q: number) => percentile(xs, q).toFixed(1);
  const lines = [
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, Node ${process.version}; ${SECONDS} s windows.`,
    `Baseline (idle stress process): ${(idleCores * 1000).toFixed(0)}m CPU, ${(idleRss / MiB).toFixed(0)} MiB RSS; subtracted from the CPU rows.`,
    '',
    '| CPU test | requested | measured | measured / requested |',
    '| --- | --- | --- | --- |',
    ...cpuRows,
    '',
    '| Memory test | RSS increase | increase / requested | full by (heartbeat, 1 s resolution) | RSS back within 10 % of baseline after stop | reported reclaim |',
    '| --- | --- | --- | --- | --- | --- |',
    ...memRows,
    '',
    `| Sustained load ${millicores}m | per process | total | total / requested |`,
    '| --- | --- | --- | --- |',
    ...loadRows,
    '',
    `/health while idle: p50 ${p(idleHealth, 50)} ms, p99 ${p(idleHealth, 99)} ms; with every worker at 100 %: p50 ${p(fullLoadHealth, 50)} ms, p99 ${p(fullLoadHealth, 99)} ms (ratio p99 ${(percentile(fullLoadHealth, 99) / percentile(idleHealth, 99)).toFixed(2)}).`,
  ];
  await client.close();
  for (const proc of fleet) await proc.stop();
  await nats.stop();
  return lines.join('\n');
}

if (require.main === module) {
  stressBench().then(
    (md) => process.stdout.write(`${md}\n`),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
