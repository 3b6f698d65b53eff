import type { HistoryPoint } from '@eks-info/contracts';
import { type TimeChart, type TimeSeries, timeChart } from '../views/svg-chart';
import type { ScalingReport } from './report.model';

const GiB = 1024 ** 3;
/** Charts show at most this many HPAs or workloads; the JSON has them all. */
const MOST_LINES = 6;

export interface ReportChart {
  id: string;
  title: string;
  chart: TimeChart;
}

/** What report.hbs renders: the report itself (also printed whole as the JSON twin) and its charts. */
export interface ReportViewModel {
  report: ScalingReport;
  charts: ReportChart[];
  /** The HPA or workload the stress report follows, when the HPA names it. */
  workload: string | null;
}

const trim = (n: number) => String(Math.round(n * 100) / 100);

export function reportViewModel(report: ScalingReport): ReportViewModel {
  const points = report.samples.status === 'ok' ? report.samples.data.points : [];
  const from = Date.parse(report.window.from);
  const to = Date.parse(report.window.to);
  const hpa = report.hpa?.status === 'ok' ? report.hpa.data : null;
  const workload = hpa?.target ? `${hpa.target.kind}/${hpa.target.name}` : null;
  const series = (name: string, value: (p: HistoryPoint) => number | null | undefined): TimeSeries => ({
    name,
    values: points.map((p) => ({ t: Date.parse(p.t), v: value(p) ?? null })),
  });
  // The stress report follows the stress HPA; the history report every HPA that appears.
  const hpaNames = hpa ? [hpa.name] : [...new Set(points.flatMap((p) => Object.keys(p.hpas)))].sort().slice(0, MOST_LINES / 2);
  const replicas = hpaNames.flatMap((name) => [series(`${name} desired`, (p) => p.hpas[name]?.[1]), series(`${name} current`, (p) => p.hpas[name]?.[0])]);
  if (workload) replicas.push(series(`${workload} pods`, (p) => p.workloads[workload]));
  const capacityTypes = [...new Set(points.flatMap((p) => Object.keys(p.nodesByCapacityType)))].sort();
  const chart = (id: string, title: string, lines: TimeSeries[], format: (v: number) => string): ReportChart => ({
    id,
    title,
    chart: timeChart(lines, { from, to, format }),
  });
  return {
    report,
    workload,
    charts: [
      chart('report-chart-replicas', 'Replicas (HPA desired and current)', replicas, trim),
      chart('report-chart-pods', 'Pods (all namespaces)', [series('running or starting', (p) => p.pods), series('Pending', (p) => p.pending)], trim),
      chart(
        'report-chart-nodes',
        'Nodes',
        [series('total', (p) => p.nodes), series('Ready', (p) => p.nodesReady), ...capacityTypes.map((c) => series(c, (p) => p.nodesByCapacityType[c] ?? 0))],
        trim,
      ),
      chart(
        'report-chart-cpu',
        'CPU (cores)',
        [
          series('allocatable', (p) => p.cpuAllocatableMillis / 1000),
          series('requested', (p) => p.cpuRequestedMillis / 1000),
          series('used', (p) => (p.cpuUsedMillis === null ? null : p.cpuUsedMillis / 1000)),
        ],
        trim,
      ),
      chart(
        'report-chart-memory',
        'Memory (GiB)',
        [
          series('allocatable', (p) => p.memoryAllocatableBytes / GiB),
          series('requested', (p) => p.memoryRequestedBytes / GiB),
          series('used', (p) => (p.memoryUsedBytes === null ? null : p.memoryUsedBytes / GiB)),
        ],
        trim,
      ),
    ],
  };
}
