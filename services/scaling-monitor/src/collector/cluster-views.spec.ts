import { ScalingNodesQuery, normalizeNodesQuery } from '@eks-info/contracts';
import { kubeFixtures as fx } from '@eks-info/testing';
import { ClusterState } from './cluster-state';
import { defaultNodeCards, heatLevel, historySample, nodeOverview, nodesPage, nodesView, summary } from './cluster-views';
import type { Node, Pod } from './kube-objects';

describe('a pod being deleted (Terminating)', () => {
  const state = new ClusterState({ namespace: 'demo', maxNodes: 10 });
  state.applyNode('add', fx.node({ name: 'n1' }) as unknown as Node);
  const owner = { kind: 'ReplicaSet', name: 'web-5d9c7b8f6d' };
  const web = (name: string, deleting?: boolean) =>
    fx.pod({
      name,
      node: 'n1',
      owner,
      labels: { 'pod-template-hash': '5d9c7b8f6d' },
      containers: [{ name: 'web', requests: { cpu: '250m', memory: '128Mi' } }],
      deleting,
    }) as unknown as Pod;
  state.applyPod('add', web('web-a'));
  state.applyPod('add', web('web-b'));
  state.applyPod('update', web('web-b', true));

  it('is not counted as running, but as terminating', () => {
    expect(summary(state)).toMatchObject({ pods: 1, terminating: 1 });
    expect(historySample(state, new Date())).toMatchObject({ pods: 1, terminating: 1, workloads: { 'Deployment/web': 1 } });
  });

  it('shows on its node as Terminating and still holds its requests there until it is gone', () => {
    const [node] = nodesView(state).nodes;
    expect(node.appPods).toEqual(['web-a', 'web-b (Terminating)']);
    expect(node.cpu.requested).toBe(500);
    state.applyPod('delete', web('web-b', true));
    expect(nodesView(state).nodes[0]).toMatchObject({ appPods: ['web-a'], cpu: { requested: 250 } });
    expect(summary(state)).toMatchObject({ pods: 1, terminating: 0 });
  });
});

/**
 * Five nodes with round numbers, summed by hand. Allocatable: node-1 and node-2 4 cores / 16 GiB
 * (node group general, eu-west-1a and 1b, on-demand), node-3 and node-4 2 cores / 8 GiB (Karpenter
 * pool burst, spot, 1a and 1b), node-5 1 core / 4 GiB with no group, zone or capacity label.
 * node-2 is NotReady, node-3 cordoned, node-4 being deleted. Requests: node-1 3 × (500m, 1 GiB),
 * node-2 2 cores / 8 GiB, node-3 2 × (1 core, 1 GiB), node-4 none, node-5 950m / 4 GiB. Usage:
 * node-1 1 core / 4 GiB, node-2 none reported, node-3 500m / 2 GiB, node-4 100m / 1 GiB,
 * node-5 1.2 cores / 1 GiB.
 */
