/**
 * What operators scrape and probe: Prometheus metrics (HTTP and bus counters and latency
 * histograms by route/subject, process metrics, NATS connection), /health and /ready, and a
 * graceful shutdown that turns not-ready before the process leaves.
 */
import { type ManagedProcess, NatsServer, freePort, startLocalApp, startNodeProcess, waitFor, componentEntry } from '@eks-info/testing';

jest.setTimeout(90_000);

it('exports HTTP, bus and process metrics in Prometheus format', async () => {
  const app = await startLocalApp();
  try {
    await fetch(`${app.url}/`);
    await fetch(`${app.url}/api/v1/environment`);
    const res = await fetch(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/http_requests_total\{service="gateway",method="GET",route="\/",status="200"\} [1-9]/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/api\/v1\/environment".*\}/);
    // Two views of the overview: each sent over the bus, or (within the contract's maxAgeMs) answered from the last answer.
    const count = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
    const sent = count(/rpc_client_requests_total\{subject="environment.overview.get",outcome="ok"\} (\d+)/);
    const reused = count(/rpc_client_reused_answers_total\{subject="environment.overview.get"\} (\d+)/);
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent + reused).toBeGreaterThanOrEqual(2);
    expect(count(/rpc_server_requests_total\{service="environment",subject="environment.overview.get",outcome="ok"\} (\d+)/)).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/rpc_server_duration_seconds_bucket\{/);
    expect(text).toMatch(/process_cpu_seconds_total \d/);
    expect(text).toMatch(/nodejs_eventloop_lag_seconds \d/);
  } finally {
    await app.stop();
  }
});

describe('a service process over NATS', () => {
  let nats: NatsServer;
  let proc: ManagedProcess;
  let base: string;

  beforeAll(async () => {
    nats = await NatsServer.start();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const started = Date.now();
    proc = await startNodeProcess({
      name: 'environment',
      entry: componentEntry('environment'),
      env: { NATS_URL: nats.url, MANAGEMENT_PORT: String(port), MANAGEMENT_HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '1500' },
      readyUrl: `http://127.0.0.1:${port}/ready`,
    });
    // Budget: ready within 3 s of start (SPEC §4), generous here for a loaded CI machine.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  afterAll(async () => {
    await proc?.stop();
    await nats?.stop();
  });

  it('reports its NATS connection in /ready and /metrics', async () => {
    const ready = (await (await fetch(`${base}/ready`)).json()) as { status: string; info: Record<string, { status: string; detail?: string }> };
    expect(ready.status).toBe('ok');
    expect(ready.info.nats).toEqual({ status: 'up', detail: 'connected' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/nats_connected\{service="environment"\} 1/);
  });

  it('logs a structured line of system metrics when asked to every second', async () => {
    const port = await freePort();
    const p = await startNodeProcess({
      name: 'environment-metrics',
      entry: componentEntry('environment'),
      env: { NATS_URL: nats.url, MANAGEMENT_PORT: String(port), MANAGEMENT_HOST: '127.0.0.1', SYSTEM_METRICS_INTERVAL_SECONDS: '1' },
      readyUrl: `http://127.0.0.1:${port}/health`,
    });
    try {
      const line = await waitFor(() => p.jsonLines().find((l) => l.kind === 'system_metrics'), { timeoutMs: 5000 });
      expect(line).toMatchObject({ service: 'environment', msg: 'system metrics' });
      expect(typeof line.memory_rss_bytes).toBe('number');
      expect(line).toHaveProperty('net_rx_bytes');
      expect(line).toHaveProperty('disk_write_bytes');
    } finally {
      await p.stop();
    }
  });

  it('on SIGTERM turns not-ready at once, keeps /health during the grace period, then exits 0', async () => {
    const t = Date.now();
    proc.child.kill('SIGTERM');
    const notReady = await waitFor(async () => ((await fetch(`${base}/ready`)).status === 503 ? Date.now() : undefined), { timeoutMs: 2000, intervalMs: 20 });
    expect(notReady - t).toBeLessThan(500);
    const ready = (await (await fetch(`${base}/ready`)).json()) as { error: Record<string, { detail: string }> };
    expect(ready.error.shutdown.detail).toBe('shutting down');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const exit = await proc.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - t).toBeGreaterThanOrEqual(1400);
    expect(Date.now() - t).toBeLessThan(6000);
  });
});
