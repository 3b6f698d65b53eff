/**
 * The scaling-monitor as a separate process over a real nats-server with two gateway processes,
 * as in a cluster: both gateways show the same history and both push the same snapshot; the
 * monitor killed with SIGKILL loses nothing it wrote, catches up on what happened while it was
 * down (from the objects' timestamps) and completes the response times it had open.
 */
import { rmSync } from 'node:fs';
import type { ScalingHistory, ScalingSnapshot } from '@eks-info/contracts';
import { FakeKubeApiServer, type ManagedProcess, NatsServer, type ScalingScenario, scalingScenario, waitFor } from '@eks-info/testing';
import { SseClient, getJson, kubeEnv, startGatewayProcess, startMonitor, tempDir } from './support';

jest.setTimeout(180_000);

describe('scaling history across gateway replicas and a monitor restart', () => {
  let nats: NatsServer;
  let server: FakeKubeApiServer;
  let scenario: ScalingScenario;
  let historyDir: string;
  let monitor: ManagedProcess;
  const gateways: Array<{ proc: ManagedProcess; url: string }> = [];
  const streams: SseClient[] = [];
  let monitorEnv: Record<string, string>;

  const apply = (at: number) => {
    for (const s of scenario.steps.filter((x) => x.at === at)) s.apply(server);
  };
  const history = async (url: string) => (await getJson<ScalingHistory>(`${url}/api/v1/scaling/history?hours=1`)).body;
  const eventIds = (h: ScalingHistory) => (h.events.status === 'ok' ? h.events.data.events.map((e) => e.event_id).sort() : []);
  const stats = (h: ScalingHistory) =>
    h.responseTimes.status === 'ok' ? h.responseTimes.data.stats.map((s) => [s.type, s.count, s.average_seconds, s.in_progress]) : [];

  beforeAll(async () => {
    scenario = scalingScenario({ start: new Date(Date.now() - 600_000) });
    [nats, server] = await Promise.all([NatsServer.start(), FakeKubeApiServer.start({ objects: scenario.baseline, karpenter: false })]);
    historyDir = tempDir('scaling-persist-');
    monitorEnv = { ...kubeEnv(server), HISTORY_PATH: historyDir, SAMPLE_INTERVAL_SECONDS: '1', LOG_LEVEL: 'warn' };
    monitor = (await startMonitor(nats.url, monitorEnv)).proc;
    gateways.push(...(await Promise.all([startGatewayProcess(nats.url, { LOG_LEVEL: 'warn' }), startGatewayProcess(nats.url, { LOG_LEVEL: 'warn' })])));
    streams.push(...(await Promise.all(gateways.map((g) => SseClient.open(`${g.url}/api/v1/stream/scaling`)))));
  });

  afterAll(async () => {
    for (const s of streams) await s.close();
    for (const g of gateways) await g.proc.stop();
    await monitor?.stop();
    await server?.close();
    await nats?.stop();
    if (historyDir) rmSync(historyDir, { recursive: true, force: true });
  });

  it('shows the same history on both gateways and pushes the same snapshot from both', async () => {
    for (const at of [20, 30, 31, 32, 33, 40, 75]) {
      apply(at);
      await new Promise((r) => setTimeout(r, 20));
    }
    await waitFor(async () => eventIds(await history(gateways[0].url)).length === 8, { timeoutMs: 10_000, what: 'the first eight scripted events' });
    const [a, b] = await Promise.all(gateways.map((g) => history(g.url)));
    expect(eventIds(a)).toEqual(eventIds(b));
    expect(stats(a)).toEqual(stats(b));
    expect(a.servedBy).toEqual(b.servedBy);
    // The same rows on both history pages.
    const rows = async (url: string) =>
      [...(await (await fetch(`${url}/scaling/history?hours=1`)).text()).matchAll(/data-event="([^"]+)"/g)].map((m) => m[1]).sort();
    expect(await rows(gateways[0].url)).toEqual(await rows(gateways[1].url));
    expect((await rows(gateways[0].url)).length).toBe(8);

    const started = Date.now();
    apply(120);
    const ready = (s: ScalingSnapshot) => s.nodes.status === 'ok' && s.nodes.data.nodes.some((n) => n.name === scenario.names.newNode && n.ready);
    const pushed = await Promise.all(streams.map((s) => s.next((m) => m.event === 'snapshot' && ready(s.json<ScalingSnapshot>(m)), { from: started })));
    for (const m of pushed) expect(m.at - started).toBeLessThan(1000);
    const [sa, sb] = pushed.map((m, i) => streams[i].json<ScalingSnapshot>(m));
    expect([sa.startedAt, sa.version]).toEqual([sb.startedAt, sb.version]);
  });

  it('keeps everything it wrote through a SIGKILL, catches up on what it missed and finishes the open response times', async () => {
    await waitFor(async () => eventIds(await history(gateways[0].url)).length === 9, { timeoutMs: 5000, what: 'the node_ready event' });
    const before = await history(gateways[0].url);
    const idsBefore = eventIds(before);
    expect(stats(before)).toEqual([
      ['hpa_to_pods_ready', 0, null, 1],
      ['pending_to_scheduled', 0, null, 1],
      ['node_created_to_ready', 1, 45, 0],
      ['pending_to_node_ready', 0, null, 0],
      ['node_drained_to_removed', 0, null, 0],
    ]);

    monitor.killNow();
    await monitor.exited;
    // While it is down the gateways answer for themselves: a clear 503, and the page still renders.
    const down = await fetch(`${gateways[0].url}/api/v1/scaling`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ code: 'TRANSPORT.UNAVAILABLE' });
    const page = await fetch(`${gateways[1].url}/scaling`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('TRANSPORT.UNAVAILABLE');

    // The pending pod is scheduled and turns Ready while nobody watches.
    apply(122);
    apply(131);
    const restartedAt = Date.now();
    monitor = (await startMonitor(nats.url, monitorEnv)).proc;

    await waitFor(async () => eventIds(await history(gateways[0].url)).length === 11, { timeoutMs: 15_000, what: 'the catch-up events' });
    const [a, b] = await Promise.all(gateways.map((g) => history(g.url)));
    expect(eventIds(a)).toEqual(eventIds(b));
    const ids = eventIds(a);
    expect(ids).toEqual(expect.arrayContaining(idsBefore));
    expect(new Set(ids).size).toBe(ids.length);
    if (a.events.status !== 'ok') throw new Error(a.events.message);
    const caughtUp = a.events.data.events.filter((e) => !idsBefore.includes(e.event_id));
    expect(caughtUp.map((e) => [e.event_type, e.object.name, e.timestamp, e.time_source]).sort()).toEqual(
      [
        ['pod_ready', scenario.names.newPods[1], new Date(scenario.start.getTime() + 131_000).toISOString(), 'object'],
        ['pod_scheduled', scenario.names.newPods[1], new Date(scenario.start.getTime() + 122_000).toISOString(), 'object'],
      ].sort(),
    );
    // The chains that were open when it died end with the scripted durations (the scale-in, from 540 s, is not played here).
    expect(stats(a)).toEqual(scenario.expected.chains.map((c) => (c.type === 'node_drained_to_removed' ? [c.type, 0, null, 0] : [c.type, 1, c.seconds, 0])));

    // Browsers connected to the gateways throughout get the restarted monitor's snapshots.
    apply(160);
    const held = (s: ScalingSnapshot) => s.hpas.status === 'ok' && s.hpas.data[0].state === 'held';
    const pushed = await Promise.all(streams.map((s) => s.next((m) => m.event === 'snapshot' && held(s.json<ScalingSnapshot>(m)), { from: restartedAt })));
    for (const [i, m] of pushed.entries()) expect(Date.parse(streams[i].json<ScalingSnapshot>(m).startedAt)).toBeGreaterThanOrEqual(restartedAt - 1000);
  });
});
