import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeErrors, type NodesPage, type ScalingSnapshot, normalizeNodesQuery } from '@eks-info/contracts';
import { ApiDiscovery, InformerHub, MetricsPoller, loadKubeAccess } from '@eks-info/kube';
import { FakeKubeApiServer, type KubeObject, kubeFixtures as fx, waitFor } from '@eks-info/testing';
import { HistoryStore } from '../history/history.store';
import { SnapshotService } from '../snapshot/snapshot.service';
import { ScalingCollector } from './scaling.collector';

// Per-pod usage on the /scaling node cards: the monitor's informers and its metrics.k8s.io poll
// against the fake API server over HTTPS, as in a cluster.

const MiB = 2 ** 20;
let server: FakeKubeApiServer;
let dir: string;
let stop: (() => Promise<void>) | undefined;

async function start(): Promise<{ collector: ScalingCollector; snapshots: SnapshotService; metrics: MetricsPoller }> {
  const access = loadKubeAccess({ KUBE_MODE: 'kubeconfig', KUBECONFIG: server.writeKubeconfig(), WATCH_NAMESPACE: 'demo' });
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
    store: new HistoryStore({ dir, retentionDays: 1 }),
    sampleIntervalMs: 60_000,
    retentionDays: 1,
    maxNodes: 100,
  });
  collector.start();
  stop = async () => {
    metrics.stop();
    await hub.stop();
    await collector.stop();
  };
  await waitFor(() => collector.readiness().ok, { timeoutMs: 10_000, what: 'synced informers' });
  await metrics.poll();
  return { collector, snapshots: new SnapshotService(collector), metrics };
}

function cards(snapshot: Pick<ScalingSnapshot, 'nodeCards'>): NodesPage {
  if (snapshot.nodeCards.status !== 'ok') throw new Error(snapshot.nodeCards.message);
  return snapshot.nodeCards.data;
}

const objects = (): KubeObject[] => [
  fx.node({ name: 'n1', cpuCores: 4, memoryGi: 16 }),
  fx.node({ name: 'n2', cpuCores: 4, memoryGi: 16 }),
  fx.nodeMetrics({ name: 'n1', cpuMillis: 900, memoryBytes: 3 * 2 ** 30 }),
  fx.nodeMetrics({ name: 'n2', cpuMillis: 300, memoryBytes: 2 * 2 ** 30 }),
  // Above its CPU request (250m of 100m), well within its limits.
  fx.pod({ name: 'web-a', node: 'n1', containers: [{ name: 'web', requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } }] }),
  fx.podMetrics({ name: 'web-a', containers: [{ name: 'web', cpuMillis: 250, memoryBytes: 100 * MiB }] }),
  // Two containers, one without limits: no ceiling; memory 240 MiB of 200 MiB requested.
  fx.pod({
    name: 'web-b',
    node: 'n1',
    containers: [
      { name: 'web', requests: { cpu: '200m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
      { name: 'log', requests: { cpu: '50m', memory: '72Mi' } },
    ],
  }),
  fx.podMetrics({
    name: 'web-b',
    containers: [
      { name: 'web', cpuMillis: 80, memoryBytes: 200 * MiB },
      { name: 'log', cpuMillis: 10, memoryBytes: 40 * MiB },
    ],
  }),
  // Memory at 95 % of its limit: about to be OOM-killed.
  fx.pod({ name: 'cache-0', node: 'n2', containers: [{ name: 'redis', requests: { cpu: '100m', memory: '200Mi' }, limits: { memory: '200Mi' } }] }),
  fx.podMetrics({ name: 'cache-0', containers: [{ name: 'redis', cpuMillis: 20, memoryBytes: 190 * MiB }] }),
  // Running but not sampled yet by metrics-server.
  fx.pod({ name: 'web-new', node: 'n2', containers: [{ name: 'web', requests: { cpu: '100m', memory: '128Mi' } }] }),
  // Another namespace: counted in the node's requests, not listed on the card.
  fx.pod({ name: 'other-1', namespace: 'team', node: 'n1', containers: [{ name: 'x', requests: { cpu: '300m', memory: '64Mi' } }] }),
];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'pod-usage-'));
});

