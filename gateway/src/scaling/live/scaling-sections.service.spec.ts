import Handlebars from 'handlebars';
import type { ScalingSnapshot } from '@eks-info/contracts';
import { ViewRenderer } from '../../views/view-renderer';
import { SCALING_SECTIONS, ScalingSectionsService } from './scaling-sections.service';
import type { ScalingStreamHub } from './scaling-stream.hub';

/** Every section renders as the version of the snapshot it shows, counted. */
function counting(): { views: ViewRenderer; renders: () => number } {
  const hbs = Handlebars.create();
  let count = 0;
  hbs.registerHelper('counted', () => {
    count++;
    return '';
  });
  for (const partial of Object.values(SCALING_SECTIONS)) hbs.registerPartial(partial, '{{counted}}v{{snapshot.version}}');
  return { views: new ViewRenderer(hbs, '/nowhere'), renders: () => count / Object.keys(SCALING_SECTIONS).length };
}

const snapshot = (version: number) =>
  ({
    startedAt: '2026-01-01T00:00:00.000Z',
    version,
    nodeEvents: { status: 'ok', data: [] },
    nodeCards: { status: 'unavailable', code: 'X', message: 'x' },
    overview: { status: 'unavailable', code: 'X', message: 'x' },
  }) as unknown as ScalingSnapshot;

describe('ScalingSectionsService.forPage', () => {
  const hub = { watchSnapshots: () => () => undefined } as unknown as ScalingStreamHub;
  let service: ScalingSectionsService;
  let renders: () => number;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const c = counting();
    renders = c.renders;
    service = new ScalingSectionsService(hub, c.views);
  });
  afterEach(() => {
    service.onModuleDestroy();
    jest.useRealTimers();
  });

  const shown = (r: { html: Record<string, string> }) => r.html['scaling-summary'];

  it('renders a newer snapshot for a page view, and reuses the rendering for views of the same one', () => {
    expect(shown(service.forPage(snapshot(1)))).toBe('v1');
    expect(shown(service.forPage(snapshot(1)))).toBe('v1');
    jest.advanceTimersByTime(ScalingSectionsService.MIN_INTERVAL_MS);
    expect(shown(service.forPage(snapshot(2)))).toBe('v2');
    expect(renders()).toBe(2);
  });

  it('renders at most once per interval however often page views bring newer snapshots; the newest is rendered next', async () => {
    service.forPage(snapshot(1));
    jest.advanceTimersByTime(100);
    // A cluster changing every 50 ms: each view carries a newer snapshot.
    expect(shown(service.forPage(snapshot(3)))).toBe('v1');
    expect(shown(service.forPage(snapshot(2)))).toBe('v1');
    expect(renders()).toBe(1);
    await jest.advanceTimersByTimeAsync(ScalingSectionsService.MIN_INTERVAL_MS);
    // The throttled render took the newest of them, and views now get it without rendering.
    expect(renders()).toBe(2);
    expect(shown(service.forPage(snapshot(3)))).toBe('v3');
    expect(renders()).toBe(2);
  });
});
