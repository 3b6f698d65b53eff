import { CHAIN_LABELS, type ChainType, type ResponseTimeChain, type ResponseTimeStats, type ScalingEventRecord } from '@eks-info/contracts';

const ms = (iso: string) => Date.parse(iso);
/** Indexes only needed to pair events that arrive out of order are kept this long. */
const STALE_WAIT_MS = 3_600_000;
/** Kubernetes timestamps have whole seconds: a pod created in the same second as the decision belongs to it. */
const second = (t: number) => Math.floor(t / 1000) * 1000;

interface Decision {
  chainId: string;
  /** HPA identity (namespace/name). */
  hpa: string;
  meta: Meta;
  /** "namespace|Deployment/stress". */
  workload: string;
  at: number;
  up: boolean;
  needed: number;
  before: number;
  after: number;
}

interface ReadyPod {
  uid: string;
  createdAt: number;
  readyAt: number;
}

interface Waiting {
  uid: string;
  subject: string;
  since: number;
  meta: Meta;
}

/** Namespace and workload of the pods a chain is about. */
interface Meta {
  namespace: string | null;
  workload: string | null;
}

const NODE_META: Meta = { namespace: null, workload: null };

/**
 * Response times as chains of events, each from a cause to its effect:
 * - HPA decision → all new pods Ready: the decision's time (lastScaleTime) to the moment the
 *   (after − before)-th pod of the target created at or after it became Ready;
 * - Pod Pending → scheduled: PodScheduled=False to PodScheduled=True;
 * - Node created → Ready: creationTimestamp to Ready=True;
 * - Pod Pending → its new node Ready: for a pod that ends up on a node created after it went
 *   Pending (the node scale-up it waited for), Pending to that node's Ready.
 *
 * Chains are derived from the recorded events only, in any order, so replaying the history after
 * a restart rebuilds exactly the same chains with the same ids.
 */
export class ChainTracker {
  private readonly chains = new Map<string, ResponseTimeChain>();
  private readonly decisions = new Map<string, Decision[]>();
  private readonly readyPods = new Map<string, ReadyPod[]>();
  private readonly pending = new Map<string, Waiting>();
  private readonly scheduled = new Map<string, { at: number; node: string | null }>();
  private readonly nodeCreated = new Map<string, number>();
  private readonly nodeReady = new Map<string, number>();
  /** When each node's drain started, and when nodes were removed (drains of either order pair up). */
  private readonly drains = new Map<string, number>();
  private readonly removed = new Map<string, number>();
  /** Pods scheduled onto a node whose creation time is not known yet (resolved by its node_ready). */
  private readonly awaitingNode = new Map<string, Array<Waiting & { scheduledAt: number }>>();

