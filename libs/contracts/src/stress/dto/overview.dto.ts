import { z } from 'zod';
import { sectionOf } from '../../common/section';
import { Served } from '../../common/served-by';
import { Simulated } from '../../environment/simulation';

/** The bounds a pod enforces; pages use them for their form limits. */
export const StressBounds = z.object({
  minDurationSeconds: z.number(),
  maxDurationSeconds: z.number(),
  maxWorkers: z.number(),
  memoryHeadroomPercent: z.number(),
  maxLoadMillicores: z.number(),
  workUnitMs: z.number(),
});
export type StressBounds = z.output<typeof StressBounds>;

export const StressHpaMetric = z.object({
  /** cpu, memory, or the name of another metric. */
  name: z.string(),
  type: z.string(),
  targetUtilization: z.number().nullable(),
  currentUtilization: z.number().nullable(),
  /** Raw current value when the metric is not a utilisation (e.g. "250m"). */
  currentValue: z.string().nullable(),
});
export type StressHpaMetric = z.output<typeof StressHpaMetric>;

/** "The replicas the HPA should want": ceil(current × utilisation / target), within min/max. */
export const StressExpectedReplicas = z.object({
  replicas: z.number(),
  /** Before clamping to min/max. */
  unclamped: z.number(),
  currentReplicas: z.number(),
  utilization: z.number(),
  target: z.number(),
  /** Within the HPA's 10 % tolerance the HPA keeps the current count. */
  withinTolerance: z.boolean(),
  explanation: z.string(),
});
export type StressExpectedReplicas = z.output<typeof StressExpectedReplicas>;

export const StressHpaView = z.object({
  name: z.string(),
  namespace: z.string(),
  /** The workload it scales (scaleTargetRef). */
  target: z
    .object({
      kind: z.string(),
      name: z.string(),
    })
    .nullable(),
  minReplicas: z.number(),
  maxReplicas: z.number(),
  currentReplicas: z.number(),
  desiredReplicas: z.number(),
  metrics: z.array(StressHpaMetric),
  lastScaleTime: z.string().nullable(),
  conditions: z.array(
    z.object({
      type: z.string(),
      status: z.string(),
      reason: z.string(),
      message: z.string(),
    }),
  ),
  /** From the HPA's own CPU metric, when it has one. */
  expected: StressExpectedReplicas.nullable(),
  /** `npm run demo`: the HPA lives in the simulated cluster. */
  simulated: Simulated.optional(),
});
export type StressHpaView = z.output<typeof StressHpaView>;

export const StressOverview = z.object({
  ...Served.shape,
  bounds: StressBounds,
  /** The stress HPA from an informer; "unavailable" outside a cluster or without STRESS_HPA_NAME. */
  hpa: sectionOf(StressHpaView),
  /** CPU target for the "replicas at the current load" sum: the HPA's, else the chart's default. */
  cpuTargetPercent: z.number(),
  cpuTargetSource: z.enum(['hpa', 'default']),
});
export type StressOverview = z.output<typeof StressOverview>;
