/**
 * The stress API end to end over real processes: a gateway and three stress services on a real
 * nats-server. Targeting (one / all), one test per pod, stop by id, validation, idempotent ids,
 * the live view (heartbeats → SSE, a silent pod dropped), and a clean exit on SIGTERM mid-test.
 */
import type { StressLoadResult, StressStartResult, StressStopResult, StressView } from '@eks-info/contracts';
import {
  type ManagedProcess,
  NatsServer,
  SseClient,
  type StressProcess,
  freePort,
  measureCoresOf,
  startNodeProcess,
  startStressProcess,
  waitFor,
  componentEntry,
} from '@eks-info/testing';

jest.setTimeout(180_000);

const PODS = ['stress-a', 'stress-b', 'stress-c'];

describe('stress fleet behind the gateway', () => {
  let nats: NatsServer;
  let gateway: ManagedProcess;
  let base: string;
  const fleet: StressProcess[] = [];

  const api = async <T>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as T };
  };
  const view = async () => (await api<StressView>('GET', '/api/v1/stress')).json;
  const liveTests = async () => (await view()).pods.flatMap((p) => (p.heartbeat.test ? [`${p.heartbeat.pod}:${p.heartbeat.test.id}`] : [])).sort();

  beforeAll(async () => {
    nats = await NatsServer.start();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    gateway = await startNodeProcess({
      name: 'gateway',
      entry: componentEntry('gateway'),
      env: { NATS_URL: nats.url, PORT: String(port), HOST: '127.0.0.1', MUTATION_RATE_LIMIT_PER_MINUTE: '1000', LOG_LEVEL: 'warn' },
      readyUrl: `${base}/ready`,
    });
    // Normal thread priority: this suite shares the machine with others and only checks that CPU rises.
    for (const pod of PODS) fleet.push(await startStressProcess({ pod, natsUrl: nats.url, env: { STRESS_WORKER_NICE: '0' } }));
    await waitFor(async () => (await view()).pods.length === 3, { timeoutMs: 10_000, what: 'three live stress pods in the gateway view' });
  });

  afterAll(async () => {
    await gateway?.stop();
    for (const p of fleet) await p.stop();
    await nats?.stop();
  });

  it('`all` reaches every pod: each accepts and runs, the reply lists them, and a second start is refused by all (409) without changing anything', async () => {
    const started = await api<StressStartResult>('POST', '/api/v1/stress/cpu', { durationSeconds: 30, intensity: 20, workers: 1, target: 'all' });
    expect(started.status).toBe(201);
    expect(started.json.accepted.map((a) => a.pod).sort()).toEqual(PODS);
    expect(started.json).toMatchObject({ target: 'all', kind: 'cpu', rejected: [], missing: [], confirmedBy: 'reply' });
    const id = started.json.testId;
    await waitFor(async () => (await liveTests()).length === 3, { timeoutMs: 5000, what: 'the test in every heartbeat' });
    expect(await liveTests()).toEqual(PODS.map((p) => `${p}:${id}`));
    // Every process really burns CPU (loosely: other suites share this machine).
    const cores = await measureCoresOf(
      fleet.map((p) => p.pid),
      2000,
    );
    for (const c of cores) expect(c).toBeGreaterThan(0.05);

    const again = await api<{ code: string; message: string; details: string }>('POST', '/api/v1/stress/memory', {
      durationSeconds: 10,
      targetMb: 16,
      target: 'all',
    });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('STRESS.CONFLICT');
    expect(again.json.message).toContain(id);
    for (const pod of PODS) expect(again.json.details).toContain(pod);
    const one = await api<{ code: string }>('POST', '/api/v1/stress/cpu', { durationSeconds: 10, intensity: 10 });
    expect(one.status).toBe(409);
    expect(await liveTests()).toEqual(PODS.map((p) => `${p}:${id}`));

    const stopped = await api<StressStopResult>('DELETE', `/api/v1/stress/tests/${id}`);
    expect(stopped.status).toBe(200);
    expect(stopped.json.stopped.map((s) => s.pod).sort()).toEqual(PODS);
    expect(stopped.json.stopped.every((s) => s.test?.state === 'stopped')).toBe(true);
    await waitFor(async () => (await liveTests()).length === 0, { timeoutMs: 3000, what: 'no test in the heartbeats' });
    expect((await api('DELETE', `/api/v1/stress/tests/${id}`)).status).toBe(404);
  });

  it('`one` reaches exactly one pod; a repeated id starts nothing new, before and after its heartbeat shows it', async () => {
    const body = { durationSeconds: 20, targetMb: 32, testId: `mem-once-${process.pid}` };
    const first = await api<StressStartResult>('POST', '/api/v1/stress/memory', body);
    expect(first.status).toBe(201);
    expect(first.json.accepted).toHaveLength(1);
    const pod = first.json.accepted[0].pod;
    const soon = await api<StressStartResult>('POST', '/api/v1/stress/memory', body);
    await waitFor(async () => (await liveTests()).length >= 1, { timeoutMs: 3000 });
    await new Promise((r) => setTimeout(r, 1200));
    const later = await api<StressStartResult>('POST', '/api/v1/stress/memory', body);
    for (const again of [soon, later]) {
      expect(again.status).toBe(201);
      expect(again.json.accepted).toEqual([expect.objectContaining({ pod, duplicate: true })]);
    }
    expect(await liveTests()).toEqual([`${pod}:${body.testId}`]);
    const stopped = await api<StressStopResult>('DELETE', `/api/v1/stress/tests/${body.testId}`);
    expect(stopped.json.stopped.map((s) => s.pod)).toEqual([pod]);
    await waitFor(async () => (await liveTests()).length === 0, { timeoutMs: 3000 });
  });

  it('refuses out-of-range values with 400 naming the allowed range, and starts nothing', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['/api/v1/stress/cpu', { durationSeconds: 30, intensity: 0 }, /intensity must be a whole number from 1 to 100/],
      ['/api/v1/stress/cpu', { durationSeconds: 2, intensity: 50 }, /durationSeconds must be a whole number from 5 to/],
      ['/api/v1/stress/cpu', { durationSeconds: 30, intensity: 50, target: 'some' }, /target must be "one" or "all"/],
      ['/api/v1/stress/memory', { durationSeconds: 30, targetMb: 'lots' }, /targetMb must be a whole number from 1 to/],
      ['/api/v1/stress/memory', { durationSeconds: 3000, targetMb: 10, target: 'all' }, /durationSeconds must be a whole number from 5 to 600 \(got 3000\)/],
      ['/api/v1/stress/load', { millicores: 5, durationSeconds: 30 }, /millicores must be a whole number from 10 to/],
    ];
    for (const [path, body, message] of cases) {
      const res = await api<{ code: string; message: string; error_type: string }>('POST', path, body);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.json.code).toBe('STRESS.INVALID');
      expect(res.json.error_type).toBe('stress_error');
      expect(res.json.message).toMatch(message);
    }
    await new Promise((r) => setTimeout(r, 1200));
    expect(await liveTests()).toEqual([]);
  });

  it('runs one sustained load at a time and stops it by id', async () => {
    const started = await api<StressLoadResult>('POST', '/api/v1/stress/load', { millicores: 300, durationSeconds: 60 });
    expect(started.status).toBe(201);
    expect(started.json.load).toMatchObject({ millicores: 300, unitsPerSecond: 3, state: 'running' });
    await waitFor(async () => (await view()).loads.length === 1, { timeoutMs: 3000, what: 'the load in the heartbeats' });
    const second = await api<{ code: string; message: string }>('POST', '/api/v1/stress/load', { millicores: 300, durationSeconds: 60 });
    expect(second.status).toBe(409);
    expect(second.json.message).toContain(started.json.load.id);
    // Units reach more than one pod of the queue group.
    await waitFor(async () => (await view()).pods.filter((p) => p.heartbeat.units.executedTotal > 0).length >= 2, {
      timeoutMs: 10_000,
      what: 'units on two pods',
    });
    const stopped = await api<StressStopResult>('DELETE', `/api/v1/stress/tests/${started.json.load.id}`);
    expect(stopped.status).toBe(200);
    expect(stopped.json.stopped).toHaveLength(1);
    expect(stopped.json.stopped[0].load?.state).toBe('stopped');
  });

  it('streams heartbeats over SSE and drops a pod that has been silent for 5 s', async () => {
    const sse = await SseClient.open(`${base}/api/v1/stream/stress`);
    expect(sse.contentType).toContain('text/event-stream');
    type Streamed = {
      event: string;
      at: number;
      data: { pod?: string | { heartbeat: { pod: string } }; pods?: Array<{ heartbeat: { pod: string } }>; summary?: { pods: number } };
    };
    const events = (): Streamed[] => sse.messages.map((m) => ({ event: m.event, at: m.at, data: sse.json(m) }));
    const beatOf = (e: Streamed) => (e.event === 'heartbeat' && typeof e.data.pod === 'object' ? e.data.pod.heartbeat.pod : undefined);
    await waitFor(() => events().find((e) => e.event === 'snapshot'), { timeoutMs: 3000 });
    expect(
      events()[0]
        .data.pods!.map((p) => p.heartbeat.pod)
        .sort(),
    ).toEqual(PODS);
    await waitFor(() => events().filter((e) => e.event === 'heartbeat').length >= 3, { timeoutMs: 3000, what: 'live heartbeats' });

    const victim = fleet.find((p) => p.pod === 'stress-c')!;
    const killedAt = Date.now();
    victim.process.killNow();
    const gone = await waitFor(() => events().find((e) => e.event === 'gone' && e.data.pod === 'stress-c'), { timeoutMs: 10_000, what: 'stress-c gone' });
    const after = Date.now() - killedAt;
    // The gone event carries the fleet without the victim; the victim's last heartbeat came before
    // the kill and none after; the others kept beating meanwhile.
    expect(gone.data.summary?.pods).toBe(2);
    const victimBeats = events().filter((e) => beatOf(e) === 'stress-c');
    expect(victimBeats.length).toBeGreaterThan(0);
    expect(victimBeats.filter((e) => e.at > killedAt + 250)).toEqual([]);
    expect(
      new Set(
        events()
          .filter((e) => e.at > killedAt + 250 && e.at < gone.at)
          .map(beatOf),
      ),
    ).toEqual(new Set(['stress-a', 'stress-b']));
    expect(after).toBeGreaterThanOrEqual(4000);
    expect(after).toBeLessThan(7500);
    expect((await view()).pods.map((p) => p.heartbeat.pod).sort()).toEqual(['stress-a', 'stress-b']);
    await sse.close();
  });

  it('SIGTERM in the middle of a test stops the load at once and exits cleanly in under 5 s', async () => {
    const victim = fleet.find((p) => p.pod === 'stress-b')!;
    const started = await api<StressStartResult>('POST', '/api/v1/stress/cpu', { durationSeconds: 60, intensity: 100, workers: 1, target: 'all' });
    expect(started.json.accepted.map((a) => a.pod)).toContain('stress-b');
    await new Promise((r) => setTimeout(r, 700));
    const t = performance.now();
    const exited = victim.stop('SIGTERM');
    // During the platform's drain period (SHUTDOWN_GRACE_MS, 3 s by default) the test is already gone.
    await new Promise((r) => setTimeout(r, 300));
    const [during] = await measureCoresOf([victim.pid], 1500);
    const exit = await exited;
    const seconds = (performance.now() - t) / 1000;
    console.log(`SIGTERM mid-test: ${during.toFixed(2)} cores while draining; exited ${JSON.stringify(exit)} after ${seconds.toFixed(2)} s`);
    expect(during).toBeLessThan(0.2);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(seconds).toBeLessThan(5);
    await api('DELETE', `/api/v1/stress/tests/${started.json.testId}`);
  });
});
