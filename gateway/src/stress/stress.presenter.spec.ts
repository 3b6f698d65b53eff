import { CHART_WINDOW_MS, lineChart } from './stress.presenter';
import type { HistoryPoint } from './live/stress-live.service';

const point = (t: number, cpuMillicores: number): HistoryPoint => ({ t, cpuMillicores, cpuPercentOfRequest: null, memoryMb: 0 });

describe('the stress charts (server-drawn SVG)', () => {
  it('draws a line per pod over the last three minutes: the oldest at the left edge, now at the right, zero at the bottom', () => {
    const now = 1_000_000;
    const history = {
      b: [point(now - CHART_WINDOW_MS - 1000, 999), point(now - CHART_WINDOW_MS, 0), point(now - CHART_WINDOW_MS / 2, 250), point(now, 500)],
      a: [point(now, 100)],
    };
    const chart = lineChart(['a', 'b'], history, (p) => p.cpuMillicores, now);
    expect(chart.max).toBe(500);
    expect(chart.series).toEqual([
      { pod: 'a', tone: 0, points: '360,80' },
      // The point older than the window is left out.
      { pod: 'b', tone: 1, points: '0,100 180,50 360,0' },
    ]);
  });
});
