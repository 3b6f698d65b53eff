import type { SustainedLoadStatus } from './load.dto';
import type { StressTestStatus } from './test.dto';

/** Where a figure comes from: the container's cgroup, or this process when the cgroup sets no limit. */
export type StressUsageSource = 'cgroup' | 'process';

export interface StressCpuUsage {
  /** CPU used over the last interval, from cpu.stat deltas (or the process's own CPU time). */
  usedMillicores: number;
  limitMillicores: number | null;
  requestMillicores: number | null;
  percentOfLimit: number | null;
  /** What the HPA compares with its target (utilisation is relative to requests). */
  percentOfRequest: number | null;
  source: StressUsageSource;
}

export interface StressMemoryUsage {
  currentBytes: number;
  limitBytes: number | null;
  requestBytes: number | null;
  percentOfLimit: number | null;
  percentOfRequest: number | null;
  source: StressUsageSource;
}

/** Work units of sustained loads this pod took over the last interval. */
export interface StressUnitActivity {
  executedPerSecond: number;
  queued: number;
  /** Dropped because they waited over a second (the pod is saturated); since start. */
  droppedTotal: number;
  executedTotal: number;
}

/**
 * Every stress pod publishes one per interval (1 s). The gateway aggregates them into the live
 * per-pod view and drops a pod that has been silent for 5 s.
 */
export interface StressHeartbeat {
  pod: string;
  node: string;
  /** Start of this process: a new value means the pod restarted. */
  incarnation: string;
  seq: number;
  at: string;
  intervalMs: number;
  cpu: StressCpuUsage;
  memory: StressMemoryUsage;
  /** What a new test may use here now (worker cap, MiB under the limit minus headroom) and the pod's configured maxima. */
  capacity: { maxWorkers: number; availableMb: number; maxDurationSeconds: number; maxLoadMillicores: number };
  test: StressTestStatus | null;
  /** The most recent finished test, with the memory reclaim when it was a memory test. */
  lastTest: StressTestStatus | null;
  units: StressUnitActivity;
  /** The sustained load this pod dispatches, if any. */
  load: SustainedLoadStatus | null;
}
