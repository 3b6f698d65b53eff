import { z } from 'zod';

/**
 * Absolute ranges of every stress parameter. A pod narrows them further from its own limits
 * (max duration from its configuration, workers from its CPU limit, memory from its memory
 * limit minus headroom); the gateway checks these before a command goes out, so a bad value
 * never reaches any pod.
 */
export const STRESS_RANGES = {
  durationSeconds: { min: 5, max: 3600 },
  intensity: { min: 1, max: 100 },
  workers: { min: 1, max: 256 },
  targetMb: { min: 1, max: 1024 * 1024 },
  millicores: { min: 10, max: 256_000 },
} as const;

/** Ids of tests and loads: chosen by the gateway, or by an API client that wants idempotent retries. */
export const STRESS_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,47}$/;

/** A test or load id (see STRESS_ID_PATTERN). */
export const stressId = z
  .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
  .regex(STRESS_ID_PATTERN, { error: 'must be 3–48 lower-case letters, digits or dashes, starting with a letter or digit' });
