/**
 * The scaling slice in `npm start`'s single process (gateway + scaling-monitor over the in-process
 * bus) against the fake API server over real HTTPS, driven by the scripted scenario: the JSON API,
 * the live push, the pages, bad input, Prometheus metrics; and without a cluster.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import type { ScalingEventsPage, ScalingHistory, ScalingSnapshot } from '@eks-info/contracts';
import { FakeKubeApiServer, type LocalApp, type ScalingScenario, scalingScenario, startLocalApp, waitFor } from '@eks-info/testing';
import { SseClient, getJson, kubeEnv, tempDir } from './support';

jest.setTimeout(120_000);

describe('scaling in npm start against a cluster', () => {
  let server: FakeKubeApiServer;
  let app: LocalApp;
  let scenario: ScalingScenario;
  let historyDir: string;
  let sse: SseClient;

  const snapshot = async () => (await getJson<ScalingSnapshot>(`${app.url}/api/v1/scaling`)).body;
  const applied = new Set<number>();
  const apply = (at: number) => {
    applied.add(at);
    for (const s of scenario.steps.filter((x) => x.at === at)) s.apply(server);
  };

  beforeAll(async () => {
    // The script ends about now, so its timestamps are recent history.
    scenario = scalingScenario({ start: new Date(Date.now() - 600_000) });
    server = await FakeKubeApiServer.start({ objects: scenario.baseline, karpenter: false });
    historyDir = tempDir('scaling-local-');
    app = await startLocalApp({ ...kubeEnv(server), HISTORY_PATH: historyDir, SAMPLE_INTERVAL_SECONDS: '1', LOG_LEVEL: 'warn' });
    await waitFor(async () => (await fetch(`${app.url}/ready`)).status === 200, { timeoutMs: 20_000, what: 'the local app to be ready' });
    sse = await SseClient.open(`${app.url}/api/v1/stream/scaling`);
  });

  afterAll(async () => {
    await sse?.close();
    await app?.stop();
    await server?.close();
    if (historyDir) rmSync(historyDir, { recursive: true, force: true });
  });

  it('serves the snapshot from the watch caches: no list call per view', async () => {
    await waitFor(async () => (await snapshot()).summary.status === 'ok', { timeoutMs: 10_000, what: 'a synced snapshot' });
    const nonMetricLists = () => server.listCalls() - server.listCalls('NodeMetrics') - server.listCalls('PodMetrics');
    const lists = nonMetricLists();
    for (let n = 0; n < 20; n++) {
      const s = await snapshot();
      expect(s.summary).toMatchObject({ status: 'ok', data: { nodes: 3, nodesReady: 3, pods: 16, pending: 0, hpas: 1 } });
    }
    const page = await fetch(`${app.url}/scaling`);
    expect(page.status).toBe(200);
    expect(nonMetricLists()).toBe(lists);
  });

  it('pushes each watch change to SSE clients within a second', async () => {
    const first = await sse.next((m) => m.event === 'snapshot');
    expect(sse.json<ScalingSnapshot>(first).summary.status).toBe('ok');
    const latencies: number[] = [];
    const cases: Array<[number, (s: ScalingSnapshot) => boolean]> = [
      [20, (s) => s.hpas.status === 'ok' && s.hpas.data[0].metrics[0].current === 115],
      [30, (s) => s.hpas.status === 'ok' && s.hpas.data[0].desiredReplicas === 4],
      [31, (s) => s.summary.status === 'ok' && s.summary.data.pods === 18],
      [32, (s) => s.pending.status === 'ok' && s.pending.data.total === 1],
      [33, (s) => s.clusterAutoscaler.status === 'ok' && s.clusterAutoscaler.data.scaleUp === 'InProgress'],
      [75, (s) => s.nodes.status === 'ok' && s.nodes.data.total === 4],
    ];
    for (const [at, seen] of cases) {
      const started = Date.now();
      apply(at);
      const message = await sse.next((m) => m.event === 'snapshot' && seen(sse.json<ScalingSnapshot>(m)), { from: started, timeoutMs: 5000 });
      latencies.push(message.at - started);
    }
    // The budget: pushed to browsers ≤ 1 s after the watch event.
    expect(Math.max(...latencies)).toBeLessThan(1000);
  });

  it('renders /scaling with the nodes, the Pending pod, the HPA maths and the autoscaler', async () => {
    const html = await (await fetch(`${app.url}/scaling`)).text();
    for (const text of [
      ...scenario.names.nodes,
      scenario.names.newNode,
      scenario.names.newPods[1],
      '0/3 nodes are available: 3 Insufficient cpu.',
      'TriggeredScaleUp: pod triggered scale-up',
      'Horizontal Pod Autoscalers',
      'ceil(2 × 115 / 60) = ceil(3.83) = 4',
      'Scaling up: 2 → 4 replicas.',
      'Cluster Autoscaler',
      'InProgress',
      'Karpenter is not installed',
      'requested vs used vs allocatable',
    ]) {
      expect(html.replace(/&#x3D;/g, '=')).toContain(text);
    }
    expect(html).toMatch(/<main [^>]*hx-ext="sse" sse-connect="\/scaling\/live\?v/);
    expect(html).toMatch(/<strong>scaling-monitor<\/strong>/);
  });

  it('records the scripted events and response times and serves them to the history page and the events API', async () => {
    for (const step of scenario.steps.filter((x) => !applied.has(x.at))) {
      apply(step.at);
      await new Promise((r) => setTimeout(r, 30));
    }
    await waitFor(
      async () => {
        const h = (await getJson<ScalingHistory>(`${app.url}/api/v1/scaling/history?hours=1`)).body;
        return h.events.status === 'ok' && h.events.data.total === scenario.expected.events.length;
      },
      { timeoutMs: 10_000, what: 'every scripted event in the history' },
    );
    const { status, body } = await getJson<ScalingHistory>(`${app.url}/api/v1/scaling/history?hours=1`);
    expect(status).toBe(200);
    if (body.responseTimes.status !== 'ok' || body.events.status !== 'ok' || body.samples.status !== 'ok') throw new Error('history sections not ok');
    expect(body.responseTimes.data.stats.map((s) => [s.type, s.count, s.average_seconds, s.p90_seconds])).toEqual(
      scenario.expected.chains.map((c) => [c.type, 1, c.seconds, c.seconds]),
    );
    expect(body.events.data.events.map((e) => e.event_type).sort()).toEqual(scenario.expected.events.map((e) => e.type).sort());
    expect(body.samples.data.points.length).toBeGreaterThan(0);
    expect(body.servedBy.service).toBe('scaling-monitor');

    const since = scenario.start.toISOString();
    const page = await getJson<ScalingEventsPage>(
      `${app.url}/api/v1/scaling/events?since=${since}&types=hpa_scale_up,hpa_scale_down&workload=Deployment/stress`,
    );
    expect(page.status).toBe(200);
    expect(page.body.events.map((e) => [e.event_type, e.result])).toEqual([
      ['hpa_scale_up', '2 → 4 replicas'],
      ['hpa_scale_down', '4 → 2 replicas'],
    ]);
    expect(page.body.chains.map((c) => [c.type, c.duration_seconds, c.status])).toEqual([
      ['hpa_to_pods_ready', 101, 'completed'],
      ['pending_to_scheduled', 90, 'completed'],
      ['pending_to_node_ready', 88, 'completed'],
    ]);

    const html = await (await fetch(`${app.url}/scaling/history?hours=1`)).text();
    for (const text of [
      'HPA decision → all new pods Ready',
      '1 min 41 s',
      'Pod Pending → scheduled',
      '1 min 30 s',
      'Node created → Ready',
      '45 s',
      'HPA scale-up',
      'Node removed',
      'chart-pods',
    ]) {
      expect(html).toContain(text);
    }
  });

  it('refuses bad input with a 400 that names the parameter', async () => {
    const api = await fetch(`${app.url}/api/v1/scaling/history?hours=0`);
    expect(api.status).toBe(400);
    expect(await api.json()).toMatchObject({ error: true, code: 'SCALING.INVALID_QUERY', message: 'hours must be a whole number from 1 to 168 (got 0).' });
    const page = await fetch(`${app.url}/scaling/history?hours=999`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('hours must be a whole number from 1 to 168');
    expect((await fetch(`${app.url}/api/v1/scaling/events?limit=0`)).status).toBe(400);
    expect((await fetch(`${app.url}/api/v1/scaling/events?types=pod_exploded`)).status).toBe(400);
    const stream = await fetch(`${app.url}/api/v1/stream/scaling?topics=gossip`);
    expect(stream.status).toBe(400);
    expect(await stream.json()).toMatchObject({ code: 'SCALING.INVALID_QUERY' });
  });

  it('exports the scaling metrics for Prometheus', async () => {
    // The gauges follow the last change (the extra node's removal) at the next push.
    await waitFor(
      async () => (await (await fetch(`${app.url}/metrics`)).text()).includes('scaling_nodes{capacity_type="on-demand",arch="arm64",ready="true"} 2'),
      {
        timeoutMs: 5000,
        what: 'the node gauge after the scale-down',
      },
    );
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('scaling_pending_pods 0');
    expect(metrics).toContain('scaling_hpa_current_replicas{namespace="demo",hpa="stress"} 2');
    expect(metrics).toContain('scaling_hpa_desired_replicas{namespace="demo",hpa="stress"} 2');
    expect(metrics).toContain('scaling_nodes{capacity_type="spot",arch="arm64",ready="true"} 1');
    expect(metrics).toMatch(/scaling_response_seconds_count\{chain="node_created_to_ready"\} 1/);
    expect(metrics).toMatch(/scaling_response_seconds_sum\{chain="hpa_to_pods_ready"\} 101/);
    expect(metrics).toMatch(/scaling_events_total\{type="pod_pending"\} 1/);
  });

  it('wrote the history to its volume', () => {
    expect(readdirSync(historyDir)).toContain('scaling-history.jsonl');
  });
});

describe('scaling in npm start without a cluster', () => {
  let app: LocalApp;
  let historyDir: string;

  beforeAll(async () => {
    historyDir = tempDir('scaling-off-');
    rmSync(historyDir, { recursive: true, force: true });
    app = await startLocalApp({ KUBE_MODE: 'off', HISTORY_PATH: historyDir, LOG_LEVEL: 'warn' });
  });

  afterAll(async () => {
    await app?.stop();
    rmSync(historyDir, { recursive: true, force: true });
  });

  it('says "Not running in Kubernetes" everywhere, shows no data and writes nothing', async () => {
    const snap = (await getJson<ScalingSnapshot>(`${app.url}/api/v1/scaling`)).body;
    for (const key of ['summary', 'nodes', 'pending', 'hpas', 'clusterAutoscaler', 'karpenter', 'nodeEvents'] as const) {
      expect([key, snap[key]]).toEqual([
        key,
        expect.objectContaining({ status: 'unavailable', code: 'KUBE.NOT_IN_CLUSTER', message: 'Not running in Kubernetes' }),
      ]);
    }
    const history = (await getJson<ScalingHistory>(`${app.url}/api/v1/scaling/history`)).body;
    expect(history.samples).toMatchObject({ status: 'unavailable', code: 'KUBE.NOT_IN_CLUSTER' });
    const events = await fetch(`${app.url}/api/v1/scaling/events`);
    expect(events.status).toBe(503);
    expect(await events.json()).toMatchObject({ code: 'KUBE.NOT_IN_CLUSTER', fix: expect.stringContaining('KUBECONFIG') });
    for (const path of ['/scaling', '/scaling/history']) {
      const res = await fetch(`${app.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Not running in Kubernetes');
    }
    expect(existsSync(historyDir)).toBe(false);
  });
});
