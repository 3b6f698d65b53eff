/**
 * The scaling slice at scale, against bare node:http servers serving the same bytes, in one run:
 *   - the fake API server (in this process) with BENCH_NODES nodes and BENCH_PODS pods
 *     (`largeCluster`); nats-server, the scaling-monitor and a gateway as their own processes
 *     (the production bundles, the deployed shape);
 *   - the monitor's start: time to /ready (every informer listed) and its RSS, the peak while it
 *     lists and 2 s after; also without a cluster and with the demo's 3 nodes;
 *   - wrk (alternating targets, median of the rounds), each next to a bare server in its own
 *     process serving the same bytes: GET /scaling; its JSON twin /api/v1/scaling?nodes=0; the
 *     whole snapshot /api/v1/scaling (SNAPSHOT_MAX_NODES nodes by name); a page of cards
 *     /api/v1/scaling/nodes; then /scaling and /api/v1/scaling while a node changes every 50 ms
 *     (each change invalidates the monitor's snapshot and the gateway's rendering);
 *   - pushes: from a watch event (a pod turning Pending) to the HTML fragment at a /scaling/live
 *     client (with the sections and bytes of that push) and to the whole snapshot at an
 *     /api/v1/stream/scaling client;
 *   - the monitor's RSS after all of it.
 *
 *   bash scripts/run.sh build && .tools/bin/node dist/bench/scaling.bench.js
 *       BENCH_NODES=5000 BENCH_PODS=150000 BENCH_SECONDS=6 BENCH_ROUNDS=3 BENCH_CONNECTIONS=50
 *       BENCH_MONITOR_NODE_OPTIONS (default: the chart's scalingMonitor.nodeOptions)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import {
  FakeKubeApiServer,
  ManagedProcess,
  NatsServer,
  SseClient,
  type SseMessage,
  componentEntry,
  distPath,
  freePort,
  guardRequireArgs,
  imageRuntimeEnv,
  isolatedEnv,
  kubeFixtures as fx,
  largeCluster,
  largeClusterNodeName,
  nodeBin,
  processRssBytes,
  repoRoot,
  scalingScenario,
  startNodeProcess,
  waitFor,
} from '@eks-info/testing';
import { type LoadResult, bareServerProcess, compare, fetchBody, machine, table } from './support';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const NODES = Number(process.env.BENCH_NODES ?? 500);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const PUSHES = Number(process.env.BENCH_PUSHES ?? 20);
const PENDING = 25;

const MiB = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const KB = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * values.length) - 1)];
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds a process has used (user + system, from /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Monitor {
  proc: ManagedProcess;
  readyMs: number;
  /** CPU seconds it used until ready (on a shared machine, steadier than the wall time). */
  readyCpu: number;
  /** Highest RSS seen (sampled every 100 ms) until ready. */
  peakBytes: number;
  dir: string;
}

/** The chart's NODE_OPTIONS for the scaling-monitor (helm/eks-info/values.yaml), or BENCH_MONITOR_NODE_OPTIONS to compare others. */
const MONITOR_NODE_OPTIONS =
  process.env.BENCH_MONITOR_NODE_OPTIONS ??
  (parse(readFileSync(path.join(repoRoot, 'helm/eks-info/values.yaml'), 'utf8')) as { scalingMonitor: { nodeOptions?: string } }).scalingMonitor.nodeOptions ??
  '';

/**
 * The monitor as the image and the chart run it (its bundle, no source maps, the image's
 * MALLOC_ARENA_MAX, the chart's NODE_OPTIONS), its RSS sampled while it starts.
 */
async function startMonitor(natsUrl: string, env: Record<string, string>): Promise<Monitor> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'scaling-bench-'));
  const started = Date.now();
  const proc = new ManagedProcess({
    name: 'scaling-monitor',
    command: nodeBin,
    args: [...guardRequireArgs(), distPath(componentEntry('scaling-monitor'))],
    env: isolatedEnv({
      ...imageRuntimeEnv(),
      NODE_OPTIONS: MONITOR_NODE_OPTIONS,
      NATS_URL: natsUrl,
      MANAGEMENT_PORT: String(port),
      MANAGEMENT_HOST: '127.0.0.1',
      HISTORY_PATH: dir,
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '0',
      ...env,
    }),
    cwd: repoRoot,
  });
  let peakBytes = 0;
  const sampler = setInterval(() => {
    if (proc.running) peakBytes = Math.max(peakBytes, processRssBytes(proc.pid));
  }, 100);
  try {
    await waitFor(
      async () => {
        if (!proc.running) throw new Error(`scaling-monitor exited:\n${proc.tail()}`);
        return (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined))?.status === 200;
      },
      { timeoutMs: 120_000, intervalMs: 50, what: 'the scaling-monitor to be ready' },
    );
  } catch (err) {
    proc.killNow();
    throw err;
  } finally {
    clearInterval(sampler);
  }
  return { proc, readyMs: Date.now() - started, readyCpu: cpuSeconds(proc.pid), peakBytes: Math.max(peakBytes, processRssBytes(proc.pid)), dir };
}

