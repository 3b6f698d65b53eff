import { defineErrors } from '../common/errors';

export const ScalingErrors = defineErrors('SCALING', 'scaling_error', {
  /** A query parameter is out of range or malformed (e.g. hours=0); the message names it. */
  INVALID_QUERY: 400,
  /** The history volume cannot be read or written (HISTORY_PATH); the message says why. */
  HISTORY_UNAVAILABLE: 503,
  /** A node autoscaler (Cluster Autoscaler status, Karpenter) is not present: shown as "not here", not as a failure. */
  NOT_INSTALLED: 404,
  /** Building a section failed unexpectedly; the message says which. */
  COLLECTOR_FAILED: 500,
});
