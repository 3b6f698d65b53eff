import { Inject, Injectable } from '@nestjs/common';
import {
  type MemoryTestSpec,
  type CpuTestSpec,
  StartTestRequest,
  parseWith,
  type StressAdjustment,
  StressErrors,
  StressRules,
  type StressTestStatus,
} from '@eks-info/contracts';
import { CONFIG, DomainException, IDENTITY, type Identity, LOGGER, type Logger, counter, gauge } from '@eks-info/platform';
import type { StressConfig } from '../stress.config';
import { CpuBurn } from '../engine/cpu-burn';
import { MemoryBallast } from '../engine/memory-ballast';
import { type MemoryCap, ResourceMonitor } from '../engine/resource-monitor';

const MiB = 1024 * 1024;
/** Finished tests remembered, so a repeated start (same id) is recognised instead of re-run. */
const REMEMBERED = 50;
/** After a release, how long the reclaim is watched. */
export const RECLAIM_WATCH_MS = 10_000;

interface RunningTest {
  id: string;
  spec: CpuTestSpec | MemoryTestSpec;
  startedAt: number;
  endsAt: number;
  finishedAt: number | null;
  state: StressTestStatus['state'];
  endReason: StressTestStatus['endReason'];
  error?: string;
  adjustments: StressAdjustment[];
  timer?: NodeJS.Timeout;
  cpu?: { burn: CpuBurn; workers: number; intensity: number };
  memory?: {
    ballast: MemoryBallast;
    targetMb: number;
    allocating: boolean;
    abort: AbortController;
    heldMb: number;
    reclaimedMb: number | null;
    reclaimMs: number | null;
  };
}

const metrics = {
  tests: () => counter('stress_tests_total', 'Stress tests by kind and how they ended', ['kind', 'end']),
  workers: () => gauge('stress_cpu_workers', 'CPU load threads running now'),
  memory: () => gauge('stress_memory_held_bytes', 'Memory held by the running memory test'),
};

/**
 * One stress test per pod at a time: validates against the pod's own limits (values above a
 * limit are capped and reported, values outside the ranges are refused), runs the CPU or memory
 * engine, stops it at the end of its duration, on a stop command or on shutdown, and remembers
 * ids so that a repeated command (retry, re-broadcast) is answered without starting anything.
 */
@Injectable()
export class StressTestsService {
  private current: RunningTest | null = null;
  private readonly known = new Map<string, RunningTest>();
  private lastFinished: RunningTest | null = null;
  private readonly testsCounter = metrics.tests();
  private readonly workersGauge = metrics.workers();
  private readonly memoryGauge = metrics.memory();

  constructor(
    @Inject(CONFIG) private readonly config: StressConfig,
    @Inject(IDENTITY) private readonly identity: Identity,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly monitor: ResourceMonitor,
  ) {}

  start(raw: StartTestRequest): { test: StressTestStatus; duplicate: boolean } {
    // The bus handler validated the payload already; a direct caller gets the same 400.
    const parsed = parseWith(StartTestRequest, raw, StressErrors.INVALID);
    if (!parsed.ok) throw new DomainException(StressErrors.INVALID, parsed.error.message, { fields: parsed.error.fields, fix: parsed.error.fix });
    const request = parsed.value;
    const seen = this.known.get(request.testId);
    if (seen) return { test: this.status(seen), duplicate: true };
    const checked = StressRules.checkTestSpec(request.spec, { maxDurationSeconds: this.config.STRESS_MAX_DURATION_SECONDS });
    if (!checked.ok) throw new DomainException(StressErrors.INVALID, checked.error.message, { details: checked.error.details, fix: checked.error.fix });
    if (this.current) {
      const c = this.status(this.current);
      throw new DomainException(
        StressErrors.CONFLICT,
        `Pod ${this.identity.pod} is already running test ${c.id} (${c.kind}, ${Math.max(0, Math.round(c.durationSeconds - c.elapsedSeconds))} s left).`,
        {
          details: `one test per pod at a time; running: ${c.id}`,
          fix: `Stop test ${c.id} first (DELETE /api/v1/stress/tests/${c.id}) or wait until it ends.`,
        },
      );
    }
    const spec = checked.value;
    const now = Date.now();
    const test: RunningTest = {
      id: request.testId,
      spec,
      startedAt: now,
      endsAt: now + spec.durationSeconds * 1000,
      finishedAt: null,
      state: 'running',
      endReason: null,
      adjustments: [],
    };
    if (spec.kind === 'cpu') this.startCpu(test, spec);
    else this.startMemory(test, spec);
    this.current = test;
    this.remember(test);
    test.timer = setTimeout(() => void this.finish(test, 'completed'), spec.durationSeconds * 1000);
    test.timer.unref();
    this.logger.info({ test: this.status(test) }, `stress test ${test.id} started`);
    return { test: this.status(test), duplicate: false };
  }

