/**
 * The node list of /scaling through a real gateway, with a fake scaling monitor on its bus that
 * records what it is asked: filters parsed (a 400 before any call), passed on as the monitor's
 * query, rendered as the page's list or as the fragment htmx swaps in (which then refreshes itself
 * at each live change), the page's own sections fetched without the node list by name, and the
 * JSON twins.
 */
import { Controller, Module } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import {
  type NodesPage,
  type ScalingNode,
  type ScalingNodes,
  type ScalingNodesQuery,
  ScalingEvents,
  ScalingRpc,
  type ScalingSnapshot,
  type ScalingSnapshotQuery,
  normalizeNodesQuery,
  ok,
  unavailable,
} from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { SseClient, waitFor } from '@eks-info/testing';
import { type GatewayHarness, startGateway } from '../../test/gateway-harness';

jest.setTimeout(60_000);

const STARTED = '2026-01-01T00:00:00.000Z';
const notHere = unavailable({ code: 'SCALING.NOT_INSTALLED', message: 'not installed' });

function node(name: string, capacityType: 'spot' | 'on-demand' = 'on-demand'): ScalingNode {
  return {
    name,
    ready: true,
    status: 'Ready',
    health: 'ok',
    instanceType: 'm7g.large',
    zone: 'eu-west-1a',
    capacityType,
    arch: 'arm64',
    provisioner: 'node group general',
    createdAt: STARTED,
    cpu: { capacity: 2000, allocatable: 1930, requested: 500, used: 200, requestedPercent: 25.9, usedPercent: 10.4 },
    memory: { capacity: 8e9, allocatable: 7e9, requested: 1e9, used: 2e9, requestedPercent: 14.3, usedPercent: 28.6 },
    pods: { count: 5, max: 29 },
    appPods: [],
    appPodsMore: 0,
  };
}

function cards(nodes: ScalingNode[], q: ScalingNodesQuery, matched = nodes.length): NodesPage {
  const n = normalizeNodesQuery(q);
  return {
    nodes,
    matched,
    total: 60,
    page: n.page,
    pages: Math.max(1, Math.ceil(matched / n.limit)),
    limit: n.limit,
    sort: n.sort,
    filters: n.filters,
    metricsAvailable: true,
  };
}

function snapshot(version: number, list: ScalingNode[]): Omit<ScalingSnapshot, 'servedBy'> {
  const row = { key: 'general', label: 'node group general', nodes: 60, ready: 60, notReady: 0, cordoned: 0, deleting: 0, pods: 300 };
  const resource = { allocatable: 1000, requested: 500, used: null, requestedPercent: 50, usedPercent: null };
  return {
    startedAt: STARTED,
    version,
    generatedAt: STARTED,
    changedAt: STARTED,
    namespace: 'demo',
    summary: ok({
      nodes: 60,
      nodesReady: 60,
      nodesByCapacityType: { 'on-demand': 60 },
      pods: 300,
      pending: 0,
      hpas: 0,
      cpuAllocatableMillis: 1000,
      cpuRequestedMillis: 500,
      cpuUsedMillis: null,
      memoryAllocatableBytes: 1e9,
      memoryRequestedBytes: 5e8,
      memoryUsedBytes: null,
    }),
    overview: ok({
      nodes: 60,
      ready: 60,
      notReady: 0,
      cordoned: 0,
      deleting: 0,
      byGroup: [{ ...row, cpu: resource, memory: resource }],
      byZone: [{ ...row, key: 'eu-west-1a', label: 'eu-west-1a', cpu: resource, memory: resource }],
      byCapacityType: [{ ...row, key: 'on-demand', label: 'on-demand', cpu: resource, memory: resource }],
      strip: [
        {
          group: 'general',
          label: 'node group general',
          nodes: 60,
          cpuRequested: '5'.repeat(60),
          memoryRequested: '5'.repeat(60),
          cpuUsed: '-'.repeat(60),
          memoryUsed: '-'.repeat(60),
          states: '.'.repeat(60),
        },
      ],
      metricsAvailable: false,
    }),
    nodeCards: ok(cards(list, {}, 60)),
    nodes: ok({ nodes: list, total: 60, metricsAvailable: false, metricsMessage: 'no metrics', metricsAt: null }),
    pending: ok({ pods: [], total: 0 }),
    hpas: ok([]),
    clusterAutoscaler: notHere,
    karpenter: notHere,
    nodeEvents: ok([]),
  };
}

@Controller()
class FakeMonitor {
  static current = snapshot(1, [node('default-a'), node('default-b')]);
  static snapshots: ScalingSnapshotQuery[] = [];
  static lists: ScalingNodesQuery[] = [];

