import { StressRules } from '@eks-info/contracts';

/**
 * The HorizontalPodAutoscaler controller's replica calculation for one CPU utilisation metric,
 * as kube-controller-manager does it (pkg/controller/podautoscaler: replica_calculator.go and
 * the behaviour code of horizontal.go), with the project's own formula at its heart
 * (`StressRules.expectedReplicas`: ceil(current × utilisation / target), the 10 % tolerance,
 * min/max). Pure: the simulated cluster feeds it the pods and their measured CPU and writes
 * what it returns into the HPA's status.
 */

/** One pod of the scale target as the controller sees it. */
export interface HpaPod {
  name: string;
  /** Running and Ready (a Pending or starting pod has no say in a scale-up). */
  ready: boolean;
  /** Phase Pending: not running yet (kube counts it like an unready pod). */
  pending: boolean;
  /** Sum of the containers' CPU requests. */
  requestMillicores: number;
  /** Measured CPU over the metrics window; null when there is no sample yet. */
  usageMillicores: number | null;
}

export interface HpaPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface HpaRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: HpaPolicy[];
}

export interface HpaSpecInput {
  minReplicas: number;
  maxReplicas: number;
  /** averageUtilization target of the CPU metric, in % of requests. */
  targetUtilization: number;
  scaleUp: HpaRules;
  scaleDown: HpaRules;
}

/** A recommendation the controller made earlier (for the stabilisation windows). */
export interface Recommendation {
  at: number;
  replicas: number;
}

/** A change of the replica count the controller made earlier (for the rate policies). */
export interface ScaleEvent {
  at: number;
  /** Replicas added (positive) or removed (negative). */
  change: number;
}

export interface HpaInput {
  spec: HpaSpecInput;
  /** The scale target's spec.replicas. */
  currentReplicas: number;
  pods: HpaPod[];
  /** Epoch ms now. */
  now: number;
  recommendations: Recommendation[];
  events: ScaleEvent[];
}

export interface HpaCondition {
  type: 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export interface HpaDecision {
  /** The replica count the controller sets. */
  desired: number;
  /** The raw recommendation from the metric (before stabilisation and rate limits). */
  recommendation: number;
  /** Average utilisation over the pods with a sample (what status.currentMetrics shows); null without samples. */
  utilization: number | null;
  /** Average CPU per pod with a sample, in millicores. */
  averageMillicores: number | null;
  /** The formula in words (from `StressRules.expectedReplicas`), with the adjustments made. */
  explanation: string;
  conditions: HpaCondition[];
}

const round = (n: number) => Math.round(n);

/**
 * kube's GetResourceReplicas: utilisation over the pods with samples; when pods are missing a
 * sample or not ready, recomputed with them at 0 % (scale-up) or 100 % (missing, scale-down),
 * and the current count kept if that flips the direction or falls within the tolerance.
 */
export function metricRecommendation(
  spec: HpaSpecInput,
  currentReplicas: number,
  pods: HpaPod[],
): { replicas: number; utilization: number | null; averageMillicores: number | null; explanation: string } | null {
  const tolerance = StressRules.hpaTolerance;
  const sampled = pods.filter((p) => !p.pending && p.ready && p.usageMillicores !== null && p.requestMillicores > 0);
  if (!sampled.length) return null;
  const unready = pods.filter((p) => p.pending || !p.ready);
  const missing = pods.filter((p) => !p.pending && p.ready && p.usageMillicores === null);
  const usage = sampled.reduce((s, p) => s + p.usageMillicores!, 0);
  const requests = sampled.reduce((s, p) => s + p.requestMillicores, 0);
  const utilization = (usage * 100) / requests;
  const averageMillicores = usage / sampled.length;
  const ratio = utilization / spec.targetUtilization;
  const base = StressRules.expectedReplicas({
    currentReplicas: sampled.length,
    utilization,
    target: spec.targetUtilization,
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
  });
  if (!unready.length && !missing.length) {
    // Everything measured: the formula as it stands (within the tolerance: no change).
    const replicas = base.withinTolerance ? currentReplicas : base.unclamped;
    return { replicas, utilization, averageMillicores, explanation: base.explanation };
  }
  // Not every pod has a say: kube assumes the worst case for the direction it is moving in.
  const scalingUp = ratio > 1;
  let adjustedUsage = usage;
  let adjustedRequests = requests;
  let counted = sampled.length;
  for (const p of missing) {
    adjustedUsage += scalingUp ? 0 : p.requestMillicores;
    adjustedRequests += p.requestMillicores;
    counted++;
  }
  if (scalingUp) {
    for (const p of unready) {
      adjustedRequests += p.requestMillicores;
      counted++;
    }
  }
  const adjustedUtilization = (adjustedUsage * 100) / adjustedRequests;
  const adjustedRatio = adjustedUtilization / spec.targetUtilization;
  const why = `${unready.length} pod${unready.length === 1 ? '' : 's'} not Ready${missing.length ? `, ${missing.length} without a sample` : ''}`;
  if (Math.abs(1 - adjustedRatio) <= tolerance || (ratio < 1 && adjustedRatio > 1) || (ratio > 1 && adjustedRatio < 1)) {
    return {
      replicas: currentReplicas,
      utilization,
      averageMillicores,
      explanation: `${base.explanation} With ${why} counted at ${scalingUp ? '0' : '100'} %, the ratio is ${adjustedRatio.toFixed(2)}: the HPA keeps ${currentReplicas}.`,
    };
  }
  const adjusted = StressRules.expectedReplicas({
    currentReplicas: counted,
    utilization: adjustedUtilization,
    target: spec.targetUtilization,
    minReplicas: spec.minReplicas,
    maxReplicas: spec.maxReplicas,
  });
  let replicas = adjusted.unclamped;
  if ((adjustedRatio < 1 && replicas > currentReplicas) || (adjustedRatio > 1 && replicas < currentReplicas)) replicas = currentReplicas;
  return {
    replicas,
    utilization,
    averageMillicores,
    explanation: `${base.explanation} With ${why} counted at ${scalingUp ? '0' : '100'} %: ${adjusted.explanation}`,
  };
}

/** kube's stabilizeRecommendationWithBehaviors: the lowest recent recommendation up, the highest down. */
export function stabilize(
  recommendation: number,
  currentReplicas: number,
  spec: HpaSpecInput,
  history: Recommendation[],
  now: number,
): { replicas: number; stabilizedDown: boolean } {
  let up = recommendation;
  let down = recommendation;
  const upFrom = now - spec.scaleUp.stabilizationWindowSeconds * 1000;
  const downFrom = now - spec.scaleDown.stabilizationWindowSeconds * 1000;
  for (const r of history) {
    if (r.at > upFrom) up = Math.min(up, r.replicas);
    if (r.at > downFrom) down = Math.max(down, r.replicas);
  }
  let replicas = currentReplicas;
  if (replicas < up) replicas = up;
  if (replicas > down) replicas = down;
  return { replicas, stabilizedDown: replicas > recommendation && replicas <= currentReplicas && recommendation < currentReplicas };
}

/** The most (or least) a direction's policies allow within their periods, as kube's calculateScaleUp/DownLimitWithScalingRules. */
function policyLimit(currentReplicas: number, events: ScaleEvent[], rules: HpaRules, up: boolean, now: number): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  let limit = rules.selectPolicy === 'Min' ? (up ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER) : up ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies) {
    const from = now - p.periodSeconds * 1000;
    const changed = events.filter((e) => e.at > from && (up ? e.change > 0 : e.change < 0)).reduce((s, e) => s + e.change, 0);
    const periodStart = currentReplicas - changed;
    const proposed = up
      ? p.type === 'Pods'
        ? periodStart + p.value
        : Math.ceil(periodStart * (1 + p.value / 100))
      : p.type === 'Pods'
        ? periodStart - p.value
        : Math.ceil(periodStart * (1 - p.value / 100));
    const pickHigher = up ? rules.selectPolicy !== 'Min' : rules.selectPolicy === 'Min';
    limit = pickHigher ? Math.max(limit, proposed) : Math.min(limit, proposed);
  }
  return limit;
}

