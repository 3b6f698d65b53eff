import { z } from 'zod';
import { ErrorBody } from '../../common/errors';
import { PodUsageRow } from '../../common/pod-usage';
import { sectionOf } from '../../common/section';
import { Served } from '../../common/served-by';
import { ClusterCost } from './cost.dto';
import { NodeDrain } from './drain.dto';
import { ScalingEventRecord } from './events.dto';

/** True when snapshot `a` is newer than `b` (a later monitor start, or a later version of the same one). */
export function isNewerSnapshot(a: Pick<ScalingSnapshot, 'startedAt' | 'version'>, b: Pick<ScalingSnapshot, 'startedAt' | 'version'> | undefined): boolean {
  if (!b) return true;
  if (a.startedAt !== b.startedAt) return Date.parse(a.startedAt) > Date.parse(b.startedAt);
  return a.version > b.version;
}

/** Colour of a row or badge: green / yellow / red. */
export const ScalingHealth = z.enum(['ok', 'warn', 'error']);
export type ScalingHealth = z.output<typeof ScalingHealth>;

/** One resource (CPU in millicores or memory in bytes) of a node. */
export const NodeResource = z.object({
  capacity: z.number(),
  allocatable: z.number(),
  /** Sum of the requests of the pods bound to the node (not finished). */
  requested: z.number(),
  /** metrics.k8s.io usage; null without metrics-server. */
  used: z.number().nullable(),
  /** Of allocatable, in percent (one decimal). */
  requestedPercent: z.number(),
  usedPercent: z.number().nullable(),
});
export type NodeResource = z.output<typeof NodeResource>;

export const ScalingNode = z.object({
  name: z.string(),
  ready: z.boolean(),
  /** Ready, NotReady, Ready (cordoned), Deleting… */
  status: z.string(),
  health: ScalingHealth,
  instanceType: z.string().nullable(),
  zone: z.string().nullable(),
  /** on-demand or spot (from the EKS or Karpenter label), null when unlabelled. */
  capacityType: z.enum(['on-demand', 'spot']).nullable(),
  arch: z.string().nullable(),
  /** Who launched it: "node group default", "Karpenter pool general", null when unknown. */
  provisioner: z.string().nullable(),
  createdAt: z.string().nullable(),
  cpu: NodeResource,
  memory: NodeResource,
  pods: z.object({
    count: z.number(),
    max: z.number(),
  }),
  /** Pods of the watched namespace on this node (names, at most a handful; "name (Terminating)" while one is being deleted). */
  appPods: z.array(z.string()),
  /** How many more app pods than listed. */
  appPodsMore: z.number(),
  /** Node cards only: the listed app pods' CPU and memory used against their requests and limits. */
  podUsage: z.array(PodUsageRow).optional(),
  /** USD per hour of this node (its type, capacity type and zone); null without a price, absent without prices at all. */
  usdPerHour: z.number().nullable().optional(),
  /** Set while the node is being drained (Karpenter, Node Termination Handler, Cluster Autoscaler, a cordon): who and why. */
  drain: NodeDrain.nullable().optional(),
});
export type ScalingNode = z.output<typeof ScalingNode>;

/** How node cards are ordered: `attention` puts NotReady, deleting, cordoned and draining nodes first, then the most requested. */
export const NODE_SORTS = ['attention', 'name', 'cpu', 'memory', 'cpu-used', 'memory-used', 'pods', 'newest'] as const;
export const NodeSort = z.enum(NODE_SORTS);
export type NodeSort = z.output<typeof NodeSort>;

/** Node states a node list can be narrowed to (`draining`: a drainer's taint or a cordon; `attention`: NotReady, cordoned, draining or deleting). */
export const NODE_STATES = ['ready', 'not-ready', 'cordoned', 'draining', 'deleting', 'attention'] as const;
export const NodeState = z.enum(NODE_STATES);
export type NodeState = z.output<typeof NodeState>;

/** The node filters in force, normalised (null: not filtered). `group` and `zone` use "-" for nodes without one. */
export const NodeFilters = z.object({
  group: z.string().nullable(),
  zone: z.string().nullable(),
  capacityType: z.string().nullable(),
  state: NodeState.nullable(),
  /** Part of the node name, any case. */
  name: z.string().nullable(),
});
export type NodeFilters = z.output<typeof NodeFilters>;

