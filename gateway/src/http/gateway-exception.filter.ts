import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import '@fastify/view'; // reply.view()
import type { Logger } from 'pino';
import { CommonErrors, type ErrorBody, isErrorBody, statusForCode } from '@eks-info/contracts';
import { LogOnce, RpcError } from '@eks-info/platform';
import { navigationFor } from '../views/navigation';
import { envelope } from './error-envelope';

const CODE_BY_STATUS: Record<number, string> = {
  400: CommonErrors.VALIDATION.code,
  401: CommonErrors.UNAUTHORIZED.code,
  403: CommonErrors.FORBIDDEN.code,
  404: CommonErrors.NOT_FOUND.code,
  405: CommonErrors.METHOD_NOT_ALLOWED.code,
  409: CommonErrors.CONFLICT.code,
  413: CommonErrors.PAYLOAD_TOO_LARGE.code,
  415: CommonErrors.UNSUPPORTED_MEDIA_TYPE.code,
  429: CommonErrors.RATE_LIMITED.code,
};

const FIXES: Record<number, string> = {
  413: 'Send a smaller body; the limits are BODY_LIMIT_BYTES and UPLOAD_LIMIT_BYTES.',
  429: 'Wait a minute; mutations are limited per client (MUTATION_RATE_LIMIT_PER_MINUTE).',
};

/** Any thrown value → status and ErrorBody; stacks and internals never leave the process. */
export function describeError(exception: unknown): { status: number; body: ErrorBody } {
  if (exception instanceof RpcError) return { status: exception.status, body: exception.body };
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (isErrorBody(response)) return { status, body: response };
    const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
    return {
      status,
      body: { code: CODE_BY_STATUS[status] ?? (status >= 500 ? CommonErrors.INTERNAL.code : CommonErrors.VALIDATION.code), message, fix: FIXES[status] },
    };
  }
  const e = exception as { statusCode?: number; code?: string; message?: string };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    // Fastify's own errors (body too large, bad JSON, CSRF, rate limit) carry a 4xx statusCode.
    const code =
      e.code && statusForCode(e.code) === e.statusCode && e.code.includes('.') ? e.code : (CODE_BY_STATUS[e.statusCode] ?? CommonErrors.VALIDATION.code);
    return { status: e.statusCode, body: { code, message: e.message ?? 'Bad request', fix: FIXES[e.statusCode] } };
  }
  if (isMalformedMultipart(exception)) {
    const message = (exception as Error).message;
    return {
      status: 400,
      body: {
        code: CommonErrors.VALIDATION.code,
        // The parser's word for a boundary it cannot search for is "needle".
        message: LONG_BOUNDARY.test(message)
          ? 'The multipart boundary is too long (RFC 2046 allows 70 characters).'
          : `The multipart body is malformed: ${message}.`,
        fix: 'Send multipart/form-data with its boundary parameter and a complete body, as a browser form does.',
      },
    };
  }
  return { status: 500, body: { code: CommonErrors.INTERNAL.code, message: 'Internal error.' } };
}

/**
 * The multipart parser (busboy) throws plain errors for a missing boundary or a truncated body,
 * without a status: they are the client's, a 400, never a 500. Known by their messages.
 */
const LONG_BOUNDARY = /needle cannot have a length bigger than/i;
const MULTIPART_ERROR = new RegExp(
  `Boundary not found|unexpected end of multipart data|Malformed part header|Unexpected end of (form|file)|Malformed urlencoded form|${LONG_BOUNDARY.source}`,
  'i',
);

function isMalformedMultipart(exception: unknown): boolean {
  return exception instanceof Error && MULTIPART_ERROR.test(exception.message);
}

function wantsHtml(request: FastifyRequest): boolean {
  return !request.url.startsWith('/api/') && (request.headers.accept ?? '').includes('text/html');
}

/**
 * The gateway's one exception filter: JSON envelopes for the API (and non-browser clients), an
 * HTML page with the message and the fix for browsers. Unexpected errors are logged once per
 * kind per interval with their stack; the client sees only the code and request id.
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logOnce: LogOnce;

  constructor(logger: Logger) {
    this.logOnce = new LogOnce(logger, 60_000);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.answer(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  /** Answers a request with the error: also used by the routes that are not Nest handlers (bus-routes.ts). */
  answer(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const { status, body } = describeError(exception);
    if (status === 500 && body.code === CommonErrors.INTERNAL.code) {
      const err = exception as Error;
      this.logOnce.error(`unhandled:${err?.name}:${err?.message}`, { path: request.url, err: { message: err?.message, stack: err?.stack } }, 'unhandled error');
    }
    if (reply.sent) return;
    if (status === 429) reply.header('retry-after', '60');
    if (wantsHtml(request)) {
      void reply
        .code(status)
        .type('text/html; charset=utf-8')
        .view('views/error', {
          layout: { title: `${status} ${body.code}`, active: '', nav: navigationFor(''), servedBy: [], requestId: request.id },
          status,
          error: body,
        });
      return;
    }
    void reply.code(status).send(envelope(body, request.id));
  }
}
