import {
  type ClusterAutoscalerView,
  type ErrorBody,
  KubeErrors,
  NODE_EVENT_TYPES,
  type NodesView,
  type NormalizedNodesQuery,
  type ScalingEventRecord,
  ScalingErrors,
  type ScalingNodes,
  type ScalingSnapshot,
  type ScalingSnapshotQuery,
  type Section,
  failed,
  nodesQueryString,
  ok,
  unavailable,
} from '@eks-info/contracts';
import { sleep } from '@eks-info/platform';
import { clusterAutoscalerView } from '../collector/autoscaler-status';
import { defaultNodeCards, hpaViews, karpenterView, nodeOverview, nodesPage, nodesView, pendingView, summary } from '../collector/cluster-views';
import { AUTOSCALER_STATUS_CONFIGMAP, type ScalingCollector } from '../collector/scaling.collector';
import type { PriceBook } from '../pricing/price-book';
import { withNodePrices } from '../pricing/priced-nodes';
import { scalingMetrics } from '../scaling.metrics';
import { built, informerSection } from './sections';

export type SnapshotData = Omit<ScalingSnapshot, 'servedBy'>;
export type NodesData = Omit<ScalingNodes, 'servedBy'>;

/** Node pages kept per state version (the same query from many browsers is built once). */
const KEPT_NODE_PAGES = 32;

const NOT_IN_CLUSTER: ErrorBody = { code: KubeErrors.NOT_IN_CLUSTER.code, message: 'Not running in Kubernetes' };
const NODE_EVENTS_SHOWN = 30;

/**
 * The /scaling snapshot, built from the collector's in-memory state and cached per state
 * version: any number of page views between two watch events share one build.
 */
export class SnapshotService {
  /** The snapshot of one state version without its node list by name (built per asked length, `nodes`). */
  private cache?: { version: number; base: Omit<SnapshotData, 'nodes'>; lists: Map<number, SnapshotData> };
  private pages?: { version: number; byQuery: Map<string, NodesData> };
  private readonly startedMs = Date.now();
  /** Versions count from this process's start; pushes and snapshots carry it. */
  readonly startedAt = new Date(this.startedMs).toISOString();

  constructor(
    private readonly collector: ScalingCollector,
    private readonly options: { syncWaitMs?: number; prices?: PriceBook } = {},
  ) {}

  /** The snapshot; `nodes` limits how many nodes it lists by name (the page asks for none). */
  async snapshot(query: ScalingSnapshotQuery = {}): Promise<SnapshotData> {
    const c = this.collector;
    const state = c.state;
    if (!c.inCluster) return this.everySection(unavailable(c.unavailable ?? NOT_IN_CLUSTER));
    if (!c.informerSet()) return this.everySection(unavailable({ code: KubeErrors.NOT_SYNCED.code, message: 'The scaling collector is starting' }));
    await this.waitForFirstLists();
    const version = state.version;
    const started = performance.now();
    if (this.cache?.version !== version) this.cache = { version, base: this.build(version), lists: new Map() };
    const limit = Math.min(query.nodes ?? c.options.maxNodes, c.options.maxNodes);
    let data = this.cache.lists.get(limit);
    if (!data) {
      data = { ...this.cache.base, nodes: this.nodeList(limit) };
      this.cache.lists.set(limit, data);
      scalingMetrics.snapshotBuild().observe((performance.now() - started) / 1000);
    }
    return data;
  }

  /** One page of node cards, built once per state version and query. */
  async nodes(query: NormalizedNodesQuery): Promise<NodesData> {
    const c = this.collector;
    const state = c.state;
    const answer = (version: number, nodes: NodesData['nodes']): NodesData => ({ startedAt: this.startedAt, version, nodes });
    if (!c.inCluster) return answer(0, unavailable(c.unavailable ?? NOT_IN_CLUSTER));
    const i = c.informerSet();
    if (!i) return answer(0, unavailable({ code: KubeErrors.NOT_SYNCED.code, message: 'The scaling collector is starting' }));
    await this.waitForFirstLists();
    const version = state.version;
    if (this.pages?.version !== version) this.pages = { version, byQuery: new Map() };
    // The shortest query string of the query: equal for equal queries.
    const key = nodesQueryString(query);
    let data = this.pages.byQuery.get(key);
    if (!data) {
      data = answer(
        version,
        withNodePrices(
          informerSection([i.nodes, i.pods], () => nodesPage(state, query)),
          this.options.prices,
        ),
      );
      if (this.pages.byQuery.size >= KEPT_NODE_PAGES) this.pages.byQuery.delete(this.pages.byQuery.keys().next().value!);
      this.pages.byQuery.set(key, data);
    }
    return data;
  }

