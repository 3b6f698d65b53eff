import { ScalingEvents } from '@eks-info/contracts';
import type { MessageBus } from '@eks-info/platform';
import type { ClusterState } from '../collector/cluster-state';
import { summary as summaryOf } from '../collector/cluster-views';
import { scalingMetrics } from '../scaling.metrics';

/**
 * Announces snapshot changes to every gateway replica. Watch changes come in bursts (a list of
 * thousands of pods, a rollout), so they are coalesced: the first change starts a timer of
 * `delayMs` and everything until it fires goes out as one announcement — a push is never later
 * than `delayMs` after the change that started it, and never more frequent.
 */
export class ChangePublisher {
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => void;
  /** Matches the snapshots' startedAt (both are taken when the service starts). */
  private readonly startedAt: string;

  constructor(
    private readonly state: ClusterState,
    private readonly bus: MessageBus,
    private readonly delayMs: number,
    startedAt: string,
  ) {
    this.startedAt = startedAt;
  }

  start(): void {
    this.unsubscribe = this.state.onChange(() => this.schedule());
  }

  stop(): void {
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.delayMs);
    this.timer.unref();
  }

  private flush(): void {
    this.timer = undefined;
    const summary = summaryOf(this.state);
    this.bus.emit(ScalingEvents.changed, {
      startedAt: this.startedAt,
      version: this.state.version,
      at: new Date().toISOString(),
      nodes: summary.nodes,
      pods: summary.pods,
      pending: summary.pending,
    });
    this.updateGauges(summary.pending);
  }

  /** Prometheus gauges follow the state at the same pace as the pushes. */
  private updateGauges(pending: number): void {
    scalingMetrics.pendingPods().set(pending);
    const nodes = scalingMetrics.nodes();
    nodes.reset();
    const counts = new Map<string, { capacity_type: string; arch: string; ready: string; n: number }>();
    for (const n of this.state.nodeRecords()) {
      const labels = { capacity_type: n.capacityType ?? 'unknown', arch: n.arch ?? 'unknown', ready: String(n.ready) };
      const key = `${labels.capacity_type}|${labels.arch}|${labels.ready}`;
      const entry = counts.get(key) ?? { ...labels, n: 0 };
      entry.n++;
      counts.set(key, entry);
    }
    for (const { n, ...labels } of counts.values()) nodes.set(labels, n);
    const current = scalingMetrics.hpaCurrent();
    const desired = scalingMetrics.hpaDesired();
    current.reset();
    desired.reset();
    for (const h of this.state.hpaRecords()) {
      current.set({ namespace: h.namespace, hpa: h.name }, h.current);
      desired.set({ namespace: h.namespace, hpa: h.name }, h.desired);
    }
  }
}
