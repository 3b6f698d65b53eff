import { z } from 'zod';
import { optional } from './schema';

/**
 * The key a client sends with a mutation (the `Idempotency-Key` header, or a form's hidden
 * field) so that a retry — after a timeout, a dropped connection or a double click — gets the
 * first answer instead of doing the work again. A UUID is the usual choice.
 */
export const IdempotencyKey = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, { error: 'must be 1 to 128 letters, digits or . _ : - (a UUID, for example)' })
  .describe('or the Idempotency-Key header: a retry with the same key gets the first answer');

/** The field a mutation request carries its key in. */
export const idempotent = { idempotencyKey: optional(IdempotencyKey) };

/** The field of a mutation's answer: true when it is the answer to an earlier request with the same key. */
export const replayable = { replayed: z.boolean().optional() };

/** The HTTP headers: the request's key, and the answer's mark when it was replayed. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
