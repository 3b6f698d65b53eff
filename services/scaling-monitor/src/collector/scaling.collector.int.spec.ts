import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiDiscovery, InformerHub, type KubeSettings, MetricsPoller, loadKubeAccess } from '@eks-info/kube';
import { FakeKubeApiServer, type ScalingScenario, kubeFixtures as fx, scalingScenario, waitFor } from '@eks-info/testing';
import { HistoryService } from '../history/history.service';
import { HistoryStore } from '../history/history.store';
import { SnapshotService } from '../snapshot/snapshot.service';
import { ScalingCollector } from './scaling.collector';

// The collector against the fake API server over HTTPS, driven by the scripted scenario: the
// events and response times it records must be exactly those the script's timestamps imply.

let server: FakeKubeApiServer;
let dir: string;
const running: Array<() => Promise<void>> = [];

interface Started {
  collector: ScalingCollector;
  snapshots: SnapshotService;
  history: HistoryService;
}

function startCollector(historyDir: string = dir): Started {
  const settings: KubeSettings = {
    KUBE_MODE: 'kubeconfig',
    KUBECONFIG: server.writeKubeconfig(),
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
    store: new HistoryStore({ dir: historyDir, retentionDays: 7 }),
    sampleIntervalMs: 500,
    retentionDays: 7,
    maxNodes: 1000,
  });
  collector.start();
  running.push(async () => {
    metrics.stop();
    await hub.stop();
    await collector.stop();
  });
  return { collector, snapshots: new SnapshotService(collector), history: new HistoryService(collector, 500) };
}

const synced = (c: ScalingCollector) => waitFor(() => c.readiness().ok, { timeoutMs: 10_000, what: 'synced informers' });

/** Events of the scenario's time span as [type, object name, time], sorted like the expectation. */
function scenarioEvents(c: ScalingCollector, scenario: ScalingScenario): Array<[string, string, string]> {
  return c.store
    .events(scenario.start.getTime(), Infinity)
    .map((e): [string, string, string] => [e.event_type, e.object.name, e.timestamp])
    .sort((a, b) => a[2].localeCompare(b[2]) || a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
}

function expectedEvents(scenario: ScalingScenario): Array<[string, string, string]> {
  return scenario.expected.events
    .map((e): [string, string, string] => [e.type, e.name, e.at])
    .sort((a, b) => a[2].localeCompare(b[2]) || a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'scaling-history-'));
});

