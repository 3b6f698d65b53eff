import type { HpaCondition, HpaMetricView, HpaView, ScalingHealth } from '@eks-info/contracts';
import { parseQuantity } from '@eks-info/kube';
import type { Hpa } from './kube-objects';
import { isoTime } from './kube-objects';

/** The HPA controller's default tolerance (--horizontal-pod-autoscaler-tolerance): ratios within 10 % of 1 change nothing. */
export const TOLERANCE = 0.1;

interface Target {
  type?: string;
  averageUtilization?: number;
  averageValue?: string | number;
  value?: string | number;
}

interface Current {
  averageUtilization?: number;
  averageValue?: string | number;
  value?: string | number;
}

interface MetricSpec {
  type: string;
  resource?: { name: string; target: Target };
  containerResource?: { name: string; container: string; target: Target };
  pods?: { metric: { name: string }; target: Target };
  object?: { metric: { name: string }; target: Target; describedObject?: { kind?: string; name?: string } };
  external?: { metric: { name: string }; target: Target };
}

interface MetricStatus {
  type: string;
  resource?: { name: string; current: Current };
  containerResource?: { name: string; container: string; current: Current };
  pods?: { metric: { name: string }; current: Current };
  object?: { metric: { name: string }; current: Current };
  external?: { metric: { name: string }; current: Current };
}

interface Policy {
  type: string;
  value: number;
  periodSeconds: number;
}

interface Rules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: string;
  policies?: Policy[];
}

