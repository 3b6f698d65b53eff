import { AwsErrors, type ClusterCost, type NodePriceRow, type PriceProblem, type Section, failed, ok, unavailable } from '@eks-info/contracts';
import { type NodePrices, type PriceAnswer, type PriceQuery, regionOfZone } from '@eks-info/aws';
import type { ClusterState } from '../collector/cluster-state';

/** The label of every cost figure in `npm run demo`. */
export const SIMULATED_PRICES_LABEL = 'simulated prices: the Pricing stand-in and moto of npm run demo, not AWS';

/** What a node's price depends on, as the node labels give it. */
export interface PricedNode {
  instanceType: string | null;
  capacityType: string | null;
  zone: string | null;
}

/** A node's price, or why it has none. */
export type NodePriceLookup = { usdPerHour: number; source: string } | { usdPerHour: null; source: string | null; problem: string; pending: boolean };

export interface PriceBookOptions {
  pricingRegion: string;
  cacheHours: number;
  simulated: boolean;
}

const DEMO_HINT = 'To see prices without AWS, `npm run demo` serves simulated ones.';

/** Codes that mean "no AWS here" (no region, IMDS off): the section is neutral, not red. */
const ABSENT = new Set([AwsErrors.NOT_CONFIGURED.code]);

/**
 * The monitor's view of node prices: answers from the cache at once (a snapshot is built
 * synchronously, once per state version) and looks up what is missing in the background; when
 * an answer arrives the state is marked changed, so the next snapshot (and the live push) shows
 * it. Prices are keyed by instance type, capacity type and zone or region — a handful of entries
 * at any cluster size.
 */
export class PriceBook {
  /** The cluster cost of one state version (answers that change mark the state changed, so the version covers them). */
  private memo?: { version: number; section: Section<ClusterCost>; cost: ClusterCost };

  constructor(
    private readonly prices: NodePrices,
    private readonly state: ClusterState,
    readonly options: PriceBookOptions,
  ) {}

  get simulated(): string | undefined {
    return this.options.simulated ? SIMULATED_PRICES_LABEL : undefined;
  }

  /** The price of one node, looked up in the background when it is not cached or expired. */
  lookup(node: PricedNode): NodePriceLookup {
    const q = queryOf(node);
    if ('problem' in q) return { usdPerHour: null, source: null, problem: q.problem, pending: false };
    const answer = this.prices.get(q);
    this.request([q]);
    return describe(answer);
  }

  /** The cost of the cluster's nodes now: one pass over the nodes, grouped by type, capacity type and zone. */
  clusterCost(): Section<ClusterCost> {
    return this.current().section;
  }

  /** The cluster's cost figures, also when the section is a failure (nothing priced): the problems name the IAM actions. */
  clusterFigures(): ClusterCost {
    return this.current().cost;
  }

  private current(): { version: number; section: Section<ClusterCost>; cost: ClusterCost } {
    const version = this.state.version;
    if (this.memo?.version !== version) this.memo = { version, ...this.buildClusterCost() };
    return this.memo;
  }

