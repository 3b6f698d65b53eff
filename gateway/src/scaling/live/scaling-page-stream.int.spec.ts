/**
 * The /scaling page's live stream over real HTTP, against a gateway with a fake scaling monitor on
 * its bus: each change is rendered once for every connected browser, only the sections whose HTML
 * changed are sent, a browser whose page is older gets every section, the page itself reuses the
 * rendering, and the stream is bounded like the JSON streams but kept out of the rate limits and
 * the access log.
 */
import { Controller, Module } from '@nestjs/common';
import { AccessEvents, type AccessRecord, type ScalingSnapshot, ScalingEvents, ScalingRpc, ok, unavailable } from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { SseClient, type SseMessage, waitFor } from '@eks-info/testing';
import { type GatewayHarness, startGateway } from '../../../test/gateway-harness';
import { SCALING_SECTIONS } from './scaling-sections.service';

jest.setTimeout(60_000);

const STARTED = '2026-01-01T00:00:00.000Z';
const notHere = unavailable({ code: 'SCALING.NOT_INSTALLED', message: 'Karpenter is not installed' });

/** A snapshot whose summary counts `pods`; everything else stays the same from one version to the next. */
function snapshot(version: number, pods: number): Omit<ScalingSnapshot, 'servedBy'> {
  const node = (name: string) => ({
    name,
    ready: true,
    status: 'Ready',
    health: 'ok' as const,
    instanceType: 'm7g.large',
    zone: 'eu-west-1a',
    capacityType: 'spot' as const,
    arch: 'arm64',
    provisioner: null,
    createdAt: STARTED,
    cpu: { capacity: 2000, allocatable: 1930, requested: 500, used: 200, requestedPercent: 25.9, usedPercent: 10.4 },
    memory: { capacity: 8e9, allocatable: 7e9, requested: 1e9, used: 2e9, requestedPercent: 14.3, usedPercent: 28.6 },
    pods: { count: 5, max: 29 },
    appPods: ['stress-a'],
    appPodsMore: 0,
  });
  const row = (key: string, label: string) => ({
    key,
    label,
    nodes: 2,
    ready: 2,
    notReady: 0,
    cordoned: 0,
    deleting: 0,
    pods: 10,
    cpu: { allocatable: 3860, requested: 1000, used: 400, requestedPercent: 25.9, usedPercent: 10.4 },
    memory: { allocatable: 14e9, requested: 2e9, used: 4e9, requestedPercent: 14.3, usedPercent: 28.6 },
  });
  return {
    startedAt: STARTED,
    version,
    generatedAt: STARTED,
    changedAt: STARTED,
    namespace: 'demo',
    summary: ok({
      nodes: 2,
      nodesReady: 2,
      nodesByCapacityType: { spot: 2 },
      pods,
      pending: 0,
      hpas: 0,
      cpuAllocatableMillis: 3860,
      cpuRequestedMillis: 1000,
      cpuUsedMillis: 400,
      memoryAllocatableBytes: 14e9,
      memoryRequestedBytes: 2e9,
      memoryUsedBytes: 4e9,
    }),
    overview: ok({
      nodes: 2,
      ready: 2,
      notReady: 0,
      cordoned: 0,
      deleting: 0,
      byGroup: [row('-', 'no node group or pool')],
      byZone: [row('eu-west-1a', 'eu-west-1a')],
      byCapacityType: [row('spot', 'spot')],
      strip: [
        { group: '-', label: 'no node group or pool', nodes: 2, cpuRequested: '22', memoryRequested: '11', cpuUsed: '11', memoryUsed: '22', states: '..' },
      ],
      metricsAvailable: true,
    }),
    nodeCards: ok({
      nodes: [node('node-a'), node('node-b')],
      matched: 2,
      total: 2,
      page: 1,
      pages: 1,
      limit: 2,
      sort: 'name',
      filters: { group: null, zone: null, capacityType: null, state: null, name: null },
      metricsAvailable: true,
    }),
    nodes: ok({ nodes: [node('node-a'), node('node-b')], total: 2, metricsAvailable: true, metricsMessage: null, metricsAt: STARTED }),
    pending: ok({ pods: [], total: 0 }),
    hpas: ok([]),
    clusterAutoscaler: notHere,
    karpenter: notHere,
    nodeEvents: ok([]),
  };
}