  /** Feeds one event; returns the chains it completed. */
  add(e: ScalingEventRecord): ResponseTimeChain[] {
    const t = ms(e.timestamp);
    const uid = e.object.uid ?? `${e.object.namespace}/${e.object.name}`;
    const subject = e.object.namespace ? `${e.object.namespace}/${e.object.name}` : e.object.name;
    const meta: Meta = { namespace: e.object.namespace, workload: e.details.workload ?? null };
    switch (e.event_type) {
      case 'hpa_scale_up':
      case 'hpa_scale_down':
        return this.decision(e, t);
      case 'pod_ready': {
        const workload = e.details.workload;
        const created = e.details.created_at ? ms(e.details.created_at) : NaN;
        if (!workload || !Number.isFinite(created)) return [];
        const key = `${e.object.namespace}|${workload}`;
        const list = this.readyPods.get(key) ?? [];
        if (list.some((p) => p.uid === uid)) return [];
        list.push({ uid, createdAt: created, readyAt: t });
        this.readyPods.set(key, list);
        return this.evaluateWorkload(key);
      }
      case 'pod_pending': {
        if (this.pending.has(uid)) return [];
        this.pending.set(uid, { uid, subject, since: t, meta });
        const done = this.scheduled.get(uid);
        if (done) return this.podScheduled(uid, subject, done.at, done.node);
        this.open(`pending:${uid}`, 'pending_to_scheduled', subject, meta, t, 'waiting for a node');
        return [];
      }
      case 'pod_scheduled': {
        const node = e.details.node ?? null;
        if (node && e.details.node_created_at && !this.nodeCreated.has(node)) this.nodeCreated.set(node, ms(e.details.node_created_at));
        this.scheduled.set(uid, { at: t, node });
        if (!this.pending.has(uid) && e.details.pending_since) this.pending.set(uid, { uid, subject, since: ms(e.details.pending_since), meta });
        return this.podScheduled(uid, subject, t, node);
      }
      case 'pod_deleted': {
        const chain = this.chains.get(`pending:${uid}`);
        if (chain?.status === 'in_progress') {
          chain.status = 'abandoned';
          chain.detail = 'deleted before it was scheduled';
        }
        return [];
      }
      case 'node_added': {
        this.nodeCreated.set(e.object.name, t);
        if (!this.nodeReady.has(e.object.name)) this.open(`node:${uid}`, 'node_created_to_ready', e.object.name, NODE_META, t, describeNode(e));
        return [];
      }
      case 'node_ready': {
        const created = e.details.created_at ? ms(e.details.created_at) : this.nodeCreated.get(e.object.name);
        if (created !== undefined && Number.isFinite(created)) this.nodeCreated.set(e.object.name, created);
        this.nodeReady.set(e.object.name, t);
        const out: ResponseTimeChain[] = [];
        if (created !== undefined && Number.isFinite(created)) {
          out.push(...this.complete(`node:${uid}`, 'node_created_to_ready', e.object.name, NODE_META, created, t, describeNode(e)));
        }
        // Pods that were waiting to learn whether this node is new.
        for (const w of this.awaitingNode.get(e.object.name) ?? []) out.push(...this.pendingToNode(w, e.object.name));
        this.awaitingNode.delete(e.object.name);
        for (const chain of this.chains.values()) {
          if (chain.type === 'pending_to_node_ready' && chain.status === 'in_progress' && chain.detail === `on ${e.object.name}`) {
            out.push(...this.complete(chain.chain_id, chain.type, chain.subject, chain, ms(chain.started_at), t, chain.detail));
          }
        }
        return out;
      }
      case 'node_draining': {
        // Scale-in: the first drain of a node to its removal.
        const first = this.drains.get(uid);
        if (first !== undefined && first <= t) return [];
        this.drains.set(uid, t);
        // An earlier drain of the same node, replayed late: the chain starts there.
        if (first !== undefined) this.chains.delete(`drain:${uid}`);
        const removedAt = this.removed.get(uid);
        if (removedAt !== undefined) {
          return this.complete(`drain:${uid}`, 'node_drained_to_removed', e.object.name, NODE_META, t, Math.max(removedAt, t), e.trigger);
        }
        this.open(`drain:${uid}`, 'node_drained_to_removed', e.object.name, NODE_META, t, e.trigger);
        return [];
      }
      case 'node_removed': {
        const chain = this.chains.get(`node:${uid}`);
        if (chain?.status === 'in_progress') {
          chain.status = 'abandoned';
          chain.detail = `${chain.detail}; removed before it was Ready`;
        }
        this.removed.set(uid, t);
        const drained = this.drains.get(uid);
        if (drained === undefined) return [];
        const open = this.chains.get(`drain:${uid}`);
        return this.complete(`drain:${uid}`, 'node_drained_to_removed', e.object.name, NODE_META, drained, Math.max(t, drained), open?.detail ?? e.trigger);
      }
      default:
        return [];
    }
  }

  /** When a pod was seen Pending (for the detector after a restart). */
  pendingSince(uid: string): string | null {
    const w = this.pending.get(uid);
    return w ? new Date(w.since).toISOString() : null;
  }

  /** Chains that started or ended in [from, to], newest start first. */
  list(from: number, to: number, filter: (c: ResponseTimeChain) => boolean = () => true): ResponseTimeChain[] {
    const out: ResponseTimeChain[] = [];
    for (const c of this.chains.values()) {
      const start = ms(c.started_at);
      const end = c.ended_at ? ms(c.ended_at) : start;
      if (end >= from && start <= to && filter(c)) out.push({ ...c });
    }
    return out.sort((a, b) => ms(b.started_at) - ms(a.started_at) || a.chain_id.localeCompare(b.chain_id));
  }

