/**
 * The /stress page's live stream over real HTTP, fed by heartbeats on the gateway's bus: however
 * many heartbeats arrive and browsers watch, the sections are rendered at most once a second and
 * every browser gets the same fragments; page views within that second reuse the rendering; the
 * stream is capped per client like the JSON stream.
 */
import { type StressHeartbeat, StressEvents } from '@eks-info/contracts';
import { SseClient, waitFor } from '@eks-info/testing';
import { type GatewayHarness, startGateway } from '../../../test/gateway-harness';
import { STRESS_SECTIONS } from './stress-sections.service';

jest.setTimeout(60_000);

function heartbeat(pod: string, seq: number, usedMillicores: number): StressHeartbeat {
  return {
    pod,
    node: `node-${pod}`,
    incarnation: 'i1',
    seq,
    at: new Date().toISOString(),
    intervalMs: 1000,
    cpu: {
      usedMillicores,
      limitMillicores: 1000,
      requestMillicores: 250,
      percentOfLimit: usedMillicores / 10,
      percentOfRequest: usedMillicores / 2.5,
      source: 'cgroup',
    },
    memory: { currentBytes: 100 * 1024 * 1024, limitBytes: null, requestBytes: null, percentOfLimit: null, percentOfRequest: null, source: 'cgroup' },
    capacity: { maxWorkers: 1, availableMb: 100, maxDurationSeconds: 600, maxLoadMillicores: 20000 },
    test: null,
    lastTest: null,
    units: { executedPerSecond: 0, queued: 0, droppedTotal: 0, executedTotal: 0 },
    load: null,
  };
}

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

describe('the /stress live stream', () => {
  let gw: GatewayHarness;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    gw = await startGateway({});
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await gw?.close();
  });

  const renders = async () => {
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    return Number(/^gateway_live_renders_total\{stream="stress"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  };

  it('renders at most once a second however many heartbeats arrive, the same fragments for every browser', async () => {
    for (let i = 0; i < 3; i++) clients.push(await SseClient.open(`${gw.url}/stress/live`));
    await waitFor(() => clients.every((c) => c.messages.some((m) => m.event === 'live-version')), { what: 'the first sections at every browser' });
    expect(clients[0].messages.filter((m) => m.event !== 'live-version').map((m) => m.event)).toEqual(Object.keys(STRESS_SECTIONS));

    const before = await renders();
    const started = Date.now();
    // Three pods, a heartbeat every 50 ms each: 20 times what a real pod sends, for 2.5 s.
    let seq = 0;
    while (Date.now() - started < 2500) {
      seq++;
      for (const pod of ['a', 'b', 'c']) gw.runtime.bus.emit(StressEvents.heartbeat, heartbeat(pod, seq, 100 + seq));
      await settle(50);
    }
    const elapsed = Date.now() - started;
    // The last heartbeats are rendered at the next second at the latest.
    const lastCpu = `${100 + seq}m of 1 cores`;
    for (const c of clients) await c.next((m) => m.event === 'stress-pods' && m.data.includes(lastCpu), { from: started, timeoutMs: 3000 });

    const rendered = (await renders()) - before;
    expect(seq * 3).toBeGreaterThan(100);
    expect(rendered).toBeGreaterThanOrEqual(2);
    expect(rendered).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);
    expect(elapsed).toBeGreaterThan(2400);
    const pods = clients.map((c) => c.messages.filter((m) => m.event === 'stress-pods' && m.at >= started).map((m) => m.data));
    expect(pods[0].length).toBeLessThanOrEqual(rendered);
    for (const p of pods) expect(p).toEqual(pods[0]);
    expect(pods[0].at(-1)).toMatch(/<tr data-pod="a">[\s\S]*<tr data-pod="b">[\s\S]*<tr data-pod="c">/);
    // The charts are drawn on the server: a line per pod, no inline style.
    const charts = clients[0].messages.filter((m) => m.event === 'stress-charts').at(-1)!.data;
    expect(charts.match(/<polyline class="spark-line series-\d"/g)).toHaveLength(6);
    expect(charts).not.toContain('style=');
  });

  it('lets page views within a second share one rendering', async () => {
    for (const c of clients.splice(0)) await c.close();
    // A rendering already scheduled when the streams closed may still land: wait until none has for over a second.
    let before = await renders();
    for (let i = 0; i < 10; i++) {
      await settle(1100);
      const now = await renders();
      if (now === before) break;
      before = now;
    }
    const pages = await Promise.all([0, 1, 2, 3].map(() => fetch(`${gw.url}/stress`).then((r) => r.text())));
    const versions = pages.map((html) => /sse-connect="\/stress\/live\?v&#x3D;([A-Za-z0-9_-]+)"/.exec(html)?.[1]);
    expect(new Set(versions).size).toBe(1);
    expect(versions[0]).toBeDefined();
    expect((await renders()) - before).toBe(1);
  });

  it('caps the stream per client with a 429', async () => {
    const controllers: AbortController[] = [];
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 9; i++) {
        const c = new AbortController();
        controllers.push(c);
        statuses.push((await fetch(`${gw.url}/stress/live`, { signal: c.signal })).status);
      }
      expect(statuses).toEqual([...Array(8).fill(200), 429]);
    } finally {
      for (const c of controllers) c.abort();
    }
  });
});
