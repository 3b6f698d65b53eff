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
import { cpuMillicores, type KubeObject, memoryBytes, type Usage } from '@eks-info/kube';
import { hpaView } from './hpa-maths';
import {
  type ConfigMap,
  conditionOf,
  type Deployment,
  type Hpa,
  isFinished,
  isoTime,
  type KubeEvent,
  metaKey,
  type Node,
  type NodeLabels,
  nodeLabels,
  type Pod,
  podRequests,
  podWorkload,
  type ReplicaSet,
  replicaSetDeployment,
} from './kube-objects';

export type Change = 'add' | 'update' | 'delete';

/** What the monitor keeps of a pod: enough for node sums, the Pending list and event detection. */
export interface PodRecord {
  uid: string;
  namespace: string;
  name: string;
  /** In the watched namespace (its lifecycle events are recorded). */
  app: boolean;
  workload: string | null;
  createdAt: string | null;
  node: string | null;
  /** Bound to a node and not finished: counts toward the node's requests. */
  active: boolean;
  cpuMillis: number;
  memoryBytes: number;
  /** Not bound to a node yet. */
  pending: { unschedulable: boolean; since: string | null; reason: string; message: string | null } | null;
  scheduled: boolean;
  /** PodScheduled=True transition time. */
  scheduledAt: string | null;
  ready: boolean;
  /** Ready=True transition time. */
  readyAt: string | null;
  /** Seen Ready at some point by this process (a later Ready is a recovery, not the first readiness). */
  everReady: boolean;
  deletingAt: string | null;
}

export interface NodeRecord extends NodeLabels {
  uid: string;
  name: string;
  createdAt: string | null;
  ready: boolean;
  readyAt: string | null;
  /** Seen Ready at some point by this process. */
  everReady: boolean;
  deletingAt: string | null;
  unschedulable: boolean;
  cpuCapacity: number;
  cpuAllocatable: number;
  memoryCapacity: number;
  memoryAllocatable: number;
  maxPods: number;
}

export interface HpaRecord {
  uid: string;
  namespace: string;
  name: string;
  /** "Deployment/stress". */
  target: string;
  current: number;
  desired: number;
  lastScaleTime: string | null;
  object: Hpa;
  /** The maths at the moment of this update (for event triggers). */
  view: HpaView;
  /** Last time the recommendation was at or above the current replicas (observed). */
  lastHighAt: string | null;
}

interface NodeSums {
  cpu: number;
  memory: number;
  pods: number;
  appPods: Set<string>;
}

export interface UsageSource {
  node(name: string): Usage | undefined;
  pod(namespace: string, name: string): Usage | undefined;
  readonly available: boolean;
  readonly message: string | null;
  readonly at: Date | null;
}

export interface ClusterStateOptions {
  /** The watched namespace: its pods' lifecycle is recorded and listed per node. */
  namespace: string;
  /** Nodes listed in a snapshot (the counts cover all). */
  maxNodes: number;
  maxPending?: number;
  now?: () => number;
}

const APP_PODS_PER_NODE = 8;
const percent = (used: number, of: number) => (of > 0 ? Math.round((used / of) * 1000) / 10 : 0);

/** Reasons of node-autoscaler events about a pod that say whether it caused a node scale-up. */
const AUTOSCALER_POD_REASONS = new Set(['TriggeredScaleUp', 'NotTriggerScaleUp', 'Nominated']);

/**
 * The scaling picture, maintained change by change from the informers: per-node request sums,
 * the Pending pods, HPAs, workload ownership and the node autoscalers' objects. Every change is
 * O(1) (a pod moves its requests from one node's sums to another's), so a snapshot costs one
 * pass over the nodes, never a pass over every pod.
 */