  /** Average and p90 per chain type over the chains completed in [from, to]. */
  stats(from: number, to: number, filter: (c: ResponseTimeChain) => boolean = () => true): ResponseTimeStats[] {
    const durations = new Map<ChainType, number[]>();
    const inProgress = new Map<ChainType, number>();
    for (const c of this.chains.values()) {
      if (!filter(c)) continue;
      if (c.status === 'completed' && c.ended_at && c.duration_seconds !== null) {
        const end = ms(c.ended_at);
        if (end < from || end > to) continue;
        durations.set(c.type, [...(durations.get(c.type) ?? []), c.duration_seconds]);
      } else if (c.status === 'in_progress' && ms(c.started_at) <= to) {
        inProgress.set(c.type, (inProgress.get(c.type) ?? 0) + 1);
      }
    }
    return (Object.keys(CHAIN_LABELS) as ChainType[]).map((type) => {
      const d = (durations.get(type) ?? []).sort((a, b) => a - b);
      const sum = d.reduce((s, x) => s + x, 0);
      return {
        type,
        label: CHAIN_LABELS[type],
        count: d.length,
        average_seconds: d.length ? Math.round((sum / d.length) * 10) / 10 : null,
        p90_seconds: d.length ? d[Math.ceil(0.9 * d.length) - 1] : null,
        min_seconds: d.length ? d[0] : null,
        max_seconds: d.length ? d[d.length - 1] : null,
        in_progress: inProgress.get(type) ?? 0,
      };
    });
  }

  /**
   * Forgets chains and indexes older than `cutoff` (retention), and waits that can no longer end
   * (a node turns Ready within minutes of its creation, not hours).
   */
  prune(cutoff: number, now: number = Date.now()): void {
    const stale = now - STALE_WAIT_MS;
    for (const [node, waits] of this.awaitingNode) {
      const kept = waits.filter((w) => w.scheduledAt >= stale);
      if (kept.length) this.awaitingNode.set(node, kept);
      else this.awaitingNode.delete(node);
    }
    for (const [k, s] of this.scheduled) if (s.at < stale) this.scheduled.delete(k);
    for (const [id, c] of this.chains) if ((c.ended_at ? ms(c.ended_at) : ms(c.started_at)) < cutoff) this.chains.delete(id);
    for (const [k, list] of this.decisions) {
      const kept = list.filter((d) => d.at >= cutoff);
      if (kept.length) this.decisions.set(k, kept);
      else this.decisions.delete(k);
    }
    for (const [k, list] of this.readyPods) {
      const kept = list.filter((p) => p.readyAt >= cutoff);
      if (kept.length) this.readyPods.set(k, kept);
      else this.readyPods.delete(k);
    }
    for (const map of [this.pending]) for (const [k, w] of map) if (w.since < cutoff) map.delete(k);
    for (const map of [this.nodeCreated, this.nodeReady, this.drains, this.removed]) for (const [k, t] of map) if (t < cutoff) map.delete(k);
  }

  // ---- HPA decisions --------------------------------------------------------------------

  private decision(e: ScalingEventRecord, t: number): ResponseTimeChain[] {
    const before = e.details.replicas_before;
    const after = e.details.replicas_after;
    const workload = e.details.workload;
    if (before === null || before === undefined || after === undefined || !workload) return [];
    const hpa = `${e.object.namespace}/${e.object.name}`;
    const list = this.decisions.get(hpa) ?? [];
    const chainId = `hpa:${e.event_id}`;
    if (list.some((d) => d.chainId === chainId)) return [];
    const meta: Meta = { namespace: e.object.namespace, workload };
    const d: Decision = { chainId, hpa, meta, workload: `${e.object.namespace}|${workload}`, at: t, up: after > before, needed: after - before, before, after };
    list.push(d);
    list.sort((a, b) => a.at - b.at);
    this.decisions.set(hpa, list);
    if (d.up) this.open(chainId, 'hpa_to_pods_ready', `${hpa} ${before} → ${after}`, meta, t, `0 of ${d.needed} new pods Ready`);
    return this.evaluateWorkload(d.workload);
  }

