import { z } from 'zod';
import { optional, wholeNumber } from '../../common/schema';
import { STRESS_RANGES as R, stressId } from '../stress.ranges';
import { ErrorBody } from '../../common/errors';
import { Served } from '../../common/served-by';
import { SustainedLoadStatus } from './load.dto';

/** `one`: a queue group delivers the command to one pod; `all`: every live pod receives it. */
export const StressTarget = z.enum(['one', 'all']);
export type StressTarget = z.output<typeof StressTarget>;

export const StressKind = z.enum(['cpu', 'memory']);
export type StressKind = z.output<typeof StressKind>;

/** CPU load: each worker thread is busy `intensity` % of every 100 ms period. */
export const CpuTestSpec = z.object({
  kind: z.literal('cpu'),
  durationSeconds: wholeNumber(R.durationSeconds.min, R.durationSeconds.max),
  /** Duty cycle per worker, 1–100 %. */
  intensity: wholeNumber(R.intensity.min, R.intensity.max),
  /** Worker threads; default (and cap) = ceil(the container's CPU limit). */
  workers: optional(wholeNumber(R.workers.min, R.workers.max)),
});
export type CpuTestSpec = z.output<typeof CpuTestSpec>;

/** Memory load: `targetMb` MiB allocated in chunks, every page touched so it is resident. */
export const MemoryTestSpec = z.object({
  kind: z.literal('memory'),
  durationSeconds: wholeNumber(R.durationSeconds.min, R.durationSeconds.max),
  /** MiB to hold; capped at memory limit − current − headroom. */
  targetMb: wholeNumber(R.targetMb.min, R.targetMb.max),
});
export type MemoryTestSpec = z.output<typeof MemoryTestSpec>;

export const TestSpec = z.discriminatedUnion('kind', [CpuTestSpec, MemoryTestSpec], { error: 'must be "cpu" or "memory"' });
export type TestSpec = z.output<typeof TestSpec>;

/** A start command. The id makes it idempotent: a repeat (a retry, a re-broadcast) starts nothing new. */
export const StartTestRequest = z.object({
  testId: stressId,
  spec: TestSpec,
});
export type StartTestRequest = z.output<typeof StartTestRequest>;

/** A value the pod lowered to fit its limits (requested → applied, and why). */
export const StressAdjustment = z.object({
  field: z.string(),
  requested: z.number(),
  applied: z.number(),
  reason: z.string(),
});
export type StressAdjustment = z.output<typeof StressAdjustment>;

export const StressTestState = z.enum(['running', 'completed', 'stopped', 'failed']);
export type StressTestState = z.output<typeof StressTestState>;

export const CpuTestDetail = z.object({
  intensity: z.number(),
  workers: z.number(),
});
export type CpuTestDetail = z.output<typeof CpuTestDetail>;

export const MemoryTestDetail = z.object({
  targetMb: z.number(),
  /** Resident so far (grows in chunks while allocating). */
  allocatedMb: z.number(),
  allocating: z.boolean(),
  /** After the release: how much the pod's memory fell, and how long that took. */
  reclaimedMb: z.number().nullable(),
  reclaimMs: z.number().nullable(),
});
export type MemoryTestDetail = z.output<typeof MemoryTestDetail>;

/** A test as one pod runs it; every pod of an `all` test reports its own. */
export const StressTestStatus = z.object({
  id: z.string(),
  kind: StressKind,
  state: StressTestState,
  pod: z.string(),
  node: z.string(),
  startedAt: z.string(),
  /** When it stops by itself (auto-stop). */
  endsAt: z.string(),
  finishedAt: z.string().nullable(),
  durationSeconds: z.number(),
  elapsedSeconds: z.number(),
  /** 0–1 of the duration. */
  progress: z.number(),
  cpu: CpuTestDetail.optional(),
  memory: MemoryTestDetail.optional(),
  adjustments: z.array(StressAdjustment),
  /** Why it ended: ran its course, stop command, the pod shutting down, or an error. */
  endReason: z.enum(['completed', 'stopped', 'shutdown', 'failed']).nullable(),
  error: z.string().optional(),
});
export type StressTestStatus = z.output<typeof StressTestStatus>;

export const StartTestReply = z.object({
  ...Served.shape,
  test: StressTestStatus,
  /** True when this pod already knew the id and started nothing new. */
  duplicate: z.boolean(),
});
export type StartTestReply = z.output<typeof StartTestReply>;

/** One pod's answer to a broadcast start: accepted with its test, or refused with the reason. */
export const PodStartOutcome = z.object({
  ...Served.shape,
  accepted: z.boolean(),
  test: StressTestStatus.optional(),
  duplicate: z.boolean().optional(),
  error: ErrorBody.optional(),
});
export type PodStartOutcome = z.output<typeof PodStartOutcome>;

export const StressStopRequest = z.object({
  id: stressId,
});
export type StressStopRequest = z.output<typeof StressStopRequest>;

/** One pod's answer to a broadcast stop. */
export const PodStopOutcome = z.object({
  ...Served.shape,
  /** This pod ran the test or dispatched the load with that id. */
  found: z.boolean(),
  test: StressTestStatus.optional(),
  load: SustainedLoadStatus.optional(),
});
export type PodStopOutcome = z.output<typeof PodStopOutcome>;
