import type { Section } from '../../common/section';
import type { Served } from '../../common/served-by';
import type { ScalingEventRecord } from './events.dto';

/** Colour of a row or badge: green / yellow / red. */
export type ScalingHealth = 'ok' | 'warn' | 'error';

/** One resource (CPU in millicores or memory in bytes) of a node. */
export interface NodeResource {
  capacity: number;
  allocatable: number;
  /** Sum of the requests of the pods bound to the node (not finished). */
  requested: number;
  /** metrics.k8s.io usage; null without metrics-server. */
  used: number | null;
  /** Of allocatable, in percent (one decimal). */
  requestedPercent: number;
  usedPercent: number | null;
}

export interface ScalingNode {
  name: string;
  ready: boolean;
  /** Ready, NotReady, Ready (cordoned), Deleting… */
  status: string;
  health: ScalingHealth;
  instanceType: string | null;
  zone: string | null;
  /** on-demand or spot (from the EKS or Karpenter label), null when unlabelled. */
  capacityType: 'on-demand' | 'spot' | null;
  arch: string | null;
  /** Who launched it: "node group default", "Karpenter pool general", null when unknown. */
  provisioner: string | null;
  createdAt: string | null;
  cpu: NodeResource;
  memory: NodeResource;
  pods: { count: number; max: number };
  /** Pods of the watched namespace on this node (names, at most a handful; "name (Terminating)" while one is being deleted). */
  appPods: string[];
  /** How many more app pods than listed. */
  appPodsMore: number;
}

export interface NodesView {
  nodes: ScalingNode[];
  /** Nodes in the cluster; `nodes` may list fewer on very large clusters (see SNAPSHOT_MAX_NODES). */
  total: number;
  metricsAvailable: boolean;
  /** Why usage is missing, when it is. */
  metricsMessage: string | null;
  metricsAt: string | null;
}

export interface PendingPod {
  namespace: string;
  name: string;
  /** "Deployment/stress", "StatefulSet/db", or null for a bare pod. */
  workload: string | null;
  /** When it became unschedulable (condition time), else its creation time. */
  since: string | null;
  /** Unschedulable, SchedulingGated, or "waiting for the scheduler". */
  reason: string;
  /** The scheduler's message, e.g. "0/3 nodes are available: 3 Insufficient cpu." */
  message: string | null;
  cpuRequestMillis: number;
  memoryRequestBytes: number;
  /** What the node autoscaler said about this pod (TriggeredScaleUp / NotTriggerScaleUp events), if anything. */
  autoscaler: string | null;
}

export interface PendingView {
  pods: PendingPod[];
  /** Pending pods in the cluster; `pods` may list fewer. */
  total: number;
}

/** One metric of an HPA with the replica maths for it. */
export interface HpaMetricView {
  /** cpu, memory, or the metric's name. */
  name: string;
  /** Resource, ContainerResource, Pods, Object, External. */
  type: string;
  /** Utilization, AverageValue, Value. */
  targetType: string;
  /** In the target's unit: percent of requests for Utilization, else base units (cores, bytes, plain numbers). */
  current: number | null;
  target: number;
  currentText: string;
  targetText: string;
  /** current / target. */
  ratio: number | null;
  withinTolerance: boolean;
  /** Replicas this metric alone asks for. */
  proposal: number | null;
  /** The maths in words, e.g. "ceil(2 × 95 / 60) = ceil(3.17) = 4". */
  formula: string;
}

export interface HpaCondition {
  type: string;
  status: string;
  reason: string | null;
  message: string | null;
  lastTransitionTime: string | null;
}

export interface HpaView {
  namespace: string;
  name: string;
  target: { kind: string; name: string };
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  /** What the HPA controller last decided (status.desiredReplicas). */
  desiredReplicas: number;
  lastScaleTime: string | null;
  metrics: HpaMetricView[];
  /** The recomputed recommendation: max over metrics, clamped to min/max; null without metric values. */
  computedReplicas: number | null;
  limitedBy: 'minReplicas' | 'maxReplicas' | null;
  scaleUpWindowSeconds: number;
  scaleDownWindowSeconds: number;
  /** Rate policies in words, e.g. "at most 4 pods or 100 % per 15 s (the larger)". */
  scaleUpPolicy: string;
  scaleDownPolicy: string;
  /** Earliest moment a scale-down can happen if the load stays low (end of the stabilisation window), when known. */
  scaleDownNotBefore: string | null;
  conditions: HpaCondition[];
  /** scaling-up, scaling-down, stable, held (stabilisation), limited, unable. */
  state: string;
  health: ScalingHealth;
  /** The maths and the decision in plain words, one sentence per line. */
  explanation: string[];
}

