import { NodePrices } from '@eks-info/aws';
import { kubeFixtures as fx } from '@eks-info/testing';
import { ClusterState } from '../collector/cluster-state';
import type { Node } from '../collector/kube-objects';
import { PriceBook, queryOf } from './price-book';

// The price book over a cluster state, with the AWS clients replaced by canned answers (the real
// calls are covered over HTTP in libs/aws and in cost.int.spec.ts).

const entry = (usd: string) => JSON.stringify({ terms: { OnDemand: { a: { priceDimensions: { b: { unit: 'Hrs', pricePerUnit: { USD: usd } } } } } } });

function setup(options: { ec2Error?: Error; pricingError?: Error; spotZones?: string[] } = {}) {
  const state = new ClusterState({ namespace: 'demo', maxNodes: 100 });
  const calls = { pricing: 0, ec2: 0 };
  const prices = new NodePrices({
    pricing: () =>
      ({
        send: async () => {
          calls.pricing++;
          if (options.pricingError) throw options.pricingError;
          return { PriceList: [entry('0.1')] };
        },
      }) as never,
    ec2: () =>
      ({
        send: async () => {
          calls.ec2++;
          if (options.ec2Error) throw options.ec2Error;
          const zones = options.spotZones ?? ['eu-west-1c'];
          return {
            SpotPriceHistory: zones.map((z) => ({ InstanceType: 'm7g.large', AvailabilityZone: z, SpotPrice: '0.03', ProductDescription: 'Linux/UNIX' })),
          };
        },
      }) as never,
    ttlMs: 3_600_000,
    errorTtlMs: 60_000,
  });
  const book = new PriceBook(prices, state, { pricingRegion: 'us-east-1', cacheHours: 12, simulated: false });
  return { state, book, calls, prices };
}

const settle = () => new Promise((r) => setTimeout(r, 20));

describe('PriceBook', () => {
  it('looks prices up in the background, marks the state changed when they arrive, then totals priced nodes only', async () => {
    const { state, book, calls } = setup();
    state.applyNode('add', fx.node({ name: 'a', zone: 'eu-west-1a' }) as Node);
    state.applyNode('add', fx.node({ name: 'b', zone: 'eu-west-1a' }) as Node);
    state.applyNode('add', fx.node({ name: 'c', zone: 'eu-west-1c', capacityType: 'SPOT' }) as Node);
    // A node without a zone label: no price is guessed for it.
    const bare = fx.node({ name: 'd' }) as Node;
    delete bare.metadata!.labels!['topology.kubernetes.io/zone'];
    delete bare.metadata!.labels!['failure-domain.beta.kubernetes.io/zone'];
    state.applyNode('add', bare);

    const first = book.clusterCost();
    expect(first).toMatchObject({ status: 'ok', data: { pricedNodes: 0, pending: 2, totalUsdPerHour: 0 } });
    const version = state.version;
    await settle();
    expect(state.version).toBeGreaterThan(version);
    // One on-demand lookup (m7g.large, eu-west-1) for two nodes; one spot lookup.
    expect(calls).toEqual({ pricing: 1, ec2: 1 });

    const cost = book.clusterCost();
    if (cost.status !== 'ok') throw new Error(cost.message);
    expect(cost.data).toMatchObject({ nodes: 4, pricedNodes: 3, unpricedNodes: 1, pending: 0 });
    expect(cost.data.totalUsdPerHour).toBeCloseTo(2 * 0.1 + 0.03, 9);
    expect(cost.data.rows.map((r) => [r.capacityType, r.zone, r.nodes, r.totalUsdPerHour, r.problem])).toEqual([
      ['on-demand', 'eu-west-1a', 2, 0.2, null],
      ['spot', 'eu-west-1c', 1, 0.03, null],
      ['on-demand', null, 1, null, 'no zone label'],
    ]);
    // Asked again: cached, no call.
    book.clusterCost();
    state.touch();
    book.clusterCost();
    await settle();
    expect(calls).toEqual({ pricing: 1, ec2: 1 });
  });

  it('is "not here" (not red) when there is no AWS region, and red when a call is denied', async () => {
    const noRegion = setup({ ec2Error: new Error('Region is missing'), pricingError: new Error('Region is missing') });
    noRegion.state.applyNode('add', fx.node({ name: 'a', zone: 'eu-west-1a' }) as Node);
    noRegion.book.clusterCost();
    await settle();
    expect(noRegion.book.clusterCost()).toMatchObject({ status: 'unavailable', code: 'AWS.NOT_CONFIGURED', message: 'no AWS region for pricing:GetProducts' });

    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    const deny = setup({ pricingError: denied });
    deny.state.applyNode('add', fx.node({ name: 'a', zone: 'eu-west-1a' }) as Node);
    deny.state.applyNode('add', fx.node({ name: 'c', zone: 'eu-west-1c', capacityType: 'SPOT' }) as Node);
    deny.book.clusterCost();
    await settle();
    // The spot node has its price: the section stays, with the denied action in a note and in the problems.
    const partial = deny.book.clusterCost();
    expect(partial.status).toBe('ok');
    if (partial.status !== 'ok') return;
    expect(partial.note).toContain('missing permission pricing:GetProducts');
    expect(partial.data.problems).toMatchObject([{ action: 'pricing:GetProducts', code: 'AWS.ACCESS_DENIED', nodes: 1 }]);
    expect(partial.data.totalUsdPerHour).toBe(0.03);
  });

  it('stays a handful of prices at 5,000 nodes: one entry and one lookup per type and region (on-demand) or zone (spot)', async () => {
    const zones = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
    const { state, book, calls, prices } = setup({ spotZones: zones });
    for (let i = 0; i < 5000; i++) {
      const node = fx.node({ name: `n${i}`, zone: zones[i % 3], capacityType: i % 5 === 0 ? 'SPOT' : 'ON_DEMAND' }) as Node;
      state.applyNode('add', node);
    }
    book.clusterCost();
    await settle();
    // 1 on-demand key (m7g.large in eu-west-1) and 3 spot keys (one per zone), asked in 2 calls.
    expect(prices.size).toBe(4);
    expect(calls).toEqual({ pricing: 1, ec2: 1 });
    const cost = book.clusterCost();
    if (cost.status !== 'ok') throw new Error(cost.message);
    expect(cost.data.rows).toHaveLength(6);
    expect(cost.data.pricedNodes).toBe(5000);
    expect(cost.data.totalUsdPerHour).toBeCloseTo(4000 * 0.1 + 1000 * 0.03, 6);
  });

  it('prices nothing without the labels a price depends on', () => {
    expect(queryOf({ instanceType: null, capacityType: 'spot', zone: 'eu-west-1a' })).toEqual({ problem: 'no instance-type label' });
    expect(queryOf({ instanceType: 'm7g.large', capacityType: null, zone: 'eu-west-1a' })).toEqual({ problem: 'no capacity-type label (on-demand or spot)' });
    expect(queryOf({ instanceType: 'm7g.large', capacityType: 'spot', zone: 'eu-west-1b' })).toEqual({
      instanceType: 'm7g.large',
      capacityType: 'spot',
      region: 'eu-west-1',
      zone: 'eu-west-1b',
    });
  });
});
