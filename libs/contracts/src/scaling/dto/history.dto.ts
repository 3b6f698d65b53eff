import type { Section } from '../../common/section';
import type { Served } from '../../common/served-by';
import type { ResponseTimeChain, ResponseTimeStats, ScalingEventRecord } from './events.dto';
import type { ClusterTotals } from './snapshot.dto';

/** One sample of the cluster (every SAMPLE_INTERVAL_SECONDS); counts and usage at that moment. */
export interface HistoryPoint extends ClusterTotals {
  t: string;
  /** Pods per workload of the watched namespace ("Deployment/stress": 4). */
  workloads: Record<string, number>;
  /** Current and desired replicas per HPA ("stress": [2, 4]). */
  hpas: Record<string, [number, number]>;
}

export interface SamplesView {
  /** Seconds between points as returned (long ranges are downsampled: counts keep the bucket's maximum, usage its average). */
  intervalSeconds: number;
  points: HistoryPoint[];
  /** Every workload and HPA that appears in the points, for chart legends. */
  workloads: string[];
  hpas: string[];
}

export interface EventsView {
  /** Newest first, at most a few hundred (see `total`). */
  events: ScalingEventRecord[];
  total: number;
  /** Count per event type in the range. */
  byType: Record<string, number>;
}

export interface ResponseTimesView {
  stats: ResponseTimeStats[];
  /** Newest first, at most a few dozen. */
  chains: ResponseTimeChain[];
}

export interface HistoryStorageInfo {
  path: string;
  records: number;
  bytes: number;
  oldest: string | null;
  retentionDays: number;
  lastCompactionAt: string | null;
  /** Lines that could not be read at start-up (a torn last line after a crash). */
  skippedLines: number;
}

export interface ScalingHistoryQuery {
  /** Hours back from now: 1–168, default 24. */
  hours?: number;
}

/** The /scaling/history page: samples for the charts, events, response times; the same for every gateway replica. */
export interface ScalingHistory extends Served {
  hours: number;
  from: string;
  to: string;
  namespace: string;
  samples: Section<SamplesView>;
  events: Section<EventsView>;
  responseTimes: Section<ResponseTimesView>;
  storage: Section<HistoryStorageInfo>;
}

/** The answer to `scaling.events.list`. */
export interface ScalingEventsPage extends Served {
  from: string;
  to: string;
  /** Oldest first. */
  events: ScalingEventRecord[];
  /** Response-time chains that started in the range (in progress ones too). */
  chains: ResponseTimeChain[];
  stats: ResponseTimeStats[];
  /** More events matched than `limit`: ask again with `since` = `next`. */
  truncated: boolean;
  next: string | null;
}
