/**
 * The scaling-monitor at scale, against a bare node:http baseline, in one invocation:
 *   - the fake API server (in this process) with 500 nodes and 10,000 pods; nats-server, the
 *     scaling-monitor and a gateway as their own processes (the deployed shape);
 *   - baseline: node:http serving a JSON body of the snapshot's size;
 *   - GET /api/v1/scaling through the gateway: quiet cluster, and while the cluster changes
 *     every 50 ms (each change invalidates the cached snapshot);
 *   - GET /scaling, the page with 500 node cards;
 *   - SSE: time from a watch event (a pod going Pending) to the snapshot reaching a client;
 *   - time to ready and RSS of the monitor: no cluster, a 3-node cluster, 500/10,000.
 *
 *   npm run build && .tools/bin/node dist/bench/scaling.bench.js     BENCH_SECONDS=10 BENCH_CONNECTIONS=10
 */
import { rmSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type LoadResult, loadTest, rssMiB } from './support';
import {
  FakeKubeApiServer,
  type ManagedProcess,
  NatsServer,
  SseClient,
  type SseMessage,
  kubeFixtures as fx,
  freePort,
  largeCluster,
  largeClusterNodeName,
  scalingScenario,
  startNodeProcess,
  componentEntry,
} from '@eks-info/testing';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const NODES = Number(process.env.BENCH_NODES ?? 500);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const PUSHES = 20;

const load = (name: string, url: string) => loadTest(name, url, { connections: CONNECTIONS, seconds: SECONDS });

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * values.length) - 1)];

async function startMonitor(natsUrl: string, env: Record<string, string>): Promise<{ proc: ManagedProcess; readyMs: number; dir: string }> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scaling-bench-'));
  const t = Date.now();
  const proc = await startNodeProcess({
    name: 'scaling-monitor',
    entry: componentEntry('scaling-monitor'),
    env: {
      NATS_URL: natsUrl,
      MANAGEMENT_PORT: String(port),
      MANAGEMENT_HOST: '127.0.0.1',
      HISTORY_PATH: dir,
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '0',
      ...env,
    },
    readyUrl: `http://127.0.0.1:${port}/ready`,
    timeoutMs: 60_000,
  });
  return { proc, readyMs: Date.now() - t, dir };
}

async function idleRss(natsUrl: string, env: Record<string, string>): Promise<{ readyMs: number; rss: number }> {
  const m = await startMonitor(natsUrl, env);
  await new Promise((r) => setTimeout(r, 2000));
  const rss = rssMiB(m.proc.pid);
  await m.proc.stop();
  rmSync(m.dir, { recursive: true, force: true });
  return { readyMs: m.readyMs, rss };
}

async function main(): Promise<void> {
  const nats = await NatsServer.start();

  // Idle figures: no cluster, and the demo's 3-node cluster.
  const off = await idleRss(nats.url, { KUBE_MODE: 'off' });
  const small = await FakeKubeApiServer.start({ objects: scalingScenario({ start: new Date() }).baseline, karpenter: false });
  const demo = await idleRss(nats.url, { KUBE_MODE: 'kubeconfig', KUBECONFIG: small.writeKubeconfig(), WATCH_NAMESPACE: 'demo' });
  await small.close();

  const server = await FakeKubeApiServer.start({ objects: largeCluster({ nodes: NODES, pods: PODS, pending: 25 }), karpenter: false });
  const monitor = await startMonitor(nats.url, { KUBE_MODE: 'kubeconfig', KUBECONFIG: server.writeKubeconfig(), WATCH_NAMESPACE: 'demo' });
  const port = await freePort();
  const gateway = await startNodeProcess({
    name: 'gateway',
    entry: componentEntry('gateway'),
    env: { NATS_URL: nats.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', READ_RATE_LIMIT_PER_MINUTE: '0' },
    readyUrl: `http://127.0.0.1:${port}/ready`,
  });
  const base = `http://127.0.0.1:${port}`;
  const body = await (await fetch(`${base}/api/v1/scaling`)).text();
  await new Promise((r) => setTimeout(r, 2000));
  const rssLoaded = rssMiB(monitor.proc.pid);

  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));

  const results: Array<LoadResult & { bytes: number }> = [];
  results.push(await load('bare node:http (same JSON body)', `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`));
  results.push(await load('GET /api/v1/scaling, quiet cluster', `${base}/api/v1/scaling`));
  // A change every 50 ms (bounded by the run's length): most requests follow a rebuild.
  let churn = 0;
  const churner = setInterval(() => {
    server.patch(`nodes/${largeClusterNodeName(churn % NODES)}`, (n) => Object.assign(n.metadata.labels!, { 'bench/round': String(churn) }));
    churn++;
  }, 50);
  results.push(await load('GET /api/v1/scaling, a change every 50 ms', `${base}/api/v1/scaling`));
  clearInterval(churner);
  results.push(await load(`GET /scaling (page, ${NODES} node cards)`, `${base}/scaling`));
  bare.close();

  // Push latency: a pod goes Pending; when does a browser have the snapshot that shows it?
  const sse = await SseClient.open(`${base}/api/v1/stream/scaling`);
  const pendingIn = (m: SseMessage) => sse.json<{ pending: { data?: { total: number } } }>(m).pending.data?.total ?? -1;
  await sse.next((m) => m.event === 'snapshot');
  const pushes: number[] = [];
  for (let i = 0; i < PUSHES; i++) {
    const started = Date.now();
    server.upsert(fx.pod({ name: `bench-pending-${i}`, namespace: 'demo', unschedulable: '', containers: [{ name: 'app', requests: { cpu: '4' } }] }));
    const want = 26 + i;
    const hit = await sse.next((m) => m.event === 'snapshot' && pendingIn(m) >= want, { from: started, timeoutMs: 5000 });
    pushes.push(hit.at - started);
    await new Promise((r) => setTimeout(r, 300));
  }
  await sse.close();

  const rps0 = results[0].rps;
  const lines = [
    `${NODES} nodes, ${PODS} pods; snapshot ${Buffer.byteLength(body)} bytes; ${CONNECTIONS} connections, ${SECONDS} s per target; node ${process.version}, ${os.cpus().length} cores, ${new Date().toISOString()}`,
    '',
    '| Target | req/s | p50 ms | p99 ms | ratio to bare | errors | non-2xx | bytes/resp |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) => `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${(r.rps / rps0).toFixed(2)}x | ${r.errors} | ${r.non2xx} | ${r.bytes} |`,
    ),
    '',
    `Push to an SSE client after a watch event (${PUSHES} changes): p50 ${percentile(pushes, 50)} ms, p99 ${percentile(pushes, 99)} ms, max ${Math.max(...pushes)} ms (SNAPSHOT_PUSH_DELAY_MS 250).`,
    `Monitor ready (informers listed) and RSS: no cluster ${off.readyMs} ms / ${off.rss} MiB; 3 nodes ${demo.readyMs} ms / ${demo.rss} MiB; ${NODES} nodes + ${PODS} pods ${monitor.readyMs} ms / ${rssLoaded} MiB.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  await gateway.stop();
  await monitor.proc.stop();
  rmSync(monitor.dir, { recursive: true, force: true });
  await server.close();
  await nats.stop();
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