/** The controller's defaults when `behavior` leaves a direction out. */
const DEFAULT_UP: Required<Rules> = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
const DEFAULT_DOWN: Required<Rules> = { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

const round2 = (n: number) => Math.round(n * 100) / 100;

function quantity(q: string | number | undefined): number | null {
  if (q === undefined || q === null || q === '') return null;
  try {
    return parseQuantity(q);
  } catch {
    return null;
  }
}

/** A value in the metric's natural unit: CPU in millicores, memory in MiB, anything else as a number. */
function describeValue(metric: string, value: number | null, utilization: boolean): string {
  if (value === null) return '—';
  if (utilization) return `${round2(value)} %`;
  if (metric === 'cpu') return `${round2(value * 1000)}m`;
  if (metric === 'memory') return `${round2(value / 2 ** 20)} MiB`;
  return String(round2(value));
}

const trimNumber = (n: number) => String(round2(n));

/** One metric's view: what it measures, its current value against its target, and the replicas it alone asks for. */
function metricView(spec: MetricSpec, statuses: MetricStatus[], currentReplicas: number): HpaMetricView {
  const type = spec.type;
  const source = spec.resource ?? spec.containerResource ?? spec.pods ?? spec.object ?? spec.external;
  const name = spec.resource?.name ?? spec.containerResource?.name ?? (spec.pods ?? spec.object ?? spec.external)?.metric.name ?? 'metric';
  const target: Target = source?.target ?? {};
  const targetType = target.type ?? (target.averageUtilization !== undefined ? 'Utilization' : target.value !== undefined ? 'Value' : 'AverageValue');
  const status = statuses.find((s) => {
    if (s.type !== type) return false;
    if (type === 'Resource') return s.resource?.name === spec.resource?.name;
    if (type === 'ContainerResource')
      return s.containerResource?.name === spec.containerResource?.name && s.containerResource?.container === spec.containerResource?.container;
    const metricName = (s.pods ?? s.object ?? s.external)?.metric.name;
    return metricName === name;
  });
  const current: Current | undefined = (status?.resource ?? status?.containerResource ?? status?.pods ?? status?.object ?? status?.external)?.current;
  const utilization = targetType === 'Utilization';
  const targetValue = utilization
    ? (target.averageUtilization ?? 0)
    : targetType === 'Value'
      ? (quantity(target.value) ?? 0)
      : (quantity(target.averageValue) ?? 0);
  const currentValue = utilization
    ? (current?.averageUtilization ?? null)
    : targetType === 'Value'
      ? quantity(current?.value)
      : (quantity(current?.averageValue) ?? null);
  const label = `${name}${spec.containerResource ? ` (container ${spec.containerResource.container})` : ''}`;
  const base = {
    name: label,
    type,
    targetType,
    current: currentValue,
    target: targetValue,
    currentText: describeValue(name, currentValue, utilization),
    targetText: describeValue(name, targetValue, utilization),
  };
  if (currentValue === null || targetValue <= 0) {
    return { ...base, ratio: null, withinTolerance: false, proposal: null, formula: 'no current value yet' };
  }
  const ratio = currentValue / targetValue;
  const shownCurrent = utilization ? trimNumber(currentValue) : describeValue(name, currentValue, false);
  const shownTarget = utilization ? trimNumber(targetValue) : describeValue(name, targetValue, false);
  if (Math.abs(ratio - 1) <= TOLERANCE) {
    return {
      ...base,
      ratio: round2(ratio),
      withinTolerance: true,
      proposal: currentReplicas,
      formula: `${shownCurrent} / ${shownTarget} = ${round2(ratio)}, within the ${TOLERANCE * 100} % tolerance: stays at ${currentReplicas}`,
    };
  }
  const raw = currentReplicas * ratio;
  // Rounded before ceil so that e.g. 2 × 90 / 60 = 3.0000000000000004 proposes 3, as the controller does.
  const proposal = Math.ceil(Math.round(raw * 1e6) / 1e6);
  return {
    ...base,
    ratio: round2(ratio),
    withinTolerance: false,
    proposal,
    formula: `ceil(${currentReplicas} × ${shownCurrent} / ${shownTarget}) = ceil(${round2(raw)}) = ${proposal}`,
  };
}

/** "at most 4 pods or 100 % every 15 s (whichever allows more)". */
export function describePolicy(rules: Rules, direction: 'up' | 'down'): string {
  if (rules.selectPolicy === 'Disabled') return `scaling ${direction} is disabled (selectPolicy Disabled)`;
  const policies = rules.policies ?? [];
  if (!policies.length) return 'no rate limit';
  const parts = policies.map((p) => `${p.value}${p.type === 'Percent' ? ' %' : p.value === 1 ? ' pod' : ' pods'} per ${p.periodSeconds} s`);
  const which = policies.length > 1 ? ` (whichever allows ${rules.selectPolicy === 'Min' ? 'fewer' : 'more'})` : '';
  return `at most ${parts.join(' or ')}${which}`;
}

const minutes = (s: number) => (s % 60 === 0 && s >= 60 ? `${s / 60} min` : `${s} s`);
const clock = (iso: string) => iso.slice(11, 19);

export interface HpaContext {
  /** When the monitor last saw a recommendation at or above the current replicas (fallback for the end of a scale-down hold). */
  lastHighAt?: string | null;
  /** Ready replicas of the target workload, when the monitor watches it. */
  targetReady?: number | null;
}

/**
 * The HPA's replica maths redone from its spec and status, in plain words: per metric
 * `ceil(current × metric / target)` (unchanged within the 10 % tolerance), the largest proposal,
 * clamped to min/max, then what the controller did about it and why (stabilisation windows,
 * rate policies, its own conditions).
 */
export function hpaView(hpa: Hpa, context: HpaContext = {}): HpaView {
  const spec = hpa.spec;
  const status = hpa.status ?? ({} as NonNullable<Hpa['status']>);
  const minReplicas = spec?.minReplicas ?? 1;
  const maxReplicas = spec?.maxReplicas ?? minReplicas;
  const currentReplicas = status.currentReplicas ?? 0;
  const desiredReplicas = status.desiredReplicas ?? currentReplicas;
  const up: Rules = { ...DEFAULT_UP, ...(spec?.behavior?.scaleUp ?? {}) } as Rules;
  const down: Rules = { ...DEFAULT_DOWN, ...(spec?.behavior?.scaleDown ?? {}) } as Rules;
  const upWindow = up.stabilizationWindowSeconds ?? 0;
  const downWindow = down.stabilizationWindowSeconds ?? 300;
  const conditions: HpaCondition[] = (status.conditions ?? []).map((c) => ({
    type: c.type,
    status: c.status,
    reason: c.reason ?? null,
    message: c.message ?? null,
    lastTransitionTime: isoTime(c.lastTransitionTime),
  }));
  const cond = (type: string) => conditions.find((c) => c.type === type);
  const metrics = ((spec?.metrics ?? []) as unknown as MetricSpec[]).map((m) =>
    metricView(m, (status.currentMetrics ?? []) as unknown as MetricStatus[], currentReplicas),
  );
  const proposals = metrics.filter((m) => m.proposal !== null);
  const explanation: string[] = [];
  for (const m of metrics) {
    const what = m.targetType === 'Utilization' ? `${m.currentText} of requests vs target ${m.targetText}` : `${m.currentText} vs target ${m.targetText}`;
    explanation.push(m.proposal === null ? `${m.name}: no current value yet.` : `${m.name}: ${what}: ${m.formula}.`);
  }

  let computed: number | null = null;
  let limitedBy: HpaView['limitedBy'] = null;
  if (proposals.length) {
    const best = proposals.reduce((a, b) => ((b.proposal ?? 0) > (a.proposal ?? 0) ? b : a));
    const raw = best.proposal!;
    if (proposals.length > 1) explanation.push(`The largest proposal wins: ${raw} (${best.name}).`);
    computed = Math.min(maxReplicas, Math.max(minReplicas, raw));
    if (raw > maxReplicas) {
      limitedBy = 'maxReplicas';
      explanation.push(`Clamped to maxReplicas ${maxReplicas} (the maths asks for ${raw}).`);
    } else if (raw < minReplicas) {
      limitedBy = 'minReplicas';
      explanation.push(`Raised to minReplicas ${minReplicas} (the maths asks for ${raw}).`);
    }
  }

  const active = cond('ScalingActive');
  const able = cond('AbleToScale');
  const limited = cond('ScalingLimited');
  let state = 'stable';
  let scaleDownNotBefore: string | null = null;
  if (currentReplicas === 0) {
    state = 'unable';
    explanation.push('The target is scaled to zero: the HPA does nothing until it has replicas again.');
  } else if (active?.status === 'False') {
    state = 'unable';
    explanation.push(`The HPA cannot compute a recommendation (${active.reason ?? 'ScalingActive=False'}): ${active.message ?? 'no metrics'}.`);
  } else if (computed === null) {
    state = 'unable';
    explanation.push('No metric has a current value yet: the HPA needs metrics-server (metrics.k8s.io) and resource requests on the pods.');
  } else if (desiredReplicas > currentReplicas) {
    state = 'scaling-up';
    explanation.push(`Scaling up: ${currentReplicas} → ${desiredReplicas} replicas.`);
  } else if (desiredReplicas < currentReplicas) {
    state = 'scaling-down';
    explanation.push(`Scaling down: ${currentReplicas} → ${desiredReplicas} replicas.`);
  } else if (computed > currentReplicas) {
    state = 'scaling-up';
    const why =
      able?.status === 'False'
        ? ` but cannot yet (${able.reason ?? 'AbleToScale=False'}: ${able.message ?? ''})`
        : upWindow > 0
          ? ` once the scale-up stabilisation window (${minutes(upWindow)}) agrees`
          : ' at its next sync (every 15 s)';
    explanation.push(`The HPA will scale up to ${computed}${why}.`);
  } else if (computed < currentReplicas) {
    state = 'held';
    const stabilized = able?.reason === 'ScaleDownStabilized' ? able : undefined;
    const heldSince = stabilized?.lastTransitionTime ?? context.lastHighAt ?? null;
    if (heldSince && downWindow > 0) scaleDownNotBefore = new Date(Date.parse(heldSince) + downWindow * 1000).toISOString();
    explanation.push(
      `Not scaling down because of the scale-down stabilisation window (${minutes(downWindow)}): the HPA applies the highest recommendation of the last ${minutes(downWindow)}, and the load was higher within it.`,
    );
    if (scaleDownNotBefore) explanation.push(`If the load stays this low, it scales down to ${computed} at about ${clock(scaleDownNotBefore)} UTC.`);
  } else {
    explanation.push(
      limitedBy
        ? `Stable at ${currentReplicas} replicas: held at ${limitedBy} ${limitedBy === 'maxReplicas' ? maxReplicas : minReplicas}.`
        : `Stable at ${currentReplicas} replicas: the metrics are at their targets.`,
    );
  }
  if (limited?.status === 'True' && limited.message) {
    if (state === 'stable') state = 'limited';
    explanation.push(`The HPA reports it is limited: ${limited.message}.`);
  }
  if (context.targetReady !== undefined && context.targetReady !== null && context.targetReady < desiredReplicas) {
    explanation.push(`${context.targetReady} of ${desiredReplicas} replicas are Ready.`);
  }

  const health: ScalingHealth = state === 'unable' ? 'error' : state === 'stable' ? 'ok' : 'warn';
  return {
    namespace: hpa.metadata?.namespace ?? '',
    name: hpa.metadata?.name ?? '',
    target: { kind: spec?.scaleTargetRef?.kind ?? '', name: spec?.scaleTargetRef?.name ?? '' },
    minReplicas,
    maxReplicas,
    currentReplicas,
    desiredReplicas,
    lastScaleTime: isoTime(status.lastScaleTime),
    metrics,
    computedReplicas: computed,
    limitedBy,
    scaleUpWindowSeconds: upWindow,
    scaleDownWindowSeconds: downWindow,
    scaleUpPolicy: describePolicy(up, 'up'),
    scaleDownPolicy: describePolicy(down, 'down'),
    scaleDownNotBefore,
    conditions,
    state,
    health,
    explanation,
  };
}

/** The metric that asks for the most replicas, for an HPA event's trigger ("cpu 95 % of requests > target 60 %"). */
export function hpaTrigger(view: HpaView): { text: string; metric?: HpaMetricView } {
  const withValue = view.metrics.filter((m) => m.current !== null);
  if (!withValue.length) return { text: 'no metric values' };
  const top = withValue.reduce((a, b) => ((b.ratio ?? 0) > (a.ratio ?? 0) ? b : a));
  const cmp = (top.ratio ?? 1) > 1 ? '>' : (top.ratio ?? 1) < 1 ? '<' : '=';
  const of = top.targetType === 'Utilization' ? ' of requests' : '';
  return { text: `${top.name} ${top.currentText}${of} ${cmp} target ${top.targetText}`, metric: top };
}
