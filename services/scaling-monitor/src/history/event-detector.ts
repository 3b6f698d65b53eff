import type { ScalingEventDetails, ScalingEventRecord, ScalingEventType } from '@eks-info/contracts';
import type { KubeObject } from '@eks-info/kube';
import { hpaTrigger } from '../collector/hpa-maths';
import type { HpaRecord, NodeRecord, PodRecord } from '../collector/cluster-state';
import { eventCountOf, eventTimeOf, isoTime, type KubeEvent } from '../collector/kube-objects';
import { DRAIN_PROGRESS_REASONS, type DrainNote, withNote } from '../collector/node-drain';

export interface DetectorContext {
  now(): number;
  /**
   * Objects created before this (epoch ms) are not new: the monitor records their first
   * readiness only when it watched them come up (a later Ready of an old node is a recovery).
   */
  horizon(): number;
  /** When a pod was last seen Pending, from the history (so a restart does not lose the start of a wait). */
  knownPendingSince(uid: string): string | null;
  node(name: string): NodeRecord | undefined;
  /** The newest drainer event about a node (why Karpenter or the Node Termination Handler drains it). */
  drainNote?(name: string): DrainNote | undefined;
}

/** How a drainer is named in event details (`source`). */
const DRAIN_SOURCE: Record<string, string> = {
  karpenter: 'karpenter',
  'node-termination-handler': 'aws-node-termination-handler',
  'cluster-autoscaler': 'cluster-autoscaler',
  cordon: 'kubectl',
};

const seconds = (from: string | null | undefined, to: string | null | undefined): number | undefined =>
  from && to ? Math.round((Date.parse(to) - Date.parse(from)) / 1000) : undefined;

/** Cluster Autoscaler events that are node scale actions (reason → direction). */
const AUTOSCALER_REASONS: Record<string, 'up' | 'down'> = { ScaledUpGroup: 'up', ScaleDownEmpty: 'down', ScaleDown: 'down' };

/**
 * Turns object transitions (the previous and the new state of a pod, node, HPA…) into scaling
 * events, stamped with the objects' own times wherever the API has one. Event ids are derived
 * from the object's uid (and for HPA decisions the decision time), so replays after a restart
 * or a relist produce the same ids and the history drops them as duplicates.
 */
export class EventDetector {
  constructor(private readonly ctx: DetectorContext) {}

