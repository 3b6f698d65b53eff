import { KubeErrors } from '@eks-info/contracts';
import { type KubeContext, type KubeSettings, createKubeContext } from '@eks-info/kube';
import { FakeKubeApiServer, kubeFixtures as fx, waitFor } from '@eks-info/testing';
import { ResourcesCollector } from './resources.collector';

// The /resources view built from informers against the fake API server over HTTPS.

const NODE = 'ip-10-0-1-10';

function cluster(): ReturnType<typeof fx.pod>[] {
  return [
    fx.node({ name: NODE, instanceType: 'm7g.large', zone: 'eu-west-1a', cpuCores: 2 }),
    fx.node({ name: 'ip-10-0-2-20', instanceType: 'c7g.xlarge', zone: 'eu-west-1b', cpuCores: 4, capacityType: 'SPOT' }),
    fx.nodeMetrics({ name: NODE, cpuMillis: 965, memoryBytes: 2 * 1024 ** 3 }),
    fx.nodeMetrics({ name: 'ip-10-0-2-20', cpuMillis: 393, memoryBytes: 1024 ** 3 }),
    fx.pod({ name: 'web-1', node: NODE }),
    fx.pod({ name: 'stress-1', node: NODE, waiting: { reason: 'CrashLoopBackOff' }, restartCount: 4 }),
    fx.pod({ name: 'stress-2', unschedulable: '' }),
    fx.pod({ name: 'coredns-1', namespace: 'kube-system', node: NODE }),
    fx.service({ name: 'web', clusterIP: '172.20.0.10' }),
    fx.deployment({ name: 'web', replicas: 2 }),
    fx.statefulSet({ name: 'storage', replicas: 2, readyReplicas: 1 }),
    fx.ebsVolume({ name: 'pvc-ebs', volumeId: 'vol-0a1b2c3d4e5f60718', claim: { namespace: 'demo', name: 'data-storage-0' } }),
    fx.efsVolume({
      name: 'efs-shared',
      fileSystemId: 'fs-0123456789abcdef0',
      accessPointId: 'fsap-0fedcba9876543210',
      claim: { namespace: 'demo', name: 'shared' },
    }),
    fx.persistentVolumeClaim({ name: 'data-storage-0', volumeName: 'pvc-ebs' }),
    fx.persistentVolumeClaim({ name: 'shared', volumeName: 'efs-shared', storageClass: 'efs-sc', accessModes: ['ReadWriteMany'], size: '5Gi' }),
    fx.warningEvent({
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      involvedObject: { kind: 'Pod', name: 'stress-1' },
      lastTimestamp: '2025-07-01T10:05:00Z',
      count: 9,
    }),
    fx.warningEvent({
      reason: 'FailedScheduling',
      message: '0/2 nodes are available: 2 Insufficient cpu.',
      involvedObject: { kind: 'Pod', name: 'stress-2' },
      lastTimestamp: '2025-07-01T10:07:00Z',
    }),
    fx.event({ reason: 'Pulled', message: 'Container image pulled', involvedObject: { kind: 'Pod', name: 'web-1' } }),
    fx.warningEvent({ reason: 'Unhealthy', message: 'Readiness probe failed', involvedObject: { kind: 'Pod', name: 'coredns-1', namespace: 'kube-system' } }),
  ];
}

let server: FakeKubeApiServer;
let collector: ResourcesCollector;
let kube: KubeContext | undefined;

/** The collector as the environment module builds it, on a KubeContext for these settings. */
function collectorFor(settings: KubeSettings): ResourcesCollector {
  kube = createKubeContext(settings, { metricsIntervalMs: settings.KUBE_METRICS_POLL_SECONDS * 1000, podMetrics: 'namespace' });
  collector = new ResourcesCollector({
    namespace: kube.namespace,
    hub: kube.hub,
    metrics: kube.metrics,
    unavailable: kube.access.ok ? undefined : kube.access.error,
  });
  collector.start();
  return collector;
}

async function startCollector(): Promise<ResourcesCollector> {
  return collectorFor({
    KUBE_MODE: 'kubeconfig',
    KUBECONFIG: server.writeKubeconfig(),
    WATCH_NAMESPACE: 'demo',
    KUBE_WATCHDOG_SECONDS: 300,
    KUBE_METRICS_POLL_SECONDS: 300,
  });
}

afterEach(async () => {
  await kube?.stop();
  await server?.close();
});

