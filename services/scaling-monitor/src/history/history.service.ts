import {
  type ErrorBody,
  KubeErrors,
  type ResponseTimeChain,
  type ScalingEventRecord,
  type ScalingEventsPage,
  type ScalingEventsQuery,
  type ScalingHistory,
  type ScalingHistoryQuery,
  ScalingErrors,
  type Section,
  ok,
  parseEventsQuery,
  parseHistoryQuery,
  unavailable,
} from '@eks-info/contracts';
import { DomainException } from '@eks-info/platform';
import type { ScalingCollector } from '../collector/scaling.collector';
import type { PriceBook } from '../pricing/price-book';
import { scaleOutIndex, windowCost, windowCostSection, withChainCost } from '../pricing/scale-out-cost';
import { downsample } from './samples';

export type HistoryData = Omit<ScalingHistory, 'servedBy'>;
export type EventsPageData = Omit<ScalingEventsPage, 'servedBy'>;

/** Points per chart: a 24 h range at 15 s would be 5 760, more than a chart or a NATS message wants. */
const MAX_POINTS = 720;
const MAX_EVENTS = 500;
const MAX_CHAINS = 50;
const NOT_IN_CLUSTER: ErrorBody = { code: KubeErrors.NOT_IN_CLUSTER.code, message: 'Not running in Kubernetes' };

/** Queries over the history: the same answer for every gateway replica, since there is one monitor and one file. */
export class HistoryService {
  constructor(
    private readonly collector: ScalingCollector,
    private readonly sampleIntervalMs: number,
    private readonly now: () => number = Date.now,
    /** Node prices: node scale-up chains and event ranges then carry what the added nodes cost. */
    private readonly prices?: PriceBook,
  ) {}

  /** Chains with the cost of the nodes each scale-up added (unchanged without prices, or when it added none). */
  private costed(chains: ResponseTimeChain[]): ResponseTimeChain[] {
    const prices = this.prices;
    if (!prices || !chains.length) return chains;
    const index = scaleOutIndex(this.collector.store.allEvents());
    return chains.map((c) => withChainCost(c, index, prices, this.collector.state, this.now()));
  }

  history(query: ScalingHistoryQuery | undefined): HistoryData {
    const parsed = parseHistoryQuery(query);
    if (!parsed.ok) throw new DomainException(ScalingErrors.INVALID_QUERY, parsed.error.message, { fix: parsed.error.fix });
    const { hours } = parsed.value;
    const to = this.now();
    const from = to - hours * 3_600_000;
    const base = { hours, from: new Date(from).toISOString(), to: new Date(to).toISOString(), namespace: this.collector.state.namespace };
    if (!this.collector.inCluster) {
      const why = unavailable<never>(this.collector.unavailable ?? NOT_IN_CLUSTER);
      return { ...base, samples: why, events: why, responseTimes: why, storage: why };
    }
    const store = this.collector.store;
    const problem = this.collector.historyProblem;
    const withNote = <T>(data: T): Section<T> =>
      problem ? ok(data, `Not persisted: the history volume (${store.path}) has a problem: ${problem.message}`) : ok(data);

    const raw = store.samples(from, to);
    const bucketMs = Math.max(this.sampleIntervalMs, Math.ceil((to - from) / MAX_POINTS / this.sampleIntervalMs) * this.sampleIntervalMs);
    const points = bucketMs > this.sampleIntervalMs ? downsample(raw, bucketMs) : raw;
    const workloads = new Set<string>();
    const hpas = new Set<string>();
    for (const p of points) {
      for (const w of Object.keys(p.workloads)) workloads.add(w);
      for (const h of Object.keys(p.hpas)) hpas.add(h);
    }

    const events = store.events(from, to);
    const byType: Record<string, number> = {};
    for (const e of events) byType[e.event_type] = (byType[e.event_type] ?? 0) + 1;

    return {
      ...base,
      samples: withNote({ intervalSeconds: bucketMs / 1000, points, workloads: [...workloads].sort(), hpas: [...hpas].sort() }),
      events: withNote({ events: events.slice(-MAX_EVENTS).reverse(), total: events.length, byType }),
      responseTimes: ok({ stats: this.collector.tracker.stats(from, to), chains: this.costed(this.collector.tracker.list(from, to).slice(0, MAX_CHAINS)) }),
      storage: withNote(store.info()),
    };
  }

  /** Events and chains in a range, oldest first (e.g. the timeline of a stress test). */
  events(query: ScalingEventsQuery | undefined): EventsPageData {
    const parsed = parseEventsQuery(query as Record<string, unknown> | undefined, this.now());
    if (!parsed.ok) throw new DomainException(ScalingErrors.INVALID_QUERY, parsed.error.message, { fix: parsed.error.fix });
    if (!this.collector.inCluster) {
      const why = this.collector.unavailable ?? NOT_IN_CLUSTER;
      throw new DomainException(KubeErrors.NOT_IN_CLUSTER, why.message, { details: why.details, fix: why.fix });
    }
    const q = parsed.value;
    const from = Date.parse(q.since);
    const to = Date.parse(q.until);
    const types = q.types ? new Set(q.types) : null;
    const matchesEvent = (e: ScalingEventRecord) =>
      (!types || types.has(e.event_type)) &&
      (!q.namespace || e.object.namespace === q.namespace || (e.object.namespace === null && !q.workload)) &&
      (!q.workload || e.details.workload === q.workload);
    const matchesChain = (c: ResponseTimeChain) =>
      (!q.namespace || c.namespace === q.namespace || (c.namespace === null && !q.workload)) && (!q.workload || c.workload === q.workload);
    const all = this.collector.store.events(from, to).filter(matchesEvent);
    const events = all.slice(0, q.limit);
    const truncated = all.length > q.limit;
    return {
      from: q.since,
      to: q.until,
      events,
      chains: this.costed(
        this.collector.tracker
          .list(from, to, matchesChain)
          .filter((c) => Date.parse(c.started_at) >= from)
          .reverse(),
      ),
      stats: this.collector.tracker.stats(from, to, matchesChain),
      truncated,
      next: truncated ? events[events.length - 1].timestamp : null,
      ...(this.prices
        ? {
            cost: windowCostSection(windowCost(from, to, scaleOutIndex(this.collector.store.allEvents()).lives, this.prices, this.collector.state, this.now())),
          }
        : {}),
    };
  }
}
