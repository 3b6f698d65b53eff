import { kubeFixtures as fx } from '@eks-info/testing';
import type { Hpa } from './kube-objects';
import { describePolicy, hpaTrigger, hpaView } from './hpa-maths';

/** An HPA with a given CPU (and optional memory) utilisation and replica status. */
function hpa(o: {
  cpu?: number;
  memory?: number;
  memoryTarget?: number;
  current: number;
  desired?: number;
  min?: number;
  max?: number;
  conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
}): Hpa {
  const obj = fx.horizontalPodAutoscaler({
    name: 'web',
    minReplicas: o.min ?? 1,
    maxReplicas: o.max ?? 10,
    cpuTarget: 60,
    memoryTarget: o.memoryTarget,
    currentCpu: o.cpu,
    currentMemory: o.memory,
    currentReplicas: o.current,
    desiredReplicas: o.desired ?? o.current,
    conditions: o.conditions,
  });
  return obj as unknown as Hpa;
}

describe('hpaView: the replica maths in words', () => {
  it('proposes ceil(current × metric / target) and says it will scale up', () => {
    const v = hpaView(hpa({ cpu: 95, current: 2 }));
    expect(v.metrics[0]).toMatchObject({
      name: 'cpu',
      current: 95,
      target: 60,
      ratio: 1.58,
      proposal: 4,
      withinTolerance: false,
      formula: 'ceil(2 × 95 / 60) = ceil(3.17) = 4',
    });
    expect(v.computedReplicas).toBe(4);
    expect(v.state).toBe('scaling-up');
    expect(v.explanation).toEqual([
      'cpu: 95 % of requests vs target 60 %: ceil(2 × 95 / 60) = ceil(3.17) = 4.',
      'The HPA will scale up to 4 at its next sync (every 15 s).',
    ]);
  });

  it('changes nothing within the 10 % tolerance', () => {
    const v = hpaView(hpa({ cpu: 65, current: 3 }));
    expect(v.metrics[0]).toMatchObject({ withinTolerance: true, proposal: 3, formula: '65 / 60 = 1.08, within the 10 % tolerance: stays at 3' });
    expect(v.state).toBe('stable');
    expect(v.explanation.at(-1)).toBe('Stable at 3 replicas: the metrics are at their targets.');
  });

  it('does not let floating point push an exact ratio to the next replica', () => {
    // 2 × 90 / 60 is 3.0000000000000004 in binary floating point; the controller proposes 3.
    expect(hpaView(hpa({ cpu: 90, current: 2 })).metrics[0].proposal).toBe(3);
  });

  it('takes the largest proposal over the metrics and clamps it to maxReplicas', () => {
    const v = hpaView(hpa({ cpu: 120, memory: 200, memoryTarget: 50, current: 3, max: 8 }));
    expect(v.metrics.map((m) => [m.name, m.proposal])).toEqual([
      ['cpu', 6],
      ['memory', 12],
    ]);
    expect(v.computedReplicas).toBe(8);
    expect(v.limitedBy).toBe('maxReplicas');
    expect(v.explanation).toContain('The largest proposal wins: 12 (memory).');
    expect(v.explanation).toContain('Clamped to maxReplicas 8 (the maths asks for 12).');
  });

  it('explains a held scale-down with the window and when it ends', () => {
    const v = hpaView(
      hpa({
        cpu: 15,
        current: 4,
        conditions: [
          {
            type: 'AbleToScale',
            status: 'True',
            reason: 'ScaleDownStabilized',
            message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
          },
        ],
      }),
    );
    expect(v.computedReplicas).toBe(1);
    expect(v.state).toBe('held');
    expect(v.explanation[1]).toBe(
      'Not scaling down because of the scale-down stabilisation window (5 min): the HPA applies the highest recommendation of the last 5 min, and the load was higher within it.',
    );
    const since = v.conditions.find((c) => c.type === 'AbleToScale')!.lastTransitionTime!;
    expect(v.scaleDownNotBefore).toBe(new Date(Date.parse(since) + 300_000).toISOString());
    expect(v.explanation[2]).toMatch(/^If the load stays this low, it scales down to 1 at about \d\d:\d\d:\d\d UTC\.$/);
  });

  it('says when there is nothing to compute yet, and why the HPA cannot', () => {
    const noMetrics = hpaView(hpa({ current: 2 }));
    expect(noMetrics.state).toBe('unable');
    expect(noMetrics.computedReplicas).toBeNull();
    expect(noMetrics.explanation.at(-1)).toMatch(/^No metric has a current value yet/);
    const inactive = hpaView(
      hpa({
        current: 2,
        conditions: [{ type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: 'unable to get metrics for resource cpu' }],
      }),
    );
    expect(inactive.health).toBe('error');
    expect(inactive.explanation.at(-1)).toBe('The HPA cannot compute a recommendation (FailedGetResourceMetric): unable to get metrics for resource cpu.');
  });

  it('reports a decision being carried out', () => {
    expect(hpaView(hpa({ cpu: 95, current: 2, desired: 4 })).explanation.at(-1)).toBe('Scaling up: 2 → 4 replicas.');
    expect(hpaView(hpa({ cpu: 10, current: 4, desired: 2 })).explanation.at(-1)).toBe('Scaling down: 4 → 2 replicas.');
  });

  it('describes the rate policies and the trigger of a decision', () => {
    expect(
      describePolicy(
        {
          selectPolicy: 'Max',
          policies: [
            { type: 'Pods', value: 4, periodSeconds: 15 },
            { type: 'Percent', value: 100, periodSeconds: 15 },
          ],
        },
        'up',
      ),
    ).toBe('at most 4 pods per 15 s or 100 % per 15 s (whichever allows more)');
    expect(describePolicy({ selectPolicy: 'Disabled' }, 'down')).toBe('scaling down is disabled (selectPolicy Disabled)');
    expect(hpaTrigger(hpaView(hpa({ cpu: 95, current: 2 }))).text).toBe('cpu 95 % of requests > target 60 %');
  });
});
