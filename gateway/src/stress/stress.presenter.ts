import type { StressView } from '@eks-info/contracts';
import { TONES, niceMax } from '../views/svg-chart';
import type { HistoryPoint } from './live/stress-live.service';

/** What the charts show: the last three minutes of heartbeats. */
export const CHART_WINDOW_MS = 180_000;
const WIDTH = 360;
const HEIGHT = 100;

/** A line chart drawn by the server as SVG: a polyline per pod in a WIDTH × HEIGHT box. */
export interface LineChart {
  width: number;
  height: number;
  middle: number;
  /** The top of the scale, in the chart's unit (millicores, MiB). */
  max: number;
  series: Array<{ pod: string; tone: number; points: string }>;
}

/** What the live sections of /stress render from (`stress/live/*`). */
export interface StressLiveModel {
  view: StressView;
  silenceSeconds: number;
  /** What the live pods can spare for a memory test (the least of them). */
  spareMb: number | null;
  charts: { cpu: LineChart; memory: LineChart };
}

export function stressModel(view: StressView, history: Record<string, HistoryPoint[]>, now = Date.now()): StressLiveModel {
  const pods = Object.keys(history).sort();
  return {
    view,
    silenceSeconds: Math.round(view.silenceMs / 1000),
    spareMb: view.pods.length ? Math.min(...view.pods.map((p) => p.heartbeat.capacity.availableMb)) : null,
    charts: {
      cpu: lineChart(pods, history, (p) => p.cpuMillicores, now),
      memory: lineChart(pods, history, (p) => p.memoryMb, now),
    },
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function lineChart(pods: string[], history: Record<string, HistoryPoint[]>, value: (p: HistoryPoint) => number, now: number): LineChart {
  const from = now - CHART_WINDOW_MS;
  const shown = pods.map((pod) => ({ pod, points: history[pod].filter((p) => p.t >= from && p.t <= now) }));
  const max = niceMax(Math.max(0, ...shown.flatMap((s) => s.points.map(value))));
  return {
    width: WIDTH,
    height: HEIGHT,
    middle: HEIGHT / 2,
    max,
    series: shown.map((s, i) => ({
      pod: s.pod,
      tone: i % TONES,
      points: s.points.map((p) => `${round1(((p.t - from) / CHART_WINDOW_MS) * WIDTH)},${round1(HEIGHT - (value(p) / max) * HEIGHT)}`).join(' '),
    })),
  };
}
