// Records for the history store's tests (the unit and integration specs and their helper process).
import type { HistoryPoint, ScalingEventRecord } from '@eks-info/contracts';

/** A node_added event at `at`; `trigger` sets the line's size. */
export const historyEvent = (id: string, at: number = Date.now(), trigger = 't'): ScalingEventRecord => ({
  event_id: id,
  event_type: 'node_added',
  timestamp: new Date(at).toISOString(),
  time_source: 'object',
  trigger,
  result: 'r',
  status: 'completed',
  object: { kind: 'Node', namespace: null, name: id, uid: id },
  details: {},
});

/** A sample at `at` of a 3-node cluster running `pods` pods of one workload. */
export const historyPoint = (at: number, pods = 10, cpuUsed: number | null = 100): HistoryPoint => ({
  t: new Date(at).toISOString(),
  nodes: 3,
  nodesReady: 3,
  nodesByCapacityType: { 'on-demand': 3 },
  pods,
  pending: 0,
  workloads: { 'Deployment/web': pods },
  hpas: { web: [pods, pods] },
  cpuAllocatableMillis: 6000,
  cpuRequestedMillis: 3000,
  cpuUsedMillis: cpuUsed,
  memoryAllocatableBytes: 1000,
  memoryRequestedBytes: 500,
  memoryUsedBytes: 200,
});
