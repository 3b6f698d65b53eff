import type { ErrorBody } from '../common/errors';
import type { StressExpectedReplicas } from './dto/overview.dto';
import type { SustainedLoadRequest } from './dto/load.dto';
import type { StressTarget, TestSpec } from './dto/test.dto';
import { StressErrors } from './stress.errors';

/**
 * Absolute ranges of every stress parameter. A pod narrows them further from its own limits
 * (max duration from its configuration, workers from its CPU limit, memory from its memory
 * limit minus headroom); the gateway checks these before a command goes out, so a bad value
 * never reaches any pod.
 */
const STRESS_RANGES = {
  durationSeconds: { min: 5, max: 3600 },
  intensity: { min: 1, max: 100 },
  workers: { min: 1, max: 256 },
  targetMb: { min: 1, max: 1024 * 1024 },
  millicores: { min: 10, max: 256_000 },
} as const;

/** Ids of tests and loads: chosen by the gateway, or by an API client that wants idempotent retries. */
const STRESS_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,47}$/;

export type StressChecked<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

const invalid = (message: string, details?: string): { ok: false; error: ErrorBody } => ({
  ok: false,
  error: { code: StressErrors.INVALID.code, message, ...(details ? { details } : {}), fix: 'Send a value inside the allowed range.' },
});

/** A whole number within [min, max], or the 400 message that names the allowed range. */
function checkInt(body: Record<string, unknown>, field: string, range: { min: number; max: number }, optional = false): StressChecked<number | undefined> {
  const raw = body[field];
  if (raw === undefined || raw === null || raw === '') {
    return optional ? { ok: true, value: undefined } : invalid(`${field} is required: a whole number from ${range.min} to ${range.max}.`);
  }
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n))
    return invalid(`${field} must be a whole number from ${range.min} to ${range.max} (got ${JSON.stringify(raw)}).`);
  if (n < range.min || n > range.max)
    return invalid(`${field} must be from ${range.min} to ${range.max} (got ${n}).`, `allowed range of ${field}: ${range.min}–${range.max}`);
  return { ok: true, value: n };
}

function checkTarget(raw: unknown): StressChecked<StressTarget> {
  if (raw === undefined || raw === null || raw === '') return { ok: true, value: 'one' };
  return raw === 'one' || raw === 'all' ? { ok: true, value: raw } : invalid(`target must be "one" or "all" (got ${JSON.stringify(raw)}).`);
}

function checkId(raw: unknown, field = 'testId'): StressChecked<string | undefined> {
  if (raw === undefined || raw === null || raw === '') return { ok: true, value: undefined };
  return typeof raw === 'string' && STRESS_ID_PATTERN.test(raw)
    ? { ok: true, value: raw }
    : invalid(`${field} must be 3–48 lower-case letters, digits or dashes, starting with a letter or digit.`);
}

/** Validates a test spec against ranges (the absolute ones, or a pod's narrower maximum duration). */
function checkTestSpec(kind: unknown, body: Record<string, unknown>, maxDurationSeconds: number = STRESS_RANGES.durationSeconds.max): StressChecked<TestSpec> {
  const duration = checkInt(body, 'durationSeconds', { min: STRESS_RANGES.durationSeconds.min, max: maxDurationSeconds });
  if (!duration.ok) return duration;
  const durationSeconds = duration.value!;
  if (kind === 'cpu') {
    const intensity = checkInt(body, 'intensity', STRESS_RANGES.intensity);
    if (!intensity.ok) return intensity;
    const workers = checkInt(body, 'workers', STRESS_RANGES.workers, true);
    if (!workers.ok) return workers;
    return { ok: true, value: { kind, durationSeconds, intensity: intensity.value!, ...(workers.value !== undefined ? { workers: workers.value } : {}) } };
  }
  if (kind === 'memory') {
    const targetMb = checkInt(body, 'targetMb', STRESS_RANGES.targetMb);
    if (!targetMb.ok) return targetMb;
    return { ok: true, value: { kind, durationSeconds, targetMb: targetMb.value! } };
  }
  return invalid(`kind must be "cpu" or "memory" (got ${JSON.stringify(kind)}).`);
}

function checkLoad(
  body: Record<string, unknown>,
  limits: { maxDurationSeconds?: number; maxMillicores?: number } = {},
): StressChecked<Omit<SustainedLoadRequest, 'loadId'>> {
  const millicores = checkInt(body, 'millicores', { min: STRESS_RANGES.millicores.min, max: limits.maxMillicores ?? STRESS_RANGES.millicores.max });
  if (!millicores.ok) return millicores;
  const duration = checkInt(body, 'durationSeconds', {
    min: STRESS_RANGES.durationSeconds.min,
    max: limits.maxDurationSeconds ?? STRESS_RANGES.durationSeconds.max,
  });
  if (!duration.ok) return duration;
  return { ok: true, value: { millicores: millicores.value!, durationSeconds: duration.value! } };
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
  ranges: STRESS_RANGES,
  idPattern: STRESS_ID_PATTERN,
  hpaTolerance: HPA_TOLERANCE,
  checkInt,
  checkTarget,
  checkId,
  checkTestSpec,
  checkLoad,
  expectedReplicas,
} as const;