  /** Re-checks every open HPA chain of a workload against the Ready pods known so far. */
  private evaluateWorkload(workload: string): ResponseTimeChain[] {
    const out: ResponseTimeChain[] = [];
    const ready = this.readyPods.get(workload) ?? [];
    for (const list of this.decisions.values()) {
      // Latest first: whether a later decision completed decides whether an earlier one is superseded.
      for (let i = list.length - 1; i >= 0; i--) {
        const d = list[i];
        if (d.workload !== workload || !d.up) continue;
        const chain = this.chains.get(d.chainId);
        if (!chain || chain.status !== 'in_progress') continue;
        const next = list[i + 1];
        // New pods of this decision: created at or after it, and before the next decision of the same HPA.
        const mine = ready.filter((p) => p.createdAt >= second(d.at) && (!next || p.createdAt < second(next.at))).sort((a, b) => a.readyAt - b.readyAt);
        if (mine.length >= d.needed) {
          out.push(
            ...this.complete(
              d.chainId,
              'hpa_to_pods_ready',
              chain.subject,
              d.meta,
              d.at,
              mine[d.needed - 1].readyAt,
              `${d.needed} of ${d.needed} new pods Ready`,
            ),
          );
          continue;
        }
        chain.detail = `${mine.length} of ${d.needed} new pods Ready`;
        const later = list.slice(i + 1);
        const overtaken = later.some((x) => !x.up) || later.some((x) => this.chains.get(x.chainId)?.status === 'completed');
        if (overtaken) {
          chain.status = 'superseded';
          chain.detail = `${chain.detail}; a later decision took over`;
        }
      }
    }
    return out;
  }

  // ---- pods and nodes -------------------------------------------------------------------

  private podScheduled(uid: string, subject: string, at: number, node: string | null): ResponseTimeChain[] {
    const waiting = this.pending.get(uid);
    if (!waiting) return [];
    const out = this.complete(`pending:${uid}`, 'pending_to_scheduled', subject, waiting.meta, waiting.since, at, node ? `scheduled on ${node}` : 'scheduled');
    if (node) {
      const w = { ...waiting, subject, scheduledAt: at };
      if (this.nodeCreated.has(node)) out.push(...this.pendingToNode(w, node));
      else this.awaitingNode.set(node, [...(this.awaitingNode.get(node) ?? []), w]);
    }
    return out;
  }

  private pendingToNode(w: Waiting, node: string): ResponseTimeChain[] {
    const created = this.nodeCreated.get(node);
    // Only a node that appeared after the pod went Pending is the scale-up it waited for.
    if (created === undefined || created < second(w.since)) return [];
    const id = `pending_node:${w.uid}`;
    const ready = this.nodeReady.get(node);
    if (ready !== undefined) return this.complete(id, 'pending_to_node_ready', w.subject, w.meta, w.since, Math.max(ready, w.since), `on ${node}`);
    this.open(id, 'pending_to_node_ready', w.subject, w.meta, w.since, `on ${node}`);
    return [];
  }

  // ---- chain bookkeeping ----------------------------------------------------------------

  private open(id: string, type: ChainType, subject: string, meta: Meta, start: number, detail: string): void {
    if (this.chains.has(id)) return;
    this.chains.set(id, {
      chain_id: id,
      type,
      subject,
      namespace: meta.namespace,
      workload: meta.workload,
      started_at: new Date(start).toISOString(),
      ended_at: null,
      duration_seconds: null,
      status: 'in_progress',
      detail,
    });
  }

  private complete(id: string, type: ChainType, subject: string, meta: Meta, start: number, end: number, detail: string): ResponseTimeChain[] {
    const existing = this.chains.get(id);
    if (existing?.status === 'completed') return [];
    const chain: ResponseTimeChain = {
      chain_id: id,
      type,
      subject,
      namespace: meta.namespace,
      workload: meta.workload,
      started_at: new Date(start).toISOString(),
      ended_at: new Date(end).toISOString(),
      duration_seconds: Math.round((end - start) / 100) / 10,
      status: 'completed',
      detail,
    };
    this.chains.set(id, chain);
    return [chain];
  }
}

function describeNode(e: ScalingEventRecord): string {
  return [e.details.instance_type, e.details.capacity_type, e.details.zone].filter(Boolean).join(' ') || 'node';
}
