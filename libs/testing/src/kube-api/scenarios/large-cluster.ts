import * as fx from '../fixtures';
import type { KubeObject } from '../store';

export interface LargeClusterOptions {
  nodes: number;
  pods: number;
  /** The watched namespace; a tenth of the pods belong to its `web` Deployment. */
  namespace?: string;
  /** Pods left Unschedulable (they count toward `pods`). */
  pending?: number;
  /** Other namespaces the rest of the pods spread over. */
  otherNamespaces?: number;
  /** PodMetrics for the scheduled app pods too (see `largeClusterPodUsage`). */
  podMetrics?: boolean;
  createdAt?: Date;
}

/**
 * A big cluster for scale tests and benchmarks (e.g. 500 nodes, 10,000 pods): nodes in three
 * zones; three in four in the EKS managed node group `general` (on-demand m7g), one in four in the
 * Karpenter pool `spot` (spot c7g); node 250, 750, 1250… NotReady and node 499, 999, 1499…
 * cordoned. Pods spread round-robin over the nodes and over namespaces: the app pods (a tenth, an
 * HPA-scaled Deployment in the watched namespace) request 100m / 128 Mi, the others
 * `largeClusterPodCpuMillis` (100m to 400m by namespace) / 128 Mi. Node metrics for every node;
 * with `podMetrics`, pod metrics for the scheduled app pods.
 */
export function largeCluster(o: LargeClusterOptions): KubeObject[] {
  const ns = o.namespace ?? 'demo';
  const created = o.createdAt ?? new Date(Date.now() - 86_400_000);
  const zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
  const nodeName = largeClusterNodeName;
  const objects: KubeObject[] = [];
  for (let i = 0; i < o.nodes; i++) {
    const spot = i % 4 === 3;
    objects.push(
      fx.node({
        name: nodeName(i),
        instanceType: spot ? 'c7g.2xlarge' : 'm7g.2xlarge',
        zone: zones[i % 3],
        cpuCores: 8,
        memoryGi: 32,
        maxPods: 58,
        capacityType: spot ? 'SPOT' : 'ON_DEMAND',
        ...(spot ? { nodePool: 'spot' } : { nodegroup: 'general' }),
        ready: i % 500 !== 250,
        unschedulable: i % 500 === 499,
        createdAt: created,
      }),
      fx.nodeMetrics({ name: nodeName(i), cpuMillis: 2000 + (i % 7) * 500, memoryBytes: (8 + (i % 5) * 2) * 2 ** 30 }),
    );
  }
  const appPods = Math.floor(o.pods / 10);
  const pending = Math.min(o.pending ?? 0, appPods);
  const others = o.otherNamespaces ?? 20;
  for (let i = 0; i < o.pods; i++) {
    const app = i < appPods;
    const unschedulable = app && i < pending;
    const name = app ? `web-5d8c7b9f4-${i.toString(36).padStart(5, '0')}` : `svc-${i % 50}-${i.toString(36).padStart(6, '0')}`;
    objects.push(
      fx.pod({
        name,
        namespace: app ? ns : `team-${i % others}`,
        node: unschedulable ? undefined : nodeName(i % o.nodes),
        unschedulable: unschedulable ? '' : undefined,
        containers: [{ name: 'app', image: 'public.ecr.aws/eks-info/app:1.0.0', requests: { cpu: `${largeClusterPodCpuMillis(o, i)}m`, memory: '128Mi' } }],
        owner: app ? { kind: 'ReplicaSet', name: 'web-5d8c7b9f4' } : { kind: 'ReplicaSet', name: `svc-${i % 50}-6c7d8e9f0` },
        labels: app ? { app: 'web', 'pod-template-hash': '5d8c7b9f4' } : { app: `svc-${i % 50}` },
        createdAt: created,
      }),
    );
    if (o.podMetrics && app && !unschedulable) {
      const usage = largeClusterPodUsage(i);
      objects.push(fx.podMetrics({ name, namespace: ns, containers: [{ name: 'app', cpuMillis: usage.cpuMillis, memoryBytes: usage.memoryBytes }] }));
    }
  }
  objects.push(
    fx.deployment({ name: 'web', namespace: ns, replicas: appPods, readyReplicas: appPods - pending, createdAt: created }),
    fx.replicaSet({ name: 'web-5d8c7b9f4', namespace: ns, deployment: 'web', replicas: appPods, createdAt: created }),
    fx.horizontalPodAutoscaler({
      name: 'web',
      namespace: ns,
      minReplicas: 10,
      maxReplicas: appPods * 2,
      cpuTarget: 60,
      currentCpu: 72,
      currentReplicas: appPods,
      desiredReplicas: appPods,
    }),
  );
  return objects;
}

/** With `podMetrics`, what app pod `i` uses: 40m to 200m CPU (above its 100m request when i % 5 ≥ 2), 64 to 124 MiB (below its 128 Mi). */
export function largeClusterPodUsage(i: number): { cpuMillis: number; memoryBytes: number } {
  return { cpuMillis: 40 + (i % 5) * 40, memoryBytes: (64 + (i % 4) * 20) * 2 ** 20 };
}

/** Node names `largeCluster` uses, for tests that change one. */
export function largeClusterNodeName(i: number): string {
  return `ip-10-${Math.floor(i / 250)}-${Math.floor(i / 250) % 250}-${(i % 250) + 1}.eu-west-1.compute.internal`;
}

/** The CPU request of pod `i` of `largeCluster(o)`: 100m for the app pods, else 100m to 400m by namespace. */
export function largeClusterPodCpuMillis(o: Pick<LargeClusterOptions, 'pods' | 'otherNamespaces'>, i: number): number {
  return i < Math.floor(o.pods / 10) ? 100 : 100 * (1 + ((i % (o.otherNamespaces ?? 20)) % 4));
}
