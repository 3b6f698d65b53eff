import { KubeConfig } from '@kubernetes/client-node';
import { KubeErrors, ok } from '@eks-info/contracts';
import { FakeKubeApiServer, SIMULATED_USAGE, kubeFixtures as fx } from '@eks-info/testing';
import { ApiDiscovery } from './api-discovery';
import { METRICS_ABSENT_MESSAGE, MetricsPoller } from './metrics-poller';
import { podUsageProblem, podUsageSection } from './pod-usage';

function kubeConfigOf(server: FakeKubeApiServer): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(server.kubeconfigYaml());
  return kc;
}

describe('ApiDiscovery', () => {
  let server: FakeKubeApiServer;
  afterEach(() => server.close());

  it('tells which API groups exist and caches the answer', async () => {
    server = await FakeKubeApiServer.start({ karpenter: false, gitVersion: 'v1.33.2-eks-931bdca', platform: 'linux/arm64' });
    let clock = 0;
    const discovery = new ApiDiscovery(kubeConfigOf(server), { recheckMs: 60_000, now: () => clock });
    expect(await discovery.has('metrics.k8s.io/v1beta1')).toBe(true);
    expect(await discovery.has('karpenter.sh/v1')).toBe(false);
    expect(await discovery.has('apps/v1')).toBe(true);
    expect(await discovery.has('v1')).toBe(true);

    // Within the recheck interval the cached answer stands, even though the cluster changed.
    server.setFeature('karpenter', true);
    clock += 30_000;
    expect(await discovery.has('karpenter.sh/v1')).toBe(false);
    clock += 31_000;
    expect(await discovery.has('karpenter.sh/v1')).toBe(true);
  });

  it('reports the server version and platform', async () => {
    server = await FakeKubeApiServer.start({ gitVersion: 'v1.32.5-eks-5e0fdde', platform: 'linux/amd64' });
    expect(await new ApiDiscovery(kubeConfigOf(server)).serverVersion()).toEqual({
      gitVersion: 'v1.32.5-eks-5e0fdde',
      platform: 'linux/amd64',
      major: '1',
      minor: '32+',
    });
  });
});