  private buildClusterCost(): { section: Section<ClusterCost>; cost: ClusterCost } {
    const groups = new Map<string, { node: PricedNode; n: number }>();
    for (const n of this.state.nodes.values()) {
      const key = `${n.instanceType ?? ''}|${n.capacityType ?? ''}|${n.zone ?? ''}`;
      const g = groups.get(key);
      if (g) g.n++;
      else groups.set(key, { node: { instanceType: n.instanceType, capacityType: n.capacityType, zone: n.zone }, n: 1 });
    }
    const rows: NodePriceRow[] = [];
    const problems = new Map<string, PriceProblem>();
    const queries: PriceQuery[] = [];
    let total = 0;
    let priced = 0;
    let pending = 0;
    for (const { node, n } of groups.values()) {
      const q = queryOf(node);
      const base = {
        instanceType: node.instanceType,
        capacityType: node.capacityType === 'spot' || node.capacityType === 'on-demand' ? node.capacityType : null,
        region: node.zone ? regionOfZone(node.zone) : null,
        zone: node.zone,
        nodes: n,
      } as const;
      if ('problem' in q) {
        rows.push({ ...base, usdPerHour: null, totalUsdPerHour: null, source: null, problem: q.problem });
        continue;
      }
      queries.push(q);
      const answer = this.prices.get(q);
      const d = describe(answer);
      if (d.usdPerHour !== null) {
        rows.push({ ...base, usdPerHour: d.usdPerHour, totalUsdPerHour: round(d.usdPerHour * n), source: d.source, problem: null });
        total += d.usdPerHour * n;
        priced += n;
        continue;
      }
      if (d.pending) pending++;
      rows.push({ ...base, usdPerHour: null, totalUsdPerHour: null, source: d.source, problem: d.problem });
      if (answer?.status === 'error') {
        const key = `${answer.action}|${answer.error.code}`;
        const p = problems.get(key);
        if (p) p.nodes += n;
        else problems.set(key, { ...answer.error, action: answer.action, nodes: n });
      }
    }
    this.request(queries);
    rows.sort((a, b) => (b.totalUsdPerHour ?? -1) - (a.totalUsdPerHour ?? -1) || (a.instanceType ?? '').localeCompare(b.instanceType ?? ''));
    const nodes = this.state.nodes.size;
    const cost: ClusterCost = {
      totalUsdPerHour: round(total),
      nodes,
      pricedNodes: priced,
      unpricedNodes: nodes - priced,
      rows,
      problems: [...problems.values()],
      pending,
      pricingRegion: this.options.pricingRegion,
      cacheHours: this.options.cacheHours,
      ...(this.simulated ? { simulated: this.simulated } : {}),
    };
    const list = [...problems.values()];
    if (priced === 0 && list.length) {
      // Nothing priced: the section is the failure (it names the IAM action and the fix); the rows stay in `details`.
      const first = list[0];
      const body = { code: first.code, message: first.message, details: first.details, fix: first.fix };
      if (!list.every((p) => ABSENT.has(p.code))) return { cost, section: failed(body) };
      // No AWS here: say how to see prices anyway.
      return { cost, section: unavailable({ ...body, fix: `${body.fix ? `${body.fix} ` : ''}${DEMO_HINT}` }) };
    }
    if (list.length) return { cost, section: ok(cost, `No price for ${nodes - priced} of ${nodes} nodes: ${list.map((p) => p.message).join('; ')}`) };
    return { cost, section: ok(cost) };
  }

  /** Looks up `queries` in the background; a changed answer marks the state changed (a new snapshot, a push). */
  private request(all: PriceQuery[]): void {
    // Node lists ask per node: only what is missing or expired starts a lookup.
    const queries = all.filter((q) => this.prices.due(q));
    if (!queries.length) return;
    void this.prices.ensure(queries).then(
      (changed) => {
        if (changed) this.state.touch();
      },
      () => undefined,
    );
  }
}

/** The price query of a node, or why it cannot have one (a missing label: no price is guessed). */
export function queryOf(node: PricedNode): PriceQuery | { problem: string } {
  if (!node.instanceType) return { problem: 'no instance-type label' };
  if (!node.zone) return { problem: 'no zone label' };
  const region = regionOfZone(node.zone);
  if (!region) return { problem: `zone ${node.zone} names no AWS region` };
  if (node.capacityType !== 'spot' && node.capacityType !== 'on-demand') return { problem: 'no capacity-type label (on-demand or spot)' };
  return { instanceType: node.instanceType, capacityType: node.capacityType, region, zone: node.zone };
}

function describe(answer: PriceAnswer | undefined): NodePriceLookup {
  if (!answer) return { usdPerHour: null, source: null, problem: 'price being looked up', pending: true };
  if (answer.status === 'ok') return { usdPerHour: answer.usdPerHour, source: answer.action };
  if (answer.status === 'none') return { usdPerHour: null, source: answer.action, problem: answer.message, pending: false };
  return { usdPerHour: null, source: answer.action, problem: answer.error.message, pending: false };
}

/** Dollars to a tenth of a cent per mille: enough for $/h of many nodes without float noise. */
export function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
