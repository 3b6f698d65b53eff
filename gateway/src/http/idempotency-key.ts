import type { FastifyReply, FastifyRequest } from 'fastify';
import { CommonErrors, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from '@eks-info/contracts';
import { RpcError } from '@eks-info/platform';

/**
 * A mutation's input with the `Idempotency-Key` header as its `idempotencyKey` field, where the
 * contract reads it (forms send the field itself). A header and a field that disagree are a 400;
 * the contract's schema checks the key's form.
 */
export function withIdempotencyKey(request: FastifyRequest, input: unknown): unknown {
  const header = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (header === undefined) return input;
  const body = input && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  if (body.idempotencyKey !== undefined && body.idempotencyKey !== header) {
    throw new RpcError({
      code: CommonErrors.VALIDATION.code,
      message: "The Idempotency-Key header and the body's idempotencyKey differ.",
      fix: 'Send the key once, in the header.',
    });
  }
  return { ...body, idempotencyKey: header };
}

/** `Idempotent-Replayed: true` on an answer given before, to a request with the same key. */
export function markReplayed<T extends { replayed?: boolean }>(reply: FastifyReply, answer: T): T {
  if (answer.replayed) reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  return answer;
}
