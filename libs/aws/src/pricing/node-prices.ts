import { DescribeSpotPriceHistoryCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { GetProductsCommand, type PricingClient } from '@aws-sdk/client-pricing';
import type { ErrorBody } from '@eks-info/contracts';
import { describeAwsError } from '../aws-errors';
import { PRICING_ACTION, SPOT_PRICE_ACTION, onDemandFilters, onDemandUsdPerHour } from './price-list';

export type CapacityType = 'on-demand' | 'spot';

/** What a node's price depends on: on-demand prices are per region, spot prices per availability zone. */
export interface PriceQuery {
  instanceType: string;
  capacityType: CapacityType;
  region: string;
  /** Needed for spot. */
  zone: string | null;
}

/**
 * One looked-up price: `ok` (USD per hour, from `action`); `none` (the API answered and has no
 * price for it, e.g. no spot market for the type in that zone); `error` (the call failed: denied,
 * unreachable, no credentials — the body names the IAM action and the fix).
 */
export type PriceAnswer =
  | { status: 'ok'; usdPerHour: number; action: string; at: number }
  | { status: 'none'; action: string; message: string; at: number }
  | { status: 'error'; action: string; error: ErrorBody; at: number };

/** The cache key: a handful per cluster (instance types × capacity types × zones), never one per node. */
export function priceKey(q: PriceQuery): string {
  return q.capacityType === 'spot' ? `spot|${q.instanceType}|${q.zone ?? '-'}` : `on-demand|${q.instanceType}|${q.region}`;
}

export interface NodePricesOptions {
  pricing: () => PricingClient;
  ec2: () => EC2Client;
  /** How long a price is kept (12 h: list prices change rarely, spot prices slowly). */
  ttlMs: number;
  /** How long a failure is kept before the call is tried again (a fixed permission shows within this). */
  errorTtlMs: number;
  now?: () => number;
  /** Called once per failure kind and action while it lasts (log it with awsErrorLogFields). */
  onError?: (action: string, err: unknown) => void;
}

const SPOT_PAGES = 10;

/**
 * Node prices from the AWS Price List Query API (on-demand) and the EC2 spot price history
 * (spot), cached per instance type / region or zone / capacity type for `ttlMs`, with one call in
 * flight per key. Reads are synchronous (`get`): callers build their views from what is cached
 * and ask `ensure` to fetch what is missing or expired in the background. No price is ever
 * guessed: what could not be looked up is an `error` or `none` answer.
 */
export class NodePrices {
  private readonly answers = new Map<string, PriceAnswer>();
  private readonly inflight = new Map<string, Promise<boolean>>();
  private readonly now: () => number;
  private readonly failing = new Set<string>();

  constructor(private readonly options: NodePricesOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The cached answer (possibly expired: `ensure` renews it), undefined when never looked up. */
  get(q: PriceQuery): PriceAnswer | undefined {
    return this.answers.get(priceKey(q));
  }

  /** Whether `ensure` would ask AWS for this price now (missing or expired, and no call in flight). */
  due(q: PriceQuery): boolean {
    const key = priceKey(q);
    return !this.inflight.has(key) && !this.fresh(this.answers.get(key));
  }

  /** Keys cached (a handful on any cluster). */
  get size(): number {
    return this.answers.size;
  }

  /**
   * Fetches the prices of `queries` that are missing or expired; resolves to whether any
   * answer changed. Concurrent calls for the same keys share one AWS call per key.
   */
  async ensure(queries: Iterable<PriceQuery>): Promise<boolean> {
    const due = new Map<string, PriceQuery>();
    const waits: Promise<boolean>[] = [];
    for (const q of queries) {
      const key = priceKey(q);
      if (due.has(key)) continue;
      const running = this.inflight.get(key);
      if (running) {
        waits.push(running);
        continue;
      }
      if (this.fresh(this.answers.get(key))) continue;
      due.set(key, q);
    }
    const spot = [...due.values()].filter((q) => q.capacityType === 'spot');
    const onDemand = [...due.values()].filter((q) => q.capacityType === 'on-demand');
    if (spot.length) waits.push(this.track(spot, this.fetchSpot(spot)));
    for (const q of onDemand) waits.push(this.track([q], this.fetchOnDemand(q)));
    const changed = await Promise.all(waits);
    return changed.some(Boolean);
  }

  /** Forgets every answer (the next `ensure` asks AWS again). */
  clear(): number {
    const n = this.answers.size;
    this.answers.clear();
    this.failing.clear();
    return n;
  }

  private fresh(a: PriceAnswer | undefined): boolean {
    if (!a) return false;
    return this.now() - a.at < (a.status === 'error' ? this.options.errorTtlMs : this.options.ttlMs);
  }

  private track(queries: PriceQuery[], work: Promise<Map<string, PriceAnswer>>): Promise<boolean> {
    const keys = queries.map(priceKey);
    const done = work.then((answers) => {
      let changed = false;
      for (const key of keys) {
        const next = answers.get(key);
        if (!next) continue;
        if (!sameAnswer(this.answers.get(key), next)) changed = true;
        this.answers.set(key, next);
      }
      return changed;
    });
    const settled = done.finally(() => {
      for (const key of keys) if (this.inflight.get(key) === settled) this.inflight.delete(key);
    });
    for (const key of keys) this.inflight.set(key, settled);
    return settled;
  }

  private async fetchOnDemand(q: PriceQuery): Promise<Map<string, PriceAnswer>> {
    const key = priceKey(q);
    const at = this.now();
    try {
      let token: string | undefined;
      for (let page = 0; page < 5; page++) {
        const out = await this.options.pricing().send(
          new GetProductsCommand({
            ServiceCode: 'AmazonEC2',
            FormatVersion: 'aws_v1',
            Filters: onDemandFilters(q.instanceType, q.region),
            MaxResults: 100,
            NextToken: token,
          }),
        );
        for (const entry of (out.PriceList ?? []) as unknown[]) {
          const usd = onDemandUsdPerHour(entry);
          if (usd !== null) {
            this.recovered(PRICING_ACTION);
            return new Map([[key, { status: 'ok', usdPerHour: usd, action: PRICING_ACTION, at }]]);
          }
        }
        token = out.NextToken;
        if (!token) break;
      }
      this.recovered(PRICING_ACTION);
      return new Map([
        [key, { status: 'none', action: PRICING_ACTION, at, message: `The Price List has no Linux on-demand price for ${q.instanceType} in ${q.region}` }],
      ]);
    } catch (err) {
      return new Map([[key, this.failure(PRICING_ACTION, err, at)]]);
    }
  }

  private async fetchSpot(queries: PriceQuery[]): Promise<Map<string, PriceAnswer>> {
    const at = this.now();
    const out = new Map<string, PriceAnswer>();
    const types = [...new Set(queries.map((q) => q.instanceType))].sort();
    try {
      // Latest price per type and zone. Start = end = now: AWS returns the price in effect then.
      const latest = new Map<string, { usd: number; t: number }>();
      const now = new Date(at);
      let token: string | undefined;
      for (let page = 0; page < SPOT_PAGES; page++) {
        const res = await this.options.ec2().send(
          new DescribeSpotPriceHistoryCommand({
            InstanceTypes: types as never,
            ProductDescriptions: ['Linux/UNIX'],
            StartTime: now,
            EndTime: now,
            NextToken: token,
          }),
        );
        for (const p of res.SpotPriceHistory ?? []) {
          if (!p.InstanceType || !p.AvailabilityZone || (p.ProductDescription && !p.ProductDescription.startsWith('Linux/UNIX'))) continue;
          const usd = Number(p.SpotPrice);
          if (!Number.isFinite(usd) || usd <= 0) continue;
          const k = `spot|${p.InstanceType}|${p.AvailabilityZone}`;
          const t = p.Timestamp ? new Date(p.Timestamp).getTime() : 0;
          const prev = latest.get(k);
          if (!prev || t >= prev.t) latest.set(k, { usd, t });
        }
        token = res.NextToken || undefined;
        if (!token) break;
      }
      this.recovered(SPOT_PRICE_ACTION);
      for (const q of queries) {
        const k = priceKey(q);
        const found = latest.get(k);
        out.set(
          k,
          found
            ? { status: 'ok', usdPerHour: found.usd, action: SPOT_PRICE_ACTION, at }
            : { status: 'none', action: SPOT_PRICE_ACTION, at, message: `No Linux/UNIX spot price for ${q.instanceType} in ${q.zone ?? 'an unknown zone'}` },
        );
      }
    } catch (err) {
      const answer = this.failure(SPOT_PRICE_ACTION, err, at);
      for (const q of queries) out.set(priceKey(q), answer);
    }
    return out;
  }

  /** The action works again: its next failure is reported again. */
  private recovered(action: string): void {
    for (const kind of this.failing) if (kind.startsWith(`${action}|`)) this.failing.delete(kind);
  }

  private failure(action: string, err: unknown, at: number): PriceAnswer {
    const error = describeAwsError(err, action);
    const kind = `${action}|${error.code}`;
    if (!this.failing.has(kind)) {
      this.failing.add(kind);
      this.options.onError?.(action, err);
    }
    return { status: 'error', action, error, at };
  }
}

function sameAnswer(a: PriceAnswer | undefined, b: PriceAnswer): boolean {
  if (!a || a.status !== b.status) return false;
  if (a.status === 'ok' && b.status === 'ok') return a.usdPerHour === b.usdPerHour;
  if (a.status === 'error' && b.status === 'error') return a.error.code === b.error.code && a.error.message === b.error.message;
  return true;
}