  /** Stops the test with this id if this pod runs it; null when it does not. */
  async stop(id: string): Promise<StressTestStatus | null> {
    const test = this.current?.id === id ? this.current : null;
    if (!test) return null;
    await this.finish(test, 'stopped');
    return this.status(test);
  }

  /** Stops whatever runs (shutdown). */
  async stopAll(reason: 'stopped' | 'shutdown'): Promise<void> {
    if (this.current) await this.finish(this.current, reason);
  }

  active(): StressTestStatus | null {
    return this.current ? this.status(this.current) : null;
  }

  last(): StressTestStatus | null {
    return this.lastFinished ? this.status(this.lastFinished) : null;
  }

  status(test: RunningTest): StressTestStatus {
    const end = test.finishedAt ?? Date.now();
    const elapsed = Math.max(0, end - test.startedAt);
    const total = test.endsAt - test.startedAt;
    const base: StressTestStatus = {
      id: test.id,
      kind: test.spec.kind,
      state: test.state,
      pod: this.identity.pod,
      node: this.identity.node,
      startedAt: new Date(test.startedAt).toISOString(),
      endsAt: new Date(test.endsAt).toISOString(),
      finishedAt: test.finishedAt ? new Date(test.finishedAt).toISOString() : null,
      durationSeconds: test.spec.durationSeconds,
      elapsedSeconds: Math.round(elapsed / 100) / 10,
      progress: Math.min(1, Math.round((elapsed / total) * 1000) / 1000),
      adjustments: test.adjustments,
      endReason: test.endReason,
      ...(test.error ? { error: test.error } : {}),
    };
    if (test.cpu) base.cpu = { intensity: test.cpu.intensity, workers: test.cpu.workers };
    if (test.memory) {
      const m = test.memory;
      base.memory = {
        targetMb: m.targetMb,
        allocatedMb: Math.round((test.state === 'running' ? m.ballast.allocatedBytes / MiB : m.heldMb) * 10) / 10,
        allocating: m.allocating,
        reclaimedMb: m.reclaimedMb,
        reclaimMs: m.reclaimMs,
      };
    }
    return base;
  }

  private startCpu(test: RunningTest, spec: CpuTestSpec): void {
    const max = this.monitor.maxWorkers();
    const requested = spec.workers ?? max;
    const workers = Math.min(requested, max);
    if (workers < requested) {
      const limit = this.monitor.cpuLimitMillicores();
      test.adjustments.push({
        field: 'workers',
        requested,
        applied: workers,
        reason:
          limit !== null ? `the CPU limit is ${limit}m: at most ceil(limit) = ${max} worker${max === 1 ? '' : 's'}` : `this process may run on ${max} cores`,
      });
    }
    const burn = new CpuBurn(workers, spec.intensity, {
      nice: this.config.STRESS_WORKER_NICE,
      onError: (err) => {
        test.error = `a load thread failed: ${err.message}`;
        void this.finish(test, 'failed');
      },
    });
    burn.start();
    test.cpu = { burn, workers, intensity: spec.intensity };
    this.workersGauge.inc(workers);
  }

