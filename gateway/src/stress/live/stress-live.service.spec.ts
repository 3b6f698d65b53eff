import type { StressHeartbeat } from '@eks-info/contracts';
import { InProcessBus } from '@eks-info/platform';
import { SILENCE_MS, type LiveEvent, StressLiveService } from './stress-live.service';

function heartbeat(pod: string, seq: number, cpu: { used: number; request?: number | null }, extra: Partial<StressHeartbeat> = {}): StressHeartbeat {
  const request = cpu.request === undefined ? 250 : cpu.request;
  return {
    pod,
    node: `node-${pod}`,
    incarnation: 'i1',
    seq,
    at: new Date().toISOString(),
    intervalMs: 1000,
    cpu: {
      usedMillicores: cpu.used,
      limitMillicores: 1000,
      requestMillicores: request,
      percentOfLimit: cpu.used / 10,
      percentOfRequest: request ? (cpu.used / request) * 100 : null,
      source: 'cgroup',
    },
    memory: { currentBytes: 100 * 1024 * 1024, limitBytes: null, requestBytes: null, percentOfLimit: null, percentOfRequest: null, source: 'cgroup' },
    capacity: { maxWorkers: 1, availableMb: 100, maxDurationSeconds: 600, maxLoadMillicores: 20000 },
    test: null,
    lastTest: null,
    units: { executedPerSecond: 0, queued: 0, droppedTotal: 0, executedTotal: 0 },
    load: null,
    ...extra,
  };
}

describe('StressLiveService', () => {
  let live: StressLiveService;
  let events: LiveEvent[];

  beforeEach(() => {
    live = new StressLiveService(new InProcessBus(1000));
    events = [];
    live.onEvent((e) => events.push(e));
  });

  it('keeps the latest heartbeat per pod with a history, and ignores late duplicates', () => {
    live.accept(heartbeat('b', 1, { used: 100 }), 1000);
    live.accept(heartbeat('a', 1, { used: 200 }), 1000);
    live.accept(heartbeat('a', 2, { used: 300 }), 2000);
    live.accept(heartbeat('a', 1, { used: 999 }), 2100);
    expect(live.list().map((p) => [p.heartbeat.pod, p.heartbeat.cpu.usedMillicores])).toEqual([
      ['a', 300],
      ['b', 100],
    ]);
    expect(live.history().a.map((p) => p.cpuMillicores)).toEqual([200, 300]);
    expect(events.filter((e) => e.type === 'heartbeat')).toHaveLength(3);
  });

  it('starts a fresh history when a pod restarts (new incarnation)', () => {
    live.accept(heartbeat('a', 5, { used: 100 }), 1000);
    live.accept(heartbeat('a', 1, { used: 50 }, { incarnation: 'i2' }), 2000);
    expect(live.history().a.map((p) => p.cpuMillicores)).toEqual([50]);
  });

  it(`drops a pod silent for more than ${SILENCE_MS} ms and says so`, () => {
    live.accept(heartbeat('a', 1, { used: 100 }), 10_000);
    live.accept(heartbeat('b', 1, { used: 100 }), 12_000);
    live.sweep(10_000 + SILENCE_MS);
    expect(live.list()).toHaveLength(2);
    live.sweep(10_001 + SILENCE_MS);
    expect(live.list().map((p) => p.heartbeat.pod)).toEqual(['b']);
    expect(events.at(-1)).toMatchObject({ type: 'gone', pod: 'a', summary: { pods: 1 } });
  });

  it('remembers the tests and loads it saw after their pods are gone, per pod, the last 20', () => {
    const test = (id: string, pod: string, state: 'running' | 'completed') =>
      ({ id, pod, kind: 'cpu', state, startedAt: '2026-12-05T10:00:00Z', finishedAt: state === 'running' ? null : '2026-12-05T10:01:00Z' }) as never;
    live.accept(heartbeat('a', 1, { used: 100 }, { test: test('cpu-1', 'a', 'running') }), 1000);
    live.accept(heartbeat('b', 1, { used: 100 }, { test: test('cpu-1', 'b', 'running') }), 1000);
    live.accept(heartbeat('a', 2, { used: 100 }, { lastTest: test('cpu-1', 'a', 'completed') }), 2000);
    live.sweep(3000 + SILENCE_MS);
    expect(live.list()).toEqual([]);
    const [run] = live.recentRuns();
    expect(run.id).toBe('cpu-1');
    expect(run.tests.map((t) => [t.pod, t.state])).toEqual([
      ['a', 'completed'],
      ['b', 'running'],
    ]);
    for (let i = 2; i <= 25; i++) live.accept(heartbeat('c', i, { used: 1 }, { lastTest: test(`cpu-${i}`, 'c', 'completed') }), 4000 + i);
    expect(live.recentRuns().map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => `cpu-${i + 6}`));
  });

  it('sums up the fleet and what the HPA should want from the heartbeats', () => {
    live.setCpuTarget(70, 'hpa');
    live.accept(heartbeat('a', 1, { used: 400 }));
    live.accept(heartbeat('b', 1, { used: 300 }));
    live.accept(heartbeat('c', 1, { used: 350 }));
    const s = live.summary();
    expect(s).toMatchObject({ pods: 3, cpuMillicores: 1050, averageCpuPercentOfRequest: 140, cpuTargetPercent: 70, cpuTargetSource: 'hpa', why: null });
    expect(s.expected).toMatchObject({ replicas: 6, currentReplicas: 3 });
  });

  it('explains why there is no sum when the pods report no CPU request', () => {
    live.accept(heartbeat('a', 1, { used: 400, request: null }));
    expect(live.summary()).toMatchObject({ expected: null, why: expect.stringContaining('CPU_REQUEST_MILLICORES') });
  });

  it('waits for a matching heartbeat, or gives up after the timeout', async () => {
    const waiting = live.waitFor((hb) => hb.test?.id === 't-1', 1000);
    live.accept(heartbeat('a', 1, { used: 1 }));
    live.accept(heartbeat('a', 2, { used: 1 }, { test: { id: 't-1' } as StressHeartbeat['test'] }));
    expect((await waiting)?.seq).toBe(2);
    expect(await live.waitFor((hb) => hb.pod === 'zzz', 50)).toBeUndefined();
  });
});
