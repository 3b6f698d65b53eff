import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { runWithRequestId } from '@eks-info/platform';

/**
 * Runs each controller inside the request's correlation context, so logs carry its id and every
 * bus request it makes sends the id on in the NATS headers.
 */
@Injectable()
export class RequestContextInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return new Observable((subscriber) => runWithRequestId(request.id, () => next.handle().subscribe(subscriber)));
  }
}