afterEach(async () => {
  for (const stop of running.splice(0)) await stop();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ScalingCollector with the scripted scenario', () => {
  it('records exactly the scripted events and response times, and explains each HPA state', async () => {
    // The script ends about now, so its timestamps are recent history.
    const scenario = scalingScenario({ start: new Date(Date.now() - 600_000) });
    server = await FakeKubeApiServer.start({ objects: scenario.baseline, karpenter: false });
    const { collector, snapshots, history } = startCollector();
    await synced(collector);
    const step = async (at: number, settled: () => boolean | Promise<boolean>) => {
      for (const s of scenario.steps.filter((x) => x.at === at)) s.apply(server);
      await waitFor(settled, { timeoutMs: 5000, what: `the collector to see scripted second ${at}` });
    };
    const hpa = async () => {
      const snap = await snapshots.snapshot();
      if (snap.hpas.status !== 'ok') throw new Error(snap.hpas.message);
      return snap.hpas.data[0];
    };

    const before = await snapshots.snapshot();
    expect(before.summary).toMatchObject({ status: 'ok', data: { nodes: 3, nodesReady: 3, pending: 0, hpas: 1 } });
    // Requests summed per node from the pods (node 1: kube-proxy 100m + aws-node 25m + coredns 100m + gateway 250m + stress 800m).
    if (before.nodes.status !== 'ok') throw new Error(before.nodes.message);
    expect(before.nodes.data.nodes.map((n) => [n.name, n.cpu.requested, n.pods.count, n.capacityType])).toEqual([
      [scenario.names.nodes[0], 1275, 5, 'on-demand'],
      [scenario.names.nodes[1], 1275, 5, 'on-demand'],
      [scenario.names.nodes[2], 825, 6, 'spot'],
    ]);
    expect(before.clusterAutoscaler).toMatchObject({ status: 'ok', data: { health: 'Healthy (ready=3 registered=3)', scaleUp: 'NoActivity' } });
    expect(before.karpenter).toMatchObject({ status: 'unavailable', code: 'SCALING.NOT_INSTALLED' });
    // The informer caches hold what the collector reads (POD_CACHE, NODE_CACHE), not whole objects.
    const { pods: podCache, nodes: nodeCache } = collector.informerSet()!;
    expect(podCache.list().length).toBeGreaterThan(0);
    for (const p of podCache.list()) {
      expect(p.status).not.toHaveProperty('containerStatuses');
      expect(p.spec?.containers?.[0]).not.toHaveProperty('image');
    }
    for (const n of nodeCache.list()) expect(n.status).not.toHaveProperty('nodeInfo');

    await step(20, async () => (await hpa()).metrics[0].current === 115);
    expect((await hpa()).explanation).toEqual([
      'cpu: 115 % of requests vs target 60 %: ceil(2 × 115 / 60) = ceil(3.83) = 4.',
      'The HPA will scale up to 4 at its next sync (every 15 s).',
    ]);
    await step(30, async () => (await hpa()).desiredReplicas === 4);
    expect((await hpa()).state).toBe('scaling-up');
    await step(31, () => collector.store.events().filter((e) => e.event_type === 'pod_created').length === 2);
    await step(32, async () => {
      const snap = await snapshots.snapshot();
      return snap.pending.status === 'ok' && snap.pending.data.total === 1;
    });
    await step(33, async () => {
      const snap = await snapshots.snapshot();
      return snap.pending.status === 'ok' && snap.pending.data.pods[0].autoscaler !== null;
    });
    const pending = await snapshots.snapshot();
    if (pending.pending.status !== 'ok') throw new Error(pending.pending.message);
    expect(pending.pending.data.pods[0]).toMatchObject({
      name: scenario.names.newPods[1],
      workload: 'Deployment/stress',
      reason: 'Unschedulable',
      message: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      cpuRequestMillis: 800,
      since: new Date(scenario.start.getTime() + 32_000).toISOString(),
    });
    expect(pending.pending.data.pods[0].autoscaler).toContain('TriggeredScaleUp: pod triggered scale-up');
    expect(pending.clusterAutoscaler).toMatchObject({ status: 'ok', data: { scaleUp: 'InProgress', nodeGroups: [{ target: 4, minSize: 2, maxSize: 6 }] } });

    for (const at of [40, 75, 120, 122, 131]) {
      await step(at, () => collector.store.events().some((e) => Date.parse(e.timestamp) === scenario.start.getTime() + at * 1000));
    }
    await step(160, async () => (await hpa()).state === 'held');
    const held = await hpa();
    expect(held.computedReplicas).toBe(2);
    expect(held.explanation).toContain(
      'Not scaling down because of the scale-down stabilisation window (5 min): the HPA applies the highest recommendation of the last 5 min, and the load was higher within it.',
    );
    // The hold began with the ScaleDownStabilized condition at 160 s: 300 s later.
    expect(held.scaleDownNotBefore).toBe(new Date(scenario.start.getTime() + 460_000).toISOString());
    for (const at of [460, 461, 490, 500, 540, 560, 570]) {
      await step(at, () => collector.store.events().length > 0 && scenario.steps.length > 0);
    }
    await waitFor(() => scenarioEvents(collector, scenario).length >= scenario.expected.events.length, { timeoutMs: 5000, what: 'every scripted event' });
    // Settle: nothing more arrives.
    await new Promise((r) => setTimeout(r, 500));

    expect(scenarioEvents(collector, scenario)).toEqual(expectedEvents(scenario));
    const decision = collector.store.events().find((e) => e.event_type === 'hpa_scale_up')!;
    expect(decision).toMatchObject({
      trigger: 'cpu 115 % of requests > target 60 %',
      result: '2 → 4 replicas',
      time_source: 'object',
      details: { replicas_before: 2, replicas_after: 4, metric_value: 115, threshold: 60, workload: 'Deployment/stress' },
    });

    const view = history.history({ hours: 1 });
    if (view.responseTimes.status !== 'ok') throw new Error(view.responseTimes.message);
    const stats = Object.fromEntries(view.responseTimes.data.stats.map((s) => [s.type, [s.count, s.average_seconds, s.p90_seconds]]));
    expect(stats).toEqual(Object.fromEntries(scenario.expected.chains.map((c) => [c.type, [1, c.seconds, c.seconds]])));
    expect(scenario.expected.chains.map((c) => c.seconds)).toEqual([101, 90, 45, 88, 20]);
    if (view.events.status !== 'ok') throw new Error(view.events.message);
    expect(view.events.data.total).toBe(scenario.expected.events.length);
    if (view.samples.status !== 'ok') throw new Error(view.samples.message);
    expect(view.samples.data.points.length).toBeGreaterThan(0);
    expect(view.samples.data.workloads).toContain('Deployment/stress');

    // The events query the stress page uses: only the stress workload, oldest first.
    const page = history.events({
      since: scenario.start.toISOString(),
      until: new Date(scenario.start.getTime() + 600_000).toISOString(),
      workload: 'Deployment/stress',
    });
    expect(page.events.map((e) => e.event_type)).toEqual([
      'hpa_scale_up',
      'pod_created',
      'pod_created',
      'pod_scheduled',
      'pod_pending',
      'pod_ready',
      'pod_scheduled',
      'pod_ready',
      'hpa_scale_down',
      'pod_deleted',
      'pod_deleted',
    ]);
    expect(page.chains.map((c) => [c.type, c.duration_seconds])).toEqual([
      ['hpa_to_pods_ready', 101],
      ['pending_to_scheduled', 90],
      ['pending_to_node_ready', 88],
    ]);

    const after = await snapshots.snapshot();
    expect(after.summary).toMatchObject({ status: 'ok', data: { nodes: 3, pending: 0 } });
    if (after.nodeEvents.status !== 'ok') throw new Error(after.nodeEvents.message);
    // Newest first; events of the same second (from different watches) in either order.
    const times = after.nodeEvents.data.map((e) => e.timestamp);
    expect(times).toEqual([...times].sort().reverse());
    expect(after.nodeEvents.data.map((e) => e.event_type).sort()).toEqual([
      'autoscaler_scale_down',
      'autoscaler_scale_up',
      'node_added',
      'node_draining',
      'node_ready',
      'node_removed',
    ]);
    // The scale-in: Cluster Autoscaler's taint drained the node before it went, and the removal says so.
    const drained = after.nodeEvents.data.find((e) => e.event_type === 'node_draining')!;
    expect(drained).toMatchObject({
      trigger: 'Cluster Autoscaler: removing the node (scale-down)',
      time_source: 'object',
      details: { source: 'cluster-autoscaler' },
    });
    expect(after.nodeEvents.data.find((e) => e.event_type === 'node_removed')!.trigger).toBe('Cluster Autoscaler: removing the node (scale-down)');
  });

  it('makes no list call per snapshot and serves repeated snapshots from one build', async () => {
    const scenario = scalingScenario({ start: new Date(Date.now() - 600_000) });
    server = await FakeKubeApiServer.start({ objects: scenario.baseline, karpenter: false });
    const { collector, snapshots } = startCollector();
    await synced(collector);
    const nonMetricLists = () => server.listCalls() - server.listCalls('NodeMetrics') - server.listCalls('PodMetrics');
    const lists = nonMetricLists();
    const first = await snapshots.snapshot();
    for (let n = 0; n < 20; n++) expect(await snapshots.snapshot()).toBe(first);
    scenario.steps[0].apply(server);
    await waitFor(async () => (await snapshots.snapshot()).version > first.version, { timeoutMs: 5000, what: 'a new version' });
    // No list for any view; the metrics poller's lists of metrics.k8s.io (on its own timer) are not counted.
    expect(nonMetricLists()).toBe(lists);
  });
});

