/**
 * "Export" over real HTTP: the stress report and the history report as a self-contained HTML file
 * (no script, no external reference, charts as inline SVG) and the same document as JSON, from a
 * test the stress pods reported in their heartbeats and a scaling monitor answering on the bus.
 * Bad input is a 400 and an unknown test a 404, before anything is asked; a monitor that is not
 * there leaves its parts saying so while the test's own part still shows.
 */
import { Controller, Module } from '@nestjs/common';
import {
  type HistoryPoint,
  type ScalingEventRecord,
  type ScalingEventsQuery,
  type ScalingHistoryQuery,
  ScalingRpc,
  type StressHeartbeat,
  StressEvents,
  type StressTestStatus,
  ok,
} from '@eks-info/contracts';
import { OnRequest } from '@eks-info/platform';
import { waitFor } from '@eks-info/testing';
import { type GatewayHarness, startGateway } from '../../test/gateway-harness';

jest.setTimeout(60_000);

const servedBy = { service: 'scaling-monitor', pod: 'monitor-0', node: 'node-a' };
const STARTED = Date.now() - 10 * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A CPU test that ran 5 minutes on one pod and was capped, as the pod's heartbeat reports it. */
function finishedTest(id: string): StressTestStatus {
  return {
    id,
    kind: 'cpu',
    state: 'completed',
    pod: 'stress-a',
    node: 'node-a',
    startedAt: iso(STARTED),
    endsAt: iso(STARTED + 300_000),
    finishedAt: iso(STARTED + 300_000),
    durationSeconds: 300,
    elapsedSeconds: 300,
    progress: 1,
    cpu: { intensity: 90, workers: 2 },
    adjustments: [{ field: 'workers', requested: 4, applied: 2, reason: 'the CPU limit is 2 cores' }],
    endReason: 'completed',
  };
}

function heartbeat(lastTest: StressTestStatus | null): StressHeartbeat {
  return {
    pod: 'stress-a',
    node: 'node-a',
    incarnation: 'i1',
    seq: 1,
    at: new Date().toISOString(),
    intervalMs: 1000,
    cpu: { usedMillicores: 10, limitMillicores: 2000, requestMillicores: 250, percentOfLimit: 0.5, percentOfRequest: 4, source: 'cgroup' },
    memory: { currentBytes: 100 * 1024 * 1024, limitBytes: null, requestBytes: null, percentOfLimit: null, percentOfRequest: null, source: 'cgroup' },
    capacity: { maxWorkers: 2, availableMb: 100, maxDurationSeconds: 600, maxLoadMillicores: 20000 },
    test: null,
    lastTest,
    units: { executedPerSecond: 0, queued: 0, droppedTotal: 0, executedTotal: 0 },
    load: null,
  };
}

/** One sample a minute from 20 minutes ago: 3 nodes, a fourth from 4 minutes after the start. */
function points(): HistoryPoint[] {
  return Array.from({ length: 21 }, (_, i) => {
    const t = Date.now() - (20 - i) * 60_000;
    const nodes = t >= STARTED + 240_000 ? 4 : 3;
    return {
      t: iso(t),
      nodes,
      nodesReady: nodes,
      nodesByCapacityType: { 'on-demand': 3, ...(nodes === 4 ? { spot: 1 } : {}) },
      pods: 20,
      pending: 0,
      cpuAllocatableMillis: nodes * 1930,
      cpuRequestedMillis: 3000,
      cpuUsedMillis: i === 12 ? null : 1200, // 8 minutes ago, inside the window: metrics-server had no answer
      memoryAllocatableBytes: nodes * 7 * 1024 ** 3,
      memoryRequestedBytes: 4 * 1024 ** 3,
      memoryUsedBytes: 3 * 1024 ** 3,
      workloads: { 'Deployment/stress': nodes === 4 ? 4 : 2 },
      hpas: { stress: [nodes === 4 ? 4 : 2, 4] },
    };
  });
}

