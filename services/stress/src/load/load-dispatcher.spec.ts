import type { WorkUnit } from '@eks-info/contracts';
import { LoadDispatcher } from './load-dispatcher';

describe('LoadDispatcher', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  function dispatcher(unitMs = 100) {
    const units: WorkUnit[] = [];
    return { units, d: new LoadDispatcher({ unitMs, pod: 'stress-a', node: 'n1', publish: (u) => units.push(u) }) };
  }

  it('publishes millicores ÷ unit ms units per second, numbered, for the duration, then completes', () => {
    const { units, d } = dispatcher();
    const status = d.start('load-1', 1500, 10);
    expect(status).toMatchObject({ unitsPerSecond: 15, state: 'running', dispatcher: { pod: 'stress-a', node: 'n1' } });
    jest.advanceTimersByTime(4000);
    expect(units).toHaveLength(60);
    expect(units.map((u) => u.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(units.every((u) => u.cpuMs === 100 && u.loadId === 'load-1')).toBe(true);
    jest.advanceTimersByTime(7000);
    expect(units).toHaveLength(150);
    expect(d.current).toBeNull();
    expect(d.status(d.known('load-1'))).toMatchObject({ state: 'completed', published: 150, progress: 1 });
  });

  it('stops publishing on stop, and only for its own id', () => {
    const { units, d } = dispatcher(50);
    d.start('load-2', 1000, 60);
    jest.advanceTimersByTime(1000);
    expect(units).toHaveLength(20);
    expect(d.stop('other')).toBeNull();
    expect(d.stop('load-2')).toMatchObject({ state: 'stopped', published: 20 });
    jest.advanceTimersByTime(5000);
    expect(units).toHaveLength(20);
    // The heartbeat reports the ended load as the last one (how and when it ended), not as current.
    expect(d.status()).toBeNull();
    expect(d.lastStatus()).toMatchObject({ id: 'load-2', state: 'stopped', finishedAt: expect.stringMatching(/^\d{4}-/) });
  });
});