export interface NodeGroupStatus {
  name: string;
  health: string;
  ready: number | null;
  registered: number | null;
  /** The size the cloud provider was asked for (ASG desired capacity). */
  target: number | null;
  minSize: number | null;
  maxSize: number | null;
  scaleUp: string;
  scaleDown: string;
}

export interface ClusterAutoscalerView {
  /** When the autoscaler last wrote its status. */
  updatedAt: string | null;
  health: string;
  scaleUp: string;
  scaleDown: string;
  nodeGroups: NodeGroupStatus[];
  /** The status text when it is not in a format we read (older Cluster Autoscaler versions). */
  raw: string | null;
}

export interface NodePoolView {
  name: string;
  /** Nodes launched by the pool (status.resources.nodes). */
  nodes: number | null;
  cpuLimit: string | null;
  capacityTypes: string[];
  arch: string[];
  consolidation: string | null;
  ready: boolean;
}

export interface NodeClaimView {
  name: string;
  nodePool: string | null;
  instanceType: string | null;
  zone: string | null;
  capacityType: string | null;
  nodeName: string | null;
  /** Launched, Registered, Initialized, Ready, or Pending. */
  state: string;
  createdAt: string | null;
}

export interface KarpenterView {
  nodePools: NodePoolView[];
  nodeClaims: NodeClaimView[];
}

/** Node and pod counts and CPU/memory totals of the cluster at one moment (summary and samples share them). */
export interface ClusterTotals {
  nodes: number;
  nodesReady: number;
  /** Nodes by capacity type ("on-demand", "spot", "unknown"). */
  nodesByCapacityType: Record<string, number>;
  /** Pods not finished and not being deleted, in all namespaces. */
  pods: number;
  /** Pods being deleted (deletionTimestamp set) and not gone yet: shown as Terminating, not in `pods`. */
  terminating?: number;
  pending: number;
  cpuAllocatableMillis: number;
  cpuRequestedMillis: number;
  /** null while metrics.k8s.io has no answer. */
  cpuUsedMillis: number | null;
  memoryAllocatableBytes: number;
  memoryRequestedBytes: number;
  memoryUsedBytes: number | null;
}

export interface ScalingSummary extends ClusterTotals {
  hpas: number;
}

/** True when snapshot `a` is newer than `b` (a later monitor start, or a later version of the same one). */
export function isNewerSnapshot(a: Pick<ScalingSnapshot, 'startedAt' | 'version'>, b: Pick<ScalingSnapshot, 'startedAt' | 'version'> | undefined): boolean {
  if (!b) return true;
  if (a.startedAt !== b.startedAt) return Date.parse(a.startedAt) > Date.parse(b.startedAt);
  return a.version > b.version;
}

/**
 * The /scaling page: the cluster's scaling state from the monitor's informer caches. Each part is
 * its own section, so a forbidden resource (say Karpenter's) only greys out its part.
 */
export interface ScalingSnapshot extends Served {
  /** When this monitor process started: versions count from there (a restarted monitor starts again at 0). */
  startedAt: string;
  /** Increases with every change the monitor applied; pushes carry it so browsers skip stale ones. */
  version: number;
  /** When this snapshot was built, and when the last watch change arrived. */
  generatedAt: string;
  changedAt: string | null;
  /** The namespace whose HPAs, workloads and pods are followed. */
  namespace: string;
  summary: Section<ScalingSummary>;
  nodes: Section<NodesView>;
  pending: Section<PendingView>;
  hpas: Section<HpaView[]>;
  clusterAutoscaler: Section<ClusterAutoscalerView>;
  karpenter: Section<KarpenterView>;
  /** Node scale-up and scale-down events (node added/ready/removed, autoscaler actions), newest first. */
  nodeEvents: Section<ScalingEventRecord[]>;
}

/** Published (to every gateway replica) when the snapshot changed; small on purpose: gateways fetch the snapshot only when a browser watches. */
export interface ScalingChanged {
  startedAt: string;
  version: number;
  at: string;
  nodes: number;
  pods: number;
  pending: number;
}
