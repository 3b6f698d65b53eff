import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AwsClients, NodePrices } from '@eks-info/aws';
import type { ClusterCost, ResponseTimeChain, Section } from '@eks-info/contracts';
import { ApiDiscovery, InformerHub, type KubeSettings, MetricsPoller, loadKubeAccess } from '@eks-info/kube';
import { FakeKubeApiServer, MotoServer, PricingStandIn, scalingScenario, waitFor } from '@eks-info/testing';
import { ScalingCollector } from '../collector/scaling.collector';
import { HistoryService } from '../history/history.service';
import { HistoryStore } from '../history/history.store';
import { SnapshotService } from '../snapshot/snapshot.service';
import { PriceBook } from './price-book';

// The scaling-monitor's cost sections with every part real: the fake Kubernetes API server over
// HTTPS playing the scripted scale-out (a pod goes Pending, an on-demand m7g.large joins in
// eu-west-1a at 75 s and is removed at 560 s), moto over HTTP for the spot prices, and the Price
// List stand-in over HTTP, reached through the SDK's endpoint setting, for the on-demand ones.

const ON_DEMAND = 0.0892; // what the stand-in lists for m7g.large in eu-west-1
const MOTO_SPOT = 0.00001; // moto's spot price for every offering

let server: FakeKubeApiServer | undefined;
let moto: MotoServer;
let standIn: PricingStandIn;
let dir: string;
const running: Array<() => Promise<void>> = [];

beforeAll(async () => {
  [moto, standIn] = await Promise.all([
    MotoServer.start({ region: 'eu-west-1' }),
    PricingStandIn.start({ prices: [{ instanceType: 'm7g.large', regionCode: 'eu-west-1', usd: '0.0892000000' }] }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([moto?.stop(), standIn?.stop()]);
});

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'scaling-cost-'));
  standIn.mode = 'ok';
});

