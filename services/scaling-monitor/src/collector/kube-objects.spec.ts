import type { KubeObject } from '@eks-info/kube';
import { kubeFixtures as fx } from '@eks-info/testing';
import { ClusterState } from './cluster-state';
import { nodesView, pendingView, summary } from './cluster-views';
import { isoTime, NODE_CACHE, type Node, nodeLabels, type Pod, POD_CACHE, podCacheFor, podRequests, podWorkload } from './kube-objects';

const asPod = (o: unknown) => o as Pod;

describe('podRequests (the scheduler formula)', () => {
  it('sums the containers', () => {
    const pod = asPod(
      fx.pod({
        name: 'a',
        containers: [
          { name: 'x', requests: { cpu: '250m', memory: '128Mi' } },
          { name: 'y', requests: { cpu: '0.5', memory: '1Gi' } },
        ],
      }),
    );
    expect(podRequests(pod)).toEqual({ cpuMillis: 750, memoryBytes: 128 * 2 ** 20 + 2 ** 30 });
  });

  it('takes the largest init container when it is bigger, adds sidecars and the overhead', () => {
    const pod = asPod(fx.pod({ name: 'b', containers: [{ name: 'app', requests: { cpu: '100m', memory: '64Mi' } }] }));
    pod.spec!.initContainers = [
      { name: 'migrate', resources: { requests: { cpu: '1', memory: '32Mi' } } },
      { name: 'proxy', restartPolicy: 'Always', resources: { requests: { cpu: '50m', memory: '16Mi' } } },
    ] as never;
    pod.spec!.overhead = { cpu: '10m', memory: '1Mi' };
    // cpu: max(100 + 50 sidecar, 1000 init) + 10; memory: max(64 + 16, 32) + 1.
    expect(podRequests(pod)).toEqual({ cpuMillis: 1010, memoryBytes: 81 * 2 ** 20 });
  });
});

describe('podWorkload', () => {
  it('follows a ReplicaSet to its Deployment, from the cache or the pod-template-hash', () => {
    const pod = asPod(
      fx.pod({
        name: 'web-7c9f8d6b5d-x2x9q',
        owner: { kind: 'ReplicaSet', name: 'web-7c9f8d6b5d' },
        labels: { app: 'web', 'pod-template-hash': '7c9f8d6b5d' },
      }),
    );
    expect(podWorkload(pod, () => 'web-deployment')).toBe('Deployment/web-deployment');
    expect(podWorkload(pod, () => undefined)).toBe('Deployment/web');
    expect(podWorkload(asPod(fx.pod({ name: 'db-0', owner: { kind: 'StatefulSet', name: 'db' } })), () => undefined)).toBe('StatefulSet/db');
    expect(podWorkload(asPod(fx.pod({ name: 'bare' })), () => undefined)).toBeNull();
  });
});

describe('nodeLabels', () => {
  it('reads EKS node groups and Karpenter nodes alike', () => {
    expect(nodeLabels(fx.node({ name: 'a', capacityType: 'SPOT', nodegroup: 'burst' }) as unknown as Node)).toMatchObject({
      capacityType: 'spot',
      provisioner: 'node group burst',
      arch: 'arm64',
    });
    expect(nodeLabels(fx.node({ name: 'b', nodePool: 'general', arch: 'amd64' }) as unknown as Node)).toMatchObject({
      capacityType: 'on-demand',
      provisioner: 'Karpenter pool general',
      arch: 'amd64',
      instanceType: 'm6i.large',
    });
  });
});