describe('ScalingCollector with an unusable history volume', () => {
  it('keeps collecting and answering, says why nothing is persisted, and is not ready', async () => {
    const scenario = scalingScenario({ start: new Date(Date.now() - 600_000) });
    server = await FakeKubeApiServer.start({ objects: scenario.baseline, karpenter: false });
    const file = path.join(dir, 'not-a-directory');
    writeFileSync(file, '');
    const { collector, snapshots, history } = startCollector(file);
    await waitFor(async () => (await snapshots.snapshot()).summary.status === 'ok', { timeoutMs: 10_000, what: 'a snapshot' });
    const readiness = collector.readiness();
    expect(readiness.ok).toBe(false);
    expect(readiness.detail).toContain(`history at ${path.join(file, 'scaling-history.jsonl')}`);
    for (const at of [20, 30]) for (const s of scenario.steps.filter((x) => x.at === at)) s.apply(server);
    await waitFor(() => collector.store.events().some((e) => e.event_type === 'hpa_scale_up'), { timeoutMs: 5000, what: 'the HPA decision in memory' });
    const view = history.history({ hours: 1 });
    expect(view.events).toMatchObject({
      status: 'ok',
      note: expect.stringContaining(`Not persisted: the history volume (${path.join(file, 'scaling-history.jsonl')}) has a problem: EEXIST`),
    });
    expect((await snapshots.snapshot()).hpas.status).toBe('ok');
  });
});

