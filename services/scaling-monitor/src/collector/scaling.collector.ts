import { type ErrorBody, type HistoryPoint, KubeErrors, type ResponseTimeChain, type ScalingEventRecord } from '@eks-info/contracts';
import {
  type ApiDiscovery,
  type InformerHub,
  type InformerStatus,
  KARPENTER,
  type KubeObject,
  type ManagedInformer,
  type MetricsPoller,
  type ResourceObjects,
} from '@eks-info/kube';
import type { CheckResult, Logger } from '@eks-info/platform';
import pino from 'pino';
import { ChainTracker } from '../history/chain-tracker';
import { EventDetector } from '../history/event-detector';
import type { HistoryStore } from '../history/history.store';
import { scalingMetrics } from '../scaling.metrics';
import { ClusterState } from './cluster-state';
import { historySample } from './cluster-views';
import { NODE_CACHE, podCacheFor } from './kube-objects';

export const KARPENTER_GROUP_VERSION = 'karpenter.sh/v1';
export const AUTOSCALER_STATUS_CONFIGMAP = 'cluster-autoscaler-status';
/** After a restart the monitor records what happened while it was down, and this much before its last sample. */
const CATCH_UP_MARGIN_MS = 3_600_000;
const STATUS_CHECK_MS = 2_000;
const SYNC_MS = 5_000;
const COMPACT_MS = 3_600_000;
const KARPENTER_RECHECK_MS = 300_000;

export interface ScalingCollectorOptions {
  /** The watched namespace (HPAs, workloads, app pods). */
  namespace: string;
  /** Where the Cluster Autoscaler keeps its status ConfigMap and writes its events. */
  autoscalerNamespace: string;
  hub?: InformerHub;
  discovery?: ApiDiscovery;
  metrics?: MetricsPoller;
  /** Why there is no hub (not running in Kubernetes). */
  unavailable?: ErrorBody;
  store: HistoryStore;
  sampleIntervalMs: number;
  retentionDays: number;
  maxNodes: number;
  logger?: Logger;
  now?: () => number;
  /** New events, after de-duplication (to publish). */
  onRecorded?: (events: ScalingEventRecord[]) => void;
  onSample?: (point: HistoryPoint) => void;
}

type Informers = {
  nodes: ManagedInformer<ResourceObjects['nodes']>;
  pods: ManagedInformer<ResourceObjects['pods']>;
  hpas: ManagedInformer<ResourceObjects['horizontalpodautoscalers']>;
  deployments: ManagedInformer<ResourceObjects['deployments']>;
  replicasets: ManagedInformer<ResourceObjects['replicasets']>;
  events: Array<ManagedInformer<ResourceObjects['events']>>;
  autoscalerStatus: ManagedInformer<ResourceObjects['configmaps']>;
  nodePools?: ManagedInformer<KubeObject>;
  nodeClaims?: ManagedInformer<KubeObject>;
};

/**
 * The single collector: informers (list once, then watch) feed the in-memory ClusterState, and
 * every transition they show becomes a scaling event in the history, which also feeds the
 * response-time chains. A timer takes the history samples and polls metrics.k8s.io.
 */
export class ScalingCollector {
  readonly state: ClusterState;
  readonly tracker = new ChainTracker();
  private readonly detector: EventDetector;
  private readonly logger: Logger;
  private readonly now: () => number;
  private informers?: Informers;
  private karpenter: 'unknown' | 'absent' | 'present' = 'unknown';
  private karpenterError: ErrorBody | null = null;
  private timers: NodeJS.Timeout[] = [];
  private karpenterTimer?: NodeJS.Timeout;
  private horizon = 0;
  private statusSignature = '';
  private started = false;
  private stopped = false;
  private historyError: Error | null = null;

  constructor(readonly options: ScalingCollectorOptions) {
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.state = new ClusterState({ namespace: options.namespace, maxNodes: options.maxNodes, now: this.now });
    this.detector = new EventDetector({
      now: this.now,
      horizon: () => this.horizon,
      knownPendingSince: (uid) => this.tracker.pendingSince(uid),
      node: (name) => this.state.node(name),
      drainNote: (name) => this.state.drainNotes.get(name),
    });
    if (options.metrics) this.state.setUsage(options.metrics);
  }

  get inCluster(): boolean {
    return Boolean(this.options.hub);
  }

  get unavailable(): ErrorBody | undefined {
    return this.options.unavailable;
  }

  get store(): HistoryStore {
    return this.options.store;
  }

  /** The history volume's problem, if any (open failed or the last write failed). */
  get historyProblem(): Error | null {
    return this.historyError ?? this.options.store.error;
  }

