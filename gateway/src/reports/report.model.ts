import {
  type HistoryPoint,
  NODE_EVENT_TYPES,
  type ResponseTimeChain,
  type ResponseTimeStats,
  type ScalingEventRecord,
  type Section,
  type StressHpaView,
  type StressTestStatus,
  type SustainedLoadStatus,
  type WindowCost,
  ok,
} from '@eks-info/contracts';

/**
 * A report to keep: what a stress test (or a range of the scaling history) did to the cluster,
 * as one JSON document. The HTML export renders exactly this document (report.presenter.ts), so
 * the file and its JSON twin never disagree.
 */
export interface ScalingReport {
  kind: 'stress-test' | 'scaling-history';
  title: string;
  generatedAt: string;
  /** The window every part covers. */
  window: { from: string; to: string; why: string };
  /** The stress test or load the report is about, as the stress pods reported it (stress reports only). */
  run: StressRun | null;
  /** The stress HPA when the report was made (stress reports only). */
  hpa: Section<StressHpaView> | null;
  /** Cluster samples in the window, oldest first. */
  samples: Section<{ intervalSeconds: number; points: HistoryPoint[] }>;
  /** Scaling events in the window, oldest first. */
  timeline: Section<{ events: ScalingEventRecord[]; truncated: boolean }>;
  responseTimes: Section<{ stats: ResponseTimeStats[]; chains: ResponseTimeChain[] }>;
  nodes: Section<NodesInWindow>;
  /**
   * The cluster's $/h when exported and the nodes added in the window with what they cost while
   * they lasted (prices from the scaling monitor, never estimated); null from a monitor without prices.
   */
  cost: Section<WindowCost> | null;
}

export interface StressRun {
  id: string;
  kind: 'cpu' | 'memory' | 'load';
  startedAt: string;
  /** null while it runs. */
  finishedAt: string | null;
  /** One entry per pod that ran the test (a test sent to every pod runs on each). */
  tests: StressTestStatus[];
  loads: SustainedLoadStatus[];
}

export interface NodesInWindow {
  /** Node counts from the samples: first, highest and last in the window (null without samples). */
  atStart: number | null;
  peak: number | null;
  atEnd: number | null;
  /** Node events (added, Ready, removed, autoscaler decisions) in the window, oldest first. */
  events: ScalingEventRecord[];
}

const NODE_EVENTS = new Set<string>(NODE_EVENT_TYPES);

/** The node part of a report: counts from the samples, node events from the timeline. */
export function nodesInWindow(samples: ScalingReport['samples'], timeline: ScalingReport['timeline']): Section<NodesInWindow> {
  if (samples.status !== 'ok' && timeline.status !== 'ok') return samples;
  const points = samples.status === 'ok' ? samples.data.points : [];
  const counts = points.map((p) => p.nodes);
  return ok({
    atStart: counts.length ? counts[0] : null,
    peak: counts.length ? Math.max(...counts) : null,
    atEnd: counts.length ? counts[counts.length - 1] : null,
    events: timeline.status === 'ok' ? timeline.data.events.filter((e) => NODE_EVENTS.has(e.event_type)) : [],
  });
}

/** Samples inside [from, to] (the history answers whole hours back from now). */
export function samplesIn(points: HistoryPoint[], from: string, to: string): HistoryPoint[] {
  const a = Date.parse(from);
  const b = Date.parse(to);
  return points.filter((p) => {
    const t = Date.parse(p.t);
    return t >= a && t <= b;
  });
}

/** A name for the downloaded file: letters, digits and dashes only. */
export function reportFileName(report: ScalingReport, extension: 'html' | 'json'): string {
  const what = report.run ? `stress-${report.run.id}` : 'scaling-history';
  const when = report.window.to.slice(0, 16).replace(/[^0-9]/g, '');
  return `eks-info-${what}-${when}.${extension}`.replace(/[^A-Za-z0-9.-]/g, '-');
}
