import { defineErrors } from '../common/errors';

/**
 * Errors of the storage demos. Bad input is a 4xx and changes nothing; a volume or bucket that
 * is missing or failing is a 5xx whose message names the path or resource and the fix.
 */
export const StorageErrors = defineErrors('STORAGE', 'storage_error', {
  /** A name, key or body that is not acceptable (traversal, NUL, too long, wrong type…). */
  INVALID: 400,
  /** A key outside the app's S3 prefix (the app never touches other objects). */
  OUTSIDE_PREFIX: 400,
  /** Text or file above the configured limit. */
  TOO_LARGE: 413,
  /** No such file, entry or object. */
  NOT_FOUND: 404,
  /** The volume is not configured here (e.g. no EFS_PATH) or the S3 demo has no bucket. */
  NOT_CONFIGURED: 503,
  /** The volume path is missing, not writable, or the file system failed. */
  VOLUME_ERROR: 503,
  /** Another pod already did this (e.g. the report of this window). */
  ALREADY_DONE: 409,
  /** An idempotency key sent again with a different request (the first answer stays). */
  IDEMPOTENCY_KEY_REUSED: 422,
  /** The first request with this idempotency key is still being carried out (another pod). */
  IDEMPOTENCY_IN_PROGRESS: 409,
});