describe('MetricsPoller', () => {
  let server: FakeKubeApiServer;
  let poller: MetricsPoller;
  afterEach(async () => {
    poller.stop();
    await server.close();
  });

  function startPoller(podNamespace?: string | null): MetricsPoller {
    const kubeConfig = kubeConfigOf(server);
    poller = new MetricsPoller({ kubeConfig, discovery: new ApiDiscovery(kubeConfig), intervalMs: 60_000, podNamespace });
    return poller;
  }

  it('reads node and pod usage from metrics.k8s.io', async () => {
    server = await FakeKubeApiServer.start({
      objects: [
        fx.nodeMetrics({ name: 'ip-10-0-1-10', cpuMillis: 412.5, memoryBytes: 3 * 1024 ** 3, timestamp: '2025-07-01T10:00:00Z' }),
        fx.podMetrics({
          name: 'web-1',
          containers: [
            { name: 'app', cpuMillis: 120, memoryBytes: 64 * 1024 ** 2 },
            { name: 'sidecar', cpuMillis: 5, memoryBytes: 16 * 1024 ** 2 },
          ],
        }),
      ],
    });
    await startPoller('demo').poll();
    expect(poller.available).toBe(true);
    expect(poller.message).toBeNull();
    expect(poller.at).toBeInstanceOf(Date);
    expect(poller.node('ip-10-0-1-10')).toEqual({ cpuMillis: 412.5, memoryBytes: 3 * 1024 ** 3, timestamp: '2025-07-01T10:00:00Z' });
    expect(poller.pod('demo', 'web-1')).toMatchObject({ cpuMillis: 125, memoryBytes: 80 * 1024 ** 2 });
    expect(server.listCalls('/apis/metrics.k8s.io/v1beta1/nodes')).toBe(1);
    expect(server.listCalls('/apis/metrics.k8s.io/v1beta1/namespaces/demo/pods')).toBe(1);
  });

  it('says metrics-server is missing when metrics.k8s.io is not served, without calling it', async () => {
    server = await FakeKubeApiServer.start({ metrics: false });
    await startPoller().poll();
    expect(poller.available).toBe(false);
    expect(poller.message).toBe(METRICS_ABSENT_MESSAGE);
    expect(poller.error).toBeNull();
    expect(poller.nodes().size).toBe(0);
    expect(server.listCalls('PodMetrics') + server.listCalls('NodeMetrics')).toBe(0);
  });

  it('shows a forbidden metrics API as an error and recovers on a later poll', async () => {
    server = await FakeKubeApiServer.start({ objects: [fx.nodeMetrics({ name: 'n1', cpuMillis: 100, memoryBytes: 1e9 })] });
    server.forbid('NodeMetrics');
    await startPoller().poll();
    expect(poller.available).toBe(false);
    expect(poller.error?.code).toBe(KubeErrors.FORBIDDEN.code);
    server.allow('NodeMetrics');
    await poller.poll();
    expect(poller.available).toBe(true);
    expect(poller.node('n1')?.cpuMillis).toBe(100);
  });

  it('keeps pod usage by pod with its own state, and the mark of usage the demo made up', async () => {
    server = await FakeKubeApiServer.start({
      objects: [
        fx.nodeMetrics({ name: 'n1', cpuMillis: 100, memoryBytes: 1e9 }),
        fx.podMetrics({ name: 'measured', containers: [{ name: 'app', cpuMillis: 300, memoryBytes: 64 * 1024 ** 2 }] }),
        fx.podMetrics({
          name: 'made-up',
          containers: [{ name: 'app', cpuMillis: 40, memoryBytes: 32 * 1024 ** 2 }],
          // As the demo's simulated control plane marks the usage it makes up.
          annotations: { [SIMULATED_USAGE]: 'simulated' },
        }),
        fx.podMetrics({ name: 'elsewhere', namespace: 'team', containers: [{ name: 'app', cpuMillis: 1, memoryBytes: 1024 }] }),
      ],
    });
    await startPoller('demo').poll();
    expect(poller.pods).toMatchObject({ available: true, message: null, error: null });
    expect(poller.pod('demo', 'measured')).toEqual({ cpuMillis: 300, memoryBytes: 64 * 1024 ** 2, timestamp: poller.pods.at!.toISOString() });
    expect(poller.podSimulated('demo', 'measured')).toBe(false);
    expect(poller.podSimulated('demo', 'made-up')).toBe(true);
    // Only the namespace asked for.
    expect(poller.pod('team', 'elsewhere')).toBeUndefined();
    // A pod gone from metrics-server's answer is gone from the table at the next poll.
    server.remove('PodMetrics/demo/measured');
    await poller.poll();
    expect(poller.pod('demo', 'measured')).toBeUndefined();
    expect(poller.pod('demo', 'made-up')?.cpuMillis).toBe(40);
  });

  it('keeps node usage when the pod list is refused, and says why pod usage is missing', async () => {
    server = await FakeKubeApiServer.start({
      objects: [
        fx.nodeMetrics({ name: 'n1', cpuMillis: 100, memoryBytes: 1e9 }),
        fx.podMetrics({ name: 'web', containers: [{ name: 'a', cpuMillis: 5, memoryBytes: 1e6 }] }),
      ],
    });
    server.forbid('PodMetrics');
    await startPoller('demo').poll();
    expect(poller.available).toBe(true);
    expect(poller.node('n1')?.cpuMillis).toBe(100);
    expect(poller.pods.available).toBe(false);
    expect(poller.pods.error?.code).toBe(KubeErrors.FORBIDDEN.code);
    expect(podUsageProblem(poller.pods)).toBe(poller.pods.error);
    server.allow('PodMetrics');
    await poller.poll();
    expect(poller.pods.available).toBe(true);
    expect(poller.pod('demo', 'web')?.cpuMillis).toBe(5);
  });

  it('explains missing pod usage without metrics-server: what is missing and how to install it', async () => {
    server = await FakeKubeApiServer.start({ metrics: false });
    await startPoller('demo').poll();
    const problem = podUsageProblem(poller.pods);
    expect(problem?.code).toBe(KubeErrors.API_NOT_FOUND.code);
    expect(problem?.fix).toContain('kubectl apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml');
    expect(problem?.fix).toContain('aws eks create-addon --cluster-name <name> --addon-name metrics-server');
    expect(podUsageSection(poller.pods, () => ok(1))).toMatchObject({ status: 'unavailable', code: KubeErrors.API_NOT_FOUND.code });
  });

  it('polls on its interval, not per read', async () => {
    server = await FakeKubeApiServer.start({ objects: [fx.nodeMetrics({ name: 'n1', cpuMillis: 100, memoryBytes: 1e9 })] });
    const kubeConfig = kubeConfigOf(server);
    poller = new MetricsPoller({ kubeConfig, discovery: new ApiDiscovery(kubeConfig), intervalMs: 200 });
    poller.start();
    for (let i = 0; i < 100; i++) poller.node('n1');
    await new Promise((r) => setTimeout(r, 500));
    const polls = server.listCalls('NodeMetrics');
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(4);
  });
});
