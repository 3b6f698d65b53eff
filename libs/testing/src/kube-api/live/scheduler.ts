import { type NodeShape, type PodShape, holdsResources, isDeleting, isTrue, podRequests, quantity, millicores } from './objects';

/**
 * kube-scheduler's decision for one pod, reduced to what the demo needs: the filters that keep a
 * pod off a node (not Ready, untolerated NoSchedule taints, cordoned, too little CPU, memory or
 * pod slots left) and the LeastAllocated score among the nodes left. When no node fits, the
 * message is the scheduler's own, word for word: "0/3 nodes are available: 3 Insufficient cpu.
 * preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod."
 */
export type ScheduleResult = { node: string } | { node: null; message: string };

/** Taints a pod tolerates by default (the DefaultTolerationSeconds admission adds NoExecute ones only). */
function tolerates(pod: PodShape, taint: { key: string; effect: string }): boolean {
  return (pod.spec.tolerations ?? []).some(
    (t) => (t.operator === 'Exists' && (!t.key || t.key === taint.key)) || (t.key === taint.key && (!t.effect || t.effect === taint.effect)),
  );
}

interface NodeRoom {
  node: NodeShape;
  cpu: number;
  memory: number;
  pods: number;
  allocatableCpu: number;
}

/** Free CPU, memory and pod slots of each node, from the pods that hold resources on it. */
export function nodeRoom(nodes: NodeShape[], pods: PodShape[]): Map<string, NodeRoom> {
  const room = new Map<string, NodeRoom>();
  for (const node of nodes) {
    const a = node.status?.allocatable ?? {};
    room.set(node.metadata.name, {
      node,
      cpu: millicores(a.cpu),
      memory: quantity(a.memory),
      pods: quantity(a.pods) || 110,
      allocatableCpu: millicores(a.cpu),
    });
  }
  for (const pod of pods) {
    if (!holdsResources(pod)) continue;
    const r = room.get(pod.spec.nodeName!);
    if (!r) continue;
    const req = podRequests(pod);
    r.cpu -= req.cpu;
    r.memory -= req.memory;
    r.pods -= 1;
  }
  return room;
}

/** Why a node cannot take the pod, as the scheduler words it; null when it can. */
function filter(pod: PodShape, r: NodeRoom, need: { cpu: number; memory: number }): string | null {
  const { node } = r;
  // In the scheduler's plugin order: NodeUnschedulable, TaintToleration, NodeResourcesFit.
  if (node.spec?.unschedulable) return 'node(s) were unschedulable';
  for (const t of node.spec?.taints ?? []) {
    if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(pod, t)) return `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
  }
  if (isDeleting(node)) return 'node(s) were being deleted';
  if (!isTrue(node, 'Ready')) return 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }';
  if (r.pods < 1) return 'Too many pods';
  if (r.cpu < need.cpu) return 'Insufficient cpu';
  if (r.memory < need.memory) return 'Insufficient memory';
  return null;
}

/** Picks a node for `pod` among `nodes`, given every pod already bound. */
export function schedulePod(pod: PodShape, nodes: NodeShape[], pods: PodShape[]): ScheduleResult {
  const room = nodeRoom(nodes, pods);
  const need = podRequests(pod);
  const reasons = new Map<string, number>();
  let best: { name: string; score: number } | undefined;
  for (const [name, r] of [...room.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const why = filter(pod, r, need);
    if (why) {
      reasons.set(why, (reasons.get(why) ?? 0) + 1);
      continue;
    }
    // LeastAllocated: the share of allocatable CPU left after placing the pod.
    const score = r.allocatableCpu > 0 ? (r.cpu - need.cpu) / r.allocatableCpu : 0;
    if (!best || score > best.score) best = { name, score };
  }
  if (best) return { node: best.name };
  return { node: null, message: unschedulableMessage(nodes.length, reasons) };
}

/** "0/N nodes are available: …. preemption: 0/N nodes are available: …." with kube's sorted reason counts. */
export function unschedulableMessage(total: number, reasons: Map<string, number>): string {
  const counted = (m: Map<string, number>) =>
    [...m.entries()]
      .map(([reason, n]) => `${n} ${reason}`)
      .sort()
      .join(', ');
  // Preemption could only help where resources are short; removing pods fixes no taint.
  const preemption = new Map<string, number>();
  for (const [reason, n] of reasons) {
    const key =
      reason.startsWith('Insufficient') || reason === 'Too many pods'
        ? 'No preemption victims found for incoming pod'
        : 'Preemption is not helpful for scheduling';
    preemption.set(key, (preemption.get(key) ?? 0) + n);
  }
  if (total === 0) return 'no nodes available to schedule pods';
  return `0/${total} nodes are available: ${counted(reasons)}. preemption: 0/${total} nodes are available: ${counted(preemption)}.`;
}
