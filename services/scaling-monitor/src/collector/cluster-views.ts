import type {
  HistoryPoint,
  HpaView,
  KarpenterView,
  NodeClaimView,
  NodePoolView,
  NodeResource,
  NodesView,
  PendingPod,
  PendingView,
  ScalingHealth,
  ScalingNode,
  ScalingSummary,
} from '@eks-info/contracts';
import type { ClusterState, NodeRecord, PodRecord } from './cluster-state';
import { hpaView } from './hpa-maths';
import { isoTime, metaKey } from './kube-objects';

/**
 * Read-only views of the cluster state: what a snapshot, a history sample and the SSE summary
 * show. Each is one pass over the nodes (or the HPAs, the Pending pods), never over every pod.
 */

const APP_PODS_PER_NODE = 8;
const percent = (used: number, of: number) => (of > 0 ? Math.round((used / of) * 1000) / 10 : 0);

export function summary(state: ClusterState): ScalingSummary {
  let nodesReady = 0;
  let cpuAllocatable = 0;
  let memoryAllocatable = 0;
  let cpuUsed: number | null = state.usage?.available ? 0 : null;
  let memoryUsed: number | null = cpuUsed;
  const byCapacity: Record<string, number> = {};
  for (const n of state.nodes.values()) {
    if (n.ready) nodesReady++;
    cpuAllocatable += n.cpuAllocatable;
    memoryAllocatable += n.memoryAllocatable;
    const type = n.capacityType ?? 'unknown';
    byCapacity[type] = (byCapacity[type] ?? 0) + 1;
    const u = state.usage?.node(n.name);
    if (cpuUsed !== null && u) {
      cpuUsed += u.cpuMillis;
      memoryUsed! += u.memoryBytes;
    }
  }
  let cpuRequested = 0;
  let memoryRequested = 0;
  for (const [node, s] of state.sums) {
    if (!state.nodes.has(node)) continue;
    cpuRequested += s.cpu;
    memoryRequested += s.memory;
  }
  return {
    nodes: state.nodes.size,
    nodesReady,
    nodesByCapacityType: byCapacity,
    pods: state.pods.size - state.terminatingCount,
    terminating: state.terminatingCount,
    pending: state.pendingPods.size,
    hpas: state.hpas.size,
    cpuAllocatableMillis: Math.round(cpuAllocatable),
    cpuRequestedMillis: Math.round(cpuRequested),
    cpuUsedMillis: cpuUsed === null ? null : Math.round(cpuUsed),
    memoryAllocatableBytes: memoryAllocatable,
    memoryRequestedBytes: memoryRequested,
    memoryUsedBytes: memoryUsed,
  };
}

export function nodesView(state: ClusterState): NodesView {
  const names = [...state.nodes.keys()].sort();
  const shown = names.slice(0, state.options.maxNodes);
  return {
    nodes: shown.map((name) => scalingNode(state, state.nodes.get(name)!)),
    total: names.length,
    metricsAvailable: state.usage?.available ?? false,
    metricsMessage: state.usage ? state.usage.message : 'metrics.k8s.io is not polled',
    metricsAt: state.usage?.at?.toISOString() ?? null,
  };
}

export function pendingView(state: ClusterState): PendingView {
  const since = (p: PodRecord) => (p.pending?.since ? Date.parse(p.pending.since) : 0);
  const all = [...state.pendingPods.values()].sort((a, b) => since(a) - since(b) || a.name.localeCompare(b.name));
  const pods: PendingPod[] = all.slice(0, state.options.maxPending ?? 200).map((p) => ({
    namespace: p.namespace,
    name: p.name,
    workload: p.workload,
    since: p.pending!.since,
    reason: p.pending!.reason,
    message: p.pending!.message,
    cpuRequestMillis: p.cpuMillis,
    memoryRequestBytes: p.memoryBytes,
    autoscaler: state.autoscalerNotes.get(metaKey(p.namespace, p.name))?.text ?? null,
  }));
  return { pods, total: all.length };
}

