import { cpuMillicores, memoryBytes, type ResourceObjects } from '@eks-info/kube';

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

/** Timestamps normalised to the ISO form with milliseconds, so ids and comparisons agree. */
export function isoTime(value: string | null | undefined): string | null {
  if (!value) return null;
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
    instanceType: l['node.kubernetes.io/instance-type'] ?? l['beta.kubernetes.io/instance-type'] ?? null,
    zone: l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? null,
    capacityType,
    arch: l['kubernetes.io/arch'] ?? l['beta.kubernetes.io/arch'] ?? null,
    provisioner: pool ? `Karpenter pool ${pool}` : group ? `node group ${group}` : null,
  };
}

export const metaKey = (namespace: string | undefined, name: string | undefined): string => `${namespace ?? ''}/${name ?? ''}`;