describe('ScalingCollector recovery', () => {
  async function scenarioCluster(): Promise<{ scenario: ScalingScenario; started: Started }> {
    const scenario = scalingScenario({ start: new Date(Date.now() - 600_000) });
    server = await FakeKubeApiServer.start({ objects: scenario.baseline, karpenter: false });
    const started = startCollector();
    await synced(started.collector);
    return { scenario, started };
  }

  const nodeNames = async (s: SnapshotService) => {
    const snap = await s.snapshot();
    return snap.nodes.status === 'ok' ? snap.nodes.data.nodes.map((n) => n.name) : [];
  };

  it('relists after 410 Gone without counting anything twice, and catches up on what it missed', async () => {
    const { scenario, started } = await scenarioCluster();
    const { collector, snapshots } = started;
    const requested = async () => {
      const snap = await snapshots.snapshot();
      return snap.summary.status === 'ok' ? snap.summary.data.cpuRequestedMillis : -1;
    };
    const before = await requested();
    const lists = server.listCalls('pods');
    // Changes the open watches never deliver, then a compaction that expires their history.
    server.stallWatches();
    for (const s of scenario.steps.filter((x) => x.at <= 32)) s.apply(server);
    server.expireWatchHistory();
    await waitFor(() => server.listCalls('pods') > lists, { timeoutMs: 10_000, what: 'a relist of pods' });
    await waitFor(async () => (await requested()) === before + 800, { timeoutMs: 10_000, what: 'the scheduled pod in the node sums' });
    await waitFor(() => collector.store.events().filter((e) => e.event_type === 'pod_pending').length === 1, { timeoutMs: 5000, what: 'the pending pod' });
    const snap = await snapshots.snapshot();
    expect(snap.summary).toMatchObject({ status: 'ok', data: { pods: 18, pending: 1, nodes: 3 } });
    const ids = collector.store.events().map((e) => e.event_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      collector.store
        .events()
        .filter((e) => e.event_type === 'pod_created')
        .map((e) => e.object.name)
        .sort(),
    ).toEqual([...scenario.names.newPods].sort());
  });

  it('reconnects after dropped watch connections', async () => {
    const { started } = await scenarioCluster();
    const watches = server.watchCalls('nodes');
    expect(server.dropWatches()).toBeGreaterThan(0);
    await waitFor(() => server.watchCalls('nodes') > watches, { timeoutMs: 10_000, what: 'the nodes watch to reopen' });
    server.upsert(fx.node({ name: 'ip-10-0-9-90.eu-west-1.compute.internal', createdAt: new Date() }));
    await waitFor(async () => (await nodeNames(started.snapshots)).includes('ip-10-0-9-90.eu-west-1.compute.internal'), {
      timeoutMs: 10_000,
      what: 'the node added after the drop',
    });
    expect(started.collector.readiness().ok).toBe(true);
    expect(
      started.collector.store
        .events()
        .filter((e) => e.event_type === 'node_added')
        .map((e) => e.object.name),
    ).toEqual(['ip-10-0-9-90.eu-west-1.compute.internal']);
  });

  it('restarts a silent (stalled) watch with the watchdog and gets the changes it missed', async () => {
    const { started } = await scenarioCluster();
    const watches = server.watchCalls('nodes');
    server.stallWatches();
    server.upsert(fx.node({ name: 'ip-10-0-9-91.eu-west-1.compute.internal', createdAt: new Date() }));
    // Nothing arrives on the stalled watch; the 5 s watchdog re-watches from the last resourceVersion.
    await waitFor(async () => (await nodeNames(started.snapshots)).includes('ip-10-0-9-91.eu-west-1.compute.internal'), {
      timeoutMs: 15_000,
      what: 'the node added during the stall',
    });
    expect(server.watchCalls('nodes')).toBeGreaterThan(watches);
    expect(started.collector.store.events().filter((e) => e.event_type === 'node_added')).toHaveLength(1);
  }, 30_000);
});