@Controller()
class FakeMonitor {
  static current = snapshot(1, 10);
  static fetches = 0;

  @OnRequest(ScalingRpc.snapshot)
  snapshot() {
    FakeMonitor.fetches++;
    return FakeMonitor.current;
  }
}

@Module({ controllers: [FakeMonitor] })
class FakeMonitorModule {}

const SECTIONS = Object.keys(SCALING_SECTIONS).sort();
const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

describe('the /scaling live stream', () => {
  let gw: GatewayHarness;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    gw = await startGateway({}, { modules: [FakeMonitorModule] });
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await gw?.close();
  });

  const open = async (query = '') => {
    const client = await SseClient.open(`${gw.url}/scaling/live${query}`);
    clients.push(client);
    return client;
  };
  /** The section events a client got since `from` (up to the version event that ends a push). */
  const sectionsSince = (client: SseClient, from: number) =>
    client.messages
      .filter((m) => m.at >= from && m.event !== 'live-version')
      .map((m) => m.event)
      .sort();
  const versionEvents = (client: SseClient) => client.messages.filter((m) => m.event === 'live-version');
  const renders = async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    return Number(/^gateway_live_renders_total\{stream="scaling"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  };
  const pageVersion = async () => {
    const html = await (await fetch(`${gw.url}/scaling`)).text();
    return /sse-connect="\/scaling\/live\?v&#x3D;([A-Za-z0-9_-]+)"/.exec(html)?.[1];
  };
  const change = (version: number, pods: number) => {
    FakeMonitor.current = snapshot(version, pods);
    gw.runtime.bus.emit(ScalingEvents.changed, { startedAt: STARTED, version, at: new Date().toISOString(), nodes: 2, pods, pending: 0 });
  };

  it('sends every section to a browser that connects with no page, as HTML fragments', async () => {
    const first = await open();
    expect(first.status).toBe(200);
    expect(first.contentType).toContain('text/event-stream');
    await first.next((m) => m.event === 'live-version');
    expect(sectionsSince(first, 0)).toEqual(SECTIONS);
    const summary = first.messages.find((m) => m.event === 'scaling-summary')!;
    // A multi-line fragment arrives whole, escaped by Handlebars.
    expect(summary.data.split('\n').length).toBeGreaterThan(5);
    expect(summary.data).toMatch(/^<section class="card is-ok wide" id="scaling-summary">/);
    expect(summary.data).toContain('<span class="tile-value">10</span><span class="tile-label">pods</span>');
    expect(first.messages.find((m) => m.event === 'scaling-nodes')!.data).toContain('node-a');
  });

  it('renders a change once however many browsers watch, and sends each of them only the sections that changed', async () => {
    for (let i = 0; i < 5; i++) await open();
    await waitFor(() => clients.every((c) => versionEvents(c).length >= 1), { what: 'every browser to get the current sections' });
    const [rendersBefore, fetchesBefore] = [await renders(), FakeMonitor.fetches];
    const from = Date.now();

    change(2, 11);
    await waitFor(() => clients.every((c) => versionEvents(c).some((m) => m.at >= from)), { what: 'the change at every browser' });

    expect(clients).toHaveLength(6);
    expect((await renders()) - rendersBefore).toBe(1);
    expect(FakeMonitor.fetches - fetchesBefore).toBe(1);
    const pushed: SseMessage[] = [];
    for (const c of clients) {
      // The summary (11 pods) and the live bar (snapshot 2); the nodes, HPAs, Pending pods… are the same HTML and stay.
      expect(sectionsSince(c, from)).toEqual(['scaling-meta', 'scaling-summary']);
      pushed.push(c.messages.find((m) => m.at >= from && m.event === 'scaling-summary')!);
    }
    expect(pushed[0].data).toContain('<span class="tile-value">11</span><span class="tile-label">pods</span>');
    expect(new Set(pushed.map((m) => m.data)).size).toBe(1);
  });

  it('serves the page from the current rendering: views of an unchanged snapshot render nothing', async () => {
    const before = await renders();
    for (let i = 0; i < 4; i++) expect((await fetch(`${gw.url}/scaling`)).status).toBe(200);
    expect(await renders()).toBe(before);
    const html = await (await fetch(`${gw.url}/scaling`)).text();
    expect(html).toContain('<div class="live-slot" sse-swap="scaling-summary"><section class="card is-ok wide" id="scaling-summary">');
    expect(html).toContain('<span class="tile-value">11</span><span class="tile-label">pods</span>');
  });

  it('gives a browser whose page is older every section once, and a current one nothing until the next change', async () => {
    // Within the 8 streams one client may hold.
    for (const c of clients.splice(0)) await c.close();
    await settle();
    const current = await pageVersion();
    const upToDate = await open(`?v=${current}`);
    change(3, 12);
    const late = await waitFor(async () => {
      const v = await pageVersion();
      return v !== current ? v : undefined;
    });
    expect(late).toBeDefined();

    // A browser still on the older page: every section, then with the others.
    const behind = await open(`?v=${current}`);
    await behind.next((m) => m.event === 'live-version');
    expect(sectionsSince(behind, 0)).toEqual(SECTIONS);

    // The one that was current got only what changed; one on the newest page gets nothing at all.
    await upToDate.next((m) => m.event === 'live-version');
    expect(sectionsSince(upToDate, 0)).toEqual(['scaling-meta', 'scaling-summary']);
    const newest = await open(`?v=${late}`);
    await settle();
    expect(newest.messages).toEqual([]);

    // EventSource's own reconnect says where it was with Last-Event-ID, which wins over ?v.
    const last = versionEvents(upToDate).at(-1)!.data;
    expect(last).toBe(late);
    const reconnect = await rawStream(`${gw.url}/scaling/live?v=stale`, { 'last-event-id': last });
    expect(reconnect).toContain('retry: ');
    expect(reconnect).not.toContain('event: scaling-');
    // Without it, the unknown page version gets everything.
    expect(await rawStream(`${gw.url}/scaling/live?v=stale`, {})).toContain('event: scaling-summary');
  });
});

