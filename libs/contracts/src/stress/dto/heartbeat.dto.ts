import { z } from 'zod';
import { SustainedLoadStatus } from './load.dto';
import { StressTestStatus } from './test.dto';

/** Where a figure comes from: the container's cgroup, or this process when the cgroup sets no limit. */
export const StressUsageSource = z.enum(['cgroup', 'process']);
export type StressUsageSource = z.output<typeof StressUsageSource>;

export const StressCpuUsage = z.object({
  /** CPU used over the last interval, from cpu.stat deltas (or the process's own CPU time). */
  usedMillicores: z.number(),
  limitMillicores: z.number().nullable(),
  requestMillicores: z.number().nullable(),
  percentOfLimit: z.number().nullable(),
  /** What the HPA compares with its target (utilisation is relative to requests). */
  percentOfRequest: z.number().nullable(),
  source: StressUsageSource,
});
export type StressCpuUsage = z.output<typeof StressCpuUsage>;

export const StressMemoryUsage = z.object({
  currentBytes: z.number(),
  limitBytes: z.number().nullable(),
  requestBytes: z.number().nullable(),
  percentOfLimit: z.number().nullable(),
  percentOfRequest: z.number().nullable(),
  source: StressUsageSource,
});
export type StressMemoryUsage = z.output<typeof StressMemoryUsage>;

/** Work units of sustained loads this pod took over the last interval. */
export const StressUnitActivity = z.object({
  executedPerSecond: z.number(),
  queued: z.number(),
  /** Dropped because they waited over a second (the pod is saturated); since start. */
  droppedTotal: z.number(),
  executedTotal: z.number(),
});
export type StressUnitActivity = z.output<typeof StressUnitActivity>;

/**
 * Every stress pod publishes one per interval (1 s). The gateway aggregates them into the live
 * per-pod view and drops a pod that has been silent for 5 s.
 */
export const StressHeartbeat = z.object({
  pod: z.string(),
  node: z.string(),
  /** Start of this process: a new value means the pod restarted. */
  incarnation: z.string(),
  seq: z.number(),
  at: z.string(),
  intervalMs: z.number(),
  cpu: StressCpuUsage,
  memory: StressMemoryUsage,
  /** What a new test may use here now (worker cap, MiB under the limit minus headroom) and the pod's configured maxima. */
  capacity: z.object({
    maxWorkers: z.number(),
    availableMb: z.number(),
    maxDurationSeconds: z.number(),
    maxLoadMillicores: z.number(),
  }),
  test: StressTestStatus.nullable(),
  /** The most recent finished test, with the memory reclaim when it was a memory test. */
  lastTest: StressTestStatus.nullable(),
  units: StressUnitActivity,
  /** The sustained load this pod dispatches, if any. */
  load: SustainedLoadStatus.nullable(),
  /** The last load this pod dispatched that has ended, with how and when (like lastTest); absent from older pods. */
  lastLoad: SustainedLoadStatus.nullable().optional(),
});
export type StressHeartbeat = z.output<typeof StressHeartbeat>;
