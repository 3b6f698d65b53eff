/**
 * Charts drawn by the server as SVG numbers, for templates to print: no browser library, so a
 * page or a saved report shows them with scripts off and no network.
 */

/** 1, 2, 2.5 or 5 times a power of ten, at least `n` (and at least 1). */
export function niceMax(n: number): number {
  if (!(n > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 2.5, 5, 10].map((f) => f * power).find((v) => v >= n)!;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** One line of a time chart: its values at times (epoch ms); null is a gap (e.g. no metrics then). */
export interface TimeSeries {
  name: string;
  values: Array<{ t: number; v: number | null }>;
}

export interface TimeChartOptions {
  from: number;
  to: number;
  /** How the axis prints a value (e.g. `2.5 cores`). */
  format: (v: number) => string;
  width?: number;
  height?: number;
  /** Steps of the value axis (a step count of the top value, e.g. 4 → 0, ¼, ½, ¾, max). */
  yTicks?: number;
  xTicks?: number;
}

/** A chart in SVG user units: the plot area, the axes' ticks and a polyline per unbroken run of each series. */
export interface TimeChart {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  max: number;
  /** Grid lines across the plot, labelled left of it at `labelX`. */
  yTicks: Array<{ y: number; label: string; labelX: number }>;
  /** Time labels under the plot, at `labelY`. */
  xTicks: Array<{ x: number; label: string; labelY: number }>;
  /** Each series' lines, and its last and highest value in the window (formatted; null without values). */
  series: Array<{ name: string; tone: number; lines: string[]; last: string | null; peak: string | null }>;
  /** No series has a value in the window. */
  empty: boolean;
}

/** Colours (CSS classes series-0…) before they repeat. */
export const TONES = 10;

/** HH:MM (UTC) when the window is under two days, else MM-DD HH:MM. */
function timeLabel(t: number, span: number): string {
  const iso = new Date(t).toISOString();
  return span < 2 * 86_400_000 ? iso.slice(11, 16) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

/**
 * Lays out series over [from, to]: x is time, y is the value against a rounded top (`niceMax`).
 * Points outside the window are left out; a null breaks the line so a gap shows as a gap.
 */
export function timeChart(series: TimeSeries[], options: TimeChartOptions): TimeChart {
  const { from, to, format } = options;
  const width = options.width ?? 720;
  const height = options.height ?? 220;
  const plot = { left: 64, top: 10, right: width - 10, bottom: height - 24 };
  const span = Math.max(1, to - from);
  const inWindow = series.map((s) => ({ ...s, values: s.values.filter((p) => p.t >= from && p.t <= to) }));
  const all = inWindow.flatMap((s) => s.values.flatMap((p) => (p.v === null ? [] : [p.v])));
  const max = niceMax(Math.max(0, ...all));
  const x = (t: number) => round1(plot.left + ((t - from) / span) * (plot.right - plot.left));
  const y = (v: number) => round1(plot.bottom - (v / max) * (plot.bottom - plot.top));
  const yTicks = Array.from({ length: (options.yTicks ?? 4) + 1 }, (_, i) => {
    const v = (max * i) / (options.yTicks ?? 4);
    return { y: y(v), label: format(v), labelX: plot.left - 6 };
  });
  const xSteps = options.xTicks ?? 4;
  const xTicks = Array.from({ length: xSteps + 1 }, (_, i) => {
    const t = from + (span * i) / xSteps;
    return { x: x(t), label: timeLabel(t, span), labelY: plot.bottom + 16 };
  });
  return {
    width,
    height,
    plot,
    max,
    yTicks,
    xTicks,
    empty: all.length === 0,
    series: inWindow.map((s, i) => {
      const lines: string[] = [];
      let run: string[] = [];
      for (const p of s.values) {
        if (p.v === null) {
          if (run.length) lines.push(run.join(' '));
          run = [];
        } else run.push(`${x(p.t)},${y(p.v)}`);
      }
      if (run.length) lines.push(run.join(' '));
      const values = s.values.flatMap((p) => (p.v === null ? [] : [p.v]));
      return {
        name: s.name,
        tone: i % TONES,
        lines,
        last: values.length ? format(values[values.length - 1]) : null,
        peak: values.length ? format(Math.max(...values)) : null,
      };
    }),
  };
}
