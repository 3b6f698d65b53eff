import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import type { ServedBy } from '@eks-info/contracts';
import { REQUEST_ID_HEADER, runWithRequestId, sanitizeRequestId } from '../logging/request-context';
import { platformMetrics } from '../metrics/metrics.registry';

interface HeaderCarrier {
  getHeaders?: () => { get(name: string): string | undefined } | undefined;
  getSubject?: () => string;
}

/**
 * Wraps every bus handler: continues the caller's correlation id (from the message headers),
 * stamps `servedBy` on object replies and records handler metrics. HTTP routes pass through.
 */
@Injectable()
export class RpcHandlerInterceptor implements NestInterceptor {
  private readonly count = platformMetrics.rpcServerRequests();
  private readonly duration = platformMetrics.rpcServerDuration();

  constructor(private readonly servedBy: ServedBy) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const rpc = context.switchToRpc().getContext<HeaderCarrier>();
    const subject = rpc.getSubject?.() ?? 'unknown';
    const requestId = sanitizeRequestId(rpc.getHeaders?.()?.get(REQUEST_ID_HEADER));
    const started = performance.now();
    const record = (outcome: string) => {
      const labels = { service: this.servedBy.service, subject, outcome };
      this.count.inc(labels);
      this.duration.observe(labels, (performance.now() - started) / 1000);
    };
    return new Observable((subscriber) =>
      runWithRequestId(requestId, () =>
        next
          .handle()
          .pipe(
            tap({
              next: () => record('ok'),
              error: (err: { code?: string; getError?: () => { code?: string } }) => record(err?.getError?.()?.code ?? err?.code ?? 'error'),
            }),
          )
          .subscribe({
            next: (value) => subscriber.next(this.stamp(value)),
            error: (err) => subscriber.error(err),
            complete: () => subscriber.complete(),
          }),
      ),
    );
  }

  /** Stamped replies by the handler's value: a handler that answers from a cache answers the same object. */
  private readonly stamped = new WeakMap<object, object>();

  private stamp(value: unknown): unknown {
    if (value && typeof value === 'object' && !Array.isArray(value) && !('servedBy' in value)) {
      let out = this.stamped.get(value);
      if (!out) this.stamped.set(value, (out = { ...(value as object), servedBy: this.servedBy }));
      return out;
    }
    return value;
  }
}