describe('ResourcesCollector', () => {
  it('builds every section from the informer caches', async () => {
    server = await FakeKubeApiServer.start({ objects: cluster() });
    await startCollector();
    await waitFor(async () => (await collector.view()).nodes.status === 'ok' && collector.readiness().ok, { timeoutMs: 10_000, what: 'synced informers' });
    await waitFor(
      async () => {
        const v = await collector.view();
        return v.nodes.status === 'ok' && v.nodes.data.metricsAvailable;
      },
      { timeoutMs: 10_000, what: 'the first metrics poll' },
    );
    const view = await collector.view();

    expect(view.namespace).toBe('demo');
    if (view.pods.status !== 'ok') throw new Error(view.pods.message);
    expect(view.pods.data.map((p) => [p.name, p.reason, p.health])).toEqual([
      ['stress-1', 'CrashLoopBackOff', 'error'],
      ['stress-2', 'Pending (Unschedulable)', 'warn'],
      ['web-1', 'Running', 'ok'],
    ]);
    expect(view.services).toMatchObject({ status: 'ok', data: [{ name: 'web', clusterIP: '172.20.0.10', ports: ['80/TCP → 8080'] }] });
    if (view.workloads.status !== 'ok') throw new Error(view.workloads.message);
    expect(view.workloads.data.map((w) => [w.kind, w.name, `${w.ready}/${w.desired}`, w.health])).toEqual([
      ['Deployment', 'web', '2/2', 'ok'],
      ['StatefulSet', 'storage', '1/2', 'warn'],
    ]);
    expect(view.workloads.data[0].containers[0]).toMatchObject({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
    if (view.nodes.status !== 'ok') throw new Error(view.nodes.message);
    expect(view.nodes.data).toMatchObject({ metricsAvailable: true, metricsMessage: null });
    expect(view.nodes.data.metricsAt).not.toBeNull();
    expect(view.nodes.data.nodes.map((n) => [n.name, n.instanceType, n.cpuPercent])).toEqual([
      [NODE, 'm7g.large', 50],
      ['ip-10-0-2-20', 'c7g.xlarge', 10],
    ]);
    if (view.volumes.status !== 'ok') throw new Error(view.volumes.message);
    expect(view.volumes.data.persistentVolumes.map((v) => [v.name, v.driver, v.volumeHandle, v.claim])).toEqual([
      ['efs-shared', 'efs.csi.aws.com', 'fs-0123456789abcdef0::fsap-0fedcba9876543210', 'demo/shared'],
      ['pvc-ebs', 'ebs.csi.aws.com', 'vol-0a1b2c3d4e5f60718', 'demo/data-storage-0'],
    ]);
    expect(view.volumes.data.claims.map((c) => [c.name, c.status, c.volume])).toEqual([
      ['data-storage-0', 'Bound', 'pvc-ebs'],
      ['shared', 'Bound', 'efs-shared'],
    ]);
    if (view.warnings.status !== 'ok') throw new Error(view.warnings.message);
    expect(view.warnings.data.map((e) => [e.reason, e.object, e.count])).toEqual([
      ['FailedScheduling', 'Pod/stress-2', 1],
      ['BackOff', 'Pod/stress-1', 9],
    ]);
    expect(view.updatedAt).not.toBeNull();
  });

  it('makes no list call per view, and shows changes from the watches', async () => {
    server = await FakeKubeApiServer.start({ objects: cluster() });
    await startCollector();
    await waitFor(() => collector.readiness().ok, { timeoutMs: 10_000, what: 'synced informers' });
    await waitFor(
      async () => {
        const v = await collector.view();
        return v.nodes.status === 'ok' && v.nodes.data.metricsAvailable;
      },
      { timeoutMs: 10_000, what: 'the first metrics poll' },
    );
    const lists = server.listCalls();
    const watches = server.watchCalls();
    expect(lists).toBeGreaterThanOrEqual(8);

    for (let n = 0; n < 50; n++) await collector.view();
    server.upsert(fx.pod({ name: 'web-2', node: NODE }));
    await waitFor(
      async () => {
        const v = await collector.view();
        return v.pods.status === 'ok' && v.pods.data.some((p) => p.name === 'web-2');
      },
      { timeoutMs: 5000, what: 'the new pod in a view' },
    );

    expect(server.listCalls()).toBe(lists);
    expect(server.watchCalls()).toBe(watches);
  });

  it('degrades only the section whose resource is forbidden', async () => {
    server = await FakeKubeApiServer.start({ objects: cluster() });
    server.forbid('events');
    await startCollector();
    await waitFor(async () => (await collector.view()).warnings.status === 'error', { timeoutMs: 10_000, what: 'the forbidden section' });
    await waitFor(async () => (await collector.view()).pods.status === 'ok', { timeoutMs: 10_000, what: 'the other sections' });
    const view = await collector.view();

    expect(view.warnings).toMatchObject({
      status: 'error',
      code: KubeErrors.FORBIDDEN.code,
      message: 'Forbidden: the service account cannot list events in namespace "demo"',
    });
    for (const name of ['pods', 'services', 'workloads', 'nodes', 'volumes'] as const) expect([name, view[name].status]).toEqual([name, 'ok']);
    // Warnings are optional for readiness: the service stays ready without them.
    expect(collector.readiness().ok).toBe(true);

    server.allow('events');
    await waitFor(async () => (await collector.view()).warnings.status === 'ok', { timeoutMs: 10_000, what: 'recovery' });
  });

  it('says when metrics-server is not installed', async () => {
    server = await FakeKubeApiServer.start({ objects: cluster(), metrics: false });
    await startCollector();
    await waitFor(
      async () => {
        const v = await collector.view();
        return v.nodes.status === 'ok' && v.nodes.data.metricsMessage === 'metrics.k8s.io is not installed: install metrics-server';
      },
      { timeoutMs: 10_000, what: 'the metrics message' },
    );
    const view = await collector.view();
    if (view.nodes.status !== 'ok') throw new Error(view.nodes.message);
    expect(view.nodes.data.metricsAvailable).toBe(false);
    expect(view.nodes.data.nodes.every((n) => n.cpuPercent === null && n.cpuAllocatableMillis > 0)).toBe(true);
    // Pod usage: only its section degrades, with what is missing and how to install it.
    expect(view.podUsage).toMatchObject({ status: 'unavailable', code: KubeErrors.API_NOT_FOUND.code });
    if (view.podUsage.status === 'ok') throw new Error('pod usage without metrics-server');
    expect(view.podUsage.message).toContain('metrics.k8s.io is not installed');
    expect(view.podUsage.fix).toContain('kubectl apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml');
    expect(view.podUsage.fix).toContain('aws eks create-addon --cluster-name <name> --addon-name metrics-server');
    for (const name of ['pods', 'services', 'workloads', 'nodes', 'volumes', 'warnings'] as const) expect([name, view[name].status]).toEqual([name, 'ok']);
  });

  it("shows each running pod's usage against its requests and limits, and flags those above their requests", async () => {
    const MiB = 2 ** 20;
    server = await FakeKubeApiServer.start({
      objects: [
        ...cluster(),
        // web-1: the fixture's container requests 100m / 128Mi, limits memory to 256Mi (no CPU limit).
        fx.podMetrics({ name: 'web-1', containers: [{ name: 'app', cpuMillis: 140, memoryBytes: 96 * MiB }] }),
        fx.podMetrics({ name: 'coredns-1', namespace: 'kube-system', containers: [{ name: 'coredns', cpuMillis: 3, memoryBytes: 20 * MiB }] }),
      ],
    });
    await startCollector();
    await waitFor(async () => (await collector.view()).podUsage.status === 'ok', { timeoutMs: 10_000, what: 'pod usage' });
    const view = await collector.view();
    if (view.podUsage.status !== 'ok') throw new Error(view.podUsage.message);
    // Bound and not finished, in the namespace: stress-2 (Pending) and coredns (kube-system) are not listed.
    expect(view.podUsage.data.pods).toEqual([
      {
        namespace: 'demo',
        name: 'stress-1',
        node: NODE,
        cpu: { used: null, request: 100, limit: null, ofRequestPercent: null, ofLimitPercent: null },
        memory: { used: null, request: 128 * MiB, limit: 256 * MiB, ofRequestPercent: null, ofLimitPercent: null },
        aboveRequest: [],
        health: 'ok',
      },
      {
        namespace: 'demo',
        name: 'web-1',
        node: NODE,
        cpu: { used: 140, request: 100, limit: null, ofRequestPercent: 140, ofLimitPercent: null },
        memory: { used: 96 * MiB, request: 128 * MiB, limit: 256 * MiB, ofRequestPercent: 75, ofLimitPercent: 37.5 },
        aboveRequest: ['cpu'],
        health: 'warn',
      },
    ]);
    expect(view.podUsage.data.aboveRequest).toBe(1);
    expect(view.podUsage.data.metricsAt).not.toBeNull();
  });

  it('shows a refused pod metrics list as an error of that section only', async () => {
    server = await FakeKubeApiServer.start({ objects: cluster() });
    server.forbid('PodMetrics');
    await startCollector();
    await waitFor(async () => (await collector.view()).podUsage.status === 'error', { timeoutMs: 10_000, what: 'the refused pod usage' });
    const view = await collector.view();
    expect(view.podUsage).toMatchObject({ status: 'error', code: KubeErrors.FORBIDDEN.code });
    if (view.nodes.status !== 'ok') throw new Error(view.nodes.message);
    expect(view.nodes.data.metricsAvailable).toBe(true);
  });

  it('marks every section unavailable outside a cluster and stays ready', async () => {
    collectorFor({ KUBE_MODE: 'off', KUBECONFIG: '', WATCH_NAMESPACE: 'demo', KUBE_WATCHDOG_SECONDS: 300, KUBE_METRICS_POLL_SECONDS: 30 });
    const view = await collector.view();
    for (const name of ['pods', 'services', 'workloads', 'nodes', 'volumes', 'warnings'] as const) {
      expect(view[name]).toMatchObject({ status: 'unavailable', code: KubeErrors.NOT_IN_CLUSTER.code, message: 'Not running in Kubernetes' });
    }
    expect(collector.readiness().ok).toBe(true);
  });
});
