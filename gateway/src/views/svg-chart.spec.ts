import { niceMax, timeChart } from './svg-chart';

describe('server-drawn SVG charts', () => {
  it('rounds the top of the scale up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0, 1, 7, 10, 11, 240, 251, 437, 999, 1001].map(niceMax)).toEqual([1, 1, 10, 10, 20, 250, 500, 500, 1000, 2000]);
  });

  it('places values by time and by the rounded top, breaks lines at gaps and leaves out what is outside the window', () => {
    const from = Date.parse('2026-12-05T10:00:00Z');
    const to = from + 600_000;
    const chart = timeChart(
      [
        {
          name: 'used',
          values: [
            { t: from - 60_000, v: 99 }, // before the window: not drawn, not in the scale
            { t: from, v: 0 },
            { t: from + 300_000, v: 3.2 },
            { t: from + 360_000, v: null },
            { t: to, v: 4 },
          ],
        },
        { name: 'none', values: [] },
      ],
      { from, to, format: (v) => `${v} cores`, width: 200, height: 124 },
    );
    // Plot area: x 64…190 over 10 minutes, y 100 (zero) … 10 (the top, 5).
    expect(chart.plot).toEqual({ left: 64, top: 10, right: 190, bottom: 100 });
    expect(chart.max).toBe(5);
    expect(chart.series[0].lines).toEqual(['64,100 127,42.4', '190,28']);
    expect(chart.series[0].last).toBe('4 cores');
    expect(chart.series[0].peak).toBe('4 cores');
    expect(chart.series[1]).toEqual({ name: 'none', tone: 1, lines: [], last: null, peak: null });
    expect(chart.yTicks.map((t) => t.label)).toEqual(['0 cores', '1.25 cores', '2.5 cores', '3.75 cores', '5 cores']);
    expect(chart.xTicks.map((t) => t.label)).toEqual(['10:00', '10:02', '10:05', '10:07', '10:10']);
    expect(chart.empty).toBe(false);
  });

  it('says it is empty when no series has a value in the window, and labels days on long windows', () => {
    const from = Date.parse('2026-12-01T00:00:00Z');
    const chart = timeChart([{ name: 'a', values: [{ t: from + 1, v: null }] }], { from, to: from + 4 * 86_400_000, format: String, xTicks: 2 });
    expect(chart.empty).toBe(true);
    expect(chart.max).toBe(1);
    expect(chart.xTicks.map((t) => t.label)).toEqual(['12-01 00:00', '12-03 00:00', '12-05 00:00']);
  });
});