  @OnRequest(ScalingRpc.snapshot)
  snapshot(@Payload() query: ScalingSnapshotQuery) {
    FakeMonitor.snapshots.push(query);
    return FakeMonitor.current;
  }

  @OnRequest(ScalingRpc.nodes)
  nodes(@Payload() query: ScalingNodesQuery): Omit<ScalingNodes, 'servedBy'> {
    FakeMonitor.lists.push(query);
    // A list that says what it was asked: one spot node per page, 75 of them.
    return { startedAt: STARTED, version: FakeMonitor.current.version, nodes: ok(cards([node(`spot-${query.page ?? 1}`, 'spot')], query, 75)) };
  }
}

@Module({ controllers: [FakeMonitor] })
class FakeMonitorModule {}

/** Attribute values as the browser reads them (Handlebars escapes "=" in them). */
const decoded = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

describe('the node list of /scaling', () => {
  let gw: GatewayHarness;

  beforeAll(async () => {
    gw = await startGateway({}, { modules: [FakeMonitorModule] });
  });
  afterAll(() => gw?.close());
  beforeEach(() => {
    FakeMonitor.snapshots = [];
    FakeMonitor.lists = [];
  });

  it('shows the page from the snapshot without its node list by name, and the default cards as a live section', async () => {
    const res = await fetch(`${gw.url}/scaling`);
    expect(res.status).toBe(200);
    const html = decoded(await res.text());
    expect(FakeMonitor.snapshots).toEqual([{ nodes: 0 }]);
    expect(FakeMonitor.lists).toEqual([]);
    expect(html).toContain('<div id="node-results" class="node-results"><div class="live-slot" sse-swap="scaling-nodes">');
    expect(html).toContain('default-a');
    for (const id of ['scaling-overview', 'scaling-heat']) expect(html).toContain(`sse-swap="${id}"`);
    expect(html).toContain(`data-cpu-requested="${'5'.repeat(60)}"`);
    expect(html).toContain('<a href="/scaling?group=general#scaling-node-list" hx-get="/scaling/nodes?group=general"');
  });

  it('renders a filtered list in the page, passing the filters on and keeping them in the form', async () => {
    const res = await fetch(`${gw.url}/scaling?capacityType=spot&name=%20ip-10%20&page=2&group=`);
    expect(res.status).toBe(200);
    const html = decoded(await res.text());
    // Trimmed, empty fields left out, page as a number.
    expect(FakeMonitor.lists).toEqual([{ capacityType: 'spot', name: 'ip-10', page: 2 }]);
    expect(FakeMonitor.snapshots).toEqual([{ nodes: 0 }]);
    expect(html).toContain(
      '<div id="node-results" class="node-results" hx-get="/scaling/nodes?capacityType=spot&name=ip-10&page=2" hx-trigger="sse:live-version" hx-swap="outerHTML" data-address="/scaling?capacityType=spot&name=ip-10&page=2#scaling-node-list">',
    );
    expect(html).not.toContain('sse-swap="scaling-nodes"');
    expect(html).toContain('spot-2');
    expect(html).toContain('Nodes 25–48 of 75 matching spot, name contains “ip-10”');
    expect(html).toContain('<option value="spot" selected>');
    expect(html).toContain('name="name" value="ip-10"');
    // The pager: first, previous, next, last, each for the page and for htmx.
    expect(html).toContain('href="/scaling?capacityType=spot&name=ip-10&page=3#scaling-node-list" hx-get="/scaling/nodes?capacityType=spot&name=ip-10&page=3"');
    expect(html).toContain('hx-get="/scaling/nodes?capacityType=spot&name=ip-10"');
  });

  it('refuses a bad filter with a 400 before asking the monitor', async () => {
    for (const path of ['/scaling?state=sleeping', '/scaling/nodes?sort=random', '/api/v1/scaling/nodes?limit=500', '/api/v1/scaling?nodes=lots']) {
      const res = await fetch(`${gw.url}${path}`, { headers: { accept: 'application/json', 'hx-request': 'true' } });
      expect([path, res.status]).toEqual([path, 400]);
      expect(((await res.json()) as { code: string }).code).toBe('SCALING.INVALID_QUERY');
    }
    expect(FakeMonitor.lists).toEqual([]);
    expect(FakeMonitor.snapshots).toEqual([]);
  });

  it('answers htmx with the list as a fragment that refreshes itself, and sends a browser that opens it to the page', async () => {
    const direct = await fetch(`${gw.url}/scaling/nodes?zone=eu-west-1a&state=attention`, { redirect: 'manual' });
    expect(direct.status).toBe(303);
    expect(direct.headers.get('location')).toBe('/scaling?zone=eu-west-1a&state=attention#scaling-node-list');
    expect(FakeMonitor.lists).toEqual([]);

    const res = await fetch(`${gw.url}/scaling/nodes?zone=eu-west-1a&state=attention`, { headers: { 'hx-request': 'true' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = decoded(await res.text());
    expect(FakeMonitor.lists).toEqual([{ zone: 'eu-west-1a', state: 'attention' }]);
    expect(html.trimStart()).toMatch(
      /^<div id="node-results" class="node-results" hx-get="\/scaling\/nodes\?zone=eu-west-1a&state=attention" hx-trigger="sse:live-version"/,
    );
    expect(html).not.toContain('<html');
    expect(html).toContain('spot-1');
  });

  it('answers htmx asking for the default list with the live section, so that it gets the pushes again', async () => {
    const html = await (await fetch(`${gw.url}/scaling/nodes`, { headers: { 'hx-request': 'true' } })).text();
    expect(html.trim()).toMatch(
      /^<div id="node-results" class="node-results"><div class="live-slot" sse-swap="scaling-nodes"><section class="card is-ok wide" id="scaling-nodes">/,
    );
    expect(html).toContain('default-a');
    expect(FakeMonitor.lists).toEqual([]);
  });

  it('serves the JSON twins: the snapshot with as many nodes by name as asked, and a page of cards', async () => {
    const full = await fetch(`${gw.url}/api/v1/scaling`);
    expect(full.status).toBe(200);
    const lean = await fetch(`${gw.url}/api/v1/scaling?nodes=0`);
    expect(lean.status).toBe(200);
    expect(FakeMonitor.snapshots).toEqual([{}, { nodes: 0 }]);
    const list = await fetch(`${gw.url}/api/v1/scaling/nodes?group=general&sort=cpu&limit=50`);
    expect(list.status).toBe(200);
    const body = (await list.json()) as ScalingNodes;
    expect(FakeMonitor.lists).toEqual([{ group: 'general', sort: 'cpu', limit: 50 }]);
    expect(body.nodes).toMatchObject({ status: 'ok', data: { matched: 75, limit: 50, sort: 'cpu', filters: { group: 'general' } } });
  });

  it('gives a JSON stream client asking for nodes=0 the snapshots the pages follow, fetched once for both', async () => {
    const bad = await fetch(`${gw.url}/api/v1/stream/scaling?nodes=5`);
    expect(bad.status).toBe(400);
    const lean = await SseClient.open(`${gw.url}/api/v1/stream/scaling?nodes=0`);
    try {
      await lean.next((m) => m.event === 'snapshot');
      expect(FakeMonitor.snapshots).toEqual([{ nodes: 0 }]);
      FakeMonitor.snapshots = [];
      const from = Date.now();
      FakeMonitor.current = snapshot(3, [node('default-a'), node('default-d')]);
      gw.runtime.bus.emit(ScalingEvents.changed, { startedAt: STARTED, version: 3, at: new Date().toISOString(), nodes: 60, pods: 300, pending: 0 });
      expect(lean.json<ScalingSnapshot>(await lean.next((m) => m.event === 'snapshot' && m.at >= from)).version).toBe(3);
      expect(FakeMonitor.snapshots).toEqual([{ nodes: 0 }]);
    } finally {
      await lean.close();
    }
  });

  it('follows the snapshot without the node list for the page streams, and whole for the JSON stream', async () => {
    const page = await SseClient.open(`${gw.url}/scaling/live`);
    const json = await SseClient.open(`${gw.url}/api/v1/stream/scaling`);
    try {
      await json.next((m) => m.event === 'snapshot');
      await page.next((m) => m.event === 'live-version');
      FakeMonitor.snapshots = [];
      const from = Date.now();
      FakeMonitor.current = snapshot(4, [node('default-a'), node('default-c')]);
      gw.runtime.bus.emit(ScalingEvents.changed, { startedAt: STARTED, version: 4, at: new Date().toISOString(), nodes: 60, pods: 300, pending: 0 });
      const pushed = await json.next((m) => m.event === 'snapshot' && m.at >= from);
      expect(json.json<ScalingSnapshot>(pushed).version).toBe(4);
      await page.next((m) => m.event === 'live-version' && m.at >= from);
      await waitFor(() => FakeMonitor.snapshots.length === 2, { what: 'one fetch per variant' });
      expect(FakeMonitor.snapshots).toHaveLength(2);
      expect(FakeMonitor.snapshots).toEqual(expect.arrayContaining([{}, { nodes: 0 }]));
      // The cards changed (default-c): that section and the live bar went out, not the overview or the strip.
      expect(
        page.messages
          .filter((m) => m.at >= from && m.event !== 'live-version')
          .map((m) => m.event)
          .sort(),
      ).toEqual(['scaling-meta', 'scaling-nodes']);
    } finally {
      await page.close();
      await json.close();
    }
  });
});