function event(type: ScalingEventRecord['event_type'], at: number, kind: string, name: string, result: string): ScalingEventRecord {
  return {
    event_id: `${type}-${at}`,
    event_type: type,
    timestamp: iso(at),
    time_source: 'object',
    trigger: 'a test',
    result,
    status: 'completed',
    object: { kind, namespace: kind === 'Node' ? null : 'demo', name, uid: null },
    details: kind === 'Node' ? { instance_type: 'm7g.large', zone: 'eu-west-1b', capacity_type: 'spot' } : {},
  };
}

const EVENTS = [
  event('hpa_scale_up', STARTED + 30_000, 'HorizontalPodAutoscaler', 'stress', '2 → 4 replicas'),
  event('node_added', STARTED + 180_000, 'Node', 'ip-10-0-3-40', 'registered'),
  event('node_ready', STARTED + 240_000, 'Node', 'ip-10-0-3-40', 'Ready'),
];

@Controller()
class FakeMonitor {
  static eventQueries: ScalingEventsQuery[] = [];
  static historyQueries: ScalingHistoryQuery[] = [];

  @OnRequest(ScalingRpc.events)
  events(query: ScalingEventsQuery) {
    FakeMonitor.eventQueries.push(query);
    return {
      servedBy,
      from: query.since!,
      to: query.until!,
      events: EVENTS,
      chains: [
        {
          chain_id: 'c1',
          type: 'node_created_to_ready' as const,
          subject: 'ip-10-0-3-40',
          namespace: null,
          workload: null,
          started_at: iso(STARTED + 180_000),
          ended_at: iso(STARTED + 240_000),
          duration_seconds: 60,
          status: 'completed' as const,
          detail: 'node created → Ready',
          cost: {
            nodes: [],
            addedUsdPerHour: 0.0321,
            usd: 0.0040125,
            unpricedNodes: 0,
            running: true,
          },
        },
      ],
      stats: [
        {
          type: 'node_created_to_ready' as const,
          label: 'Node created → Ready',
          count: 1,
          average_seconds: 60,
          p90_seconds: 60,
          min_seconds: 60,
          max_seconds: 60,
          in_progress: 0,
        },
      ],
      truncated: false,
      next: null,
      // The spot node added 3 minutes into the test, still running: its price × the hours so far.
      cost: ok({
        nodes: [
          {
            name: 'ip-10-0-3-40',
            instanceType: 'm7g.large',
            capacityType: 'spot',
            zone: 'eu-west-1b',
            createdAt: iso(STARTED + 180_000),
            removedAt: null,
            hours: 0.125,
            usdPerHour: 0.0321,
            usd: 0.0040125,
            problem: null,
          },
        ],
        addedUsdPerHour: 0.0321,
        usd: 0.0040125,
        unpricedNodes: 0,
        running: true,
        clusterUsdPerHour: 0.3,
        problems: [],
      }),
    };
  }

  @OnRequest(ScalingRpc.history)
  history(query: ScalingHistoryQuery) {
    FakeMonitor.historyQueries.push(query);
    const hours = query.hours ?? 24;
    return {
      servedBy,
      hours,
      from: iso(Date.now() - hours * 3_600_000),
      to: iso(Date.now()),
      namespace: 'demo',
      samples: ok({ intervalSeconds: 60, points: points(), workloads: ['Deployment/stress'], hpas: ['stress'] }),
      events: ok({ events: [...EVENTS].reverse(), total: 3, byType: {} }),
      responseTimes: ok({ stats: [], chains: [] }),
      storage: ok({ path: '/data', records: 1, bytes: 1, oldest: null, retentionDays: 7, lastCompactionAt: null, skippedLines: 0 }),
    };
  }
}

@Module({ controllers: [FakeMonitor] })
class FakeMonitorModule {}

