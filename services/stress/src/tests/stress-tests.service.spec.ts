import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { CgroupReader } from '@eks-info/platform';
import { StressErrors } from '@eks-info/contracts';
import { DomainException } from '@eks-info/platform';
import { ResourceMonitor } from '../engine/resource-monitor';
import type { StressConfig } from '../stress.config';
import { RECLAIM_WATCH_MS, StressTestsService } from './stress-tests.service';

const MiB = 1024 * 1024;

/**
 * A pod with a 2-core limit and a 256 MiB memory limit, 50 MiB in use before the test (headroom
 * 20 %); what the test allocates shows up in "current" as this process's RSS grows and falls.
 */
function fakeMonitor(): ResourceMonitor {
  const rss0 = process.memoryUsage.rss();
  const current = () => 50 * MiB + Math.max(0, process.memoryUsage.rss() - rss0);
  return {
    maxWorkers: () => 2,
    cpuLimitMillicores: () => 2000,
    memoryLimitBytes: () => 256 * MiB,
    memoryCurrentBytes: current,
    memoryCap: () => ({ bytes: Math.floor(256 * MiB - current() - 0.2 * 256 * MiB), bound: 'limit' }),
  } as unknown as ResourceMonitor;
}

describe('StressTestsService', () => {
  let service: StressTestsService;

  const config = { STRESS_MAX_DURATION_SECONDS: 600, STRESS_WORKER_NICE: 0, STRESS_MEMORY_HEADROOM_PERCENT: 20 } as StressConfig;
  const make = (monitor: ResourceMonitor) =>
    new StressTestsService(
      config,
      { service: 'stress', pod: 'stress-0', node: 'n1', namespace: 'demo', inKubernetes: false },
      pino({ level: 'silent' }),
      monitor,
    );

  beforeEach(() => {
    service = make(fakeMonitor());
  });

  afterEach(() => service.stopAll('stopped'));

  const refusal = (fn: () => unknown): DomainException => {
    try {
      fn();
    } catch (err) {
      if (err instanceof DomainException) return err;
      throw err;
    }
    throw new Error('expected a refusal');
  };

  it('caps workers at ceil(the CPU limit) and says why', async () => {
    const { test } = service.start({ testId: 'cpu-cap', spec: { kind: 'cpu', durationSeconds: 30, intensity: 1, workers: 8 } });
    expect(test.cpu).toEqual({ intensity: 1, workers: 2 });
    expect(test.adjustments).toEqual([{ field: 'workers', requested: 8, applied: 2, reason: 'the CPU limit is 2000m: at most ceil(limit) = 2 workers' }]);
  });

  it('runs one test at a time: a second start is a 409 naming the running one', async () => {
    service.start({ testId: 'cpu-first', spec: { kind: 'cpu', durationSeconds: 30, intensity: 1, workers: 1 } });
    const err = refusal(() => service.start({ testId: 'mem-second', spec: { kind: 'memory', durationSeconds: 30, targetMb: 10 } }));
    expect(err.body).toMatchObject({ code: StressErrors.CONFLICT.code, message: expect.stringContaining('cpu-first') });
    expect(err.definition.status).toBe(409);
  });

  it('answers a repeated id with the known test instead of starting again', async () => {
    const first = service.start({ testId: 'cpu-once', spec: { kind: 'cpu', durationSeconds: 30, intensity: 1, workers: 1 } });
    const again = service.start({ testId: 'cpu-once', spec: { kind: 'cpu', durationSeconds: 30, intensity: 1, workers: 1 } });
    expect(again).toMatchObject({ duplicate: true, test: { id: 'cpu-once', startedAt: first.test.startedAt } });
    await service.stop('cpu-once');
    expect(service.start({ testId: 'cpu-once', spec: { kind: 'cpu', durationSeconds: 30, intensity: 1 } })).toMatchObject({
      duplicate: true,
      test: { state: 'stopped' },
    });
  });

  it('refuses out-of-range values with the range, and a missing or malformed id', () => {
    expect(refusal(() => service.start({ testId: 'cpu-x', spec: { kind: 'cpu', durationSeconds: 601, intensity: 5 } })).body.message).toBe(
      'durationSeconds must be a whole number from 5 to 600 (got 601).',
    );
    expect(refusal(() => service.start({ testId: '../x', spec: { kind: 'cpu', durationSeconds: 30, intensity: 5 } })).body.code).toBe(
      StressErrors.INVALID.code,
    );
    expect(refusal(() => service.start({ spec: { kind: 'cpu', durationSeconds: 30, intensity: 5 } } as never)).body.message).toBe('testId is required.');
    expect(service.active()).toBeNull();
  });

  it('caps memory at limit − current − headroom, holds it, and measures the release', async () => {
    const { test } = service.start({ testId: 'mem-cap', spec: { kind: 'memory', durationSeconds: 30, targetMb: 5000 } });
    const granted = test.memory!.targetMb;
    expect(granted).toBeGreaterThan(140);
    expect(granted).toBeLessThanOrEqual(155);
    expect(test.adjustments).toEqual([
      {
        field: 'targetMb',
        requested: 5000,
        applied: granted,
        reason: expect.stringMatching(/^memory limit 256 MiB − current \d+ MiB − headroom 20 % \(51 MiB\) leaves \d+ MiB$/),
      },
    ]);
    for (let i = 0; i < 100 && service.active()?.memory?.allocating; i++) await new Promise((r) => setTimeout(r, 20));
    expect(service.active()?.memory).toMatchObject({ allocatedMb: granted, allocating: false });
    const stopped = await service.stop('mem-cap');
    expect(stopped).toMatchObject({ state: 'stopped', endReason: 'stopped' });
    // Loose here: this Jest worker's own heap moves RSS too, so 90 % of the release may never show
    // and the watch then runs its full window. The exact reclaim (RSS back within 10 % of
    // baseline, fast) is asserted on a real stress process in e2e/src/stress/stress-memory.
    expect(service.last()?.memory?.reclaimedMb).toBeGreaterThan(granted * 0.5);
    expect(service.last()?.memory?.reclaimMs).toBeLessThanOrEqual(RECLAIM_WATCH_MS + 1000);
    expect(service.active()).toBeNull();
  });

  it("without any memory limit caps a memory test at STRESS_MAX_MEMORY_MB, not at the host's free memory", async () => {
    // A real monitor that finds no cgroup (an empty cgroup root) and has no downward-API limit.
    const root = mkdtempSync(path.join(os.tmpdir(), 'no-cgroup-'));
    try {
      const monitor = new ResourceMonitor(
        { source: 'auto', memoryHeadroomPercent: 20, maxMemoryBytesWithoutLimit: 48 * MiB },
        new CgroupReader({ root, procSelfCgroup: path.join(root, 'none') }),
      );
      expect(monitor.memoryLimitBytes()).toBeNull();
      // The host has far more than 48 MiB free: the OS bound alone would grant it.
      expect(process.availableMemory()).toBeGreaterThan(1024 * MiB);
      service = make(monitor);
      const { test } = service.start({ testId: 'mem-nolimit', spec: { kind: 'memory', durationSeconds: 30, targetMb: 100_000 } });
      expect(test.memory!.targetMb).toBe(48);
      expect(test.adjustments).toEqual([
        { field: 'targetMb', requested: 100_000, applied: 48, reason: 'no memory limit here: capped at STRESS_MAX_MEMORY_MB (48 MiB)' },
      ]);
      for (let i = 0; i < 100 && service.active()?.memory?.allocating; i++) await new Promise((r) => setTimeout(r, 20));
      expect(service.active()?.memory).toMatchObject({ allocatedMb: 48, allocating: false });
    } finally {
      await service.stopAll('stopped');
      rmSync(root, { recursive: true, force: true });
    }
  });
});