/** One page of node cards: the nodes that match the filters, in the asked order. */
export const NodesPage = z.object({
  nodes: z.array(ScalingNode),
  /** Nodes that match the filters (`nodes` is one page of them) and nodes in the cluster. */
  matched: z.number(),
  total: z.number(),
  /** 1-based; `pages` is at least 1. */
  page: z.number(),
  pages: z.number(),
  limit: z.number(),
  sort: NodeSort,
  filters: NodeFilters,
  metricsAvailable: z.boolean(),
  /** Why the cards' pod usage is missing, with the fix (metrics-server not installed, the poll refused…); null when it is there. */
  podUsageProblem: ErrorBody.nullable().optional(),
});
export type NodesPage = z.output<typeof NodesPage>;

/** CPU (millicores) or memory (bytes) of a set of nodes. */
export const OverviewResource = z.object({
  allocatable: z.number(),
  requested: z.number(),
  /** metrics.k8s.io usage of the nodes that have some; null without metrics-server. */
  used: z.number().nullable(),
  /** Of allocatable, in percent (one decimal). */
  requestedPercent: z.number(),
  usedPercent: z.number().nullable(),
});
export type OverviewResource = z.output<typeof OverviewResource>;

/** The nodes of one node group, zone or capacity type. */
export const OverviewRow = z.object({
  /** The value that filters the node list to these nodes (`group=`, `zone=`, `capacityType=`); "-" for nodes without one. */
  key: z.string(),
  label: z.string(),
  nodes: z.number(),
  ready: z.number(),
  notReady: z.number(),
  cordoned: z.number(),
  deleting: z.number(),
  /** Pods bound to these nodes (not finished). */
  pods: z.number(),
  cpu: OverviewResource,
  memory: OverviewResource,
});
export type OverviewRow = z.output<typeof OverviewRow>;

/**
 * The heat strip of one node group: one character per node, in name order. Levels: "0"–"9" for
 * 0–9 %, 10–19 % … 90–99 % of allocatable, "X" for 100 % or more, "-" when unknown (no usage
 * from metrics.k8s.io, or nothing allocatable).
 */
export const HeatStripRow = z.object({
  group: z.string(),
  label: z.string(),
  nodes: z.number(),
  cpuRequested: z.string(),
  memoryRequested: z.string(),
  cpuUsed: z.string(),
  memoryUsed: z.string(),
  /** One character per node: "." Ready, "n" NotReady, "d" deleting, "c" cordoned or draining. */
  states: z.string(),
});
export type HeatStripRow = z.output<typeof HeatStripRow>;

/** Every node summed up: per node group, zone and capacity type, and a heat strip per node group. */
export const NodeOverview = z.object({
  nodes: z.number(),
  ready: z.number(),
  notReady: z.number(),
  cordoned: z.number(),
  deleting: z.number(),
  /** Nodes being drained (a drain taint or a cordon), by who drains them. */
  draining: z.record(z.string(), z.number()).optional(),
  byGroup: z.array(OverviewRow),
  byZone: z.array(OverviewRow),
  byCapacityType: z.array(OverviewRow),
  strip: z.array(HeatStripRow),
  metricsAvailable: z.boolean(),
});
export type NodeOverview = z.output<typeof NodeOverview>;

export const NodesView = z.object({
  nodes: z.array(ScalingNode),
  /** Nodes in the cluster; `nodes` lists them by name, at most SNAPSHOT_MAX_NODES or the request's `nodes`. */
  total: z.number(),
  metricsAvailable: z.boolean(),
  /** Why usage is missing, when it is. */
  metricsMessage: z.string().nullable(),
  metricsAt: z.string().nullable(),
});
export type NodesView = z.output<typeof NodesView>;

export const PendingPod = z.object({
  namespace: z.string(),
  name: z.string(),
  /** "Deployment/stress", "StatefulSet/db", or null for a bare pod. */
  workload: z.string().nullable(),
  /** When it became unschedulable (condition time), else its creation time. */
  since: z.string().nullable(),
  /** Unschedulable, SchedulingGated, or "waiting for the scheduler". */
  reason: z.string(),
  /** The scheduler's message, e.g. "0/3 nodes are available: 3 Insufficient cpu." */
  message: z.string().nullable(),
  cpuRequestMillis: z.number(),
  memoryRequestBytes: z.number(),
  /** What the node autoscaler said about this pod (TriggeredScaleUp / NotTriggerScaleUp events), if anything. */
  autoscaler: z.string().nullable(),
});
export type PendingPod = z.output<typeof PendingPod>;