  pod(prev: PodRecord | undefined, next: PodRecord | undefined): ScalingEventRecord[] {
    const p = next ?? prev;
    if (!p) return [];
    const out: ScalingEventRecord[] = [];
    const object = { kind: 'Pod', namespace: p.namespace, name: p.name, uid: p.uid };
    const base = { workload: p.workload, created_at: p.createdAt };

    if (!prev && next?.app && !this.beforeHorizon(next.createdAt)) {
      out.push(
        this.event('pod_created', `pod_created:${p.uid}`, next.createdAt, object, next.workload ?? 'bare pod', 'created', {
          ...base,
          source: 'kube-controller-manager',
        }),
      );
    }
    if (next?.pending?.unschedulable && !prev?.pending?.unschedulable) {
      out.push(
        this.event(
          'pod_pending',
          `pod_pending:${p.uid}`,
          next.pending.since,
          object,
          next.pending.message ?? next.pending.reason,
          `Pending: ${next.pending.reason}`,
          {
            ...base,
            reason: next.pending.reason,
            message: next.pending.message,
            source: 'default-scheduler',
          },
          'waiting',
        ),
      );
    }
    if (next?.scheduled && !prev?.scheduled && !this.beforeHorizon(next.scheduledAt)) {
      const pendingSince = prev?.pending?.unschedulable ? prev.pending.since : this.ctx.knownPendingSince(p.uid);
      if (next.app || pendingSince) {
        const waited = seconds(pendingSince, next.scheduledAt);
        out.push(
          this.event(
            'pod_scheduled',
            `pod_scheduled:${p.uid}`,
            next.scheduledAt,
            object,
            pendingSince ? `Pending since ${pendingSince}` : 'scheduler',
            `scheduled on ${next.node}`,
            {
              ...base,
              node: next.node,
              node_created_at: next.node ? (this.ctx.node(next.node)?.createdAt ?? null) : null,
              pending_since: pendingSince,
              ...(waited !== undefined ? { duration_seconds: waited } : {}),
              source: 'default-scheduler',
            },
          ),
        );
      }
    }
    if (next?.ready && !prev?.everReady && next.app && this.isNew(next.createdAt)) {
      const took = seconds(next.createdAt, next.readyAt);
      out.push(
        this.event(
          'pod_ready',
          `pod_ready:${p.uid}`,
          next.readyAt,
          object,
          'containers ready',
          `Ready on ${next.node ?? '?'}${took !== undefined ? `, ${took} s after creation` : ''}`,
          {
            ...base,
            node: next.node,
            ...(took !== undefined ? { duration_seconds: took } : {}),
            source: 'kubelet',
          },
        ),
      );
    }
    const goneNow = (next?.deletingAt && !prev?.deletingAt) || (!next && prev && !prev.deletingAt);
    if (goneNow && (p.app || p.pending?.unschedulable)) {
      out.push(
        this.event(
          'pod_deleted',
          `pod_deleted:${p.uid}`,
          next?.deletingAt ?? null,
          object,
          p.pending ? 'deleted while Pending' : 'deleted',
          next?.deletingAt ? 'terminating' : 'gone (deleted or finished)',
          {
            ...base,
            node: p.node,
          },
        ),
      );
    }
    return out;
  }

  node(prev: NodeRecord | undefined, next: NodeRecord | undefined): ScalingEventRecord[] {
    const n = next ?? prev;
    if (!n) return [];
    const out: ScalingEventRecord[] = [];
    const object = { kind: 'Node', namespace: null, name: n.name, uid: n.uid };
    const details: ScalingEventDetails = {
      instance_type: n.instanceType,
      zone: n.zone,
      capacity_type: n.capacityType,
      created_at: n.createdAt,
      source: n.provisioner ?? undefined,
    };
    const what = [n.instanceType, n.capacityType, n.zone && `in ${n.zone}`].filter(Boolean).join(' ');
    if (!prev && next)
      out.push(
        this.event('node_added', `node_added:${n.uid}`, next.createdAt, object, n.provisioner ?? 'node registered', `${what || 'node'} joined`, details),
      );
    if (next?.ready && !prev?.everReady && this.isNew(next.createdAt)) {
      const took = seconds(next.createdAt, next.readyAt);
      out.push(
        this.event(
          'node_ready',
          `node_ready:${n.uid}`,
          next.readyAt,
          object,
          'kubelet Ready',
          took !== undefined ? `Ready ${took} s after it was created` : 'Ready',
          {
            ...details,
            ...(took !== undefined ? { duration_seconds: took } : {}),
          },
        ),
      );
    }
    // Draining starts (or another drainer takes over): a scale-in step with who and why.
    const drain = next?.drain && !next.deletingAt ? withNote(next.drain, this.ctx.drainNote?.(n.name)) : null;
    if (drain && next && (!prev?.drain || prev.drain.taint !== next.drain!.taint || prev.drain.by !== next.drain!.by)) {
      out.push(
        this.event(
          'node_draining',
          `node_draining:${n.uid}:${next.drain!.taint ?? 'cordon'}`,
          next.drainSince,
          object,
          `${drain.who}: ${drain.reason}`,
          drain.by === 'cordon' ? 'cordoned: no new pods' : 'tainted: no new pods, its pods are evicted',
          { ...details, node: n.name, reason: drain.reason, message: drain.event?.message ?? null, taint: drain.taint, source: DRAIN_SOURCE[drain.by] },
        ),
      );
    }
    const goneNow = (next?.deletingAt && !prev?.deletingAt) || (!next && prev && !prev.deletingAt);
    if (goneNow) {
      // A node removed after a drain says who drained it and why.
      const drained = (next?.drain ?? prev?.drain) && withNote((next?.drain ?? prev?.drain)!, this.ctx.drainNote?.(n.name));
      out.push(
        this.event(
          'node_removed',
          `node_removed:${n.uid}`,
          next?.deletingAt ?? null,
          object,
          drained ? `${drained.who}: ${drained.reason}` : (n.provisioner ?? 'node deleted'),
          `${what || 'node'} removed`,
          drained ? { ...details, reason: drained.reason } : details,
        ),
      );
    }
    return out;
  }

