import type {
  ErrorBody,
  ResponseTimeChain,
  ResponseTimeStats,
  ScalingEventRecord,
  ScalingEventType,
  ScalingHistory,
  ScalingSnapshot,
} from '@eks-info/contracts';

/** How event types read on the pages. */
export const EVENT_LABELS: Record<ScalingEventType, string> = {
  hpa_scale_up: 'HPA scale-up',
  hpa_scale_down: 'HPA scale-down',
  pod_created: 'Pod created',
  pod_scheduled: 'Pod scheduled',
  pod_ready: 'Pod Ready',
  pod_deleted: 'Pod deleted',
  pod_pending: 'Pod Pending',
  node_added: 'Node added',
  node_ready: 'Node Ready',
  node_removed: 'Node removed',
  autoscaler_scale_up: 'Node scale-up',
  autoscaler_scale_down: 'Node scale-down',
};

/** Green for growth, yellow for shrinking and waiting. */
const EVENT_TONE: Record<ScalingEventType, 'ok' | 'warn' | 'muted'> = {
  hpa_scale_up: 'ok',
  hpa_scale_down: 'warn',
  pod_created: 'muted',
  pod_scheduled: 'muted',
  pod_ready: 'ok',
  pod_deleted: 'warn',
  pod_pending: 'warn',
  node_added: 'ok',
  node_ready: 'ok',
  node_removed: 'warn',
  autoscaler_scale_up: 'ok',
  autoscaler_scale_down: 'warn',
};

/** "45 s", "1 min 41 s", "2 h 5 min". */
export function formatSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  if (s < 60) return `${Math.round(s * 10) / 10} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return rest ? `${m} min ${rest} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

export function eventRow(e: ScalingEventRecord) {
  return {
    ...e,
    label: EVENT_LABELS[e.event_type] ?? e.event_type,
    tone: EVENT_TONE[e.event_type] ?? 'muted',
    objectText: `${e.object.kind} ${e.object.namespace ? `${e.object.namespace}/` : ''}${e.object.name}`,
    observed: e.time_source === 'observed',
  };
}

export function statsRow(s: ResponseTimeStats) {
  return {
    ...s,
    average: formatSeconds(s.average_seconds),
    p90: formatSeconds(s.p90_seconds),
    min: formatSeconds(s.min_seconds),
    max: formatSeconds(s.max_seconds),
  };
}

const CHAIN_TONE: Record<ResponseTimeChain['status'], string> = { completed: 'ok', in_progress: 'warn', superseded: 'muted', abandoned: 'muted' };

export function chainRow(c: ResponseTimeChain) {
  return { ...c, duration: formatSeconds(c.duration_seconds), tone: CHAIN_TONE[c.status], statusText: c.status.replace('_', ' ') };
}

/** What the live sections of /scaling render from (`scaling/live/*`). */
export interface ScalingLiveModel {
  snapshot: ScalingSnapshot;
  nodeEventRows: Array<ReturnType<typeof eventRow>>;
  /** Why the newest snapshot could not be fetched (the sections then show the last one). */
  problem: ErrorBody | null;
}

export function scalingModel(snapshot: ScalingSnapshot, problem: ErrorBody | null = null): ScalingLiveModel {
  return { snapshot, nodeEventRows: snapshot.nodeEvents.status === 'ok' ? snapshot.nodeEvents.data.map(eventRow) : [], problem };
}

/** What the live sections of /scaling/history render from (`scaling/live/history-*`). */
export interface HistoryLiveModel {
  hours: number;
  view: ScalingHistory;
  events: Array<ReturnType<typeof eventRow>>;
  byType: Array<{ type: string; count: number }>;
  stats: Array<ReturnType<typeof statsRow>>;
  chains: Array<ReturnType<typeof chainRow>>;
}

export function historyModel(hours: number, view: ScalingHistory): HistoryLiveModel {
  return {
    hours,
    view,
    events: view.events.status === 'ok' ? view.events.data.events.map(eventRow) : [],
    byType: view.events.status === 'ok' ? Object.entries(view.events.data.byType).map(([type, count]) => ({ type, count })) : [],
    stats: view.responseTimes.status === 'ok' ? view.responseTimes.data.stats.map(statsRow) : [],
    chains: view.responseTimes.status === 'ok' ? view.responseTimes.data.chains.map(chainRow) : [],
  };
}
