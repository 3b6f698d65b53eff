import type { Section } from '../../common/section';
import type { Served } from '../../common/served-by';

/** The bounds a pod enforces; pages use them for their form limits. */
export interface StressBounds {
  minDurationSeconds: number;
  maxDurationSeconds: number;
  maxWorkers: number;
  memoryHeadroomPercent: number;
  maxLoadMillicores: number;
  workUnitMs: number;
}

export interface StressHpaMetric {
  /** cpu, memory, or the name of another metric. */
  name: string;
  type: string;
  targetUtilization: number | null;
  currentUtilization: number | null;
  /** Raw current value when the metric is not a utilisation (e.g. "250m"). */
  currentValue: string | null;
}

/** "The replicas the HPA should want": ceil(current × utilisation / target), within min/max. */
export interface StressExpectedReplicas {
  replicas: number;
  /** Before clamping to min/max. */
  unclamped: number;
  currentReplicas: number;
  utilization: number;
  target: number;
  /** Within the HPA's 10 % tolerance the HPA keeps the current count. */
  withinTolerance: boolean;
  explanation: string;
}

export interface StressHpaView {
  name: string;
  namespace: string;
  /** The workload it scales (scaleTargetRef). */
  target: { kind: string; name: string } | null;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
  metrics: StressHpaMetric[];
  lastScaleTime: string | null;
  conditions: Array<{ type: string; status: string; reason: string; message: string }>;
  /** From the HPA's own CPU metric, when it has one. */
  expected: StressExpectedReplicas | null;
}

export interface StressOverview extends Served {
  bounds: StressBounds;
  /** The stress HPA from an informer; "unavailable" outside a cluster or without STRESS_HPA_NAME. */
  hpa: Section<StressHpaView>;
  /** CPU target for the "replicas at the current load" sum: the HPA's, else the chart's default. */
  cpuTargetPercent: number;
  cpuTargetSource: 'hpa' | 'default';
}
