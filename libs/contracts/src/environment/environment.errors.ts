import { defineErrors } from '../common/errors';

export const EnvironmentErrors = defineErrors('ENVIRONMENT', 'environment_error', {
  /** A section's collector threw unexpectedly; the message says which. */
  COLLECTOR_FAILED: 500,
});
