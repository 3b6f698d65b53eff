import type { Drainer, NodeDrain } from '@eks-info/contracts';

/**
 * Who drains a node, read from the taints the drainers put on it. Names checked against the
 * upstream sources:
 * - Karpenter v1: `karpenter.sh/disrupted:NoSchedule` (DisruptedTaintKey / DisruptedNoScheduleTaint
 *   in kubernetes-sigs/karpenter pkg/apis/v1/taints.go), put on by its disruption and termination
 *   controllers; before v1 (v0.32–v0.37, v1beta1) `karpenter.sh/disruption=disrupting:NoSchedule`
 *   (kubernetes-sigs/karpenter designs/no-schedule-taint.md).
 * - AWS Node Termination Handler: `aws-node-termination-handler/spot-itn`, `…/rebalance-recommendation`,
 *   `…/scheduled-maintenance`, `…/asg-lifecycle-termination` (SpotInterruptionTaint,
 *   RebalanceRecommendationTaint, ScheduledMaintenanceTaint, ASGLifecycleTerminationTaint in
 *   aws/aws-node-termination-handler pkg/node/node.go), before it cordons and drains the node.
 * - Cluster Autoscaler: `ToBeDeletedByClusterAutoscaler:NoSchedule` on a node it is removing.
 * - Anyone else (`kubectl drain`, `kubectl cordon`): `spec.unschedulable`.
 */
interface DrainTaint {
  by: Drainer;
  reason: string;
  /** The value the taint must carry, when the key alone does not say it. */
  value?: string;
}

const WHO: Readonly<Record<Drainer, string>> = {
  karpenter: 'Karpenter',
  'node-termination-handler': 'AWS Node Termination Handler',
  'cluster-autoscaler': 'Cluster Autoscaler',
  cordon: 'cordoned',
};

/** In order of precedence: the more specific reason wins when a node carries several. */
export const DRAIN_TAINTS: ReadonlyMap<string, DrainTaint> = new Map([
  ['aws-node-termination-handler/spot-itn', { by: 'node-termination-handler', reason: 'spot interruption notice' }],
  ['aws-node-termination-handler/rebalance-recommendation', { by: 'node-termination-handler', reason: 'rebalance recommendation' }],
  ['aws-node-termination-handler/scheduled-maintenance', { by: 'node-termination-handler', reason: 'scheduled maintenance event' }],
  ['aws-node-termination-handler/asg-lifecycle-termination', { by: 'node-termination-handler', reason: 'Auto Scaling group lifecycle termination' }],
  ['karpenter.sh/disrupted', { by: 'karpenter', reason: 'disrupting the node (consolidation, drift, expiry or interruption)' }],
  ['karpenter.sh/disruption', { by: 'karpenter', reason: 'disrupting the node (consolidation, drift, expiry or interruption)', value: 'disrupting' }],
  ['ToBeDeletedByClusterAutoscaler', { by: 'cluster-autoscaler', reason: 'removing the node (scale-down)' }],
] satisfies Array<[string, DrainTaint]>);

/**
 * Reasons of the events drainers write about a node, and who writes them:
 * - Karpenter: `DisruptionTerminating` ("Disrupting Node: Underutilized", kubernetes-sigs/karpenter
 *   pkg/controllers/disruption/events), and for interruptions (karpenter-provider-aws) `SpotInterrupted`,
 *   `SpotRebalanceRecommendation`, `TerminatingOnInterruption`;
 * - AWS Node Termination Handler (pkg/observability/k8s-events.go): `SpotInterruption`,
 *   `RebalanceRecommendation`, `ScheduledEvent`, `ASGLifecycle`, `SQSTermination`, `StateChange`,
 *   and its progress `PreDrain`, `Cordon`, `CordonAndDrain`.
 */
