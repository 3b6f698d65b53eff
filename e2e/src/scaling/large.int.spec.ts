/**
 * 5,000 nodes in the fake API server, the scaling-monitor and a gateway as separate processes over
 * NATS: /scaling is an overview a person can read, not 5,000 cards, and stays within 300 KB; the
 * node list answers filters; a watch change reaches the page as only the sections it changed.
 * (Speed is measured by bench/scaling.bench.ts, not asserted here.)
 */
import { rmSync } from 'node:fs';
import type { NodeOverview, ScalingNodes, ScalingSnapshot } from '@eks-info/contracts';
import {
  FakeKubeApiServer,
  type ManagedProcess,
  NatsServer,
  kubeFixtures as fx,
  largeCluster,
  largeClusterNodeName,
  largeClusterPodUsage,
  waitFor,
} from '@eks-info/testing';
import { SseClient, type SseMessage, getJson, kubeEnv, startGatewayProcess, startMonitor, tempDir } from './support';

jest.setTimeout(180_000);

const NODES = 5000;
const PODS = 25_000;
/** The scenario's NotReady nodes: 250, 750, 1250… */
const NOT_READY = Array.from({ length: NODES / 500 }, (_, k) => largeClusterNodeName(250 + 500 * k));

const decoded = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');

describe(`/scaling with ${NODES} nodes`, () => {
  let nats: NatsServer;
  let server: FakeKubeApiServer;
  let monitor: { proc: ManagedProcess; port: number };
  let gateway: { proc: ManagedProcess; url: string };
  let historyDir: string;

  beforeAll(async () => {
    [nats, server] = await Promise.all([
      NatsServer.start(),
      FakeKubeApiServer.start({ objects: largeCluster({ nodes: NODES, pods: PODS, pending: 25, podMetrics: true }), karpenter: false }),
    ]);
    historyDir = tempDir('scaling-large-');
    monitor = await startMonitor(nats.url, { ...kubeEnv(server), HISTORY_PATH: historyDir, LOG_LEVEL: 'warn' });
    gateway = await startGatewayProcess(nats.url, { LOG_LEVEL: 'warn', READ_RATE_LIMIT_PER_MINUTE: '0' });
    // The monitor's first metrics poll (pod usage on the cards) is in.
    await waitFor(
      async () => {
        const { body } = await getJson<ScalingSnapshot>(`${gateway.url}/api/v1/scaling?nodes=0`);
        return body.nodeCards.status === 'ok' && body.nodeCards.data.nodes.some((n) => n.podUsage?.some((p) => p.cpu.used !== null));
      },
      { timeoutMs: 30_000, what: 'pod usage on the node cards' },
    );
  });

  afterAll(async () => {
    await gateway?.proc.stop();
    await monitor?.proc.stop();
    await server?.close();
    await nats?.stop();
    if (historyDir) rmSync(historyDir, { recursive: true, force: true });
  });

  it('is an overview of every node within 300 KB, with the first page of cards', async () => {
    const res = await fetch(`${gateway.url}/scaling`);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBeLessThanOrEqual(300 * 1024);
    const html = decoded(bytes.toString('utf8'));
    // 24 cards, the NotReady nodes first.
    const cards = [...html.matchAll(/<li class="scaling-node [a-z]+" data-node="([^"]+)">/g)].map((m) => m[1]);
    expect(cards).toHaveLength(24);
    expect(cards.slice(0, NOT_READY.length).sort()).toEqual([...NOT_READY].sort());
    expect(html).toContain(`Nodes 1–24 of ${NODES}`);
    // Every node is one character of a strip, and only there.
    const states = [...html.matchAll(/data-states="([.ncd]*)"/g)].map((m) => m[1]);
    expect(states.join('').length).toBe(NODES);
    expect(states.join('').replace(/[^n]/g, '')).toHaveLength(NOT_READY.length);
    for (const label of ['node group general', 'Karpenter pool spot', 'eu-west-1a', 'eu-west-1b', 'eu-west-1c']) expect(html).toContain(label);
    // The cards list their app pods with their usage, flagged above the 100m request where they use more.
    const rows = [...html.matchAll(/<li class="pod-usage-row [a-z]+" data-pod="web-5d8c7b9f4-([0-9a-z]+)" data-above-request="([a-z,]*)">/g)];
    expect(rows.length).toBeGreaterThanOrEqual(5);
    for (const [, suffix, above] of rows) expect([suffix, above]).toEqual([suffix, largeClusterPodUsage(parseInt(suffix, 36)).cpuMillis > 100 ? 'cpu' : '']);
  });

  it('sums every node in its JSON twin, which leaves the node list by name out when asked', async () => {
    const { status, body } = await getJson<ScalingSnapshot>(`${gateway.url}/api/v1/scaling?nodes=0`);
    expect(status).toBe(200);
    if (body.overview.status !== 'ok' || body.nodes.status !== 'ok' || body.nodeCards.status !== 'ok') throw new Error('sections not ok');
    const o: NodeOverview = body.overview.data;
    expect(o).toMatchObject({ nodes: NODES, ready: NODES - NOT_READY.length, notReady: NOT_READY.length, cordoned: NODES / 500 });
    // Three in four nodes in the node group, one in four in the pool; a third in each zone.
    expect(o.byGroup.map((r) => [r.key, r.nodes])).toEqual([
      ['general', 3750],
      ['spot', 1250],
    ]);
    expect(o.byZone.map((r) => r.nodes)).toEqual([1667, 1667, 1666]);
    expect(o.byCapacityType.map((r) => [r.key, r.nodes])).toEqual([
      ['on-demand', 3750],
      ['spot', 1250],
    ]);
    const pods = (rows: NodeOverview['byZone']) => rows.reduce((sum, r) => sum + r.pods, 0);
    expect([pods(o.byGroup), pods(o.byZone), pods(o.byCapacityType)]).toEqual([PODS - 25, PODS - 25, PODS - 25]);
    expect(body.nodes.data).toMatchObject({ nodes: [], total: NODES });
    expect(body.nodeCards.data.nodes).toHaveLength(24);
    const whole = await getJson<ScalingSnapshot>(`${gateway.url}/api/v1/scaling`);
    expect(whole.body.nodes).toMatchObject({ status: 'ok', data: { total: NODES } });
    expect((whole.body.nodes as { data: { nodes: unknown[] } }).data.nodes).toHaveLength(1000);
  });

  it('filters and pages the node list', async () => {
    const notReady = await getJson<ScalingNodes>(`${gateway.url}/api/v1/scaling/nodes?state=not-ready&sort=name`);
    expect(notReady.status).toBe(200);
    if (notReady.body.nodes.status !== 'ok') throw new Error(notReady.body.nodes.message);
    expect(notReady.body.nodes.data.nodes.map((n) => n.name)).toEqual([...NOT_READY].sort());
    const spot = await getJson<ScalingNodes>(`${gateway.url}/api/v1/scaling/nodes?group=spot&zone=eu-west-1a&page=3&limit=100`);
    if (spot.body.nodes.status !== 'ok') throw new Error(spot.body.nodes.message);
    // Nodes i with i % 4 = 3 and i % 3 = 0: i % 12 = 3, 417 of them below 5,000.
    expect(spot.body.nodes.data).toMatchObject({ matched: 417, page: 3, pages: 5 });
    expect(spot.body.nodes.data.nodes.every((n) => n.capacityType === 'spot' && n.zone === 'eu-west-1a')).toBe(true);
    const page = await fetch(`${gateway.url}/scaling?state=not-ready`);
    expect(decoded(await page.text())).toContain(`Nodes 1–${NOT_READY.length} of ${NOT_READY.length} matching NotReady`);
  });

  it('pushes only the sections a watch change changed', async () => {
    const html = decoded(await (await fetch(`${gateway.url}/scaling`)).text());
    const version = /sse-connect="\/scaling\/live\?v=([A-Za-z0-9_-]+)"/.exec(html)?.[1];
    expect(version).toBeDefined();
    const live = await SseClient.open(`${gateway.url}/scaling/live?v=${version}`);
    const pushed = (from: number) => live.messages.filter((m) => m.at >= from && m.event !== 'live-version');
    const settle = async (from: number, wanted: (m: SseMessage) => boolean) => {
      await live.next((m) => m.at >= from && wanted(m), { timeoutMs: 10_000 });
      await live.next((m) => m.at >= from && m.event === 'live-version', { timeoutMs: 10_000 });
    };
    try {
      // A pod goes Pending: no node's requests change.
      let from = Date.now();
      server.upsert(fx.pod({ name: 'late-1', namespace: 'demo', unschedulable: '', containers: [{ name: 'app', requests: { cpu: '4' } }] }));
      await settle(from, (m) => m.event === 'scaling-pending' && m.data.includes('late-1'));
      const sent = pushed(from).map((m) => m.event);
      expect(sent).toContain('scaling-pending');
      for (const unchanged of ['scaling-overview', 'scaling-heat', 'scaling-nodes', 'scaling-hpas']) expect(sent).not.toContain(unchanged);
      expect(pushed(from).reduce((sum, m) => sum + m.data.length, 0)).toBeLessThan(50 * 1024);

      // A node turns NotReady: its group's sums, its cell and the first cards change.
      from = Date.now();
      const name = largeClusterNodeName(7);
      server.patch(`nodes/${name}`, (n) => {
        const ready = (n.status as { conditions: Array<{ type: string; status: string }> }).conditions.find((c) => c.type === 'Ready')!;
        ready.status = 'False';
      });
      await settle(from, (m) => m.event === 'scaling-nodes' && m.data.includes(name));
      expect(pushed(from).map((m) => m.event)).toEqual(expect.arrayContaining(['scaling-overview', 'scaling-heat', 'scaling-nodes']));
    } finally {
      await live.close();
    }
  });
});
