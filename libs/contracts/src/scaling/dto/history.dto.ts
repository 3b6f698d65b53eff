import { z } from 'zod';
import { sectionOf } from '../../common/section';
import { Served } from '../../common/served-by';
import { WindowCost } from './cost.dto';
import { ResponseTimeChain, ResponseTimeStats, ScalingEventRecord } from './events.dto';
import { ClusterTotals } from './snapshot.dto';

/** One sample of the cluster (every SAMPLE_INTERVAL_SECONDS); counts and usage at that moment. */
export const HistoryPoint = z.object({
  ...ClusterTotals.shape,
  t: z.string(),
  /** Pods per workload of the watched namespace ("Deployment/stress": 4). */
  workloads: z.record(z.string(), z.number()),
  /** Current and desired replicas per HPA ("stress": [2, 4]). */
  hpas: z.record(z.string(), z.tuple([z.number(), z.number()])),
});
export type HistoryPoint = z.output<typeof HistoryPoint>;

export const SamplesView = z.object({
  /** Seconds between points as returned (long ranges are downsampled: counts keep the bucket's maximum, usage its average). */
  intervalSeconds: z.number(),
  points: z.array(HistoryPoint),
  /** Every workload and HPA that appears in the points, for chart legends. */
  workloads: z.array(z.string()),
  hpas: z.array(z.string()),
});
export type SamplesView = z.output<typeof SamplesView>;

export const EventsView = z.object({
  /** Newest first, at most a few hundred (see `total`). */
  events: z.array(ScalingEventRecord),
  total: z.number(),
  /** Count per event type in the range. */
  byType: z.record(z.string(), z.number()),
});
export type EventsView = z.output<typeof EventsView>;

export const ResponseTimesView = z.object({
  stats: z.array(ResponseTimeStats),
  /** Newest first, at most a few dozen. */
  chains: z.array(ResponseTimeChain),
});
export type ResponseTimesView = z.output<typeof ResponseTimesView>;

export const HistoryStorageInfo = z.object({
  path: z.string(),
  records: z.number(),
  bytes: z.number(),
  oldest: z.string().nullable(),
  retentionDays: z.number(),
  lastCompactionAt: z.string().nullable(),
  /** Lines that could not be read at start-up (a torn last line after a crash). */
  skippedLines: z.number(),
});
export type HistoryStorageInfo = z.output<typeof HistoryStorageInfo>;

/** The /scaling/history page: samples for the charts, events, response times; the same for every gateway replica. */
export const ScalingHistory = z.object({
  ...Served.shape,
  hours: z.number(),
  from: z.string(),
  to: z.string(),
  namespace: z.string(),
  samples: sectionOf(SamplesView),
  events: sectionOf(EventsView),
  responseTimes: sectionOf(ResponseTimesView),
  storage: sectionOf(HistoryStorageInfo),
});
export type ScalingHistory = z.output<typeof ScalingHistory>;

/** The answer to `scaling.events.list`. */
export const ScalingEventsPage = z.object({
  ...Served.shape,
  from: z.string(),
  to: z.string(),
  /** Oldest first. */
  events: z.array(ScalingEventRecord),
  /** Response-time chains that started in the range (in progress ones too). */
  chains: z.array(ResponseTimeChain),
  stats: z.array(ResponseTimeStats),
  /** More events matched than `limit`: ask again with `since` = `next`. */
  truncated: z.boolean(),
  next: z.string().nullable(),
  /** The cluster's $/h now and the nodes added in the range with what they cost (absent from monitors that predate prices). */
  cost: sectionOf(WindowCost).optional(),
});
export type ScalingEventsPage = z.output<typeof ScalingEventsPage>;
