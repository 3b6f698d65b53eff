import { defineErrors } from '../common/errors';

export const StressErrors = defineErrors('STRESS', 'stress_error', {
  /** A value is out of its allowed range or of the wrong type; the message gives the range. */
  INVALID: 400,
  /** The pod already runs a test (one per pod), or a sustained load already runs; the message names it. */
  CONFLICT: 409,
  /** Under the memory limit minus the headroom there is nothing left to allocate. */
  NO_HEADROOM: 409,
  /** No pod runs a test or load with this id. */
  NOT_FOUND: 404,
  /** No stress pod answered a broadcast (none running, or none connected to NATS). */
  NO_PODS: 503,
  /** No stress HPA is configured, or the configured one does not exist. */
  NO_HPA: 503,
});
