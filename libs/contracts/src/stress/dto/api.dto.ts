import { z } from 'zod';
import { optional } from '../../common/schema';
import { stressId } from '../stress.ranges';
import { CpuTestSpec, MemoryTestSpec } from './test.dto';
import { SustainedLoadRequest } from './load.dto';
import { ErrorBody } from '../../common/errors';
import { sectionOf } from '../../common/section';
import { ServedBy } from '../../common/served-by';
import { StressHeartbeat } from './heartbeat.dto';
import { SustainedLoadStatus } from './load.dto';
import { StressBounds, StressExpectedReplicas, StressHpaView } from './overview.dto';
import { StressKind, StressTarget, StressTestStatus } from './test.dto';
import { ResponseTimeChain, ResponseTimeStats, ScalingEventRecord } from '../../scaling/dto/events.dto';
import { WindowCost } from '../../scaling/dto/cost.dto';

/** The JSON API's answer to a start: which pods accepted, refused or did not answer. */
export const StressStartResult = z.object({
  testId: z.string(),
  kind: StressKind,
  target: StressTarget,
  accepted: z.array(
    z.object({
      pod: z.string(),
      node: z.string(),
      test: StressTestStatus,
      duplicate: z.boolean(),
    }),
  ),
  rejected: z.array(
    z.object({
      pod: z.string(),
      node: z.string(),
      error: ErrorBody,
    }),
  ),
  /** Live pods (from heartbeats) that did not answer the broadcast, even after one repeat. */
  missing: z.array(z.string()),
  /** How the start was confirmed: the pod's reply, or its heartbeat after a lost reply. */
  confirmedBy: z.enum(['reply', 'heartbeat']),
});
export type StressStartResult = z.output<typeof StressStartResult>;

export const StressStopResult = z.object({
  id: z.string(),
  stopped: z.array(
    z.object({
      pod: z.string(),
      node: z.string(),
      test: StressTestStatus.optional(),
      load: SustainedLoadStatus.optional(),
    }),
  ),
});
export type StressStopResult = z.output<typeof StressStopResult>;

export const StressLoadResult = z.object({
  load: SustainedLoadStatus,
  duplicate: z.boolean(),
});
export type StressLoadResult = z.output<typeof StressLoadResult>;

/** A pod as the gateway's live view holds it: its last heartbeat and how long ago that came. */
export const StressLivePod = z.object({
  heartbeat: StressHeartbeat,
  receivedAt: z.string(),
});
export type StressLivePod = z.output<typeof StressLivePod>;

/** The live fleet in one line: how many pods, their load, and what the HPA should want for it. */
export const StressLiveSummary = z.object({
  pods: z.number(),
  cpuMillicores: z.number(),
  /** Mean CPU % of request over the live pods that report a request. */
  averageCpuPercentOfRequest: z.number().nullable(),
  averageMemoryPercentOfRequest: z.number().nullable(),
  cpuTargetPercent: z.number(),
  cpuTargetSource: z.enum(['hpa', 'default']),
  /** ceil(pods × average / target), from live heartbeats; null with `why` when it cannot be computed. */
  expected: StressExpectedReplicas.nullable(),
  why: z.string().nullable(),
});
export type StressLiveSummary = z.output<typeof StressLiveSummary>;

/** What the cluster did after the test started: the scaling monitor's events and response times. */
export const StressTimeline = z.object({
  since: z.string(),
  /** What the "since" is: the latest test or load on a live pod, or a default window. */
  sinceWhat: z.string(),
  /** Events filtered to this workload ("Deployment/<stress>") when the HPA names it. */
  workload: z.string().nullable(),
  /** Oldest first. */
  events: z.array(ScalingEventRecord),
  chains: z.array(ResponseTimeChain),
  stats: z.array(ResponseTimeStats),
  truncated: z.boolean(),
  /** The cluster's $/h now and the nodes added since the test started, with what they cost (absent from monitors that predate prices). */
  cost: sectionOf(WindowCost).optional(),
});
export type StressTimeline = z.output<typeof StressTimeline>;

/** GET /api/v1/stress and the /stress page. */
export const StressView = z.object({
  pods: z.array(StressLivePod),
  /** Tests running now, one entry per pod. */
  tests: z.array(StressTestStatus),
  /** Each live pod's most recent finished test (with its memory reclaim). */
  recent: z.array(StressTestStatus),
  loads: z.array(SustainedLoadStatus),
  summary: StressLiveSummary,
  hpa: sectionOf(StressHpaView),
  bounds: StressBounds.nullable(),
  /** Scaling events since the latest test started, from the scaling monitor. */
  timeline: sectionOf(StressTimeline),
  /** A pod silent this long drops out of the view. */
  silenceMs: z.number(),
  generatedAt: z.string(),
  /** The stress pod that answered the overview (bounds, HPA), when one did. */
  servedBy: ServedBy.nullable(),
});
export type StressView = z.output<typeof StressView>;

/** Where a start goes: one pod (the default) or every pod. */
const target = optional(z.enum(['one', 'all'], { error: 'must be "one" or "all"' }));

/** `POST /api/v1/stress/cpu` and the page's CPU form: the spec, where it runs, and an optional id for idempotent retries. */
export const CpuTestBody = CpuTestSpec.omit({ kind: true }).extend({ target, testId: optional(stressId) });
export type CpuTestBody = z.output<typeof CpuTestBody>;

/** `POST /api/v1/stress/memory` and the page's memory form. */
export const MemoryTestBody = MemoryTestSpec.omit({ kind: true }).extend({ target, testId: optional(stressId) });
export type MemoryTestBody = z.output<typeof MemoryTestBody>;

/** `POST /api/v1/stress/load` and the page's load form. */
export const SustainedLoadBody = SustainedLoadRequest.omit({ loadId: true }).extend({ loadId: optional(stressId) });
export type SustainedLoadBody = z.output<typeof SustainedLoadBody>;