  private startMemory(test: RunningTest, spec: MemoryTestSpec): void {
    const cap = this.monitor.memoryCap();
    const availableMb = Math.floor(cap.bytes / MiB);
    const headroom = this.config.STRESS_MEMORY_HEADROOM_PERCENT;
    const limit = this.monitor.memoryLimitBytes();
    const why = () => describeCap(cap.bound, limit, this.monitor.memoryCurrentBytes(), headroom, availableMb);
    if (availableMb < 1) {
      throw new DomainException(StressErrors.NO_HEADROOM, `Pod ${this.identity.pod} has no memory to spare: ${why()}.`, {
        fix: "Wait for the pod's memory to fall, or give the stress pods a higher memory limit (stress.resources.limits.memory).",
      });
    }
    const targetMb = Math.min(spec.targetMb, availableMb);
    if (targetMb < spec.targetMb) test.adjustments.push({ field: 'targetMb', requested: spec.targetMb, applied: targetMb, reason: why() });
    const ballast = new MemoryBallast();
    const abort = new AbortController();
    test.memory = { ballast, targetMb, allocating: true, abort, heldMb: 0, reclaimedMb: null, reclaimMs: null };
    // The live check keeps half the headroom as a floor, so the fill cannot overshoot the cap
    // when memory grows elsewhere meanwhile.
    const floor = limit !== null ? (limit * headroom) / 200 : 0;
    const mayGrow = (bytes: number) => (limit !== null ? limit - this.monitor.memoryCurrentBytes() - bytes >= floor : process.availableMemory() - bytes >= 0);
    void ballast
      .fill(targetMb * MiB, mayGrow, abort.signal)
      .then((outcome) => {
        test.memory!.allocating = false;
        this.memoryGauge.set(ballast.allocatedBytes);
        if (outcome === 'headroom') {
          const applied = Math.floor(ballast.allocatedBytes / MiB);
          test.adjustments.push({
            field: 'targetMb',
            requested: targetMb,
            applied,
            reason: 'memory grew elsewhere in the pod while filling: stopped before the headroom',
          });
        }
      })
      .catch((err: Error) => {
        test.memory!.allocating = false;
        test.error = `allocation failed: ${err.message}`;
        void this.finish(test, 'failed');
      });
  }

  private async finish(test: RunningTest, reason: NonNullable<StressTestStatus['endReason']>): Promise<void> {
    if (test.state !== 'running') return;
    test.state = reason === 'completed' ? 'completed' : reason === 'failed' ? 'failed' : 'stopped';
    test.endReason = reason;
    test.finishedAt = Date.now();
    clearTimeout(test.timer);
    if (this.current === test) this.current = null;
    this.lastFinished = test;
    this.testsCounter.inc({ kind: test.spec.kind, end: reason });
    if (test.cpu) {
      this.workersGauge.dec(test.cpu.workers);
      await test.cpu.burn.stop();
    }
    if (test.memory) await this.release(test);
    this.logger.info({ test: this.status(test) }, `stress test ${test.id} ended (${reason})`);
  }

  /** Frees the memory and measures the reclaim: how far the pod's memory fell, and how fast. */
  private async release(test: RunningTest): Promise<void> {
    const m = test.memory!;
    m.abort.abort();
    m.allocating = false;
    const before = this.monitor.memoryCurrentBytes();
    const started = performance.now();
    const held = m.ballast.release();
    m.heldMb = Math.round((held / MiB) * 10) / 10;
    this.memoryGauge.set(0);
    let after = this.monitor.memoryCurrentBytes();
    while (before - after < held * 0.9 && performance.now() - started < RECLAIM_WATCH_MS) {
      await new Promise((r) => setTimeout(r, 50));
      after = this.monitor.memoryCurrentBytes();
    }
    m.reclaimMs = Math.round(performance.now() - started);
    m.reclaimedMb = Math.round((Math.max(0, before - after) / MiB) * 10) / 10;
  }

  private remember(test: RunningTest): void {
    this.known.set(test.id, test);
    while (this.known.size > REMEMBERED) this.known.delete(this.known.keys().next().value!);
  }
}

function describeCap(bound: MemoryCap['bound'], limit: number | null, current: number, headroomPercent: number, availableMb: number): string {
  const mb = (n: number) => `${Math.round(n / MiB)} MiB`;
  if (bound === 'configured') return `no memory limit here: capped at STRESS_MAX_MEMORY_MB (${availableMb} MiB)`;
  if (bound === 'os' || limit === null)
    return `no memory limit here: capped at the memory the OS reports available minus ${headroomPercent} % (${availableMb} MiB)`;
  return `memory limit ${mb(limit)} − current ${mb(current)} − headroom ${headroomPercent} % (${mb((limit * headroomPercent) / 100)}) leaves ${availableMb} MiB`;
}
