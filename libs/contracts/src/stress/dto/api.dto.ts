import type { ErrorBody } from '../../common/errors';
import type { Section } from '../../common/section';
import type { ServedBy } from '../../common/served-by';
import type { StressHeartbeat } from './heartbeat.dto';
import type { SustainedLoadStatus } from './load.dto';
import type { StressBounds, StressExpectedReplicas, StressHpaView } from './overview.dto';
import type { StressKind, StressTarget, StressTestStatus } from './test.dto';
import type { ResponseTimeChain, ResponseTimeStats, ScalingEventRecord } from '../../scaling/dto/events.dto';

/** The JSON API's answer to a start: which pods accepted, refused or did not answer. */
export interface StressStartResult {
  testId: string;
  kind: StressKind;
  target: StressTarget;
  accepted: Array<{ pod: string; node: string; test: StressTestStatus; duplicate: boolean }>;
  rejected: Array<{ pod: string; node: string; error: ErrorBody }>;
  /** Live pods (from heartbeats) that did not answer the broadcast, even after one repeat. */
  missing: string[];
  /** How the start was confirmed: the pod's reply, or its heartbeat after a lost reply. */
  confirmedBy: 'reply' | 'heartbeat';
}

export interface StressStopResult {
  id: string;
  stopped: Array<{ pod: string; node: string; test?: StressTestStatus; load?: SustainedLoadStatus }>;
}

export interface StressLoadResult {
  load: SustainedLoadStatus;
  duplicate: boolean;
}

/** A pod as the gateway's live view holds it: its last heartbeat and how long ago that came. */
export interface StressLivePod {
  heartbeat: StressHeartbeat;
  receivedAt: string;
}

/** The live fleet in one line: how many pods, their load, and what the HPA should want for it. */
export interface StressLiveSummary {
  pods: number;
  cpuMillicores: number;
  /** Mean CPU % of request over the live pods that report a request. */
  averageCpuPercentOfRequest: number | null;
  averageMemoryPercentOfRequest: number | null;
  cpuTargetPercent: number;
  cpuTargetSource: 'hpa' | 'default';
  /** ceil(pods × average / target), from live heartbeats; null with `why` when it cannot be computed. */
  expected: StressExpectedReplicas | null;
  why: string | null;
}

/** GET /api/v1/stress and the /stress page. */
export interface StressView {
  pods: StressLivePod[];
  /** Tests running now, one entry per pod. */
  tests: StressTestStatus[];
  /** Each live pod's most recent finished test (with its memory reclaim). */
  recent: StressTestStatus[];
  loads: SustainedLoadStatus[];
  summary: StressLiveSummary;
  hpa: Section<StressHpaView>;
  bounds: StressBounds | null;
  /** Scaling events since the latest test started, from the scaling monitor. */
  timeline: Section<StressTimeline>;
  /** A pod silent this long drops out of the view. */
  silenceMs: number;
  generatedAt: string;
  /** The stress pod that answered the overview (bounds, HPA), when one did. */
  servedBy: ServedBy | null;
}

/** What the cluster did after the test started: the scaling monitor's events and response times. */
export interface StressTimeline {
  since: string;
  /** What the "since" is: the latest test or load on a live pod, or a default window. */
  sinceWhat: string;
  /** Events filtered to this workload ("Deployment/<stress>") when the HPA names it. */
  workload: string | null;
  /** Oldest first. */
  events: ScalingEventRecord[];
  chains: ResponseTimeChain[];
  stats: ResponseTimeStats[];
  truncated: boolean;
}
