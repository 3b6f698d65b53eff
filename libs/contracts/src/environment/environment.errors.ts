import { defineErrors } from '../common/errors';

export const EnvironmentErrors = defineErrors('ENVIRONMENT', 'environment_error', {
  /** A section's collector threw unexpectedly; the message says which. */
  COLLECTOR_FAILED: 500,
  /** A section's source did not answer within its deadline; the page shows the rest. */
  SECTION_TIMEOUT: 504,
});
