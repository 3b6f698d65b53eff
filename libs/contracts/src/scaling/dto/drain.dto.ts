import { z } from 'zod';

/** Who is draining a node: Karpenter, the AWS Node Termination Handler, Cluster Autoscaler, or someone who cordoned it. */
export const DRAINERS = ['karpenter', 'node-termination-handler', 'cluster-autoscaler', 'cordon'] as const;
export const Drainer = z.enum(DRAINERS);
export type Drainer = z.output<typeof Drainer>;

/**
 * A node being drained: no new pods may land on it and its pods are being (or about to be)
 * evicted. Read from the node's taints and `spec.unschedulable`, and from the events the drainer
 * wrote about the node (Karpenter's `DisruptionTerminating`, the Node Termination Handler's
 * `SpotInterruption`…), which say why.
 */
export const NodeDrain = z.object({
  by: Drainer,
  /** Who, in words: "Karpenter", "AWS Node Termination Handler", "Cluster Autoscaler", "cordoned". */
  who: z.string(),
  /** Why, in words: "spot interruption notice", "Disrupting Node: Underutilized"… */
  reason: z.string(),
  /** The taint that says so ("karpenter.sh/disrupted:NoSchedule"), null for a plain cordon. */
  taint: z.string().nullable(),
  /** The drainer's latest event about the node, when there is one. */
  event: z
    .object({
      reason: z.string(),
      message: z.string().nullable(),
      at: z.string().nullable(),
    })
    .nullable(),
});
export type NodeDrain = z.output<typeof NodeDrain>;