  private nodeList(limit: number): Section<NodesView> {
    const i = this.collector.informerSet()!;
    return withNodePrices(
      informerSection([i.nodes, i.pods], () => nodesView(this.collector.state, limit)),
      this.options.prices,
    );
  }

  /** The same unavailable section everywhere (no cluster, or not started yet). */
  private everySection(why: Section<never>): SnapshotData {
    const namespace = this.collector.state.namespace;
    return {
      startedAt: this.startedAt,
      version: 0,
      generatedAt: new Date().toISOString(),
      changedAt: null,
      namespace,
      summary: why,
      overview: why,
      nodeCards: why,
      nodes: why,
      pending: why,
      hpas: why,
      clusterAutoscaler: why,
      karpenter: why,
      nodeEvents: why,
      ...(this.options.prices ? { cost: why } : {}),
    };
  }

  private build(version: number): Omit<SnapshotData, 'nodes'> {
    const c = this.collector;
    const state = c.state;
    const i = c.informerSet()!;
    return {
      startedAt: this.startedAt,
      version,
      generatedAt: new Date().toISOString(),
      changedAt: state.changedAt,
      namespace: state.namespace,
      summary: informerSection([i.nodes, i.pods, i.hpas], () => summary(state)),
      overview: informerSection([i.nodes, i.pods], () => nodeOverview(state)),
      nodeCards: withNodePrices(
        informerSection([i.nodes, i.pods], () => defaultNodeCards(state)),
        this.options.prices,
      ),
      pending: informerSection([i.pods], () => pendingView(state)),
      hpas: informerSection([i.hpas], () => hpaViews(state)),
      clusterAutoscaler: this.clusterAutoscaler(),
      karpenter: this.karpenter(),
      nodeEvents: this.nodeEvents(),
      ...(this.options.prices ? { cost: this.cost(this.options.prices) } : {}),
    };
  }

  /** What the nodes cost per hour, once the node informer has listed them. */
  private cost(prices: PriceBook): SnapshotData['cost'] {
    const gate = informerSection([this.collector.informerSet()!.nodes], () => true);
    return gate.status === 'ok' ? prices.clusterCost() : gate;
  }

  private clusterAutoscaler(): Section<ClusterAutoscalerView> {
    const c = this.collector;
    const gate = informerSection([c.informerSet()!.autoscalerStatus], () => true);
    if (gate.status !== 'ok') return gate;
    const cm = c.state.clusterAutoscalerConfigMap();
    if (!cm) {
      return unavailable({
        code: ScalingErrors.NOT_INSTALLED.code,
        message: `No ${AUTOSCALER_STATUS_CONFIGMAP} ConfigMap in ${c.options.autoscalerNamespace}: the Cluster Autoscaler is not installed here`,
        fix: 'Nodes may scale with Karpenter or EKS Auto Mode instead (see the Karpenter section); otherwise install the Cluster Autoscaler (the Terraform does) or set CLUSTER_AUTOSCALER_NAMESPACE.',
      });
    }
    const view = built(() => clusterAutoscalerView(cm));
    return view.status === 'ok' && gate.note ? { ...view, note: gate.note } : view;
  }

  private karpenter(): SnapshotData['karpenter'] {
    const c = this.collector;
    const { state, error } = c.karpenterStatus;
    const i = c.informerSet()!;
    if (state === 'present' && i.nodePools && i.nodeClaims) return informerSection([i.nodePools, i.nodeClaims], () => karpenterView(c.state));
    if (state === 'absent') {
      return unavailable({
        code: ScalingErrors.NOT_INSTALLED.code,
        message: 'Karpenter is not installed: the API server does not serve karpenter.sh/v1',
        fix: 'Nodes scale with the Cluster Autoscaler here (see its section), or install Karpenter / use EKS Auto Mode.',
      });
    }
    if (error) return failed(error);
    return unavailable({ code: KubeErrors.NOT_SYNCED.code, message: 'Checking whether Karpenter is installed' });
  }

  private nodeEvents(): Section<ScalingEventRecord[]> {
    const events = this.collector.store.allEvents();
    const out: ScalingEventRecord[] = [];
    for (let n = events.length - 1; n >= 0 && out.length < NODE_EVENTS_SHOWN; n--) {
      if (NODE_EVENT_TYPES.includes(events[n].event_type)) out.push(events[n]);
    }
    const problem = this.collector.historyProblem;
    return problem ? ok(out, `The history volume has a problem, events are kept in memory only: ${problem.message}`) : ok(out);
  }

  /** Only in the first moments after start: wait (bounded) until the informers have listed or failed. */
  private async waitForFirstLists(): Promise<void> {
    const deadline = this.startedMs + (this.options.syncWaitMs ?? 2000);
    const pending = () => this.collector.statuses().some((x) => !x.synced && !x.lastError);
    while (pending() && Date.now() < deadline) await sleep(Math.min(25, deadline - Date.now()));
  }
}