describe('the node overview, heat strip and node list', () => {
  const GiB = 2 ** 30;
  const day = (d: number) => new Date(Date.UTC(2026, 2, d));
  const node = (
    name: string,
    o: {
      group?: string;
      pool?: string;
      zone?: string;
      spot?: boolean;
      cores: number;
      gib: number;
      created: number;
      ready?: boolean;
      cordoned?: boolean;
      deleting?: boolean;
    },
  ) => {
    const n = fx.node({
      name,
      nodegroup: o.group,
      nodePool: o.pool,
      zone: o.zone,
      capacityType: o.spot ? 'SPOT' : 'ON_DEMAND',
      ready: o.ready,
      unschedulable: o.cordoned,
      createdAt: day(o.created),
    }) as unknown as { metadata: Record<string, unknown> & { labels: Record<string, string> }; status: { allocatable: Record<string, string> } };
    n.status.allocatable = { cpu: String(o.cores), memory: `${o.gib}Gi`, pods: '20' };
    if (o.deleting) Object.assign(n.metadata, { deletionTimestamp: '2026-03-09T10:00:30Z', deletionGracePeriodSeconds: 30 });
    if (!o.group && !o.pool) {
      for (const k of Object.keys(n.metadata.labels)) if (/nodegroup|capacity|zone/i.test(k)) delete n.metadata.labels[k];
    }
    return n as unknown as Node;
  };
  const pod = (name: string, on: string | undefined, cpu: string, memory: string, extra: object = {}) =>
    fx.pod({ name, namespace: 'team', node: on, containers: [{ name: 'c', requests: { cpu, memory } }], ...extra }) as unknown as Pod;
  const usage: Record<string, [number, number]> = {
    'node-1': [1000, 4 * GiB],
    'node-3': [500, 2 * GiB],
    'node-4': [100, 1 * GiB],
    'node-5': [1200, 1 * GiB],
  };

  function cluster(): ClusterState {
    const state = new ClusterState({ namespace: 'demo', maxNodes: 100 });
    state.setUsage({
      available: true,
      message: null,
      at: new Date(),
      node: (name) => (usage[name] ? { cpuMillis: usage[name][0], memoryBytes: usage[name][1], timestamp: null } : undefined),
      pod: () => undefined,
    });
    for (const n of [
      node('node-1', { group: 'general', zone: 'eu-west-1a', cores: 4, gib: 16, created: 1 }),
      node('node-2', { group: 'general', zone: 'eu-west-1b', cores: 4, gib: 16, created: 5, ready: false }),
      node('node-3', { pool: 'burst', zone: 'eu-west-1a', spot: true, cores: 2, gib: 8, created: 3, cordoned: true }),
      node('node-4', { pool: 'burst', zone: 'eu-west-1b', spot: true, cores: 2, gib: 8, created: 4, deleting: true }),
      node('node-5', { cores: 1, gib: 4, created: 2 }),
    ])
      state.applyNode('add', n);
    for (const p of [
      pod('a', 'node-1', '500m', '1Gi'),
      pod('b', 'node-1', '500m', '1Gi'),
      pod('c', 'node-1', '500m', '1Gi'),
      pod('d', 'node-2', '2', '8Gi'),
      pod('e', 'node-3', '1', '1Gi'),
      pod('f', 'node-3', '1', '1Gi'),
      pod('g', 'node-5', '950m', '4Gi'),
      // Neither counts on a node: one waits for a node, one has finished.
      pod('pending', undefined, '4', '4Gi', { unschedulable: '0/5 nodes are available' }),
      pod('done', 'node-4', '1', '1Gi', { phase: 'Succeeded' }),
    ])
      state.applyPod('add', p);
    return state;
  }
  const state = cluster();
  const names = (page: { nodes: Array<{ name: string }> }) => page.nodes.map((n) => n.name);
  const query = (q: Record<string, unknown> = {}) => normalizeNodesQuery(ScalingNodesQuery.parse(q));

  it('sums each node group, zone and capacity type', () => {
    const o = nodeOverview(state);
    expect(o).toMatchObject({ nodes: 5, ready: 4, notReady: 1, cordoned: 1, deleting: 1, metricsAvailable: true });
    expect(o.byGroup).toEqual([
      {
        key: 'burst',
        label: 'Karpenter pool burst',
        nodes: 2,
        ready: 2,
        notReady: 0,
        cordoned: 1,
        deleting: 1,
        pods: 2,
        cpu: { allocatable: 4000, requested: 2000, used: 600, requestedPercent: 50, usedPercent: 15 },
        memory: { allocatable: 16 * GiB, requested: 2 * GiB, used: 3 * GiB, requestedPercent: 12.5, usedPercent: 18.8 },
      },
      {
        key: 'general',
        label: 'node group general',
        nodes: 2,
        ready: 1,
        notReady: 1,
        cordoned: 0,
        deleting: 0,
        pods: 4,
        // Usage only from node-1 (node-2 reports none): 1 of its 4 cores.
        cpu: { allocatable: 8000, requested: 3500, used: 1000, requestedPercent: 43.8, usedPercent: 25 },
        memory: { allocatable: 32 * GiB, requested: 11 * GiB, used: 4 * GiB, requestedPercent: 34.4, usedPercent: 25 },
      },
      {
        key: '-',
        label: 'no node group or pool',
        nodes: 1,
        ready: 1,
        notReady: 0,
        cordoned: 0,
        deleting: 0,
        pods: 1,
        cpu: { allocatable: 1000, requested: 950, used: 1200, requestedPercent: 95, usedPercent: 120 },
        memory: { allocatable: 4 * GiB, requested: 4 * GiB, used: 1 * GiB, requestedPercent: 100, usedPercent: 25 },
      },
    ]);
    expect(o.byZone.map((r) => [r.key, r.nodes, r.ready, r.pods, r.cpu.requested, r.cpu.requestedPercent, r.cpu.used, r.cpu.usedPercent])).toEqual([
      ['eu-west-1a', 2, 2, 5, 3500, 58.3, 1500, 25],
      ['eu-west-1b', 2, 1, 1, 2000, 33.3, 100, 5],
      ['-', 1, 1, 1, 950, 95, 1200, 120],
    ]);
    expect(o.byCapacityType.map((r) => [r.key, r.nodes, r.memory.requested / GiB, r.memory.used! / GiB])).toEqual([
      ['on-demand', 2, 11, 4],
      ['spot', 2, 2, 3],
      ['unknown', 1, 4, 1],
    ]);
  });

  it('draws one character per node in name order, per node group', () => {
    expect(nodeOverview(state).strip).toEqual([
      { group: 'burst', label: 'Karpenter pool burst', nodes: 2, cpuRequested: 'X0', memoryRequested: '20', cpuUsed: '20', memoryUsed: '21', states: 'cd' },
      { group: 'general', label: 'node group general', nodes: 2, cpuRequested: '35', memoryRequested: '15', cpuUsed: '2-', memoryUsed: '2-', states: '.n' },
      { group: '-', label: 'no node group or pool', nodes: 1, cpuRequested: '9', memoryRequested: 'X', cpuUsed: 'X', memoryUsed: '2', states: '.' },
    ]);
    expect([
      heatLevel(0, 100),
      heatLevel(9.99, 100),
      heatLevel(10, 100),
      heatLevel(99.9, 100),
      heatLevel(100, 100),
      heatLevel(null, 100),
      heatLevel(5, 0),
    ]).toEqual(['0', '0', '1', '9', 'X', '-', '-']);
  });

  it('lists the nodes that need attention first: NotReady, deleting, cordoned, then the most requested', () => {
    // node-5: 100 % of its memory requested; node-1: 37.5 % of its CPU.
    expect(names(nodesPage(state, query()))).toEqual(['node-2', 'node-4', 'node-3', 'node-5', 'node-1']);
  });

  it('pages the list, showing the last page for a page past it', () => {
    const pages = [1, 2, 3].map((page) => nodesPage(state, query({ limit: '2', page: String(page) })));
    expect(pages.map(names)).toEqual([['node-2', 'node-4'], ['node-3', 'node-5'], ['node-1']]);
    expect(pages[0]).toMatchObject({ matched: 5, total: 5, page: 1, pages: 3, limit: 2, sort: 'attention' });
    expect(nodesPage(state, query({ limit: '2', page: '9' }))).toMatchObject({ page: 3, pages: 3, nodes: [{ name: 'node-1' }] });
  });

  it.each([
    [{ group: 'general' }, ['node-2', 'node-1']],
    [{ group: '-' }, ['node-5']],
    [{ zone: 'eu-west-1b' }, ['node-2', 'node-4']],
    [{ zone: '-' }, ['node-5']],
    [{ capacityType: 'spot' }, ['node-4', 'node-3']],
    [{ capacityType: 'unknown' }, ['node-5']],
    [{ state: 'attention' }, ['node-2', 'node-4', 'node-3']],
    [{ state: 'ready' }, ['node-4', 'node-3', 'node-5', 'node-1']],
    [{ state: 'not-ready' }, ['node-2']],
    [{ state: 'cordoned' }, ['node-3']],
    [{ state: 'deleting' }, ['node-4']],
    [{ name: 'DE-5' }, ['node-5']],
    [{ group: 'burst', state: 'cordoned' }, ['node-3']],
    [{ group: 'burst', zone: 'eu-west-1a', capacityType: 'on-demand' }, []],
  ])('filters %p', (filters, expected) => {
    const page = nodesPage(state, query(filters));
    expect(names(page)).toEqual(expected);
    expect(page).toMatchObject({ matched: expected.length, total: 5, pages: 1 });
  });

  it.each([
    ['name', ['node-1', 'node-2', 'node-3', 'node-4', 'node-5']],
    // Requested share of allocatable CPU: 100 %, 95 %, 50 %, 37.5 %, 0.
    ['cpu', ['node-3', 'node-5', 'node-2', 'node-1', 'node-4']],
    // Memory: 100 %, 50 %, 25 %, 18.75 %, 0.
    ['memory', ['node-5', 'node-2', 'node-3', 'node-1', 'node-4']],
    // CPU used: 120 %, 25 % (node-1 and node-3, by name), 5 %, then node-2 with no usage.
    ['cpu-used', ['node-5', 'node-1', 'node-3', 'node-4', 'node-2']],
    ['memory-used', ['node-1', 'node-3', 'node-5', 'node-4', 'node-2']],
    ['pods', ['node-1', 'node-3', 'node-2', 'node-5', 'node-4']],
    ['newest', ['node-2', 'node-4', 'node-3', 'node-5', 'node-1']],
  ])('sorts by %s', (sort, expected) => {
    expect(names(nodesPage(state, query({ sort })))).toEqual(expected);
  });

  it('shows every card of a small cluster by name, and the first page of a large one with the ones that need attention first', () => {
    expect(defaultNodeCards(state)).toMatchObject({ sort: 'name', page: 1, pages: 1, matched: 5 });
    expect(names(defaultNodeCards(state))).toEqual(['node-1', 'node-2', 'node-3', 'node-4', 'node-5']);
    const large = new ClusterState({ namespace: 'demo', maxNodes: 100 });
    for (let i = 0; i < 60; i++) large.applyNode('add', node(`big-${String(i).padStart(2, '0')}`, { cores: 4, gib: 16, created: 1, ready: i !== 42 }));
    const cards = defaultNodeCards(large);
    expect(cards).toMatchObject({ sort: 'attention', limit: 24, pages: 3, matched: 60, total: 60 });
    expect(cards.nodes[0].name).toBe('big-42');
  });

  it('lists nodes by name up to the asked number, never more than the monitor allows', () => {
    expect(nodesView(state, 2).nodes.map((n) => n.name)).toEqual(['node-1', 'node-2']);
    expect(nodesView(state, 0)).toMatchObject({ nodes: [], total: 5 });
    const capped = new ClusterState({ namespace: 'demo', maxNodes: 3 });
    for (const n of [...state.nodes.keys()]) capped.applyNode('add', node(n, { cores: 1, gib: 1, created: 1 }));
    expect(nodesView(capped, 5000).nodes).toHaveLength(3);
  });
});