/**
 * One sync of the HPA: the metric's recommendation, the stabilisation windows, the rate
 * policies, min and max — and the conditions kube writes for the outcome.
 */
export function decideReplicas(input: HpaInput): HpaDecision {
  const { spec, currentReplicas, now } = input;
  const metric = metricRecommendation(spec, currentReplicas, input.pods);
  if (!metric) {
    return {
      desired: currentReplicas,
      recommendation: currentReplicas,
      utilization: null,
      averageMillicores: null,
      explanation: 'No CPU sample from any Ready pod yet: the HPA keeps the current count.',
      conditions: [
        { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" },
        {
          type: 'ScalingActive',
          status: 'False',
          reason: 'FailedGetResourceMetric',
          message:
            'the HPA was unable to compute the replica count: failed to get cpu utilization: did not receive metrics for targeted pods (pods might be unready)',
        },
      ],
    };
  }
  const stabilized = stabilize(metric.replicas, currentReplicas, spec, input.recommendations, now);
  let desired = stabilized.replicas;
  let limited: HpaCondition | null = null;
  if (desired > currentReplicas) {
    const limit = policyLimit(currentReplicas, input.events, spec.scaleUp, true, now);
    const cap = Math.min(limit, spec.maxReplicas);
    if (desired > cap) {
      desired = cap;
      limited =
        limit < spec.maxReplicas
          ? {
              type: 'ScalingLimited',
              status: 'True',
              reason: 'ScaleUpLimit',
              message: 'the desired replica count is increasing faster than the maximum scale rate',
            }
          : { type: 'ScalingLimited', status: 'True', reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
    }
  } else if (desired < currentReplicas) {
    const limit = policyLimit(currentReplicas, input.events, spec.scaleDown, false, now);
    const floor = Math.max(limit, spec.minReplicas);
    if (desired < floor) {
      desired = floor;
      limited =
        limit > spec.minReplicas
          ? {
              type: 'ScalingLimited',
              status: 'True',
              reason: 'ScaleDownLimit',
              message: 'the desired replica count is decreasing faster than the maximum scale rate',
            }
          : { type: 'ScalingLimited', status: 'True', reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
    }
  }
  // Limits apply to the stabilised count: a recommendation below min that the window holds up is within range.
  desired = Math.max(spec.minReplicas, Math.min(spec.maxReplicas, desired));

  const able: HpaCondition =
    desired !== currentReplicas
      ? { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desired}` }
      : stabilized.stabilizedDown
        ? {
            type: 'AbleToScale',
            status: 'True',
            reason: 'ScaleDownStabilized',
            message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
          }
        : { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
  let explanation = metric.explanation;
  if (stabilized.stabilizedDown) explanation += ` The scale-down stabilisation window holds ${desired} (the highest recommendation in it).`;
  if (limited?.reason === 'ScaleUpLimit') explanation += ` The scale-up policies allow ${desired} for now.`;
  return {
    desired,
    recommendation: metric.replicas,
    utilization: round(metric.utilization!),
    averageMillicores: round(metric.averageMillicores!),
    explanation,
    conditions: [
      able,
      {
        type: 'ScalingActive',
        status: 'True',
        reason: 'ValidMetricFound',
        message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
      },
      limited ?? { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' },
    ],
  };
}
