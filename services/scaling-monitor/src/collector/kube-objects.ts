import { cpuMillicores, type KubeObject, keepIdentity, memoryBytes, type ObjectTransform, type ResourceObjects } from '@eks-info/kube';
import { CORDON_TAINT, isDrainTaint, type KeptTaint } from './node-drain';

export type Pod = ResourceObjects['pods'];
export type Node = ResourceObjects['nodes'];
export type Hpa = ResourceObjects['horizontalpodautoscalers'];
export type ReplicaSet = ResourceObjects['replicasets'];
export type Deployment = ResourceObjects['deployments'];
export type KubeEvent = ResourceObjects['events'];
export type ConfigMap = ResourceObjects['configmaps'];

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export function conditionOf(obj: { status?: { conditions?: Condition[] } } | undefined, type: string): Condition | undefined {
  return obj?.status?.conditions?.find((c) => c.type === type);
}

/** The API server's own timestamp form: RFC 3339 in UTC with whole seconds. */
const API_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** Timestamps normalised to the ISO form with milliseconds, so ids and comparisons agree. */
export function isoTime(value: string | null | undefined): string | null {
  if (!value) return null;
  // The form every object carries (several per pod, 150,000 pods at start-up): only the milliseconds are missing.
  if (API_TIME.test(value)) {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? `${value.slice(0, 19)}.000Z` : null;
  }
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

type Resources = { requests?: Record<string, string | number> } | undefined;
type ContainerLike = { resources?: Resources; restartPolicy?: string };

function requestOf(c: ContainerLike): { cpu: number; memory: number } {
  const r = c.resources?.requests ?? {};
  return { cpu: cpuMillicores(r.cpu as string | undefined) ?? 0, memory: memoryBytes(r.memory as string | undefined) ?? 0 };
}

/**
 * What the scheduler reserves for a pod: the larger of the sum of its containers (plus sidecar
 * init containers) and the largest init container (plus the sidecars started before it), plus
 * the RuntimeClass overhead — the same formula kube-scheduler's NodeResourcesFit uses.
 */
export function podRequests(pod: Pod): { cpuMillis: number; memoryBytes: number } {
  const spec = pod.spec;
  if (!spec) return { cpuMillis: 0, memoryBytes: 0 };
  let cpu = 0;
  let memory = 0;
  for (const c of spec.containers ?? []) {
    const r = requestOf(c as ContainerLike);
    cpu += r.cpu;
    memory += r.memory;
  }
  let sidecarCpu = 0;
  let sidecarMemory = 0;
  let initCpu = 0;
  let initMemory = 0;
  for (const c of (spec.initContainers ?? []) as ContainerLike[]) {
    const r = requestOf(c);
    if (c.restartPolicy === 'Always') {
      sidecarCpu += r.cpu;
      sidecarMemory += r.memory;
      initCpu = Math.max(initCpu, sidecarCpu);
      initMemory = Math.max(initMemory, sidecarMemory);
    } else {
      initCpu = Math.max(initCpu, sidecarCpu + r.cpu);
      initMemory = Math.max(initMemory, sidecarMemory + r.memory);
    }
  }
  const overhead = (spec.overhead ?? {}) as Record<string, string>;
  return {
    cpuMillis: Math.max(cpu + sidecarCpu, initCpu) + (cpuMillicores(overhead.cpu) ?? 0),
    memoryBytes: Math.max(memory + sidecarMemory, initMemory) + (memoryBytes(overhead.memory) ?? 0),
  };
}

/**
 * When an event last happened. Events written through events.k8s.io (the scheduler's, for one)
 * have no lastTimestamp in the core view: a repeat is counted in `series`, else `eventTime`.
 */
export function eventTimeOf(e: KubeEvent): string | null {
  return e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? null;
}

/** How often an event happened: `count` (core events), `series.count` (events.k8s.io repeats), else once. */
export function eventCountOf(e: KubeEvent): number {
  return e.count ?? e.series?.count ?? 1;
}

/**
 * When the pod (or node) was asked to go: deletionTimestamp is when the grace period ends,
 * so the request was deletionGracePeriodSeconds earlier.
 */
export function deletionRequestedAt(meta: { deletionTimestamp?: string | null; deletionGracePeriodSeconds?: number | null } | undefined): string | null {
  const at = isoTime(meta?.deletionTimestamp);
  if (!at) return null;
  return new Date(Date.parse(at) - (meta?.deletionGracePeriodSeconds ?? 0) * 1000).toISOString();
}

/** Finished pods hold no resources on their node. */
export const isFinished = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** A ReplicaSet's owning Deployment, e.g. stress-7d9f8c6b5 → stress; looked up, else the pod-template-hash suffix dropped. */
export type ReplicaSetOwner = (namespace: string, replicaSet: string) => string | undefined;

/**
 * The workload a pod belongs to ("Deployment/stress", "StatefulSet/db", "DaemonSet/aws-node"),
 * following a ReplicaSet to its Deployment; null for a bare pod.
 */
export function podWorkload(pod: Pod, replicaSetOwner: ReplicaSetOwner): string | null {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
  if (!owner) return null;
  if (owner.kind === 'ReplicaSet') {
    const deployment = replicaSetOwner(pod.metadata?.namespace ?? '', owner.name);
    if (deployment) return `Deployment/${deployment}`;
    const hash = pod.metadata?.labels?.['pod-template-hash'];
    if (hash && owner.name.endsWith(`-${hash}`)) return `Deployment/${owner.name.slice(0, -hash.length - 1)}`;
    return `ReplicaSet/${owner.name}`;
  }
  return `${owner.kind}/${owner.name}`;
}

export function replicaSetDeployment(rs: ReplicaSet): string | undefined {
  return rs.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment')?.name;
}

export interface NodeLabels {
  /** The EKS managed node group or Karpenter node pool, null when neither label is set. */
  group: string | null;
  instanceType: string | null;
  zone: string | null;
  capacityType: 'on-demand' | 'spot' | null;
  arch: string | null;
  provisioner: string | null;
}

/** What the node labels say about where a node came from (EKS managed node groups, Karpenter, EKS Auto Mode). */
export function nodeLabels(node: Node): NodeLabels {
  const l = node.metadata?.labels ?? {};
  const rawCapacity = l['karpenter.sh/capacity-type'] ?? l['eks.amazonaws.com/capacityType'] ?? l['node.kubernetes.io/capacity-type'];
  const capacityType = rawCapacity ? (/spot/i.test(rawCapacity) ? 'spot' : 'on-demand') : null;
  const pool = l['karpenter.sh/nodepool'];
  const group = l['eks.amazonaws.com/nodegroup'] ?? l['alpha.eksctl.io/nodegroup-name'];
  return {
    group: pool ?? group ?? null,
    instanceType: l['node.kubernetes.io/instance-type'] ?? l['beta.kubernetes.io/instance-type'] ?? null,
    zone: l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? null,
    capacityType,
    arch: l['kubernetes.io/arch'] ?? l['beta.kubernetes.io/arch'] ?? null,
    provisioner: pool ? `Karpenter pool ${pool}` : group ? `node group ${group}` : null,
  };
}

export const metaKey = (namespace: string | undefined, name: string | undefined): string => `${namespace ?? ''}/${name ?? ''}`;

// ---- what the informer caches keep ------------------------------------------------------------

/** Every node label `nodeLabels` reads. */
const NODE_LABELS = [
  'karpenter.sh/capacity-type',
  'eks.amazonaws.com/capacityType',
  'node.kubernetes.io/capacity-type',
  'karpenter.sh/nodepool',
  'eks.amazonaws.com/nodegroup',
  'alpha.eksctl.io/nodegroup-name',
  'node.kubernetes.io/instance-type',
  'beta.kubernetes.io/instance-type',
  'topology.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/zone',
  'kubernetes.io/arch',
  'beta.kubernetes.io/arch',
];

function pick<T>(from: Record<string, T> | undefined, keys: readonly string[]): Record<string, T> | undefined {
  if (!from) return undefined;
  const out: Record<string, T> = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

const keptCondition = (c: Condition) => ({
  type: c.type,
  status: c.status,
  reason: c.reason,
  message: c.message,
  lastTransitionTime: c.lastTransitionTime,
});

const requestsOf = (c: { resources?: Resources }) => ({ resources: { requests: pick(c.resources?.requests, ['cpu', 'memory']) } });
type WithLimits = { resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> } };
const requestsAndLimitsOf = (c: WithLimits) => ({
  resources: { requests: pick(c.resources?.requests, ['cpu', 'memory']), limits: pick(c.resources?.limits, ['cpu', 'memory']) },
});

/**
 * POD_CACHE, keeping the containers' limits too for the pods of the watched namespace (their
 * node cards show usage against requests and limits); the other pods keep requests only.
 */
export function podCacheFor(namespace: string): ObjectTransform<Pod & KubeObject> {
  return {
    name: `scaling-monitor/pod:${namespace}`,
    apply(o: KubeObject): Pod & KubeObject {
      const kept = POD_CACHE.apply(o);
      const pod = o as Pod;
      if (pod.metadata?.namespace !== namespace || !kept.spec || !pod.spec) return kept;
      kept.spec.containers = (pod.spec.containers ?? []).map((c) => requestsAndLimitsOf(c as WithLimits)) as typeof kept.spec.containers;
      if (pod.spec.initContainers)
        kept.spec.initContainers = pod.spec.initContainers.map((c) => ({
          restartPolicy: c.restartPolicy,
          ...requestsAndLimitsOf(c as WithLimits),
        })) as typeof kept.spec.initContainers;
      return kept;
    },
  };
}

/**
 * What the monitor's pod cache keeps of a pod (the informer's transform): identity, owner,
 * node, requests (containers, init containers, overhead), phase, the PodScheduled and Ready
 * conditions and deletion. Everything `ClusterState` reads, nothing else: images, env, volumes,
 * container statuses and managedFields stay out of the 150,000-pod cache.
 */
export const POD_CACHE: ObjectTransform<Pod & KubeObject> = {
  name: 'scaling-monitor/pod',
  apply(o: KubeObject): Pod & KubeObject {
    const pod = o as Pod;
    const m = pod.metadata ?? {};
    const owner = m.ownerReferences?.find((r) => r.controller) ?? m.ownerReferences?.[0];
    const hash = m.labels?.['pod-template-hash'];
    const spec = pod.spec;
    const conditions = (pod.status?.conditions ?? []).filter((c) => c.type === 'PodScheduled' || c.type === 'Ready') as Condition[];
    return {
      metadata: {
        ...keepIdentity(o),
        creationTimestamp: m.creationTimestamp,
        deletionTimestamp: m.deletionTimestamp,
        deletionGracePeriodSeconds: m.deletionGracePeriodSeconds,
        labels: hash === undefined ? undefined : { 'pod-template-hash': hash },
        ownerReferences: owner ? [{ kind: owner.kind, name: owner.name, controller: owner.controller }] : undefined,
      },
      spec: spec && {
        nodeName: spec.nodeName,
        containers: (spec.containers ?? []).map((c) => requestsOf(c as { resources?: Resources })),
        initContainers: spec.initContainers?.map((c) => ({ restartPolicy: c.restartPolicy, ...requestsOf(c as { resources?: Resources }) })),
        overhead: pick(spec.overhead as Record<string, string> | undefined, ['cpu', 'memory']),
        schedulingGates: spec.schedulingGates?.map((g) => ({ name: g.name })),
      },
      status: { phase: pod.status?.phase, conditions: conditions.map(keptCondition) },
    } as Pod & KubeObject;
  },
};

/**
 * What the monitor's node cache keeps of a node: identity, the labels `nodeLabels` reads,
 * cordon, drain taints (Karpenter, Node Termination Handler, Cluster Autoscaler; no other taint)
 * and deletion, the Ready condition, capacity and allocatable (CPU, memory, pods). A real node
 * carries tens of kilobytes more (images, annotations, managedFields).
 */
export const NODE_CACHE: ObjectTransform<Node & KubeObject> = {
  name: 'scaling-monitor/node',
  apply(o: KubeObject): Node & KubeObject {
    const node = o as Node;
    const m = node.metadata ?? {};
    const ready = conditionOf(node as { status?: { conditions?: Condition[] } }, 'Ready');
    const resources = ['cpu', 'memory', 'pods'];
    return {
      metadata: {
        ...keepIdentity(o),
        creationTimestamp: m.creationTimestamp,
        deletionTimestamp: m.deletionTimestamp,
        deletionGracePeriodSeconds: m.deletionGracePeriodSeconds,
        labels: pick(m.labels, NODE_LABELS),
      },
      spec: { unschedulable: node.spec?.unschedulable, taints: drainTaints(node.spec?.taints) },
      status: {
        conditions: ready ? [keptCondition(ready)] : [],
        capacity: pick(node.status?.capacity, resources),
        allocatable: pick(node.status?.allocatable, resources),
      },
    } as Node & KubeObject;
  },
};

/** The drain taints of a node and its cordon's (undefined when none: the common case costs nothing in the cache). */
function drainTaints(taints: Array<{ key?: string; value?: string; effect?: string; timeAdded?: Date | string }> | undefined): KeptTaint[] | undefined {
  if (!taints?.length) return undefined;
  const kept: KeptTaint[] = [];
  for (const t of taints) {
    if (!t.key || (!isDrainTaint(t) && t.key !== CORDON_TAINT)) continue;
    const timeAdded = t.timeAdded instanceof Date ? t.timeAdded.toISOString() : t.timeAdded;
    kept.push({ key: t.key, value: t.value || undefined, effect: t.effect, timeAdded: timeAdded || undefined });
  }
  return kept.length ? kept : undefined;
}
