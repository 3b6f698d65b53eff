import { z } from 'zod';
import { wholeNumber } from '../../common/schema';
import { STRESS_RANGES as R, stressId } from '../stress.ranges';
import { Served } from '../../common/served-by';

/**
 * Sustained load: an aggregate CPU demand spread over the stress pods. One pod (the dispatcher)
 * publishes work units at the needed rate on a queue group; whichever pod takes a unit burns its
 * CPU time. More replicas → each takes fewer units → per-pod utilisation falls.
 */
export const SustainedLoadRequest = z.object({
  loadId: stressId,
  /** Aggregate CPU to generate across all stress pods, in millicores. */
  millicores: wholeNumber(R.millicores.min, R.millicores.max),
  durationSeconds: wholeNumber(R.durationSeconds.min, R.durationSeconds.max),
});
export type SustainedLoadRequest = z.output<typeof SustainedLoadRequest>;

export const SustainedLoadStatus = z.object({
  id: z.string(),
  millicores: z.number(),
  durationSeconds: z.number(),
  /** CPU time per unit. */
  unitMs: z.number(),
  unitsPerSecond: z.number(),
  state: z.enum(['running', 'completed', 'stopped']),
  startedAt: z.string(),
  endsAt: z.string(),
  finishedAt: z.string().nullable(),
  progress: z.number(),
  /** Units published so far. */
  published: z.number(),
  dispatcher: z.object({
    pod: z.string(),
    node: z.string(),
  }),
});
export type SustainedLoadStatus = z.output<typeof SustainedLoadStatus>;

export const SustainedLoadReply = z.object({
  ...Served.shape,
  load: SustainedLoadStatus,
  duplicate: z.boolean(),
});
export type SustainedLoadReply = z.output<typeof SustainedLoadReply>;

/** One unit of sustained load, taken by one pod of the queue group. */
export const WorkUnit = z.object({
  loadId: z.string(),
  seq: z.number(),
  cpuMs: z.number(),
  /** Epoch ms; a unit still queued one second later is dropped (the pod is saturated). */
  issuedAt: z.number(),
});
export type WorkUnit = z.output<typeof WorkUnit>;