  hpa(prev: HpaRecord | undefined, next: HpaRecord | undefined): ScalingEventRecord[] {
    if (!next) return [];
    let before: number;
    let at: string | null;
    if (prev) {
      if (next.desired === prev.desired) return [];
      before = prev.desired;
      at = next.lastScaleTime && next.lastScaleTime !== prev.lastScaleTime ? next.lastScaleTime : null;
    } else {
      // First sight (start-up, relist): a decision still being carried out is worth recording;
      // the history drops it when it is already there.
      if (!next.lastScaleTime || next.current === next.desired) return [];
      before = next.current;
      at = next.lastScaleTime;
    }
    const type: ScalingEventType = next.desired > before ? 'hpa_scale_up' : 'hpa_scale_down';
    const trigger = hpaTrigger(next.view);
    const time = at ?? new Date(this.ctx.now()).toISOString();
    return [
      this.event(
        type,
        `hpa:${next.uid}:${time}:${next.desired}`,
        at,
        { kind: 'HorizontalPodAutoscaler', namespace: next.namespace, name: next.name, uid: next.uid },
        trigger.text,
        `${before} → ${next.desired} replicas`,
        {
          workload: next.target,
          replicas_before: before,
          replicas_after: next.desired,
          ...(trigger.metric && trigger.metric.current !== null
            ? { metric_name: trigger.metric.name, metric_value: trigger.metric.current, threshold: trigger.metric.target }
            : {}),
          source: 'horizontal-pod-autoscaler',
        },
      ),
    ];
  }

  /**
   * A drainer's event about a node it is draining, after the drain began: the drain again, with
   * the drainer's reason (Karpenter taints first and says why, "Disrupting Node: Underutilized",
   * when it starts terminating). Its id names the reason, so a repeat of the event is no new one.
   */
  drainEvent(node: NodeRecord | undefined, note: DrainNote): ScalingEventRecord[] {
    if (!node?.drain || node.deletingAt || DRAIN_PROGRESS_REASONS.has(note.reason)) return [];
    const drain = withNote(node.drain, note);
    if (!drain.event) return [];
    return [
      this.event(
        'node_draining',
        `node_draining:${node.uid}:${node.drain.taint ?? 'cordon'}:${note.reason}`,
        note.at,
        { kind: 'Node', namespace: null, name: node.name, uid: node.uid },
        `${drain.who}: ${drain.reason}`,
        drain.by === 'cordon' ? 'cordoned: no new pods' : 'tainted: no new pods, its pods are evicted',
        {
          instance_type: node.instanceType,
          zone: node.zone,
          capacity_type: node.capacityType,
          created_at: node.createdAt,
          node: node.name,
          reason: drain.reason,
          message: note.message,
          taint: drain.taint,
          source: DRAIN_SOURCE[drain.by],
        },
      ),
    ];
  }

