import type { FastifyRequest } from 'fastify';
import { StorageErrors, TransportErrors } from '@eks-info/contracts';
import { RpcError } from '@eks-info/platform';

/** A file part as the multipart plugin leaves it in the body (see gateway.app.ts). */
export interface UploadedFile {
  filename: string;
  mimetype: string;
  data: Buffer;
}

function isFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).data);
}

/**
 * The upload as the contract's input: a JSON or urlencoded body as it came (`{"content": …}`),
 * or a multipart form's file (field `file`) or text (field `content` or `text`). An empty file
 * input (no file chosen) counts as no file. The contract's schema checks the result.
 */
export function uploadRequest(request: FastifyRequest): unknown {
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (!request.isMultipart?.()) return body;
  const file = body.file;
  // The form's idempotency key (a text field; the contract checks it).
  const idempotencyKey = body.idempotencyKey;
  if (isFile(file) && (file.data.length > 0 || file.filename)) {
    return { base64: file.data.toString('base64'), filename: file.filename || undefined, contentType: file.mimetype, idempotencyKey };
  }
  const text = body.content ?? body.text;
  if (typeof text === 'string') return { content: text, idempotencyKey };
  throw new RpcError({ code: StorageErrors.INVALID.code, message: 'Choose a file to upload (form field "file").' });
}

/**
 * A message larger than the NATS server's max_payload is refused by the client before sending:
 * say so as a 413 with the setting to change, instead of a bare internal error.
 */
export function payloadError(err: unknown): unknown {
  if (err instanceof RpcError && err.code !== TransportErrors.TIMEOUT.code && /MAX_PAYLOAD/i.test(err.message)) {
    return new RpcError({
      code: StorageErrors.TOO_LARGE.code,
      message: 'The upload is larger than the message bus accepts.',
      details: err.message,
      fix: "Raise NATS max_payload above UPLOAD_LIMIT_BYTES × 4/3 (the chart's nats.maxPayload), or upload a smaller file.",
    });
  }
  return err;
}