afterEach(async () => {
  await stop?.();
  stop = undefined;
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('per-pod usage on the node cards', () => {
  it("shows each app pod's usage against its requests and limits and flags those above a request; the node list by name and the overview stay without it", async () => {
    server = await FakeKubeApiServer.start({ objects: objects(), karpenter: false });
    const { snapshots } = await start();
    const snap = await snapshots.snapshot({ nodes: 10 });
    const page = cards(snap);
    expect(page.podUsageProblem).toBeNull();
    const n1 = page.nodes.find((n) => n.name === 'n1')!;
    expect(n1.appPods).toEqual(['web-a', 'web-b']);
    expect(n1.podUsage).toEqual([
      {
        namespace: 'demo',
        name: 'web-a',
        node: 'n1',
        cpu: { used: 250, request: 100, limit: 500, ofRequestPercent: 250, ofLimitPercent: 50 },
        memory: { used: 100 * MiB, request: 128 * MiB, limit: 256 * MiB, ofRequestPercent: 78.1, ofLimitPercent: 39.1 },
        aboveRequest: ['cpu'],
        health: 'warn',
      },
      {
        namespace: 'demo',
        name: 'web-b',
        node: 'n1',
        cpu: { used: 90, request: 250, limit: null, ofRequestPercent: 36, ofLimitPercent: null },
        memory: { used: 240 * MiB, request: 200 * MiB, limit: null, ofRequestPercent: 120, ofLimitPercent: null },
        aboveRequest: ['memory'],
        health: 'warn',
      },
    ]);
    const n2 = page.nodes.find((n) => n.name === 'n2')!;
    expect(n2.podUsage?.map((p) => [p.name, p.memory.used, p.cpu.used, p.aboveRequest, p.health])).toEqual([
      ['cache-0', 190 * MiB, 20, [], 'error'],
      ['web-new', null, null, [], 'ok'],
    ]);
    // The node list by name (up to SNAPSHOT_MAX_NODES) and the overview carry no pod rows.
    if (snap.nodes.status !== 'ok' || snap.overview.status !== 'ok') throw new Error('sections not ok');
    expect(snap.nodes.data.nodes.every((n) => n.podUsage === undefined)).toBe(true);
    expect(JSON.stringify(snap.overview.data)).not.toContain('web-a');
    // The filtered node list (on demand) has them too.
    const listed = await snapshots.nodes(normalizeNodesQuery({ name: 'n1' }));
    if (listed.nodes.status !== 'ok') throw new Error(listed.nodes.message);
    expect(listed.nodes.data.nodes[0].podUsage?.map((p) => p.name)).toEqual(['web-a', 'web-b']);
  });

  it('follows the next poll: a pod that calms down loses its flag', async () => {
    server = await FakeKubeApiServer.start({ objects: objects(), karpenter: false });
    const { snapshots, metrics } = await start();
    server.upsert(fx.podMetrics({ name: 'web-a', containers: [{ name: 'web', cpuMillis: 60, memoryBytes: 100 * MiB }] }));
    await metrics.poll();
    const n1 = cards(await snapshots.snapshot()).nodes.find((n) => n.name === 'n1')!;
    expect(n1.podUsage?.[0]).toMatchObject({ name: 'web-a', cpu: { used: 60, ofRequestPercent: 60 }, aboveRequest: [], health: 'ok' });
  });

  it('marks a pod being deleted as Terminating, as the card lists it', async () => {
    server = await FakeKubeApiServer.start({ objects: objects(), karpenter: false });
    const { snapshots, collector } = await start();
    const version = collector.state.version;
    server.upsert(
      fx.pod({
        name: 'web-a',
        node: 'n1',
        deleting: new Date(Date.now() + 30_000).toISOString(),
        containers: [{ name: 'web', requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } }],
      }),
    );
    await waitFor(() => collector.state.version > version, { timeoutMs: 5000, what: 'the deletion seen' });
    const n1 = cards(await snapshots.snapshot()).nodes.find((n) => n.name === 'n1')!;
    expect(n1.appPods).toEqual(['web-a (Terminating)', 'web-b']);
    expect(n1.podUsage?.map((p) => [p.name, p.terminating ?? false, p.cpu.used])).toEqual([
      ['web-a', true, 250],
      ['web-b', false, 90],
    ]);
  });

  it('says metrics-server is missing and how to install it, keeping requests and limits on the cards', async () => {
    server = await FakeKubeApiServer.start({ objects: objects(), karpenter: false, metrics: false });
    const { snapshots } = await start();
    const page = cards(await snapshots.snapshot());
    expect(page.metricsAvailable).toBe(false);
    expect(page.podUsageProblem?.code).toBe(KubeErrors.API_NOT_FOUND.code);
    expect(page.podUsageProblem?.message).toContain('metrics.k8s.io is not installed');
    expect(page.podUsageProblem?.fix).toContain('https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml');
    expect(page.podUsageProblem?.fix).toContain('aws eks create-addon --cluster-name <name> --addon-name metrics-server');
    const n1 = page.nodes.find((n) => n.name === 'n1')!;
    expect(n1.podUsage?.map((p) => [p.name, p.cpu.used, p.cpu.request, p.memory.limit, p.aboveRequest])).toEqual([
      ['web-a', null, 100, 256 * MiB, []],
      ['web-b', null, 250, null, []],
    ]);
  });

  it('shows a refused pod metrics list as the problem while node usage goes on', async () => {
    server = await FakeKubeApiServer.start({ objects: objects(), karpenter: false });
    server.forbid('PodMetrics');
    const { snapshots } = await start();
    const page = cards(await snapshots.snapshot());
    expect(page.metricsAvailable).toBe(true);
    expect(page.nodes.find((n) => n.name === 'n1')?.cpu.used).toBe(900);
    expect(page.podUsageProblem?.code).toBe(KubeErrors.FORBIDDEN.code);
    expect(page.podUsageProblem?.message).toContain('pods');
  });
});