export const DRAIN_EVENT_REASONS: ReadonlyMap<string, Drainer> = new Map<string, Drainer>([
  ['DisruptionTerminating', 'karpenter'],
  ['SpotInterrupted', 'karpenter'],
  ['SpotRebalanceRecommendation', 'karpenter'],
  ['TerminatingOnInterruption', 'karpenter'],
  ['SpotInterruption', 'node-termination-handler'],
  ['RebalanceRecommendation', 'node-termination-handler'],
  ['ScheduledEvent', 'node-termination-handler'],
  ['ASGLifecycle', 'node-termination-handler'],
  ['SQSTermination', 'node-termination-handler'],
  ['StateChange', 'node-termination-handler'],
  ['PreDrain', 'node-termination-handler'],
  ['Cordon', 'node-termination-handler'],
  ['CordonAndDrain', 'node-termination-handler'],
]);

/** What the node cache keeps of a taint: only the drain taints, so most nodes keep none. */
export interface KeptTaint {
  key: string;
  value?: string;
  effect?: string;
  timeAdded?: string;
}

/**
 * The node lifecycle controller's taint for a cordon (TaintNodesByCondition): its timeAdded is
 * when the node was cordoned, the start of a drain. Kept alongside the drain taints.
 */
export const CORDON_TAINT = 'node.kubernetes.io/unschedulable';

export function isDrainTaint(t: { key?: string; value?: string }): boolean {
  const known = t.key ? DRAIN_TAINTS.get(t.key) : undefined;
  return known !== undefined && (known.value === undefined || known.value === t.value);
}

/** A drainer's event about a node, as the monitor remembers it (the newest per node). */
export interface DrainNote {
  by: Drainer;
  reason: string;
  message: string | null;
  at: string | null;
}

/** When the drain started, when a taint says (the cordon's taint has timeAdded; NoSchedule drain taints seldom do). */
export function drainSince(taints: readonly KeptTaint[] | undefined): string | null {
  let first: string | null = null;
  for (const t of taints ?? []) {
    if (!t.timeAdded || (t.key !== CORDON_TAINT && !isDrainTaint(t))) continue;
    if (first === null || Date.parse(t.timeAdded) < Date.parse(first)) first = t.timeAdded;
  }
  return first;
}

/** Who drains the node and why, from its taints and cordon; null when it is not being drained. */
export function nodeDrain(taints: readonly KeptTaint[] | undefined, unschedulable: boolean): Omit<NodeDrain, 'event'> | null {
  let best: { taint: KeptTaint; known: DrainTaint; rank: number } | undefined;
  if (taints) {
    const order = [...DRAIN_TAINTS.keys()];
    for (const taint of taints) {
      if (!isDrainTaint(taint)) continue;
      const rank = order.indexOf(taint.key);
      if (!best || rank < best.rank) best = { taint, known: DRAIN_TAINTS.get(taint.key)!, rank };
    }
  }
  if (best) {
    const { taint, known } = best;
    const text = `${taint.key}${taint.value ? `=${taint.value}` : ''}${taint.effect ? `:${taint.effect}` : ''}`;
    return { by: known.by, who: WHO[known.by], reason: known.reason, taint: text };
  }
  if (unschedulable) return { by: 'cordon', who: WHO.cordon, reason: 'spec.unschedulable is set (kubectl cordon or drain)', taint: null };
  return null;
}

/**
 * The drain with the drainer's own word on it: its event's message says why ("Disrupting Node:
 * Underutilized"). A plain cordon with a drainer's event is that drainer's (the Node Termination
 * Handler cordons without a taint unless told to taint).
 */
export function withNote(drain: Omit<NodeDrain, 'event'>, note: DrainNote | undefined): NodeDrain {
  if (!note || (note.by !== drain.by && drain.by !== 'cordon')) return { ...drain, event: null };
  const reason = note.message ? `${note.reason}: ${note.message}` : note.reason;
  return { ...drain, by: note.by, who: WHO[note.by], reason, event: { reason: note.reason, message: note.message, at: note.at } };
}

/** Progress reports of a drainer: they do not replace the event that said why. */
export const DRAIN_PROGRESS_REASONS: ReadonlySet<string> = new Set(['PreDrain', 'Cordon', 'CordonAndDrain']);