export class ClusterState {
  readonly namespace: string;
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly sums = new Map<string, NodeSums>();
  private readonly pods = new Map<string, PodRecord>();
  private readonly pendingPods = new Map<string, PodRecord>();
  private readonly appPods = new Map<string, PodRecord>();
  private readonly hpas = new Map<string, HpaRecord>();
  private readonly replicaSetOwners = new Map<string, string>();
  private readonly deployments = new Map<string, Deployment>();
  private readonly autoscalerNotes = new Map<string, { at: number; text: string }>();
  private readonly nodePools = new Map<string, KubeObject>();
  private readonly nodeClaims = new Map<string, KubeObject>();
  private autoscalerStatus: ConfigMap | undefined;
  private usage?: UsageSource;
  private readonly listeners = new Set<() => void>();
  private readonly now: () => number;
  private changeVersion = 0;
  private lastChange: number | null = null;

  constructor(private readonly options: ClusterStateOptions) {
    this.namespace = options.namespace;
    this.now = options.now ?? Date.now;
  }

  /** Increases with every applied change. */
  get version(): number {
    return this.changeVersion;
  }

  get changedAt(): string | null {
    return this.lastChange === null ? null : new Date(this.lastChange).toISOString();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Marks the state changed (also used when something outside the objects changed, e.g. fresh usage). */
  touch(): void {
    this.changeVersion++;
    this.lastChange = this.now();
    for (const l of this.listeners) l();
  }

  setUsage(usage: UsageSource): void {
    this.usage = usage;
  }

  // ---- applying changes -----------------------------------------------------------------

  applyPod(type: Change, pod: Pod): { prev?: PodRecord; next?: PodRecord } {
    const uid = pod.metadata?.uid ?? metaKey(pod.metadata?.namespace, pod.metadata?.name);
    const prev = this.pods.get(uid);
    const next = type === 'delete' ? undefined : this.podRecord(uid, pod);
    if (next) next.everReady = next.ready || (prev?.everReady ?? false);
    if (prev) this.unaccount(prev);
    if (next) {
      this.pods.set(uid, next);
      this.account(next);
    } else {
      this.pods.delete(uid);
      this.autoscalerNotes.delete(metaKey(prev?.namespace, prev?.name));
    }
    this.touch();
    return { prev, next };
  }

  applyNode(type: Change, node: Node): { prev?: NodeRecord; next?: NodeRecord } {
    const name = node.metadata?.name ?? '';
    const prev = this.nodes.get(name);
    const next = type === 'delete' ? undefined : nodeRecord(node);
    if (next) next.everReady = next.ready || (prev?.everReady ?? false);
    if (next) this.nodes.set(name, next);
    else this.nodes.delete(name);
    this.touch();
    return { prev, next };
  }

  applyHpa(type: Change, hpa: Hpa): { prev?: HpaRecord; next?: HpaRecord } {
    const key = metaKey(hpa.metadata?.namespace, hpa.metadata?.name);
    const prev = this.hpas.get(key);
    let next: HpaRecord | undefined;
    if (type !== 'delete') {
      const view = hpaView(hpa);
      const high = view.computedReplicas !== null && view.computedReplicas >= view.currentReplicas;
      next = {
        uid: hpa.metadata?.uid ?? key,
        namespace: hpa.metadata?.namespace ?? '',
        name: hpa.metadata?.name ?? '',
        target: `${hpa.spec?.scaleTargetRef?.kind ?? ''}/${hpa.spec?.scaleTargetRef?.name ?? ''}`,
        current: hpa.status?.currentReplicas ?? 0,
        desired: hpa.status?.desiredReplicas ?? hpa.status?.currentReplicas ?? 0,
        lastScaleTime: isoTime(hpa.status?.lastScaleTime),
        object: hpa,
        view,
        lastHighAt: high ? new Date(this.now()).toISOString() : (prev?.lastHighAt ?? null),
      };
      this.hpas.set(key, next);
    } else {
      this.hpas.delete(key);
    }
    this.touch();
    return { prev, next };
  }

  applyReplicaSet(type: Change, rs: ReplicaSet): void {
    const key = metaKey(rs.metadata?.namespace, rs.metadata?.name);
    const owner = replicaSetDeployment(rs);
    if (type === 'delete' || !owner) {
      this.replicaSetOwners.delete(key);
      return;
    }
    if (this.replicaSetOwners.get(key) === owner) return;
    this.replicaSetOwners.set(key, owner);
    // Pods listed before their ReplicaSet were attributed to it; now the Deployment is known.
    const interim = `ReplicaSet/${rs.metadata?.name}`;
    for (const p of this.appPods.values()) if (p.namespace === rs.metadata?.namespace && p.workload === interim) p.workload = `Deployment/${owner}`;
  }

  applyDeployment(type: Change, deployment: Deployment): void {
    const key = metaKey(deployment.metadata?.namespace, deployment.metadata?.name);
    if (type === 'delete') this.deployments.delete(key);
    else this.deployments.set(key, deployment);
    this.touch();
  }

  /** Node-autoscaler events about pods become a note on the Pending pod ("pod triggered scale-up: …"). */
  applyEvent(type: Change, event: KubeEvent): void {
    if (type === 'delete' || event.involvedObject?.kind !== 'Pod' || !AUTOSCALER_POD_REASONS.has(event.reason ?? '')) return;
    const key = metaKey(event.involvedObject.namespace ?? event.metadata?.namespace, event.involvedObject.name);
    const at = Date.parse(event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? '') || this.now();
    const current = this.autoscalerNotes.get(key);
    if (current && current.at > at) return;
    this.autoscalerNotes.set(key, { at, text: `${event.reason}: ${event.message ?? ''}`.trim() });
    this.touch();
  }

  applyAutoscalerStatus(type: Change, configMap: ConfigMap): void {
    this.autoscalerStatus = type === 'delete' ? undefined : configMap;
    this.touch();
  }

  applyNodePool(type: Change, pool: KubeObject): void {
    const name = pool.metadata?.name ?? '';
    if (type === 'delete') this.nodePools.delete(name);
    else this.nodePools.set(name, pool);
    this.touch();
  }

  applyNodeClaim(type: Change, claim: KubeObject): { prev?: KubeObject; next?: KubeObject } {
    const name = claim.metadata?.name ?? '';
    const prev = this.nodeClaims.get(name);
    if (type === 'delete') this.nodeClaims.delete(name);
    else this.nodeClaims.set(name, claim);
    this.touch();
    return { prev, next: type === 'delete' ? undefined : claim };
  }

  // ---- lookups --------------------------------------------------------------------------

  replicaSetOwner = (namespace: string, replicaSet: string): string | undefined => this.replicaSetOwners.get(metaKey(namespace, replicaSet));

  node(name: string): NodeRecord | undefined {
    return this.nodes.get(name);
  }

  nodeRecords(): IterableIterator<NodeRecord> {
    return this.nodes.values();
  }

  hpaRecords(): HpaRecord[] {
    return [...this.hpas.values()];
  }

  clusterAutoscalerConfigMap(): ConfigMap | undefined {
    return this.autoscalerStatus;
  }

  // ---- views ----------------------------------------------------------------------------

  summary(): ScalingSummary {
    let nodesReady = 0;
    let cpuAllocatable = 0;
    let memoryAllocatable = 0;
    let cpuUsed: number | null = this.usage?.available ? 0 : null;
    let memoryUsed: number | null = cpuUsed;
    const byCapacity: Record<string, number> = {};
    for (const n of this.nodes.values()) {
      if (n.ready) nodesReady++;
      cpuAllocatable += n.cpuAllocatable;
      memoryAllocatable += n.memoryAllocatable;
      const type = n.capacityType ?? 'unknown';
      byCapacity[type] = (byCapacity[type] ?? 0) + 1;
      const u = this.usage?.node(n.name);
      if (cpuUsed !== null && u) {
        cpuUsed += u.cpuMillis;
        memoryUsed! += u.memoryBytes;
      }
    }
    let cpuRequested = 0;
    let memoryRequested = 0;
    for (const [node, s] of this.sums) {
      if (!this.nodes.has(node)) continue;
      cpuRequested += s.cpu;
      memoryRequested += s.memory;
    }
    return {
      nodes: this.nodes.size,
      nodesReady,
      nodesByCapacityType: byCapacity,
      pods: this.pods.size,
      pending: this.pendingPods.size,
      hpas: this.hpas.size,
      cpuAllocatableMillis: Math.round(cpuAllocatable),
      cpuRequestedMillis: Math.round(cpuRequested),
      cpuUsedMillis: cpuUsed === null ? null : Math.round(cpuUsed),
      memoryAllocatableBytes: memoryAllocatable,
      memoryRequestedBytes: memoryRequested,
      memoryUsedBytes: memoryUsed,
    };
  }

  nodesView(): NodesView {
    const names = [...this.nodes.keys()].sort();
    const shown = names.slice(0, this.options.maxNodes);
    return {
      nodes: shown.map((name) => this.scalingNode(this.nodes.get(name)!)),
      total: names.length,
      metricsAvailable: this.usage?.available ?? false,
      metricsMessage: this.usage ? this.usage.message : 'metrics.k8s.io is not polled',
      metricsAt: this.usage?.at?.toISOString() ?? null,
    };
  }

  pendingView(): PendingView {
    const since = (p: PodRecord) => (p.pending?.since ? Date.parse(p.pending.since) : 0);
    const all = [...this.pendingPods.values()].sort((a, b) => since(a) - since(b) || a.name.localeCompare(b.name));
    const pods: PendingPod[] = all.slice(0, this.options.maxPending ?? 200).map((p) => ({
      namespace: p.namespace,
      name: p.name,
      workload: p.workload,
      since: p.pending!.since,
      reason: p.pending!.reason,
      message: p.pending!.message,
      cpuRequestMillis: p.cpuMillis,
      memoryRequestBytes: p.memoryBytes,
      autoscaler: this.autoscalerNotes.get(metaKey(p.namespace, p.name))?.text ?? null,
    }));
    return { pods, total: all.length };
  }

  hpaViews(): HpaView[] {
    return [...this.hpas.values()]
      .map((h) => {
        const [kind, name] = h.target.split('/');
        const deployment = kind === 'Deployment' ? this.deployments.get(metaKey(h.namespace, name)) : undefined;
        return hpaView(h.object, { lastHighAt: h.lastHighAt, targetReady: deployment ? (deployment.status?.readyReplicas ?? 0) : null });
      })
      .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  }

  karpenterView(): KarpenterView {
    const pools: NodePoolView[] = [...this.nodePools.values()].map((p) => {
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
    const claims: NodeClaimView[] = [...this.nodeClaims.values()].map((c) => {
      const labels = c.metadata?.labels ?? {};
      const status = (c.status ?? {}) as { nodeName?: string; conditions?: Array<{ type: string; status: string }> };
      const done = (type: string) => (status.conditions ?? []).some((x) => x.type === type && x.status === 'True');
      const state = done('Ready')
        ? 'Ready'
        : done('Initialized')
          ? 'Initialized'
          : done('Registered')
            ? 'Registered'
            : done('Launched')
              ? 'Launched'
              : 'Pending';
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
  sample(at: Date): HistoryPoint {
    const s = this.summary();
    const workloads: Record<string, number> = {};
    for (const p of this.appPods.values()) {
      const w = p.workload ?? `Pod/${p.name}`;
      workloads[w] = (workloads[w] ?? 0) + 1;
    }
    const hpas: Record<string, [number, number]> = {};
    for (const h of this.hpas.values()) hpas[h.namespace === this.namespace ? h.name : `${h.namespace}/${h.name}`] = [h.current, h.desired];
    return {
      t: at.toISOString(),
      nodes: s.nodes,
      nodesReady: s.nodesReady,
      nodesByCapacityType: s.nodesByCapacityType,
      pods: s.pods,
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

  // ---- internals --------------------------------------------------------------------------

  private podRecord(uid: string, pod: Pod): PodRecord {
    const namespace = pod.metadata?.namespace ?? '';
    const scheduled = conditionOf(pod, 'PodScheduled');
    const ready = conditionOf(pod, 'Ready');
    const node = pod.spec?.nodeName ?? null;
    const finished = isFinished(pod);
    const createdAt = isoTime(pod.metadata?.creationTimestamp);
    const unschedulable = scheduled?.status === 'False';
    const requests = podRequests(pod);
    return {
      uid,
      namespace,
      name: pod.metadata?.name ?? '',
      app: namespace === this.namespace,
      workload: podWorkload(pod, this.replicaSetOwner),
      createdAt,
      node,
      active: node !== null && !finished,
      cpuMillis: requests.cpuMillis,
      memoryBytes: requests.memoryBytes,
      pending:
        node === null && !finished
          ? {
              unschedulable,
              since: unschedulable ? (isoTime(scheduled?.lastTransitionTime) ?? createdAt) : createdAt,
              reason: unschedulable
                ? (scheduled?.reason ?? 'Unschedulable')
                : pod.spec?.schedulingGates?.length
                  ? 'SchedulingGated'
                  : 'waiting for the scheduler',
              message: unschedulable ? (scheduled?.message ?? null) : null,
            }
          : null,
      scheduled: node !== null,
      scheduledAt: node !== null && scheduled?.status === 'True' ? isoTime(scheduled.lastTransitionTime) : null,
      ready: ready?.status === 'True',
      readyAt: ready?.status === 'True' ? isoTime(ready.lastTransitionTime) : null,
      everReady: ready?.status === 'True',
      deletingAt: isoTime(pod.metadata?.deletionTimestamp),
    };
  }

  private sumsOf(node: string): NodeSums {
    let s = this.sums.get(node);
    if (!s) this.sums.set(node, (s = { cpu: 0, memory: 0, pods: 0, appPods: new Set() }));
    return s;
  }

  private account(p: PodRecord): void {
    if (p.active) {
      const s = this.sumsOf(p.node!);
      s.cpu += p.cpuMillis;
      s.memory += p.memoryBytes;
      s.pods++;
      if (p.app) s.appPods.add(p.name);
    }
    if (p.pending) this.pendingPods.set(p.uid, p);
    if (p.app) this.appPods.set(p.uid, p);
  }

  private unaccount(p: PodRecord): void {
    if (p.active) {
      const s = this.sumsOf(p.node!);
      s.cpu -= p.cpuMillis;
      s.memory -= p.memoryBytes;
      s.pods--;
      if (p.app) s.appPods.delete(p.name);
      if (s.pods <= 0 && !this.nodes.has(p.node!)) this.sums.delete(p.node!);
    }
    this.pendingPods.delete(p.uid);
    this.appPods.delete(p.uid);
  }

  private scalingNode(n: NodeRecord): ScalingNode {
    const s = this.sums.get(n.name) ?? { cpu: 0, memory: 0, pods: 0, appPods: new Set<string>() };
    const u = this.usage?.node(n.name);
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
}

export function nodeRecord(node: Node): NodeRecord {
  const ready = conditionOf(node, 'Ready');
  return {
    ...nodeLabels(node),
    uid: node.metadata?.uid ?? node.metadata?.name ?? '',
    name: node.metadata?.name ?? '',
    createdAt: isoTime(node.metadata?.creationTimestamp),
    ready: ready?.status === 'True',
    readyAt: ready?.status === 'True' ? isoTime(ready.lastTransitionTime) : null,
    everReady: ready?.status === 'True',
    deletingAt: isoTime(node.metadata?.deletionTimestamp),
    unschedulable: node.spec?.unschedulable === true,
    cpuCapacity: cpuMillicores(node.status?.capacity?.cpu) ?? 0,
    cpuAllocatable: cpuMillicores(node.status?.allocatable?.cpu) ?? 0,
    memoryCapacity: memoryBytes(node.status?.capacity?.memory) ?? 0,
    memoryAllocatable: memoryBytes(node.status?.allocatable?.memory) ?? 0,
    maxPods: Number(node.status?.allocatable?.pods ?? node.status?.capacity?.pods ?? 0) || 0,
  };
}
