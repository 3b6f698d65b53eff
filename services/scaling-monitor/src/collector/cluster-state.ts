import type { HpaView } from '@eks-info/contracts';
import { cpuMillicores, type KubeObject, memoryBytes, podAmounts, type PodMetricsState, type Usage } from '@eks-info/kube';
import { hpaView } from './hpa-maths';
import {
  type ConfigMap,
  conditionOf,
  type Deployment,
  deletionRequestedAt,
  eventTimeOf,
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
import { DRAIN_EVENT_REASONS, DRAIN_PROGRESS_REASONS, type DrainNote, type KeptTaint, drainSince, nodeDrain } from './node-drain';

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
  /** Pods of the watched namespace: their limits (null: no ceiling), for usage against limits. Null for the others. */
  limits: { cpuMillis: number | null; memoryBytes: number | null } | null;
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
  /** When its deletion was asked for; a pod being deleted is Terminating: still on its node, no longer counted as running. */
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
  /** Set while a drainer's taint or a cordon is on the node: who drains it and why (from the taint). */
  drain: NonNullable<ReturnType<typeof nodeDrain>> | null;
  /** When the drain started, when a taint says (the cordon's taint carries timeAdded). */
  drainSince: string | null;
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

export interface NodeSums {
  cpu: number;
  memory: number;
  pods: number;
  /** The node's pods of the watched namespace, by how they are listed ("name", "name (Terminating)"). */
  appPods: Map<string, PodRecord>;
}

export interface UsageSource {
  node(name: string): Usage | undefined;
  pod(namespace: string, name: string): Usage | undefined;
  /** Whether pod usage is there (and why not): it has its own state beside the nodes'. */
  readonly pods?: PodMetricsState;
  podSimulated?(namespace: string, name: string): boolean;
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
  readonly nodes = new Map<string, NodeRecord>();
  readonly sums = new Map<string, NodeSums>();
  readonly pods = new Map<string, PodRecord>();
  readonly pendingPods = new Map<string, PodRecord>();
  readonly appPods = new Map<string, PodRecord>();
  /** Pods counted in `pods` that are being deleted (Terminating). */
  terminatingCount = 0;
  readonly hpas = new Map<string, HpaRecord>();
  private readonly replicaSetOwners = new Map<string, string>();
  readonly deployments = new Map<string, Deployment>();
  readonly autoscalerNotes = new Map<string, { at: number; text: string }>();
  /** The newest drainer event (Karpenter, Node Termination Handler) per node name: why it is drained. */
  readonly drainNotes = new Map<string, DrainNote>();
  private removedNode?: string;
  readonly nodePools = new Map<string, KubeObject>();
  readonly nodeClaims = new Map<string, KubeObject>();
  private autoscalerStatus: ConfigMap | undefined;
  /** The last metrics.k8s.io poll, when there is one. */
  usage?: UsageSource;
  private readonly listeners = new Set<() => void>();
  /** One string per workload name ("Deployment/web"), shared by its pods instead of one copy each. */
  private readonly workloadNames = new Map<string, string>();
  private readonly now: () => number;
  private changeVersion = 0;
  private lastChange: number | null = null;

  constructor(readonly options: ClusterStateOptions) {
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
    else {
      this.nodes.delete(name);
      // The note of a removed node stays until the next removal: its removal event still reads it.
      if (this.removedNode !== undefined && this.removedNode !== name && !this.nodes.has(this.removedNode)) this.drainNotes.delete(this.removedNode);
      this.removedNode = name;
    }
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

  /**
   * Node-autoscaler events about pods become a note on the Pending pod ("pod triggered scale-up: …");
   * drainers' events about nodes say why a node is drained.
   */
  applyEvent(type: Change, event: KubeEvent): void {
    if (type !== 'delete' && event.involvedObject?.kind === 'Node') return this.applyDrainEvent(event);
    if (type === 'delete' || event.involvedObject?.kind !== 'Pod' || !AUTOSCALER_POD_REASONS.has(event.reason ?? '')) return;
    const key = metaKey(event.involvedObject.namespace ?? event.metadata?.namespace, event.involvedObject.name);
    const at = Date.parse(eventTimeOf(event) ?? '') || this.now();
    const current = this.autoscalerNotes.get(key);
    if (current && current.at > at) return;
    this.autoscalerNotes.set(key, { at, text: `${event.reason}: ${event.message ?? ''}`.trim() });
    this.touch();
  }

  private applyDrainEvent(event: KubeEvent): void {
    const reason = event.reason ?? '';
    const by = DRAIN_EVENT_REASONS.get(reason);
    const name = event.involvedObject?.name;
    if (!by || !name) return;
    const at = isoTime(eventTimeOf(event));
    const current = this.drainNotes.get(name);
    if (current && current.at && at && current.at > at) return;
    // "Cordoned and drained" does not replace the event that said why.
    if (current && current.by === by && DRAIN_PROGRESS_REASONS.has(reason) && !DRAIN_PROGRESS_REASONS.has(current.reason)) return;
    this.drainNotes.set(name, { by, reason, message: event.message ?? null, at });
    // Events about nodes that are gone (or never listed): bounded by the nodes there are.
    if (this.drainNotes.size > this.nodes.size + 1000) for (const n of this.drainNotes.keys()) if (!this.nodes.has(n)) this.drainNotes.delete(n);
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
      workload: this.shared(podWorkload(pod, this.replicaSetOwner)),
      createdAt,
      node,
      active: node !== null && !finished,
      cpuMillis: requests.cpuMillis,
      memoryBytes: requests.memoryBytes,
      limits: namespace === this.namespace ? podLimits(pod) : null,
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
      deletingAt: deletionRequestedAt(pod.metadata),
    };
  }

  private shared(workload: string | null): string | null {
    if (workload === null) return null;
    const known = this.workloadNames.get(workload);
    if (known !== undefined) return known;
    // Bounded: names of old ReplicaSets come and go with rollouts.
    if (this.workloadNames.size >= 10_000) this.workloadNames.clear();
    this.workloadNames.set(workload, workload);
    return workload;
  }

  private sumsOf(node: string): NodeSums {
    let s = this.sums.get(node);
    if (!s) this.sums.set(node, (s = { cpu: 0, memory: 0, pods: 0, appPods: new Map() }));
    return s;
  }

  private account(p: PodRecord): void {
    if (p.active) {
      const s = this.sumsOf(p.node!);
      s.cpu += p.cpuMillis;
      s.memory += p.memoryBytes;
      s.pods++;
      if (p.app) s.appPods.set(appPodLabel(p), p);
    }
    if (p.deletingAt) this.terminatingCount++;
    if (p.pending) this.pendingPods.set(p.uid, p);
    if (p.app) this.appPods.set(p.uid, p);
  }

  private unaccount(p: PodRecord): void {
    if (p.active) {
      const s = this.sumsOf(p.node!);
      s.cpu -= p.cpuMillis;
      s.memory -= p.memoryBytes;
      s.pods--;
      if (p.app) s.appPods.delete(appPodLabel(p));
      if (s.pods <= 0 && !this.nodes.has(p.node!)) this.sums.delete(p.node!);
    }
    if (p.deletingAt) this.terminatingCount--;
    this.pendingPods.delete(p.uid);
    this.appPods.delete(p.uid);
  }
}

/** A pod's limits (containers and sidecars), as numbers. */
function podLimits(pod: Pod): PodRecord['limits'] {
  const a = podAmounts(pod.spec as Parameters<typeof podAmounts>[0]);
  return { cpuMillis: a.cpuLimitMillis, memoryBytes: a.memoryLimitBytes };
}

/** How an app pod is listed on its node: by name, marked while it is Terminating. */
const appPodLabel = (p: PodRecord): string => (p.deletingAt ? `${p.name} (Terminating)` : p.name);

export function nodeRecord(node: Node): NodeRecord {
  const ready = conditionOf(node, 'Ready');
  // The node cache keeps only drain taints (see NODE_CACHE); a node straight from the API may carry others.
  const taints = node.spec?.taints as KeptTaint[] | undefined;
  return {
    ...nodeLabels(node),
    uid: node.metadata?.uid ?? node.metadata?.name ?? '',
    name: node.metadata?.name ?? '',
    createdAt: isoTime(node.metadata?.creationTimestamp),
    ready: ready?.status === 'True',
    readyAt: ready?.status === 'True' ? isoTime(ready.lastTransitionTime) : null,
    everReady: ready?.status === 'True',
    deletingAt: deletionRequestedAt(node.metadata),
    unschedulable: node.spec?.unschedulable === true,
    drain: nodeDrain(taints, node.spec?.unschedulable === true),
    drainSince: drainSince(taints),
    cpuCapacity: cpuMillicores(node.status?.capacity?.cpu) ?? 0,
    cpuAllocatable: cpuMillicores(node.status?.allocatable?.cpu) ?? 0,
    memoryCapacity: memoryBytes(node.status?.capacity?.memory) ?? 0,
    memoryAllocatable: memoryBytes(node.status?.allocatable?.memory) ?? 0,
    maxPods: Number(node.status?.allocatable?.pods ?? node.status?.capacity?.pods ?? 0) || 0,
  };
}