describe('the caches keep what the collector reads (podCacheFor, NODE_CACHE)', () => {
  const start = new Date('2026-03-01T10:00:00Z');
  const owner = { kind: 'ReplicaSet', name: 'web-5d9c7b8f6d' };
  const hash = { app: 'web', 'pod-template-hash': '5d9c7b8f6d' };
  const nodes: Node[] = [
    fx.node({ name: 'n-ready', nodegroup: 'general', capacityType: 'SPOT', createdAt: start }),
    fx.node({ name: 'n-karpenter', nodePool: 'burst', arch: 'amd64', createdAt: start }),
    fx.node({ name: 'n-not-ready', ready: false, createdAt: start }),
    fx.node({ name: 'n-cordoned', unschedulable: true, createdAt: start }),
    (() => {
      const n = fx.node({ name: 'n-deleting', createdAt: start });
      Object.assign(n.metadata, { deletionTimestamp: '2026-03-01T10:05:00Z', deletionGracePeriodSeconds: 30 });
      return n;
    })(),
    (() => {
      const n = fx.node({ name: 'n-unlabelled', createdAt: start });
      n.metadata.labels = {};
      return n;
    })(),
  ] as unknown as Node[];
  const sidecars = fx.pod({ name: 'web-sidecars', node: 'n-ready', owner, labels: hash, createdAt: start });
  Object.assign((sidecars as unknown as { spec: object }).spec, {
    initContainers: [
      { name: 'migrate', image: 'migrate:1', resources: { requests: { cpu: '1', memory: '32Mi' }, limits: { cpu: '2' } } },
      { name: 'proxy', image: 'proxy:1', restartPolicy: 'Always', resources: { requests: { cpu: '50m', memory: '16Mi' } } },
    ],
    overhead: { cpu: '10m', memory: '1Mi', 'example.com/gpu': '1' },
  });
  const gated = fx.pod({ name: 'web-gated', owner, labels: hash, phase: 'Pending', createdAt: start });
  Object.assign((gated as unknown as { spec: object }).spec, { schedulingGates: [{ name: 'example.com/wait' }] });
  const twoOwners = fx.pod({ name: 'db-0', namespace: 'data', node: 'n-karpenter', createdAt: start });
  twoOwners.metadata.ownerReferences = [
    { apiVersion: 'v1', kind: 'Node', name: 'n-karpenter', uid: 'u1' },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u2', controller: true },
  ];
  const pods: Pod[] = [
    fx.pod({
      name: 'web-a',
      node: 'n-ready',
      owner,
      labels: hash,
      createdAt: start,
      containers: [{ name: 'web', requests: { cpu: '250m', memory: '128Mi' } }],
    }),
    fx.pod({ name: 'web-b', node: 'n-ready', owner, labels: hash, createdAt: start, deleting: '2026-03-01T10:03:00Z' }),
    fx.pod({ name: 'web-c', owner, labels: hash, createdAt: start, unschedulable: '0/6 nodes are available: 6 Insufficient cpu.' }),
    fx.pod({ name: 'web-d', node: 'n-cordoned', owner, labels: hash, createdAt: start, waiting: { reason: 'ContainerCreating' } }),
    fx.pod({ name: 'batch-1', namespace: 'jobs', node: 'n-ready', phase: 'Succeeded', owner: { kind: 'Job', name: 'batch' }, createdAt: start }),
    fx.pod({ name: 'bare', namespace: 'tools', node: 'n-not-ready', createdAt: start, containers: [{ name: 'x', requests: { cpu: '1.5' } }, { name: 'y' }] }),
    sidecars,
    gated,
    twoOwners,
  ] as unknown as Pod[];
  // As the API server stamps them.
  [...nodes, ...pods].forEach((o, i) => Object.assign(o.metadata!, { uid: `uid-${o.metadata?.name}`, resourceVersion: String(100 + i) }));

  const fed = (transform: (o: KubeObject) => KubeObject) => {
    const state = new ClusterState({ namespace: 'demo', maxNodes: 100, now: () => start.getTime() + 600_000 });
    for (const n of nodes) state.applyNode('add', transform(structuredClone(n) as unknown as KubeObject) as unknown as Node);
    for (const p of pods) state.applyPod('add', transform(structuredClone(p) as unknown as KubeObject) as unknown as Pod);
    return state;
  };
  const whole = fed((o) => o);
  const podCache = podCacheFor('demo');
  const cached = fed((o) => ((o as { kind?: string }).kind === 'Node' ? NODE_CACHE.apply(o) : podCache.apply(o)));

  it('gives the same records and views as the whole objects', () => {
    expect([...cached.pods.values()]).toEqual([...whole.pods.values()]);
    expect([...cached.nodes.values()]).toEqual([...whole.nodes.values()]);
    expect(summary(cached)).toEqual(summary(whole));
    expect(nodesView(cached)).toEqual(nodesView(whole));
    expect(pendingView(cached)).toEqual(pendingView(whole));
    // The fixtures reach what the transform must keep: sidecar and init maths, overhead, gates, deletion, cordon, readiness.
    // max(app 100m + proxy sidecar 50m, migrate 1000m) + overhead 10m.
    expect(whole.pods.get('uid-web-sidecars')).toMatchObject({ cpuMillis: 1010 });
    expect(pendingView(whole).pods.map((p) => [p.name, p.reason])).toEqual([
      ['web-c', 'Unschedulable'],
      ['web-gated', 'SchedulingGated'],
    ]);
    expect(nodesView(whole).nodes.map((n) => n.status)).toEqual(['Ready (cordoned)', 'Deleting', 'Ready', 'NotReady', 'Ready', 'Ready']);
    expect(whole.pods.get('uid-db-0')?.workload).toBe('StatefulSet/db');
    // Limits for the watched namespace's pods (their cards show usage against them), none kept for the others.
    expect(cached.pods.get('uid-web-a')?.limits).toEqual(whole.pods.get('uid-web-a')?.limits);
    expect(whole.pods.get('uid-web-a')?.limits).not.toBeNull();
    expect(cached.pods.get('uid-db-0')?.limits).toBeNull();
  });

  it('keeps limits only for the pods of the watched namespace', () => {
    const limited = { name: 'app', requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } };
    const inNamespace = fx.pod({ name: 'web-x', namespace: 'demo', node: 'n-ready', containers: [limited] });
    const elsewhere = fx.pod({ name: 'svc-x', namespace: 'team-1', node: 'n-ready', containers: [limited] });
    const keptOf = (p: KubeObject) => podCache.apply(structuredClone(p)).spec?.containers?.[0];
    expect(keptOf(inNamespace)).toEqual({ resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } } });
    expect(keptOf(elsewhere)).toEqual({ resources: { requests: { cpu: '100m', memory: '64Mi' } } });
  });

  it('keeps a fraction of the objects', () => {
    const size = (list: unknown[]) => JSON.stringify(list).length;
    const kept = (list: unknown[], t: typeof POD_CACHE | typeof NODE_CACHE) => list.map((o) => t.apply(structuredClone(o) as unknown as KubeObject));
    expect(size(kept(pods, POD_CACHE))).toBeLessThan(size(pods) / 2);
    expect(size(kept(nodes, NODE_CACHE))).toBeLessThan(size(nodes) / 2);
    const pod = POD_CACHE.apply(structuredClone(pods[0]) as unknown as KubeObject) as Pod;
    expect(pod.metadata).toMatchObject({ name: 'web-a', namespace: 'demo', resourceVersion: pods[0].metadata?.resourceVersion, uid: pods[0].metadata?.uid });
    expect(pod.status).not.toHaveProperty('containerStatuses');
    expect(pod.spec?.containers?.[0]).toEqual({ resources: { requests: { cpu: '250m', memory: '128Mi' } } });
  });
});

describe('isoTime', () => {
  it('normalises the API form and others to milliseconds, and rejects what is not a time', () => {
    expect(isoTime('2026-03-01T10:00:07Z')).toBe('2026-03-01T10:00:07.000Z');
    expect(isoTime('2026-03-01T10:00:07.123456Z')).toBe('2026-03-01T10:00:07.123Z');
    expect(isoTime('2026-03-01T12:00:07+02:00')).toBe('2026-03-01T10:00:07.000Z');
    expect(isoTime('2026-13-01T10:00:07Z')).toBeNull();
    expect(isoTime('soon')).toBeNull();
    expect(isoTime(undefined)).toBeNull();
  });
});