export function hpaViews(state: ClusterState): HpaView[] {
  return [...state.hpas.values()]
    .map((h) => {
      const [kind, name] = h.target.split('/');
      const deployment = kind === 'Deployment' ? state.deployments.get(metaKey(h.namespace, name)) : undefined;
      return hpaView(h.object, { lastHighAt: h.lastHighAt, targetReady: deployment ? (deployment.status?.readyReplicas ?? 0) : null });
    })
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

export function karpenterView(state: ClusterState): KarpenterView {
  const pools: NodePoolView[] = [...state.nodePools.values()].map((p) => {
    const spec = (p.spec ?? {}) as {
      template?: { spec?: { requirements?: Array<{ key: string; values?: string[] }> } };
      limits?: { cpu?: string };
      disruption?: { consolidationPolicy?: string; consolidateAfter?: string };
    };
    const status = (p.status ?? {}) as { resources?: { nodes?: string }; conditions?: Array<{ type: string; status: string }> };
    const requirement = (key: string) => spec.template?.spec?.requirements?.find((r) => r.key === key)?.values ?? [];
    return {
      name: p.metadata?.name ?? '',
      nodes: status.resources?.nodes !== undefined ? Number(status.resources.nodes) : null,
      cpuLimit: spec.limits?.cpu ?? null,
      capacityTypes: requirement('karpenter.sh/capacity-type'),
      arch: requirement('kubernetes.io/arch'),
      consolidation: spec.disruption?.consolidationPolicy
        ? `${spec.disruption.consolidationPolicy}${spec.disruption.consolidateAfter ? ` after ${spec.disruption.consolidateAfter}` : ''}`
        : null,
      ready: (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    };
  });
  const claims: NodeClaimView[] = [...state.nodeClaims.values()].map((c) => {
    const labels = c.metadata?.labels ?? {};
    const status = (c.status ?? {}) as { nodeName?: string; conditions?: Array<{ type: string; status: string }> };
    const done = (type: string) => (status.conditions ?? []).some((x) => x.type === type && x.status === 'True');
    const state = done('Ready') ? 'Ready' : done('Initialized') ? 'Initialized' : done('Registered') ? 'Registered' : done('Launched') ? 'Launched' : 'Pending';
    return {
      name: c.metadata?.name ?? '',
      nodePool: labels['karpenter.sh/nodepool'] ?? null,
      instanceType: labels['node.kubernetes.io/instance-type'] ?? null,
      zone: labels['topology.kubernetes.io/zone'] ?? null,
      capacityType: labels['karpenter.sh/capacity-type'] ?? null,
      nodeName: status.nodeName ?? null,
      state,
      createdAt: isoTime(c.metadata?.creationTimestamp),
    };
  });
  const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
  return { nodePools: pools.sort(byName), nodeClaims: claims.sort(byName) };
}

/** One history sample: counts now and usage from the last metrics poll. */
export function historySample(state: ClusterState, at: Date): HistoryPoint {
  const s = summary(state);
  const workloads: Record<string, number> = {};
  for (const p of state.appPods.values()) {
    if (p.deletingAt) continue; // Terminating: not running any more
    const w = p.workload ?? `Pod/${p.name}`;
    workloads[w] = (workloads[w] ?? 0) + 1;
  }
  const hpas: Record<string, [number, number]> = {};
  for (const h of state.hpas.values()) hpas[h.namespace === state.namespace ? h.name : `${h.namespace}/${h.name}`] = [h.current, h.desired];
  return {
    t: at.toISOString(),
    nodes: s.nodes,
    nodesReady: s.nodesReady,
    nodesByCapacityType: s.nodesByCapacityType,
    pods: s.pods,
    terminating: s.terminating,
    pending: s.pending,
    workloads,
    hpas,
    cpuAllocatableMillis: s.cpuAllocatableMillis,
    cpuRequestedMillis: s.cpuRequestedMillis,
    cpuUsedMillis: s.cpuUsedMillis,
    memoryAllocatableBytes: s.memoryAllocatableBytes,
    memoryRequestedBytes: s.memoryRequestedBytes,
    memoryUsedBytes: s.memoryUsedBytes,
  };
}

function scalingNode(state: ClusterState, n: NodeRecord): ScalingNode {
  const s = state.sums.get(n.name) ?? { cpu: 0, memory: 0, pods: 0, appPods: new Set<string>() };
  const u = state.usage?.node(n.name);
  const resource = (capacity: number, allocatable: number, requested: number, used: number | null): NodeResource => ({
    capacity: Math.round(capacity),
    allocatable: Math.round(allocatable),
    requested: Math.round(requested),
    used: used === null ? null : Math.round(used),
    requestedPercent: percent(requested, allocatable),
    usedPercent: used === null ? null : percent(used, allocatable),
  });
  const appPods = [...s.appPods].sort();
  const status = n.deletingAt ? 'Deleting' : `${n.ready ? 'Ready' : 'NotReady'}${n.unschedulable ? ' (cordoned)' : ''}`;
  const health: ScalingHealth = !n.ready ? 'error' : n.unschedulable || n.deletingAt ? 'warn' : 'ok';
  return {
    name: n.name,
    ready: n.ready,
    status,
    health,
    instanceType: n.instanceType,
    zone: n.zone,
    capacityType: n.capacityType,
    arch: n.arch,
    provisioner: n.provisioner,
    createdAt: n.createdAt,
    cpu: resource(n.cpuCapacity, n.cpuAllocatable, s.cpu, u ? u.cpuMillis : null),
    memory: resource(n.memoryCapacity, n.memoryAllocatable, s.memory, u ? u.memoryBytes : null),
    pods: { count: s.pods, max: n.maxPods },
    appPods: appPods.slice(0, APP_PODS_PER_NODE),
    appPodsMore: Math.max(0, appPods.length - APP_PODS_PER_NODE),
  };
}
