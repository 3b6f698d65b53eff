import type { ErrorBody } from '../../common/errors';
import type { Served } from '../../common/served-by';
import type { SustainedLoadStatus } from './load.dto';

/** `one`: a queue group delivers the command to one pod; `all`: every live pod receives it. */
export type StressTarget = 'one' | 'all';
export type StressKind = 'cpu' | 'memory';

/** CPU load: each worker thread is busy `intensity` % of every 100 ms period. */
export interface CpuTestSpec {
  kind: 'cpu';
  durationSeconds: number;
  /** Duty cycle per worker, 1–100 %. */
  intensity: number;
  /** Worker threads; default (and cap) = ceil(the container's CPU limit). */
  workers?: number;
}

/** Memory load: `targetMb` MiB allocated in chunks, every page touched so it is resident. */
export interface MemoryTestSpec {
  kind: 'memory';
  durationSeconds: number;
  /** MiB to hold; capped at memory limit − current − headroom. */
  targetMb: number;
}

export type TestSpec = CpuTestSpec | MemoryTestSpec;

/** A start command. The id makes it idempotent: a repeat (a retry, a re-broadcast) starts nothing new. */
export interface StartTestRequest {
  testId: string;
  spec: TestSpec;
}

/** A value the pod lowered to fit its limits (requested → applied, and why). */
export interface StressAdjustment {
  field: string;
  requested: number;
  applied: number;
  reason: string;
}

export type StressTestState = 'running' | 'completed' | 'stopped' | 'failed';

export interface CpuTestDetail {
  intensity: number;
  workers: number;
}

export interface MemoryTestDetail {
  targetMb: number;
  /** Resident so far (grows in chunks while allocating). */
  allocatedMb: number;
  allocating: boolean;
  /** After the release: how much the pod's memory fell, and how long that took. */
  reclaimedMb: number | null;
  reclaimMs: number | null;
}

/** A test as one pod runs it; every pod of an `all` test reports its own. */
export interface StressTestStatus {
  id: string;
  kind: StressKind;
  state: StressTestState;
  pod: string;
  node: string;
  startedAt: string;
  /** When it stops by itself (auto-stop). */
  endsAt: string;
  finishedAt: string | null;
  durationSeconds: number;
  elapsedSeconds: number;
  /** 0–1 of the duration. */
  progress: number;
  cpu?: CpuTestDetail;
  memory?: MemoryTestDetail;
  adjustments: StressAdjustment[];
  /** Why it ended: ran its course, stop command, the pod shutting down, or an error. */
  endReason: 'completed' | 'stopped' | 'shutdown' | 'failed' | null;
  error?: string;
}

export interface StartTestReply extends Served {
  test: StressTestStatus;
  /** True when this pod already knew the id and started nothing new. */
  duplicate: boolean;
}

/** One pod's answer to a broadcast start: accepted with its test, or refused with the reason. */
export interface PodStartOutcome extends Served {
  accepted: boolean;
  test?: StressTestStatus;
  duplicate?: boolean;
  error?: ErrorBody;
}

export interface StressStopRequest {
  id: string;
}

/** One pod's answer to a broadcast stop. */
export interface PodStopOutcome extends Served {
  /** This pod ran the test or dispatched the load with that id. */
  found: boolean;
  test?: StressTestStatus;
  load?: SustainedLoadStatus;
}
