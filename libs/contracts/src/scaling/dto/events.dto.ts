/**
 * A scaling event as the monitor records it: the design seed's record (event_id, event_type,
 * timestamp, trigger, details, status) plus the object it is about and the result in words.
 * Timestamps are the objects' own (creationTimestamp, condition transitions, event times) so a
 * response time is what the cluster did, not when the monitor happened to look.
 */
export type ScalingEventType =
  /** The HPA decided on more (or fewer) replicas: status.desiredReplicas changed. */
  | 'hpa_scale_up'
  | 'hpa_scale_down'
  /** Pods of the watched namespace. */
  | 'pod_created'
  | 'pod_scheduled'
  | 'pod_ready'
  | 'pod_deleted'
  /** A pod the scheduler could not place (any namespace): the start of a node scale-up. */
  | 'pod_pending'
  | 'node_added'
  | 'node_ready'
  | 'node_removed'
  /** A node autoscaler (Cluster Autoscaler or Karpenter, see details.source) scaled the nodes. */
  | 'autoscaler_scale_up'
  | 'autoscaler_scale_down';

export const SCALING_EVENT_TYPES: readonly ScalingEventType[] = [
  'hpa_scale_up',
  'hpa_scale_down',
  'pod_created',
  'pod_scheduled',
  'pod_ready',
  'pod_deleted',
  'pod_pending',
  'node_added',
  'node_ready',
  'node_removed',
  'autoscaler_scale_up',
  'autoscaler_scale_down',
];

/** Node scaling as the /scaling page lists it ("node scale-up/down events"). */
export const NODE_EVENT_TYPES: readonly ScalingEventType[] = ['node_added', 'node_ready', 'node_removed', 'autoscaler_scale_up', 'autoscaler_scale_down'];

export interface ScalingEventDetails {
  /** HPA decisions: the metric that asked for the most replicas, its value and target. */
  metric_name?: string;
  metric_value?: number;
  threshold?: number;
  replicas_before?: number | null;
  replicas_after?: number;
  /** For events that end a wait (pod_scheduled, node_ready): how long it took. */
  duration_seconds?: number;
  /** "Deployment/stress": the workload a pod belongs to or an HPA scales. */
  workload?: string | null;
  node?: string | null;
  created_at?: string | null;
  /** pod_scheduled: when the node it landed on was created (a node newer than the wait is the scale-up it waited for). */
  node_created_at?: string | null;
  pending_since?: string | null;
  reason?: string | null;
  message?: string | null;
  instance_type?: string | null;
  zone?: string | null;
  capacity_type?: string | null;
  /** Who acted: horizontal-pod-autoscaler, cluster-autoscaler, karpenter, scheduler, kubelet. */
  source?: string;
}

export interface ScalingEventRecord {
  event_id: string;
  event_type: ScalingEventType;
  timestamp: string;
  /** `object`: the timestamp is the object's own; `observed`: the API gave none, so it is when the monitor saw the change. */
  time_source: 'object' | 'observed';
  /** What caused it, in words ("cpu 95 % of requests > target 60 %", "0/3 nodes are available: …"). */
  trigger: string;
  /** What happened, in words ("2 → 4 replicas", "scheduled on ip-10-0-3-40"). */
  result: string;
  /** `waiting` for an event that starts a wait (pod_pending), else `completed`. */
  status: 'completed' | 'waiting';
  object: { kind: string; namespace: string | null; name: string; uid: string | null };
  details: ScalingEventDetails;
}

/** Response-time chains: how long the cluster took from a cause to its effect. */
export type ChainType = 'hpa_to_pods_ready' | 'pending_to_scheduled' | 'node_created_to_ready' | 'pending_to_node_ready';

export const CHAIN_LABELS: Record<ChainType, string> = {
  hpa_to_pods_ready: 'HPA decision → all new pods Ready',
  pending_to_scheduled: 'Pod Pending → scheduled',
  node_created_to_ready: 'Node created → Ready',
  pending_to_node_ready: 'Pod Pending → its new node Ready',
};

export interface ResponseTimeChain {
  chain_id: string;
  type: ChainType;
  /** What it measured, e.g. "demo/stress 2 → 4", "demo/stress-7d9f-x2x9q", "ip-10-0-3-40". */
  subject: string;
  /** Namespace and workload ("Deployment/stress") of the pods involved; null for node chains. */
  namespace: string | null;
  workload: string | null;
  started_at: string;
  ended_at: string | null;
  duration_seconds: number | null;
  /**
   * completed; in_progress; superseded (another HPA decision came before all its pods were
   * Ready); abandoned (the pod was deleted before it was scheduled).
   */
  status: 'completed' | 'in_progress' | 'superseded' | 'abandoned';
  detail: string;
}

export interface ResponseTimeStats {
  type: ChainType;
  label: string;
  /** Completed chains in the range. */
  count: number;
  average_seconds: number | null;
  /** Nearest-rank 90th percentile. */
  p90_seconds: number | null;
  min_seconds: number | null;
  max_seconds: number | null;
  in_progress: number;
}

/**
 * `scaling.events.list`: events in a time range, oldest first (a timeline), with the response-time
 * chains that started in it. The stress page asks for the events since its test started.
 */
export interface ScalingEventsQuery {
  /** ISO time; default: one hour before `until`. */
  since?: string;
  /** ISO time; default: now. */
  until?: string;
  types?: ScalingEventType[];
  /** Only events about objects in this namespace (node events have none and are kept unless `workload` is set). */
  namespace?: string;
  /** Only events about this workload ("Deployment/stress") or its HPA and pods. */
  workload?: string;
  /** At most this many events (1–1000, default 200). */
  limit?: number;
}