describe("the scaling pages' live streams, like the JSON streams", () => {
  let gw: GatewayHarness;
  beforeAll(async () => {
    // Five reads a minute: ten stream requests would be throttled if they counted.
    gw = await startGateway({ READ_RATE_LIMIT_PER_MINUTE: '5' }, { modules: [FakeMonitorModule] });
  });
  afterAll(() => gw?.close());

  it('are capped per client with a 429 and kept out of the rate limits and the access log', async () => {
    const access: AccessRecord[] = [];
    const off = gw.runtime.bus.subscribe(AccessEvents.batch, (b) => void access.push(...b.records));
    try {
      for (const path of ['/scaling/live', '/scaling/history/live?hours=1']) {
        const controllers: AbortController[] = [];
        try {
          const statuses: number[] = [];
          for (let i = 0; i < 10; i++) {
            const c = new AbortController();
            controllers.push(c);
            statuses.push((await fetch(`${gw.url}${path}`, { signal: c.signal })).status);
          }
          // 8 per client (the read limit of 5 per minute does not count them), then 429.
          expect([path, statuses]).toEqual([path, [...Array(8).fill(200), 429, 429]]);
          controllers[0].abort();
          await settle();
          const again = new AbortController();
          controllers.push(again);
          expect((await fetch(`${gw.url}${path}`, { signal: again.signal })).status).toBe(200);
        } finally {
          for (const c of controllers) c.abort();
          await settle();
        }
      }
    } finally {
      off();
    }
    expect(access.filter((r) => r.request_path.endsWith('/live'))).toEqual([]);
  });
});

/** Opens a stream with the given headers and returns what arrived within 500 ms. */
async function rawStream(url: string, headers: Record<string, string>): Promise<string> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const timer = setTimeout(() => abort.abort(), 500);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // aborted after 500 ms
  } finally {
    clearTimeout(timer);
  }
  return text;
}