afterEach(async () => {
  for (const stop of running.splice(0)) await stop();
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function start(credentials = { accessKeyId: 'test', secretAccessKey: 'test' }) {
  const settings: KubeSettings = {
    KUBE_MODE: 'kubeconfig',
    KUBECONFIG: server!.writeKubeconfig(),
    WATCH_NAMESPACE: 'demo',
    KUBE_WATCHDOG_SECONDS: 5,
    KUBE_METRICS_POLL_SECONDS: 300,
  };
  const access = loadKubeAccess(settings);
  if (!access.ok) throw new Error(access.error.message);
  const { kubeConfig } = access.access;
  const hub = new InformerHub({ kubeConfig, watchdogMs: 5000, backoffBaseMs: 100, backoffMaxMs: 1000 });
  const discovery = new ApiDiscovery(kubeConfig);
  const metrics = new MetricsPoller({ kubeConfig, discovery, intervalMs: 60_000, podNamespace: 'demo' });
  const collector = new ScalingCollector({
    namespace: 'demo',
    autoscalerNamespace: 'kube-system',
    hub,
    discovery,
    metrics,
    store: new HistoryStore({ dir, retentionDays: 7 }),
    sampleIntervalMs: 500,
    retentionDays: 7,
    maxNodes: 1000,
  });
  const clients = new AwsClients({
    region: 'eu-west-1',
    requestTimeoutMs: 3000,
    connectTimeoutMs: 1000,
    maxAttempts: 1,
    inKubernetes: false,
    credentials,
    endpoints: { ec2: moto.endpoint, pricing: standIn.endpoint },
  });
  const prices = new NodePrices({ pricing: () => clients.pricing, ec2: () => clients.ec2, ttlMs: 12 * 3_600_000, errorTtlMs: 300_000 });
  const book = new PriceBook(prices, collector.state, { pricingRegion: 'us-east-1', cacheHours: 12, simulated: false });
  collector.start();
  running.push(async () => {
    metrics.stop();
    await hub.stop();
    await collector.stop();
    clients.destroy();
  });
  return { collector, book, snapshots: new SnapshotService(collector, { prices: book }), history: new HistoryService(collector, 500, Date.now, book) };
}

async function costOnce(snapshots: SnapshotService, settled: (c: Section<ClusterCost> | undefined) => boolean): Promise<Section<ClusterCost>> {
  return waitFor(
    async () => {
      const c = (await snapshots.snapshot()).cost;
      return settled(c) ? c : undefined;
    },
    { timeoutMs: 10_000, what: 'the cost section' },
  ) as Promise<Section<ClusterCost>>;
}

describe('cost sections', () => {
  it('prices the nodes by type, capacity type and zone, and costs the node the scale-out added for as long as it lived', async () => {
    const scenario = scalingScenario({ start: new Date(Date.now() - 600_000) });
    server = await FakeKubeApiServer.start({ objects: scenario.baseline, karpenter: false });
    const { collector, snapshots, history } = start();
    await waitFor(() => collector.readiness().ok, { timeoutMs: 10_000, what: 'synced informers' });

    const cost = await costOnce(snapshots, (c) => c?.status === 'ok' && c.data.pricedNodes === 3);
    if (cost.status !== 'ok') throw new Error(cost.message);
    // Two on-demand nodes (eu-west-1a, eu-west-1b) and one spot node (eu-west-1c) in the scenario's baseline.
    expect(cost.data.totalUsdPerHour).toBeCloseTo(2 * ON_DEMAND + MOTO_SPOT, 9);
    expect(cost.data.unpricedNodes).toBe(0);
    expect(cost.data.rows.map((r) => [r.capacityType, r.zone, r.nodes, r.usdPerHour, r.source])).toEqual([
      ['on-demand', 'eu-west-1a', 1, ON_DEMAND, 'pricing:GetProducts'],
      ['on-demand', 'eu-west-1b', 1, ON_DEMAND, 'pricing:GetProducts'],
      ['spot', 'eu-west-1c', 1, MOTO_SPOT, 'ec2:DescribeSpotPriceHistory'],
    ]);
    const snap = await snapshots.snapshot();
    if (snap.nodeCards.status !== 'ok') throw new Error(snap.nodeCards.message);
    expect(Object.fromEntries(snap.nodeCards.data.nodes.map((n) => [n.name, n.usdPerHour]))).toEqual({
      [scenario.names.nodes[0]]: ON_DEMAND,
      [scenario.names.nodes[1]]: ON_DEMAND,
      [scenario.names.nodes[2]]: MOTO_SPOT,
    });

    // The scale-out and the scale-in, step by step.
    for (const step of scenario.steps) {
      const before = collector.state.version;
      step.apply(server);
      await waitFor(() => collector.state.version > before, { timeoutMs: 5000, what: `step ${step.at}` }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
    }
    const newNode = scenario.names.newNode;
    await waitFor(() => collector.store.events().some((e) => e.event_type === 'node_removed' && e.object.name === newNode), {
      timeoutMs: 10_000,
      what: 'the node removal',
    });
    await new Promise((r) => setTimeout(r, 300));

    // It lived from 75 s to 560 s of the script (its deletion): 485 s at the on-demand price.
    const lived = 485 / 3600;
    const view = history.history({ hours: 1 });
    if (view.responseTimes.status !== 'ok') throw new Error(view.responseTimes.message);
    const nodeChain = view.responseTimes.data.chains.find((c: ResponseTimeChain) => c.type === 'node_created_to_ready' && c.subject === newNode);
    expect(nodeChain?.cost).toMatchObject({ addedUsdPerHour: ON_DEMAND, unpricedNodes: 0, running: false });
    expect(nodeChain?.cost?.nodes).toHaveLength(1);
    expect(nodeChain?.cost?.nodes[0]).toMatchObject({
      name: newNode,
      capacityType: 'on-demand',
      zone: 'eu-west-1a',
      createdAt: new Date(scenario.start.getTime() + 75_000).toISOString(),
      removedAt: new Date(scenario.start.getTime() + 560_000).toISOString(),
    });
    expect(nodeChain!.cost!.nodes[0].hours).toBeCloseTo(lived, 5);
    expect(nodeChain!.cost!.usd).toBeCloseTo(ON_DEMAND * lived, 6);
    // The pod that waited for that node carries the same node's cost, and so does the HPA scale-up (2 → 4) whose
    // second new pod went Pending and was scheduled there.
    const waited = view.responseTimes.data.chains.find((c) => c.type === 'pending_to_node_ready');
    expect(waited?.cost?.nodes.map((n) => n.name)).toEqual([newNode]);
    const decision = view.responseTimes.data.chains.find((c) => c.type === 'hpa_to_pods_ready');
    expect(decision?.cost?.nodes.map((n) => n.name)).toEqual([newNode]);
    expect(decision!.cost!.usd).toBeCloseTo(ON_DEMAND * lived, 6);

    // The stress page's window (the whole script): the cluster's $/h now and the node added in it.
    const page = history.events({ since: scenario.start.toISOString(), until: new Date().toISOString(), workload: 'Deployment/stress' });
    expect(page.cost?.status).toBe('ok');
    if (page.cost?.status !== 'ok') return;
    expect(page.cost.data.clusterUsdPerHour).toBeCloseTo(2 * ON_DEMAND + MOTO_SPOT, 9);
    expect(page.cost.data.nodes.map((n) => n.name)).toEqual([newNode]);
    expect(page.cost.data.addedUsdPerHour).toBe(ON_DEMAND);
    expect(page.cost.data.usd).toBeCloseTo(ON_DEMAND * lived, 6);
  }, 60_000);

  it('names the IAM actions when the Pricing API and EC2 deny the lookups, and shows no price', async () => {
    const user = await moto.createIamUser('monitor-without-spot', ['ec2:DescribeInstances']);
    await moto.enforceIam();
    standIn.mode = 'deny';
    const scenario = scalingScenario({ start: new Date(Date.now() - 600_000) });
    server = await FakeKubeApiServer.start({ objects: scenario.baseline, karpenter: false });
    const { collector, book, snapshots, history } = start(user);
    await waitFor(() => collector.readiness().ok, { timeoutMs: 10_000, what: 'synced informers' });

    const cost = await costOnce(snapshots, (c) => c?.status === 'error');
    if (cost.status !== 'error') throw new Error('expected a failed section');
    expect(cost.code).toBe('AWS.ACCESS_DENIED');
    expect(cost.message).toMatch(/^missing permission (pricing:GetProducts|ec2:DescribeSpotPriceHistory)$/);
    expect(cost.fix).toContain('in the IAM policy of this service');
    const snap = await snapshots.snapshot();
    if (snap.nodeCards.status !== 'ok') throw new Error(snap.nodeCards.message);
    expect(snap.nodeCards.data.nodes.map((n) => n.usdPerHour)).toEqual([null, null, null]);

    const page = history.events({ since: scenario.start.toISOString() });
    expect(page.cost?.status).toBe('error');
    if (page.cost?.status === 'error') expect(page.cost.message).toMatch(/^missing permission /);
    // Both actions are named, each with the nodes it leaves without a price (two on-demand, one spot).
    expect(
      book
        .clusterFigures()
        .problems.map((p) => [p.action, p.code, p.nodes])
        .sort(),
    ).toEqual([
      ['ec2:DescribeSpotPriceHistory', 'AWS.ACCESS_DENIED', 1],
      ['pricing:GetProducts', 'AWS.ACCESS_DENIED', 2],
    ]);
    expect(book.clusterFigures().totalUsdPerHour).toBe(0);
    expect(book.clusterFigures().pricedNodes).toBe(0);
  }, 60_000);
});
