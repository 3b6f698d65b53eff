import { RpcException } from '@nestjs/microservices';
import { CommonErrors, type ErrorBody, type ErrorDefinition, isErrorBody, statusForCode } from '@eks-info/contracts';

/**
 * An error a handler means to return to the caller: it crosses the wire as its ErrorBody
 * (code, message, details, fix) and the gateway turns the code into an HTTP status.
 */
export class DomainException extends RpcException {
  constructor(
    readonly definition: ErrorDefinition,
    message: string,
    extra: { details?: string; fix?: string; fields?: ErrorBody['fields'] } = {},
  ) {
    const body: ErrorBody = { code: definition.code, message, ...extra };
    super(body);
  }

  get body(): ErrorBody {
    return this.getError() as ErrorBody;
  }
}

/** What a caller of the bus receives when a request fails, whatever the transport. */
export class RpcError extends Error {
  readonly code: string;
  readonly details?: string;
  readonly fix?: string;

  constructor(readonly body: ErrorBody) {
    super(body.message);
    this.name = 'RpcError';
    this.code = body.code;
    this.details = body.details;
    this.fix = body.fix;
  }

  get status(): number {
    return statusForCode(this.code);
  }
}

/**
 * Normalises the `err` field of a reply: a DomainException's body, or Nest's generic
 * `{status: 'error', message}` for unexpected handler failures (never a stack).
 */
export function errorFromReply(err: unknown, subject: string): RpcError {
  if (isErrorBody(err)) return new RpcError(err);
  const message =
    typeof err === 'string' ? err : typeof (err as { message?: unknown })?.message === 'string' ? (err as { message: string }).message : 'handler failed';
  return new RpcError({ code: CommonErrors.INTERNAL.code, message: `${subject}: ${message}` });
}
