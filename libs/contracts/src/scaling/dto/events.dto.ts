import { z } from 'zod';
import { ScaleOutCost } from './cost.dto';

/** Node scaling as the /scaling page lists it ("node scale-up/down events"). */
export const NODE_EVENT_TYPES: readonly ScalingEventType[] = [
  'node_added',
  'node_ready',
  'node_draining',
  'node_removed',
  'autoscaler_scale_up',
  'autoscaler_scale_down',
];

export const CHAIN_LABELS: Record<ChainType, string> = {
  hpa_to_pods_ready: 'HPA decision → all new pods Ready',
  pending_to_scheduled: 'Pod Pending → scheduled',
  node_created_to_ready: 'Node created → Ready',
  pending_to_node_ready: 'Pod Pending → its new node Ready',
  node_drained_to_removed: 'Node drained → removed',
};

/**
 * A scaling event as the monitor records it: the design seed's record (event_id, event_type,
 * timestamp, trigger, details, status) plus the object it is about and the result in words.
 * Timestamps are the objects' own (creationTimestamp, condition transitions, event times) so a
 * response time is what the cluster did, not when the monitor happened to look.
 */
export const ScalingEventType = z.enum([
  /** The HPA decided on more (or fewer) replicas: status.desiredReplicas changed. */
  'hpa_scale_up',
  'hpa_scale_down',
  /** Pods of the watched namespace. */
  'pod_created',
  'pod_scheduled',
  'pod_ready',
  'pod_deleted',
  /** A pod the scheduler could not place (any namespace): the start of a node scale-up. */
  'pod_pending',
  'node_added',
  'node_ready',
  /** A drainer (Karpenter, the Node Termination Handler, Cluster Autoscaler, a cordon) started draining the node: details.reason says why. */
  'node_draining',
  'node_removed',
  /** A node autoscaler (Cluster Autoscaler or Karpenter, see details.source) scaled the nodes. */
  'autoscaler_scale_up',
  'autoscaler_scale_down',
]);
export type ScalingEventType = z.output<typeof ScalingEventType>;

export const SCALING_EVENT_TYPES: readonly ScalingEventType[] = ScalingEventType.options;

export const ScalingEventDetails = z.object({
  /** HPA decisions: the metric that asked for the most replicas, its value and target. */
  metric_name: z.string().optional(),
  metric_value: z.number().optional(),
  threshold: z.number().optional(),
  replicas_before: z.number().nullable().optional(),
  replicas_after: z.number().optional(),
  /** For events that end a wait (pod_scheduled, node_ready): how long it took. */
  duration_seconds: z.number().optional(),
  /** "Deployment/stress": the workload a pod belongs to or an HPA scales. */
  workload: z.string().nullable().optional(),
  node: z.string().nullable().optional(),
  created_at: z.string().nullable().optional(),
  /** pod_scheduled: when the node it landed on was created (a node newer than the wait is the scale-up it waited for). */
  node_created_at: z.string().nullable().optional(),
  pending_since: z.string().nullable().optional(),
  reason: z.string().nullable().optional(),
  message: z.string().nullable().optional(),
  instance_type: z.string().nullable().optional(),
  zone: z.string().nullable().optional(),
  capacity_type: z.string().nullable().optional(),
  /** node_draining: the taint that marks it ("karpenter.sh/disrupted:NoSchedule"), null for a plain cordon. */
  taint: z.string().nullable().optional(),
  /** Who acted: horizontal-pod-autoscaler, cluster-autoscaler, karpenter, aws-node-termination-handler, scheduler, kubelet. */
  source: z.string().optional(),
});
export type ScalingEventDetails = z.output<typeof ScalingEventDetails>;

export const ScalingEventRecord = z.object({
  event_id: z.string(),
  event_type: ScalingEventType,
  timestamp: z.string(),
  /** `object`: the timestamp is the object's own; `observed`: the API gave none, so it is when the monitor saw the change. */
  time_source: z.enum(['object', 'observed']),
  /** What caused it, in words ("cpu 95 % of requests > target 60 %", "0/3 nodes are available: …"). */
  trigger: z.string(),
  /** What happened, in words ("2 → 4 replicas", "scheduled on ip-10-0-3-40"). */
  result: z.string(),
  /** `waiting` for an event that starts a wait (pod_pending), else `completed`. */
  status: z.enum(['completed', 'waiting']),
  object: z.object({
    kind: z.string(),
    namespace: z.string().nullable(),
    name: z.string(),
    uid: z.string().nullable(),
  }),
  details: ScalingEventDetails,
});
export type ScalingEventRecord = z.output<typeof ScalingEventRecord>;

/** Response-time chains: how long the cluster took from a cause to its effect. */
export const ChainType = z.enum(['hpa_to_pods_ready', 'pending_to_scheduled', 'node_created_to_ready', 'pending_to_node_ready', 'node_drained_to_removed']);
export type ChainType = z.output<typeof ChainType>;

export const ResponseTimeChain = z.object({
  chain_id: z.string(),
  type: ChainType,
  /** What it measured, e.g. "demo/stress 2 → 4", "demo/stress-7d9f-x2x9q", "ip-10-0-3-40". */
  subject: z.string(),
  /** Namespace and workload ("Deployment/stress") of the pods involved; null for node chains. */
  namespace: z.string().nullable(),
  workload: z.string().nullable(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  duration_seconds: z.number().nullable(),
  /**
   * completed; in_progress; superseded (another HPA decision came before all its pods were
   * Ready); abandoned (the pod was deleted before it was scheduled).
   */
  status: z.enum(['completed', 'in_progress', 'superseded', 'abandoned']),
  detail: z.string(),
  /** Node scale-ups (node created → Ready, Pending → its new node Ready): the node added and what it cost while it lasted. */
  cost: ScaleOutCost.optional(),
});
export type ResponseTimeChain = z.output<typeof ResponseTimeChain>;

export const ResponseTimeStats = z.object({
  type: ChainType,
  label: z.string(),
  /** Completed chains in the range. */
  count: z.number(),
  average_seconds: z.number().nullable(),
  /** Nearest-rank 90th percentile. */
  p90_seconds: z.number().nullable(),
  min_seconds: z.number().nullable(),
  max_seconds: z.number().nullable(),
  in_progress: z.number(),
});
export type ResponseTimeStats = z.output<typeof ResponseTimeStats>;