  /** Cluster Autoscaler's own events: "Scale-up: setting group … size to 3", "node removed by cluster autoscaler". */
  kubeEvent(event: KubeEvent): ScalingEventRecord[] {
    const reason = event.reason ?? '';
    const direction = AUTOSCALER_REASONS[reason];
    const source = event.source?.component ?? event.reportingComponent ?? '';
    if (!direction) return [];
    const kind = event.involvedObject?.kind ?? '';
    // "ScaleDown" is also written on the pods being drained; only the node (or status) ones are the action itself.
    if (reason === 'ScaleDown' && (kind !== 'Node' || (source && source !== 'cluster-autoscaler'))) return [];
    // A repeat of the same event (count, or series for events.k8s.io) is a new action: its own id and time.
    const at = eventTimeOf(event);
    return [
      this.event(
        direction === 'up' ? 'autoscaler_scale_up' : 'autoscaler_scale_down',
        `kevent:${event.metadata?.uid ?? event.metadata?.name}:${eventCountOf(event)}`,
        at,
        { kind, namespace: event.involvedObject?.namespace ?? null, name: event.involvedObject?.name ?? '', uid: event.involvedObject?.uid ?? null },
        reason,
        event.message ?? reason,
        { reason, message: event.message ?? null, node: kind === 'Node' ? (event.involvedObject?.name ?? null) : null, source: 'cluster-autoscaler' },
      ),
    ];
  }

  /** Karpenter's NodeClaims: one appears for every node it launches and goes away with the node. */
  nodeClaim(prev: KubeObject | undefined, next: KubeObject | undefined): ScalingEventRecord[] {
    const c = next ?? prev;
    if (!c) return [];
    const labels = c.metadata?.labels ?? {};
    const uid = c.metadata?.uid ?? c.metadata?.name ?? '';
    const object = { kind: 'NodeClaim', namespace: null, name: c.metadata?.name ?? '', uid };
    const pool = labels['karpenter.sh/nodepool'];
    const what = [
      labels['node.kubernetes.io/instance-type'],
      labels['karpenter.sh/capacity-type'],
      labels['topology.kubernetes.io/zone'] && `in ${labels['topology.kubernetes.io/zone']}`,
    ]
      .filter(Boolean)
      .join(' ');
    const details: ScalingEventDetails = {
      instance_type: labels['node.kubernetes.io/instance-type'] ?? null,
      zone: labels['topology.kubernetes.io/zone'] ?? null,
      capacity_type: labels['karpenter.sh/capacity-type'] ?? null,
      source: 'karpenter',
    };
    const trigger = pool ? `Karpenter pool ${pool}` : 'Karpenter';
    const out: ScalingEventRecord[] = [];
    if (!prev && next)
      out.push(
        this.event(
          'autoscaler_scale_up',
          `nodeclaim_created:${uid}`,
          c.metadata?.creationTimestamp ?? null,
          object,
          trigger,
          `launching ${what || 'a node'}`,
          details,
        ),
      );
    const deleting = next?.metadata?.deletionTimestamp;
    if ((deleting && !prev?.metadata?.deletionTimestamp) || (!next && prev && !prev.metadata?.deletionTimestamp)) {
      out.push(this.event('autoscaler_scale_down', `nodeclaim_deleted:${uid}`, deleting ?? null, object, trigger, `removing ${what || 'a node'}`, details));
    }
    return out;
  }

  /**
   * An event stamped before the horizon is one the collector drops as already recorded: a pod's
   * creation and scheduling are not built at all then (a (re)list of 150,000 pods would build
   * tens of thousands of them for nothing).
   */
  private beforeHorizon(at: string | null): boolean {
    return at !== null && Date.parse(at) < this.ctx.horizon();
  }

  private isNew(createdAt: string | null): boolean {
    return createdAt !== null && Date.parse(createdAt) >= this.ctx.horizon();
  }

  private event(
    type: ScalingEventType,
    id: string,
    at: string | null | undefined,
    object: ScalingEventRecord['object'],
    trigger: string,
    result: string,
    details: ScalingEventDetails,
    status: ScalingEventRecord['status'] = 'completed',
  ): ScalingEventRecord {
    const time = isoTime(at);
    return {
      event_id: id,
      event_type: type,
      timestamp: time ?? new Date(this.ctx.now()).toISOString(),
      time_source: time ? 'object' : 'observed',
      trigger,
      result,
      status,
      object,
      details,
    };
  }
}