export const PendingView = z.object({
  pods: z.array(PendingPod),
  /** Pending pods in the cluster; `pods` may list fewer. */
  total: z.number(),
});
export type PendingView = z.output<typeof PendingView>;

/** One metric of an HPA with the replica maths for it. */
export const HpaMetricView = z.object({
  /** cpu, memory, or the metric's name. */
  name: z.string(),
  /** Resource, ContainerResource, Pods, Object, External. */
  type: z.string(),
  /** Utilization, AverageValue, Value. */
  targetType: z.string(),
  /** In the target's unit: percent of requests for Utilization, else base units (cores, bytes, plain numbers). */
  current: z.number().nullable(),
  target: z.number(),
  currentText: z.string(),
  targetText: z.string(),
  /** current / target. */
  ratio: z.number().nullable(),
  withinTolerance: z.boolean(),
  /** Replicas this metric alone asks for. */
  proposal: z.number().nullable(),
  /** The maths in words, e.g. "ceil(2 × 95 / 60) = ceil(3.17) = 4". */
  formula: z.string(),
});
export type HpaMetricView = z.output<typeof HpaMetricView>;

export const HpaCondition = z.object({
  type: z.string(),
  status: z.string(),
  reason: z.string().nullable(),
  message: z.string().nullable(),
  lastTransitionTime: z.string().nullable(),
});
export type HpaCondition = z.output<typeof HpaCondition>;

export const HpaView = z.object({
  namespace: z.string(),
  name: z.string(),
  target: z.object({
    kind: z.string(),
    name: z.string(),
  }),
  minReplicas: z.number(),
  maxReplicas: z.number(),
  currentReplicas: z.number(),
  /** What the HPA controller last decided (status.desiredReplicas). */
  desiredReplicas: z.number(),
  lastScaleTime: z.string().nullable(),
  metrics: z.array(HpaMetricView),
  /** The recomputed recommendation: max over metrics, clamped to min/max; null without metric values. */
  computedReplicas: z.number().nullable(),
  limitedBy: z.enum(['minReplicas', 'maxReplicas']).nullable(),
  scaleUpWindowSeconds: z.number(),
  scaleDownWindowSeconds: z.number(),
  /** Rate policies in words, e.g. "at most 4 pods or 100 % per 15 s (the larger)". */
  scaleUpPolicy: z.string(),
  scaleDownPolicy: z.string(),
  /** Earliest moment a scale-down can happen if the load stays low (end of the stabilisation window), when known. */
  scaleDownNotBefore: z.string().nullable(),
  conditions: z.array(HpaCondition),
  /** scaling-up, scaling-down, stable, held (stabilisation), limited, unable. */
  state: z.string(),
  health: ScalingHealth,
  /** The maths and the decision in plain words, one sentence per line. */
  explanation: z.array(z.string()),
});
export type HpaView = z.output<typeof HpaView>;

export const NodeGroupStatus = z.object({
  name: z.string(),
  health: z.string(),
  ready: z.number().nullable(),
  registered: z.number().nullable(),
  /** The size the cloud provider was asked for (ASG desired capacity). */
  target: z.number().nullable(),
  minSize: z.number().nullable(),
  maxSize: z.number().nullable(),
  scaleUp: z.string(),
  scaleDown: z.string(),
});
export type NodeGroupStatus = z.output<typeof NodeGroupStatus>;

export const ClusterAutoscalerView = z.object({
  /** When the autoscaler last wrote its status. */
  updatedAt: z.string().nullable(),
  health: z.string(),
  scaleUp: z.string(),
  scaleDown: z.string(),
  nodeGroups: z.array(NodeGroupStatus),
  /** The status text when it is not in a format we read (older Cluster Autoscaler versions). */
  raw: z.string().nullable(),
});
export type ClusterAutoscalerView = z.output<typeof ClusterAutoscalerView>;

export const NodePoolView = z.object({
  name: z.string(),
  /** Nodes launched by the pool (status.resources.nodes). */
  nodes: z.number().nullable(),
  cpuLimit: z.string().nullable(),
  capacityTypes: z.array(z.string()),
  arch: z.array(z.string()),
  consolidation: z.string().nullable(),
  ready: z.boolean(),
});
export type NodePoolView = z.output<typeof NodePoolView>;

