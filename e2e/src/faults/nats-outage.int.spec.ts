/**
 * Fault tests over real processes: the gateway and the environment service as separate Node
 * processes talking over a real nats-server, which the test kills under load and restarts.
 */
import { EnvironmentRpc } from '@eks-info/contracts';
import { type ManagedProcess, NatsServer, freePort, startNodeProcess, waitFor, componentEntry } from '@eks-info/testing';

jest.setTimeout(180_000);

interface Sample {
  at: number;
  status: number;
  code?: string;
}

/** A bounded load loop: `concurrency` clients hitting `url` until `stop()` (and at most `maxRequests`). */
function loadLoop(url: string, concurrency: number, maxRequests = 50_000) {
  let running = true;
  let sent = 0;
  const samples: Sample[] = [];
  const worker = async () => {
    while (running && sent < maxRequests) {
      sent++;
      const at = Date.now();
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        const body = (await res.json().catch(() => ({}))) as { code?: string };
        samples.push({ at, status: res.status, code: body.code });
      } catch {
        samples.push({ at, status: 0 });
      }
      if (samples.length > 20_000) samples.splice(0, 10_000);
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}

describe('NATS outage under load', () => {
  let nats: NatsServer;
  let gateway: ManagedProcess;
  let environment: ManagedProcess;
  let base: string;

  beforeAll(async () => {
    nats = await NatsServer.start();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const envPort = await freePort();
    environment = await startNodeProcess({
      name: 'environment',
      entry: componentEntry('environment'),
      env: { NATS_URL: nats.url, MANAGEMENT_PORT: String(envPort), MANAGEMENT_HOST: '127.0.0.1' },
      readyUrl: `http://127.0.0.1:${envPort}/ready`,
    });
    gateway = await startNodeProcess({
      name: 'gateway',
      entry: componentEntry('gateway'),
      env: {
        NATS_URL: nats.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        RPC_TIMEOUT_MS: '2000',
        MUTATION_RATE_LIMIT_PER_MINUTE: '1000',
        READ_RATE_LIMIT_PER_MINUTE: '0',
      },
      readyUrl: `${base}/ready`,
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await environment?.stop();
    await nats?.stop();
  });

  it('answers 503 fast while NATS is down, keeps /health up, turns not-ready, survives 60 s and recovers without restarts', async () => {
    const pids = [gateway.pid, environment.pid];
    expect((await fetch(`${base}/api/v1/environment`)).status).toBe(200);
    const load = loadLoop(`${base}/api/v1/environment`, 8);
    await new Promise((r) => setTimeout(r, 1000));

    const killedAt = Date.now();
    await nats.kill();

    // /ready turns 503 within 2 s; NATS-backed routes answer 503 JSON within 1 s.
    const notReadyAt = await waitFor(async () => ((await fetch(`${base}/ready`)).status === 503 ? Date.now() : undefined), { timeoutMs: 5000, intervalMs: 50 });
    expect(notReadyAt - killedAt).toBeLessThan(2000);
    const first503 = await waitFor(() => load.samples.find((s) => s.at >= killedAt && s.status === 503)?.at, { timeoutMs: 5000 });
    expect(first503 - killedAt).toBeLessThan(1000);
    const probe = await fetch(`${base}/api/v1/environment`);
    expect(probe.status).toBe(503);
    expect(await probe.json()).toMatchObject({ error: true, code: 'TRANSPORT.UNAVAILABLE' });
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200); // the page renders with an error section
    expect(await page.text()).toContain('NATS');

    // A 60 s outage: liveness stays fast and 200, nobody exits.
    const outageEnd = killedAt + 60_000;
    const healthLatencies: number[] = [];
    while (Date.now() < outageEnd) {
      const t = performance.now();
      const res = await fetch(`${base}/health`);
      healthLatencies.push(performance.now() - t);
      expect(res.status).toBe(200);
      expect(gateway.running && environment.running).toBe(true);
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(Math.max(...healthLatencies)).toBeLessThan(500);
    const during = load.samples.filter((s) => s.at > killedAt + 1000 && s.at < outageEnd);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((s) => s.status === 503)).toBe(true);

    // Restart NATS on the same port: full recovery within 5 s, same processes.
    const restartedAt = Date.now();
    await nats.start();
    const recoveredAt = await waitFor(
      async () => {
        const [ready, api] = await Promise.all([fetch(`${base}/ready`), fetch(`${base}/api/v1/environment`)]);
        return ready.status === 200 && api.status === 200 ? Date.now() : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    expect(recoveredAt - restartedAt).toBeLessThan(5000);
    await load.stop();
    expect([gateway.pid, environment.pid]).toEqual(pids);
    expect(gateway.running && environment.running).toBe(true);
  });

  it('answers 504 at the timeout when the responder hangs', async () => {
    environment.child.kill('SIGSTOP'); // alive and subscribed, but not answering
    try {
      // The gateway answers the overview from its last answer for up to the contract's maxAgeMs; after that it asks.
      await new Promise((r) => setTimeout(r, EnvironmentRpc.overview.maxAgeMs + 200));
      const t = Date.now();
      const res = await fetch(`${base}/api/v1/environment`);
      const elapsed = Date.now() - t;
      expect(res.status).toBe(504);
      expect(await res.json()).toMatchObject({ code: 'TRANSPORT.TIMEOUT' });
      expect(elapsed).toBeGreaterThanOrEqual(1900);
      expect(elapsed).toBeLessThan(4000);
    } finally {
      environment.child.kill('SIGCONT');
    }
    await waitFor(async () => (await fetch(`${base}/api/v1/environment`)).status === 200, { timeoutMs: 10_000 });
  });
});

describe('misconfiguration', () => {
  it('fails start-up with a message naming every bad variable', async () => {
    const proc = await startNodeProcess({
      name: 'gateway-bad',
      entry: componentEntry('gateway'),
      env: { PORT: 'eighty', AUTH_MODE: 'kerberos', NATS_URL: 'nats://127.0.0.1:1' },
    });
    const exit = await proc.exited;
    expect(exit.code).toBe(78);
    const out = proc.output.join('\n');
    expect(out).toContain('Invalid configuration');
    expect(out).toMatch(/PORT="eighty" must be a whole number/);
    expect(out).toMatch(/AUTH_MODE="kerberos" must be one of: none, basic, alb-oidc/);
  });
});
