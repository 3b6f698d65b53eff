import { counter, gauge, histogram } from '@eks-info/platform';

/** Scale response times: from seconds (a pod on a warm node) to half an hour (a slow node launch). */
export const SCALE_LATENCY_BUCKETS = [1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 450, 600, 900, 1800];

/** Prometheus metrics of the scaling-monitor (get-or-create on the process registry, served at /metrics). */
export const scalingMetrics = {
  pendingPods: () => gauge('scaling_pending_pods', 'Pods not yet bound to a node (all namespaces)'),
  hpaCurrent: () => gauge('scaling_hpa_current_replicas', 'Current replicas of each HPA (status.currentReplicas)', ['namespace', 'hpa']),
  hpaDesired: () => gauge('scaling_hpa_desired_replicas', 'Replicas each HPA last decided on (status.desiredReplicas)', ['namespace', 'hpa']),
  nodes: () => gauge('scaling_nodes', 'Nodes by capacity type (on-demand, spot, unknown), architecture and readiness', ['capacity_type', 'arch', 'ready']),
  scaleLatency: () =>
    histogram(
      'scaling_response_seconds',
      'Scale response times by chain: hpa_to_pods_ready, pending_to_scheduled, node_created_to_ready, pending_to_node_ready',
      ['chain'],
      SCALE_LATENCY_BUCKETS,
    ),
  events: () => counter('scaling_events_total', 'Scaling events recorded in the history, by type', ['type']),
  historyRecords: () => gauge('scaling_history_records', 'Records (events and samples) in the history file'),
  historyWriteErrors: () => counter('scaling_history_write_errors_total', 'Failed writes to the history volume', []),
  snapshotBuild: () =>
    histogram(
      'scaling_snapshot_build_seconds',
      'Time to build a snapshot from the in-memory state',
      [],
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    ),
};