export const NodeClaimView = z.object({
  name: z.string(),
  nodePool: z.string().nullable(),
  instanceType: z.string().nullable(),
  zone: z.string().nullable(),
  capacityType: z.string().nullable(),
  nodeName: z.string().nullable(),
  /** Launched, Registered, Initialized, Ready, or Pending. */
  state: z.string(),
  createdAt: z.string().nullable(),
});
export type NodeClaimView = z.output<typeof NodeClaimView>;

export const KarpenterView = z.object({
  nodePools: z.array(NodePoolView),
  nodeClaims: z.array(NodeClaimView),
});
export type KarpenterView = z.output<typeof KarpenterView>;

/** Node and pod counts and CPU/memory totals of the cluster at one moment (summary and samples share them). */
export const ClusterTotals = z.object({
  nodes: z.number(),
  nodesReady: z.number(),
  /** Nodes by capacity type ("on-demand", "spot", "unknown"). */
  nodesByCapacityType: z.record(z.string(), z.number()),
  /** Pods not finished and not being deleted, in all namespaces. */
  pods: z.number(),
  /** Pods being deleted (deletionTimestamp set) and not gone yet: shown as Terminating, not in `pods`. */
  terminating: z.number().optional(),
  pending: z.number(),
  cpuAllocatableMillis: z.number(),
  cpuRequestedMillis: z.number(),
  /** null while metrics.k8s.io has no answer. */
  cpuUsedMillis: z.number().nullable(),
  memoryAllocatableBytes: z.number(),
  memoryRequestedBytes: z.number(),
  memoryUsedBytes: z.number().nullable(),
});
export type ClusterTotals = z.output<typeof ClusterTotals>;

export const ScalingSummary = z.object({
  ...ClusterTotals.shape,
  hpas: z.number(),
});
export type ScalingSummary = z.output<typeof ScalingSummary>;

/**
 * The /scaling page: the cluster's scaling state from the monitor's informer caches. Each part is
 * its own section, so a forbidden resource (say Karpenter's) only greys out its part.
 */
export const ScalingSnapshot = z.object({
  ...Served.shape,
  /** When this monitor process started: versions count from there (a restarted monitor starts again at 0). */
  startedAt: z.string(),
  /** Increases with every change the monitor applied; pushes carry it so browsers skip stale ones. */
  version: z.number(),
  /** When this snapshot was built, and when the last watch change arrived. */
  generatedAt: z.string(),
  changedAt: z.string().nullable(),
  /** The namespace whose HPAs, workloads and pods are followed. */
  namespace: z.string(),
  summary: sectionOf(ScalingSummary),
  /** Every node summed up per node group, zone and capacity type, with the heat strip. */
  overview: sectionOf(NodeOverview),
  /** The node cards the page shows first: every node on a small cluster, else the first page with the ones that need attention first. */
  nodeCards: sectionOf(NodesPage),
  nodes: sectionOf(NodesView),
  pending: sectionOf(PendingView),
  hpas: sectionOf(z.array(HpaView)),
  clusterAutoscaler: sectionOf(ClusterAutoscalerView),
  karpenter: sectionOf(KarpenterView),
  /** Node scale-up and scale-down events (node added/ready/removed, autoscaler actions), newest first. */
  nodeEvents: sectionOf(z.array(ScalingEventRecord)),
  /** What the nodes cost per hour, by instance type, capacity type and zone (absent from monitors that predate prices). */
  cost: sectionOf(ClusterCost).optional(),
});
export type ScalingSnapshot = z.output<typeof ScalingSnapshot>;

/** Published (to every gateway replica) when the snapshot changed; small on purpose: gateways fetch the snapshot only when a browser watches. */
export const ScalingChanged = z.object({
  startedAt: z.string(),
  version: z.number(),
  at: z.string(),
  nodes: z.number(),
  pods: z.number(),
  pending: z.number(),
});
export type ScalingChanged = z.output<typeof ScalingChanged>;

/** `scaling.nodes.list`: one page of node cards, from the snapshot version it was built from. */
export const ScalingNodes = z.object({
  ...Served.shape,
  startedAt: z.string(),
  version: z.number(),
  nodes: sectionOf(NodesPage),
});
export type ScalingNodes = z.output<typeof ScalingNodes>;