/** What would make a saved file reach out: scripts, external styles or images, links to elsewhere. */
function externalReferences(html: string): string[] {
  return [...html.matchAll(/<script\b|\b(?:src|href|xlink:href)\s*=\s*"[^"]*"|url\(|@import/gi)].map((m) => m[0]);
}

describe('Export: reports to keep', () => {
  let gw: GatewayHarness;
  let bare: GatewayHarness;

  beforeAll(async () => {
    gw = await startGateway({}, { modules: [FakeMonitorModule] });
    bare = await startGateway({});
    for (const g of [gw, bare]) g.runtime.bus.emit(StressEvents.heartbeat, heartbeat(finishedTest('cpu-export-1')));
    await waitFor(async () => (await fetch(`${gw.url}/api/v1/stress`).then((r) => r.json())).recent.length === 1, { what: 'the heartbeat' });
    await waitFor(async () => (await fetch(`${bare.url}/api/v1/stress`).then((r) => r.json())).recent.length === 1, { what: 'the heartbeat' });
  });
  afterAll(async () => {
    await gw?.close();
    await bare?.close();
  });

  it('downloads the latest test as one HTML file with inline SVG charts and nothing external, over the window of the test', async () => {
    const res = await fetch(`${gw.url}/stress/report`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="eks-info-stress-cpu-export-1-\d{12}\.html"$/);
    const html = await res.text();
    expect(externalReferences(html)).toEqual([]);
    expect(html).toContain('<title>CPU test cpu-export-1 · EKS Info report</title>');
    // The test's parameters and what capped it.
    expect(html).toContain('CPU 90 % × 2 worker(s) for 300 s');
    expect(html).toContain('workers 4 → 2: the CPU limit is 2 cores');
    // Five charts, each an inline SVG; the nodes chart has a line per series (total, Ready, on-demand, spot).
    expect(html.match(/<figure id="report-chart-/g)).toHaveLength(5);
    const nodesChart = /<figure id="report-chart-nodes">([\s\S]*?)<\/figure>/.exec(html)![1];
    expect(nodesChart.match(/<polyline /g)).toHaveLength(4);
    // A missing CPU sample breaks the used line in two instead of drawing a zero.
    const cpuChart = /<figure id="report-chart-cpu">([\s\S]*?)<\/figure>/.exec(html)![1];
    expect(cpuChart.match(/<polyline [^>]*><title>used<\/title>/g)).toHaveLength(2);
    // The monitor was asked for the test's window: a minute before the start to 15 minutes after the end (capped at now).
    const asked = FakeMonitor.eventQueries.at(-1)!;
    expect(asked.since).toBe(iso(STARTED - 60_000));
    expect(Date.parse(asked.until!)).toBeLessThanOrEqual(Date.now());
    expect(Date.parse(asked.until!)).toBeGreaterThan(Date.now() - 5_000);
    expect(html).toContain('Node created → Ready');
    // What the scale-out cost, as the monitor priced it: the cluster now, the added node, its cost so far.
    const cost = /<section id="report-cost">([\s\S]*?)<\/section>/.exec(html)![1];
    expect(cost).toContain('<strong>$0.3000/h</strong> when this report was made');
    expect(cost).toContain('added <strong>+$0.0321/h</strong> with 1 node(s), which cost <strong>$0.004</strong> so far (some still run)');
    expect(cost).toMatch(/<td class="mono">ip-10-0-3-40<\/td><td>m7g\.large<\/td><td>spot<\/td><td>eu-west-1b<\/td>.*<td>still running<\/td><td>8 min<\/td>/);
    expect(html).toMatch(/<td>node_ready<\/td><td class="mono">ip-10-0-3-40<\/td><td>m7g\.large<\/td><td>eu-west-1b<\/td><td>spot<\/td>/);
  });

  it('serves the same document as JSON, and as a file with download=1', async () => {
    const res = await fetch(`${gw.url}/api/v1/stress/report?test=cpu-export-1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBeNull();
    const report = await res.json();
    expect(report).toMatchObject({
      kind: 'stress-test',
      run: { id: 'cpu-export-1', kind: 'cpu', startedAt: iso(STARTED), finishedAt: iso(STARTED + 300_000) },
      window: { from: iso(STARTED - 60_000) },
      timeline: { status: 'ok' },
    });
    expect(report.timeline.data.events.map((e: ScalingEventRecord) => e.event_type)).toEqual(['hpa_scale_up', 'node_added', 'node_ready']);
    // Samples are cut to the window: the first ones (20 minutes ago) are before it.
    const times: string[] = report.samples.data.points.map((p: HistoryPoint) => p.t);
    expect(times.length).toBeGreaterThan(5);
    expect(times.every((t) => t >= report.window.from && t <= report.window.to)).toBe(true);
    expect(times.length).toBeLessThan(21);
    expect(report.nodes.data).toMatchObject({ atStart: 3, peak: 4, atEnd: 4 });
    expect(report.nodes.data.events.map((e: ScalingEventRecord) => e.event_type)).toEqual(['node_added', 'node_ready']);

    const file = await fetch(`${gw.url}/api/v1/stress/report?test=cpu-export-1&download=1`);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="eks-info-stress-cpu-export-1-\d{12}\.json"$/);
    expect((await file.json()).run.id).toBe('cpu-export-1');
  });

  it('exports the scaling history of a range as HTML and JSON', async () => {
    const res = await fetch(`${gw.url}/scaling/history/report?hours=6`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="eks-info-scaling-history-\d{12}\.html"$/);
    const html = await res.text();
    expect(externalReferences(html)).toEqual([]);
    expect(html).toContain('Scaling history, last 6 h');
    expect(FakeMonitor.historyQueries.at(-1)).toEqual({ hours: 6 });
    const json = await (await fetch(`${gw.url}/api/v1/scaling/history/report?hours=6`)).json();
    // Oldest first, like the stress report (the history page lists newest first).
    expect(json.timeline.data.events.map((e: ScalingEventRecord) => e.event_type)).toEqual(['hpa_scale_up', 'node_added', 'node_ready']);
    expect(json).toMatchObject({ kind: 'scaling-history', run: null, hpa: null, nodes: { status: 'ok', data: { atStart: 3, peak: 4, atEnd: 4 } } });
    // The cost of the range, asked for the history's own range.
    expect(json.cost).toMatchObject({ status: 'ok', data: { addedUsdPerHour: 0.0321, clusterUsdPerHour: 0.3 } });
    expect(FakeMonitor.eventQueries.at(-1)).toMatchObject({ since: json.window.from, until: json.window.to, limit: 1 });
  });

  it('refuses a bad id or range with a 400 and an unknown test with a 404, naming the problem', async () => {
    for (const route of [
      '/stress/report?test=../x',
      '/api/v1/stress/report?test=a%20b',
      '/api/v1/scaling/history/report?hours=0',
      '/scaling/history/report?hours=x',
    ]) {
      const res = await fetch(`${gw.url}${route}`, { headers: { accept: 'application/json' } });
      expect([route, res.status]).toEqual([route, 400]);
      expect((await res.json()).code).toMatch(/\.(INVALID|INVALID_QUERY)$/);
    }
    const res = await fetch(`${gw.url}/api/v1/stress/report?test=cpu-nobody-ran`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'STRESS.NOT_FOUND', message: 'No live stress pod knows test or load cpu-nobody-ran.' });
    expect(FakeMonitor.eventQueries.some((q) => q.since === undefined)).toBe(false);
  });

  it('without a scaling monitor, the test part shows and each monitor part says why', async () => {
    const report = await (await fetch(`${bare.url}/api/v1/stress/report`)).json();
    expect(report.run.id).toBe('cpu-export-1');
    for (const part of ['samples', 'timeline', 'responseTimes', 'nodes', 'cost']) {
      expect([part, report[part].status]).toEqual([part, 'unavailable']);
      expect(report[part].message).toMatch(/scaling monitor/);
    }
    const html = await (await fetch(`${bare.url}/stress/report`)).text();
    expect(html).toContain('CPU 90 % × 2 worker(s) for 300 s');
    expect(html.match(/<p class="problem">This part comes from the scaling monitor/g)?.length).toBeGreaterThanOrEqual(3);
  });
});
