import { decideReplicas, type HpaPod, type HpaSpecInput } from './hpa-algorithm';

/**
 * The simulated HPA's decisions against inputs worked out by hand with the controller's rules:
 * ceil(pods × utilisation / target), the 10 % tolerance, unready pods at 0 % on the way up and
 * missing samples at 100 % on the way down, the scale-down stabilisation window, the scale-up
 * rate policies and min/max.
 */
const spec = (o: Partial<HpaSpecInput> = {}): HpaSpecInput => ({
  minReplicas: 2,
  maxReplicas: 6,
  targetUtilization: 60,
  scaleUp: {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  },
  scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
  ...o,
});

const ready = (name: string, usage: number | null, request = 200): HpaPod => ({
  name,
  ready: true,
  pending: false,
  requestMillicores: request,
  usageMillicores: usage,
});
const pendingPod = (name: string): HpaPod => ({ name, ready: false, pending: true, requestMillicores: 200, usageMillicores: null });
const NOW = Date.parse('2025-06-01T12:00:00Z');
const decide = (o: { spec?: HpaSpecInput; current: number; pods: HpaPod[]; recommendations?: Array<{ at: number; replicas: number }> }) =>
  decideReplicas({ spec: o.spec ?? spec(), currentReplicas: o.current, pods: o.pods, now: NOW, recommendations: o.recommendations ?? [], events: [] });
const condition = (d: ReturnType<typeof decideReplicas>, type: string) => d.conditions.find((c) => c.type === type);

describe('the simulated HPA', () => {
  it('2 pods at 230m and 250m of 200m requests (120 %) against 60 %: ceil(2 × 120 / 60) = 4', () => {
    const d = decide({ current: 2, pods: [ready('a', 230), ready('b', 250)] });
    expect(d).toMatchObject({ desired: 4, recommendation: 4, utilization: 120, averageMillicores: 240 });
    expect(condition(d, 'AbleToScale')).toMatchObject({ reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale to 4' });
    expect(condition(d, 'ScalingLimited')).toMatchObject({ status: 'False', reason: 'DesiredWithinRange' });
    expect(d.explanation).toContain('ceil(2 × 120 / 60) = 4');
  });

  it('65 % against 60 % is within the 10 % tolerance: it keeps 2', () => {
    const d = decide({ current: 2, pods: [ready('a', 130), ready('b', 130)] });
    expect(d).toMatchObject({ desired: 2, utilization: 65 });
    expect(condition(d, 'AbleToScale')?.reason).toBe('ReadyForNewScale');
  });

  it('250 % wants ceil(2 × 250 / 60) = 9: capped at max 6 (the rate policies allow max(2 + 4, 2 × 2) = 6 too)', () => {
    const d = decide({ current: 2, pods: [ready('a', 500), ready('b', 500)] });
    expect(d).toMatchObject({ desired: 6, recommendation: 9 });
    expect(condition(d, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
  });

  it('with max 10 the same load is held to 6 by the scale-up policies (Pods 4, Percent 100 per 15 s)', () => {
    const d = decide({ spec: spec({ maxReplicas: 10 }), current: 2, pods: [ready('a', 500), ready('b', 500)] });
    expect(d).toMatchObject({ desired: 6, recommendation: 9 });
    expect(condition(d, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'ScaleUpLimit' });
  });

  it('Pending pods count at 0 % on the way up: 2 Ready at 90 % and 2 Pending is 45 % over 4, the direction flips, it keeps 4', () => {
    const d = decide({ current: 4, pods: [ready('a', 180), ready('b', 180), pendingPod('c'), pendingPod('d')] });
    expect(d).toMatchObject({ desired: 4, utilization: 90 });
    expect(d.explanation).toContain('2 pods not Ready');
  });

  it('2 Ready at 150 % and 1 Pending: 600m over 600m = 100 % over 3 pods, ceil(3 × 100 / 60) = 5', () => {
    const d = decide({ current: 3, pods: [ready('a', 300), ready('b', 300), pendingPod('c')] });
    expect(d).toMatchObject({ desired: 5, recommendation: 5, utilization: 150 });
  });

  it('a Ready pod without a sample counts at 100 % on the way down: (3 × 20m + 200m) / 800m = 32.5 %, ceil(4 × 32.5 / 60) = 3', () => {
    const d = decide({ current: 4, pods: [ready('a', 20), ready('b', 20), ready('c', 20), ready('d', null)] });
    expect(d).toMatchObject({ desired: 3, recommendation: 3, utilization: 10 });
  });

  it('the scale-down stabilisation window holds the highest recommendation of the last 300 s', () => {
    const pods = [ready('a', 20), ready('b', 20), ready('c', 20), ready('d', 20)];
    const held = decide({ current: 4, pods, recommendations: [{ at: NOW - 10_000, replicas: 4 }] });
    expect(held).toMatchObject({ desired: 4, recommendation: 1 });
    expect(condition(held, 'AbleToScale')?.reason).toBe('ScaleDownStabilized');
    expect(condition(held, 'ScalingLimited')?.reason).toBe('DesiredWithinRange');
    // Once the window has passed: ceil(4 × 10 / 60) = 1, raised to min 2.
    const after = decide({ current: 4, pods, recommendations: [{ at: NOW - 301_000, replicas: 4 }] });
    expect(after).toMatchObject({ desired: 2, recommendation: 1 });
    expect(condition(after, 'ScalingLimited')).toMatchObject({ status: 'True', reason: 'TooFewReplicas' });
  });

  it("the demo's compressed window (300 s at 0.1 real s per second: 30 s in the spec) holds 30 s", () => {
    const pods = [ready('a', 20), ready('b', 20), ready('c', 20), ready('d', 20)];
    const compressed = spec({
      scaleDown: { stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 2 }] },
    });
    expect(decide({ spec: compressed, current: 4, pods, recommendations: [{ at: NOW - 25_000, replicas: 4 }] }).desired).toBe(4);
    expect(decide({ spec: compressed, current: 4, pods, recommendations: [{ at: NOW - 35_000, replicas: 4 }] }).desired).toBe(2);
  });

  it('without a sample from any Ready pod it keeps the count and says it has no metric', () => {
    const d = decide({ current: 2, pods: [ready('a', null), pendingPod('b')] });
    expect(d).toMatchObject({ desired: 2, utilization: null });
    expect(condition(d, 'ScalingActive')).toMatchObject({ status: 'False', reason: 'FailedGetResourceMetric' });
  });
});
