import { z } from 'zod';
import { type Parsed, parseWith, wholeNumber } from '../common/schema';
import { CpuTestBody, MemoryTestBody, SustainedLoadBody } from './dto/api.dto';
import type { StressExpectedReplicas } from './dto/overview.dto';
import { SustainedLoadRequest } from './dto/load.dto';
import { CpuTestSpec, MemoryTestSpec, type StressKind, type TestSpec } from './dto/test.dto';
import { STRESS_ID_PATTERN, STRESS_RANGES as R } from './stress.ranges';
import { StressErrors } from './stress.errors';

export type StressChecked<T> = Parsed<T>;

/** What a pod accepts at most; a pod's own configuration narrows the absolute ranges. */
export interface StressMaxima {
  maxDurationSeconds?: number;
  maxMillicores?: number;
}

const duration = (max: number | undefined) => wholeNumber(R.durationSeconds.min, Math.min(max ?? R.durationSeconds.max, R.durationSeconds.max));
const millicores = (max: number | undefined) => wholeNumber(R.millicores.min, Math.min(max ?? R.millicores.max, R.millicores.max));

/**
 * The schema of a start body (`POST /api/v1/stress/cpu|memory` and the page forms), its duration
 * narrowed to the pods' maximum so a bad value is refused with the range the pods really accept.
 */
function startBody(kind: StressKind, maxima: StressMaxima = {}): z.ZodType<CpuTestBody | MemoryTestBody> {
  return kind === 'cpu'
    ? CpuTestBody.extend({ durationSeconds: duration(maxima.maxDurationSeconds) })
    : MemoryTestBody.extend({ durationSeconds: duration(maxima.maxDurationSeconds) });
}

/** The schema of a sustained-load body, narrowed to the pods' maxima. */
function loadBody(maxima: StressMaxima = {}) {
  return SustainedLoadBody.extend({ millicores: millicores(maxima.maxMillicores), durationSeconds: duration(maxima.maxDurationSeconds) });
}

/** A pod's check of the spec it received: the contract's rules, narrowed to its own maximum duration. */
function checkTestSpec(spec: unknown, maxima: StressMaxima = {}): StressChecked<TestSpec> {
  const kind = (spec as { kind?: unknown } | null)?.kind;
  const narrowed = { durationSeconds: duration(maxima.maxDurationSeconds) };
  const schema: z.ZodType<TestSpec> =
    kind === 'memory'
      ? MemoryTestSpec.extend(narrowed)
      : kind === 'cpu'
        ? CpuTestSpec.extend(narrowed)
        : z.discriminatedUnion('kind', [CpuTestSpec, MemoryTestSpec]);
  return parseWith(schema, spec, StressErrors.INVALID);
}

/** A pod's check of a load it was asked to dispatch, narrowed to its maxima. */
function checkLoad(request: unknown, maxima: StressMaxima = {}): StressChecked<SustainedLoadRequest> {
  return parseWith(
    SustainedLoadRequest.extend({ millicores: millicores(maxima.maxMillicores), durationSeconds: duration(maxima.maxDurationSeconds) }),
    request,
    StressErrors.INVALID,
  );
}

/** The HPA keeps its replica count while current/target is within this fraction of 1. */
const HPA_TOLERANCE = 0.1;

/**
 * The replica count the HPA algorithm arrives at: ceil(current × utilisation / target), clamped
 * to [min, max], unchanged within the 10 % tolerance. Explained in words for the page.
 */
function expectedReplicas(input: {
  currentReplicas: number;
  utilization: number;
  target: number;
  minReplicas?: number;
  maxReplicas?: number;
  source?: string;
}): StressExpectedReplicas {
  const { currentReplicas, utilization, target } = input;
  const ratio = target > 0 ? utilization / target : 0;
  const withinTolerance = Math.abs(ratio - 1) <= HPA_TOLERANCE;
  const unclamped = currentReplicas > 0 ? Math.ceil(currentReplicas * ratio - 1e-9) : 0;
  const min = input.minReplicas ?? 1;
  const max = input.maxReplicas ?? Number.MAX_SAFE_INTEGER;
  const replicas = withinTolerance ? currentReplicas : Math.min(max, Math.max(min, unclamped));
  const u = round1(utilization);
  const from = input.source ? ` (${input.source})` : '';
  let explanation = `${currentReplicas} replica${currentReplicas === 1 ? '' : 's'} at ${u} % average CPU${from} against a ${target} % target: ceil(${currentReplicas} × ${u} / ${target}) = ${unclamped}.`;
  if (withinTolerance) explanation += ` That is within the HPA's ${HPA_TOLERANCE * 100} % tolerance, so it keeps ${currentReplicas}.`;
  else if (replicas !== unclamped) explanation += ` Clamped to the HPA's range ${min}–${input.maxReplicas ?? '∞'}: ${replicas}.`;
  else if (replicas > currentReplicas) explanation += ` The HPA scales out to ${replicas}.`;
  else if (replicas < currentReplicas) explanation += ` The HPA scales in to ${replicas} (after its scale-down stabilisation window).`;
  return { replicas, unclamped, currentReplicas, utilization: u, target, withinTolerance, explanation };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The stress rules under one name (the contracts barrel is shared by every domain). */
export const StressRules = {
  ranges: R,
  idPattern: STRESS_ID_PATTERN,
  hpaTolerance: HPA_TOLERANCE,
  startBody,
  loadBody,
  checkTestSpec,
  checkLoad,
  expectedReplicas,
} as const;