  get karpenterStatus(): { state: 'unknown' | 'absent' | 'present'; error: ErrorBody | null } {
    return { state: this.karpenter, error: this.karpenterError };
  }

  informerSet(): Informers | undefined {
    return this.informers;
  }

  /** Opens the history (replaying it into the chains), then starts the informers and timers. */
  start(): void {
    const { hub, namespace, autoscalerNamespace } = this.options;
    if (!hub || this.started) return;
    this.started = true;
    this.openHistory();

    const events = [...new Set([namespace, autoscalerNamespace, 'default'])].map((ns) => hub.informer('events', { namespace: ns, optional: true }));
    this.informers = {
      // The caches keep only what ClusterState reads (NODE_CACHE, POD_CACHE): at 150,000 pods
      // whole objects would be most of the monitor's memory.
      nodes: hub.informer('nodes', { transform: NODE_CACHE }),
      // Finished pods hold no node resources and cannot scale anything: leave them out of the cache.
      // The watched namespace's pods keep their limits too (usage against limits on the node cards).
      pods: hub.informer('pods', { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', transform: podCacheFor(namespace) }),
      hpas: hub.informer('horizontalpodautoscalers', { namespace }),
      deployments: hub.informer('deployments', { namespace }),
      replicasets: hub.informer('replicasets', { namespace }),
      events,
      autoscalerStatus: hub.informer('configmaps', {
        namespace: autoscalerNamespace,
        fieldSelector: `metadata.name=${AUTOSCALER_STATUS_CONFIGMAP}`,
        optional: true,
      }),
    };
    const i = this.informers;
    i.replicasets.onChange((type, rs) => this.state.applyReplicaSet(type, rs));
    i.deployments.onChange((type, d) => this.state.applyDeployment(type, d));
    i.nodes.onChange((type, node) => {
      const { prev, next } = this.state.applyNode(type, node);
      this.record(this.detector.node(prev, next));
    });
    i.pods.onChange((type, pod) => {
      const { prev, next } = this.state.applyPod(type, pod);
      this.record(this.detector.pod(prev, next));
    });
    i.hpas.onChange((type, hpa) => {
      const { prev, next } = this.state.applyHpa(type, hpa);
      this.record(this.detector.hpa(prev, next));
    });
    for (const informer of i.events) {
      informer.onChange((type, event) => {
        const node = event.involvedObject?.kind === 'Node' ? event.involvedObject.name : undefined;
        const noted = node && this.state.drainNotes.get(node);
        this.state.applyEvent(type, event);
        if (type === 'delete') return;
        this.record(this.detector.kubeEvent(event));
        // A drainer said why it drains a node: the drain, with the reason, if the node is draining already.
        const note = node && this.state.drainNotes.get(node);
        if (node && note && note !== noted) this.record(this.detector.drainEvent(this.state.node(node), note));
      });
    }
    i.autoscalerStatus.onChange((type, cm) => this.state.applyAutoscalerStatus(type, cm));
    void this.discoverKarpenter();

    void this.options.metrics?.poll().then(() => this.state.touch());
    this.timers.push(
      setInterval(() => this.takeSample(), this.options.sampleIntervalMs),
      setInterval(() => this.checkStatus(), STATUS_CHECK_MS),
      setInterval(() => this.options.store.sync(), SYNC_MS),
      setInterval(() => this.compact(), COMPACT_MS),
    );
    for (const t of this.timers) t.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    clearTimeout(this.karpenterTimer);
    this.timers = [];
    this.options.store.close();
  }

  /** Every informer whose state a section shows, for "loading" and error sections. */
  statuses(): InformerStatus[] {
    const i = this.informers;
    if (!i) return [];
    return [
      i.nodes,
      i.pods,
      i.hpas,
      i.deployments,
      i.replicasets,
      ...i.events,
      i.autoscalerStatus,
      ...(i.nodePools ? [i.nodePools] : []),
      ...(i.nodeClaims ? [i.nodeClaims] : []),
    ];
  }

  /** Readiness: not in a cluster is fine (local mode); otherwise the required informers are synced and the history is writable. */
  readiness(): CheckResult {
    if (!this.options.hub) return { ok: true, detail: (this.options.unavailable ?? { message: 'not running in Kubernetes' }).message };
    const i = this.informers;
    if (!i) return { ok: false, detail: 'scaling collector not started' };
    const problems = [i.nodes, i.pods, i.hpas, i.deployments, i.replicasets]
      .filter((x) => x.lastError || !x.synced)
      .map((x) => `${x.name}: ${x.lastError?.message ?? 'not synced yet'}`);
    const history = this.historyProblem;
    if (history) problems.push(`history at ${this.options.store.path}: ${history.message}`);
    return problems.length ? { ok: false, detail: problems.join('; ') } : { ok: true, detail: 'scaling informers synced, history writable' };
  }

  // ---- internals --------------------------------------------------------------------------

  private openHistory(): void {
    const store = this.options.store;
    try {
      const loaded = store.open();
      for (const e of store.allEvents()) this.tracker.add(e);
      store.compact();
      this.tracker.prune(this.now() - this.options.retentionDays * 86_400_000, this.now());
      scalingMetrics.historyRecords().set(store.info().records);
      this.logger.info({ path: store.path, ...loaded }, 'history loaded');
    } catch (err) {
      this.historyError = err as Error;
      this.logger.error({ path: store.path, err: (err as Error).message }, 'history cannot be opened; recording in memory only');
    }
    const lastSample = store.samples().at(-1);
    this.horizon = (lastSample ? Date.parse(lastSample.t) : this.now()) - CATCH_UP_MARGIN_MS;
  }

  /** Stores new events (old ones from before the catch-up horizon and duplicates are dropped) and feeds the chains. */
  private record(events: ScalingEventRecord[]): void {
    if (!events.length) return;
    const recent = events.filter((e) => Date.parse(e.timestamp) >= this.horizon);
    const fresh = this.options.store.appendEvents(recent);
    if (this.options.store.error) scalingMetrics.historyWriteErrors().inc();
    if (!fresh.length) return;
    const completed: ResponseTimeChain[] = [];
    for (const e of fresh) {
      scalingMetrics.events().inc({ type: e.event_type });
      completed.push(...this.tracker.add(e));
    }
    for (const c of completed) if (c.duration_seconds !== null) scalingMetrics.scaleLatency().observe({ chain: c.type }, c.duration_seconds);
    this.options.onRecorded?.(fresh);
  }

  private takeSample(): void {
    const i = this.informers;
    if (!i || !i.nodes.synced || !i.pods.synced) return;
    const point = historySample(this.state, new Date(this.now()));
    this.options.store.appendSample(point);
    scalingMetrics.historyRecords().set(this.options.store.info().records);
    this.options.onSample?.(point);
    // The next sample uses this poll's answer; the snapshot shows it as soon as it arrives.
    void this.options.metrics?.poll().then(() => this.state.touch());
  }

  /** Informer failures and recoveries change sections without an object changing: announce them too. */
  private checkStatus(): void {
    const signature =
      this.statuses()
        .map((s) => `${s.name}:${s.synced ? 1 : 0}:${s.lastError?.code ?? ''}`)
        .join('|') + `|karpenter:${this.karpenter}|metrics:${this.options.metrics?.available ?? false}|history:${this.historyProblem ? 1 : 0}`;
    if (signature !== this.statusSignature) {
      this.statusSignature = signature;
      this.state.touch();
    }
  }

  private compact(): void {
    if (!this.options.store.isOpen) return;
    try {
      this.options.store.compact();
      this.tracker.prune(this.now() - this.options.retentionDays * 86_400_000, this.now());
      scalingMetrics.historyRecords().set(this.options.store.info().records);
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'history compaction failed; appending continues');
    }
  }

  /** Karpenter's NodePools and NodeClaims are watched only where karpenter.sh/v1 is served (Karpenter, EKS Auto Mode). */
  private async discoverKarpenter(): Promise<void> {
    const { hub, discovery } = this.options;
    if (!hub || !discovery || this.stopped) return;
    try {
      const present = await discovery.has(KARPENTER_GROUP_VERSION);
      this.karpenterError = null;
      if (present && !this.informers!.nodePools) {
        this.karpenter = 'present';
        const pools = hub.informer<KubeObject>(KARPENTER.nodepools, { optional: true });
        const claims = hub.informer<KubeObject>(KARPENTER.nodeclaims, { optional: true });
        pools.onChange((type, p) => this.state.applyNodePool(type, p));
        claims.onChange((type, c) => {
          const { prev, next } = this.state.applyNodeClaim(type, c);
          this.record(this.detector.nodeClaim(prev, next));
        });
        this.informers!.nodePools = pools;
        this.informers!.nodeClaims = claims;
        this.state.touch();
        return;
      }
      if (!present) this.karpenter = 'absent';
    } catch (err) {
      this.karpenter = 'unknown';
      this.karpenterError = { code: KubeErrors.UNREACHABLE.code, message: `API discovery failed: ${(err as Error).message}` };
    }
    if (this.stopped) return;
    this.karpenterTimer = setTimeout(() => void this.discoverKarpenter(), this.karpenter === 'unknown' ? 10_000 : KARPENTER_RECHECK_MS);
    this.karpenterTimer.unref();
  }
}