async function stopMonitor(m: Monitor): Promise<void> {
  await m.proc.stop();
  rmSync(m.dir, { recursive: true, force: true });
}

/** Start, 2 s idle, RSS, stop. */
async function idle(natsUrl: string, env: Record<string, string>): Promise<{ readyMs: number; rss: number }> {
  const m = await startMonitor(natsUrl, env);
  await pause(2000);
  const rss = processRssBytes(m.proc.pid);
  await stopMonitor(m);
  return { readyMs: m.readyMs, rss };
}

/** A pod in the watched namespace that no node can take. */
const pendingPod = (i: number) =>
  fx.pod({ name: `bench-pending-${i}`, namespace: 'demo', unschedulable: '', containers: [{ name: 'app', requests: { cpu: '4' } }] });

export async function scalingBench(): Promise<string> {
  const nats = await NatsServer.start();
  const cleanup: Array<() => Promise<void>> = [() => nats.stop()];
  try {
    const off = await idle(nats.url, { KUBE_MODE: 'off' });
    const small = await FakeKubeApiServer.start({ objects: scalingScenario({ start: new Date() }).baseline, karpenter: false });
    const demo = await idle(nats.url, { KUBE_MODE: 'kubeconfig', KUBECONFIG: small.writeKubeconfig(), WATCH_NAMESPACE: 'demo' });
    await small.close();

    const server = await FakeKubeApiServer.start({ objects: largeCluster({ nodes: NODES, pods: PODS, pending: PENDING }), karpenter: false });
    cleanup.unshift(() => server.close());
    const monitor = await startMonitor(nats.url, { KUBE_MODE: 'kubeconfig', KUBECONFIG: server.writeKubeconfig(), WATCH_NAMESPACE: 'demo' });
    cleanup.unshift(() => stopMonitor(monitor));
    const port = await freePort();
    const gateway = await startNodeProcess({
      name: 'gateway',
      entry: componentEntry('gateway'),
      env: { NATS_URL: nats.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', READ_RATE_LIMIT_PER_MINUTE: '0' },
      readyUrl: `http://127.0.0.1:${port}/ready`,
      sourceMaps: false, // as the image runs
    });
    cleanup.unshift(async () => void (await gateway.stop()));
    const base = `http://127.0.0.1:${port}`;
    await pause(2000);
    const rssStarted = processRssBytes(monitor.proc.pid);

    const t = {
      page: { name: '`GET /scaling`', url: `${base}/scaling` },
      twin: { name: "`GET /api/v1/scaling?nodes=0` (the page's JSON twin)", url: `${base}/api/v1/scaling?nodes=0` },
      whole: { name: '`GET /api/v1/scaling` (nodes listed by name, up to SNAPSHOT_MAX_NODES)', url: `${base}/api/v1/scaling` },
      cards: { name: '`GET /api/v1/scaling/nodes?state=attention`', url: `${base}/api/v1/scaling/nodes?state=attention` },
    };
    const bodies = {
      page: await fetchBody(t.page.url),
      twin: await fetchBody(t.twin.url),
      whole: await fetchBody(t.whole.url),
      cards: await fetchBody(t.cards.url),
    };
    const bare: Record<keyof typeof bodies, { name: string; url: string; close: () => Promise<void> }> = {} as never;
    for (const [key, b] of Object.entries(bodies) as Array<[keyof typeof bodies, { body: Buffer; type: string }]>) {
      const s = await bareServerProcess(b.body, b.type);
      cleanup.unshift(s.close);
      bare[key] = { ...s, name: `bare node:http, the same ${KB(b.body.length)}` };
    }

    const options = { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS };
    const quiet = await compare([bare.page, t.page, bare.twin, t.twin, bare.whole, t.whole, bare.cards, t.cards], options);

    // A node changes every 50 ms while wrk runs (bounded by the runs themselves).
    let round = 0;
    const churner = setInterval(() => {
      server.patch(`nodes/${largeClusterNodeName(round % NODES)}`, (n) => Object.assign(n.metadata.labels!, { 'bench/round': String(round) }));
      round++;
    }, 50);
    const churnPage = { name: '`GET /scaling`, a node changing every 50 ms', url: t.page.url };
    const churnWhole = { name: '`GET /api/v1/scaling`, a node changing every 50 ms', url: t.whole.url };
    let churn: LoadResult[];
    try {
      churn = await compare([bare.page, churnPage, bare.whole, churnWhole], options);
    } finally {
      clearInterval(churner);
    }

    // Pushes: a pod turns Pending; when does each kind of client have it?
    const html = await SseClient.open(`${base}/scaling/live`);
    const json = await SseClient.open(`${base}/api/v1/stream/scaling`);
    const htmlPush: number[] = [];
    const jsonPush: number[] = [];
    const pushBytes: number[] = [];
    const pushSections = new Map<string, number>();
    try {
      await html.next((m) => m.event === 'live-version', { timeoutMs: 30_000 });
      await json.next((m) => m.event === 'snapshot', { timeoutMs: 30_000 });
      const pending = (m: SseMessage) => json.json<{ pending: { data?: { total: number } } }>(m).pending.data?.total ?? -1;
      for (let i = 0; i < PUSHES; i++) {
        const started = Date.now();
        server.upsert(pendingPod(i));
        const fragment = await html.next((m) => m.event === 'scaling-pending' && m.data.includes(`bench-pending-${i}`), { from: started, timeoutMs: 10_000 });
        htmlPush.push(fragment.at - started);
        const end = await html.next((m) => m.event === 'live-version', { from: fragment.at, timeoutMs: 10_000 });
        const push = html.messages.filter((m) => m.at >= started && m.at <= end.at && m.event !== 'live-version');
        pushBytes.push(push.reduce((sum, m) => sum + Buffer.byteLength(m.data), 0));
        for (const m of push) pushSections.set(m.event, (pushSections.get(m.event) ?? 0) + 1);
        const snap = await json.next((m) => m.event === 'snapshot' && pending(m) >= PENDING + 1 + i, { from: started, timeoutMs: 10_000 });
        jsonPush.push(snap.at - started);
        await pause(300);
      }
    } finally {
      await html.close();
      await json.close();
    }
    const rssAfter = processRssBytes(monitor.proc.pid);

    const by = (list: LoadResult[], name: string) => list.find((r) => r.name === name)!;
    const q = (name: string) => by(quiet, name);
    const c = (name: string) => by(churn, name);
    const sizes = (key: keyof typeof bodies) => KB(bodies[key].body.length);
    const stats = (values: number[]) => `p50 ${percentile(values, 50)} ms, p99 ${percentile(values, 99)} ms, max ${Math.max(...values)} ms`;
    return [
      `### Scaling at ${NODES.toLocaleString('en-US')} nodes / ${PODS.toLocaleString('en-US')} pods — ${machine()}, wrk -t1 -c${CONNECTIONS}, ${ROUNDS} rounds × ${SECONDS} s, medians, ${new Date().toISOString().slice(0, 16)}Z`,
      '',
      table([
        { result: q(bare.page.name), base: q(bare.page.name) },
        { result: q(t.page.name), base: q(bare.page.name), note: `${sizes('page')}; budget ≤ 300 KB, p99 ≤ 150 ms` },
        { result: q(bare.twin.name), base: q(bare.twin.name) },
        { result: q(t.twin.name), base: q(bare.twin.name), note: sizes('twin') },
        { result: q(bare.whole.name), base: q(bare.whole.name) },
        { result: q(t.whole.name), base: q(bare.whole.name), note: `${sizes('whole')}; budget: snapshot p50 ≤ 100 ms` },
        { result: q(bare.cards.name), base: q(bare.cards.name) },
        { result: q(t.cards.name), base: q(bare.cards.name), note: sizes('cards') },
        { result: c(bare.page.name), base: c(bare.page.name), note: 'same run as the two below' },
        { result: c(churnPage.name), base: c(bare.page.name) },
        { result: c(bare.whole.name), base: c(bare.whole.name) },
        { result: c(churnWhole.name), base: c(bare.whole.name) },
      ]),
      '',
      `Push after a watch event (a pod turning Pending, ${PUSHES} times; SNAPSHOT_PUSH_DELAY_MS 250, live sections rendered at most every 500 ms; budget ≤ 1 s):`,
      `- \`/scaling/live\` (HTML fragments of the changed sections): ${stats(htmlPush)}; ${KB(percentile(pushBytes, 50))} per push (median), sections pushed: ${[...pushSections].map(([s, n]) => `${s} ×${n}`).join(', ')}`,
      `- \`/api/v1/stream/scaling\` (the whole snapshot, ${sizes('whole')}): ${stats(jsonPush)}`,
      '',
      `Monitor (budget: ready ≤ 5 s, RSS ≤ 1 GiB): ${NODES.toLocaleString('en-US')} nodes / ${PODS.toLocaleString('en-US')} pods ready in ${(monitor.readyMs / 1000).toFixed(1)} s (${monitor.readyCpu.toFixed(1)} s of CPU), RSS peak ${MiB(monitor.peakBytes)} MiB while listing, ${MiB(rssStarted)} MiB 2 s after ready, ${MiB(rssAfter)} MiB after the load above; no cluster ready in ${(off.readyMs / 1000).toFixed(1)} s / ${MiB(off.rss)} MiB; the demo's 3 nodes ready in ${(demo.readyMs / 1000).toFixed(1)} s / ${MiB(demo.rss)} MiB.`,
    ].join('\n');
  } finally {
    for (const stop of cleanup) await stop().catch(() => undefined);
  }
}

if (require.main === module) {
  scalingBench().then(
    (md) => process.stdout.write(`${md}\n`),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
