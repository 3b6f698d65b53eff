import type { MessageHandler } from '@nestjs/microservices';
import { isObservable, map, tap } from 'rxjs';
import type { ServedBy } from '@eks-info/contracts';
import { REQUEST_ID_HEADER, runWithRequestId, sanitizeRequestId } from '../logging/request-context';
import { platformMetrics } from '../metrics/metrics.registry';

interface HeaderCarrier {
  getHeaders?: () => { get(name: string): string | undefined } | undefined;
}

const ENVELOPED = Symbol('enveloped');

function outcomeOf(err: unknown): string {
  const e = err as { code?: string; getError?: () => { code?: string } } | undefined;
  return e?.getError?.()?.code ?? e?.code ?? 'error';
}

/**
 * What every bus handler runs inside, whichever transport delivers the message: the caller's
 * correlation id (from the message headers) as the handler's context, `servedBy` stamped on
 * object replies, and the handler metrics. The transports wrap their handlers with it when they
 * start listening. (A Nest interceptor did this before; each one costs an async-context bind and
 * an Observable per message, a few percent of a busy process's CPU.)
 */
export function envelopeHandlers(handlers: Map<string, MessageHandler>, servedBy: ServedBy): void {
  const count = platformMetrics.rpcServerRequests();
  const duration = platformMetrics.rpcServerDuration();
  // Stamped replies by the handler's value: a handler that answers from a cache answers the same object.
  const stamped = new WeakMap<object, object>();
  const stamp = (value: unknown): unknown => {
    if (value && typeof value === 'object' && !Array.isArray(value) && !('servedBy' in value)) {
      let out = stamped.get(value);
      if (!out) stamped.set(value, (out = { ...(value as object), servedBy }));
      return out;
    }
    return value;
  };
  for (const [subject, handler] of handlers) {
    if ((handler as unknown as Record<symbol, boolean>)[ENVELOPED]) continue;
    const labels = (outcome: string) => ({ service: servedBy.service, subject, outcome });
    const wrapped = ((data: unknown, ctx: HeaderCarrier) => {
      const started = performance.now();
      const record = (outcome: string) => {
        count.inc(labels(outcome));
        duration.observe(labels(outcome), (performance.now() - started) / 1000);
      };
      return runWithRequestId(sanitizeRequestId(ctx?.getHeaders?.()?.get(REQUEST_ID_HEADER)), async () => {
        let result: unknown;
        try {
          result = await handler(data, ctx);
        } catch (err) {
          record(outcomeOf(err));
          throw err;
        }
        if (!isObservable(result)) {
          record('ok');
          return stamp(result);
        }
        return result.pipe(tap({ next: () => record('ok'), error: (err: unknown) => record(outcomeOf(err)) }), map(stamp));
      });
    }) as unknown as MessageHandler;
    // Nest reads these off the handler (event or request, queue group); an event's further
    // handlers hang off the original's `next`, which the original still calls.
    Object.assign(wrapped, { isEventHandler: handler.isEventHandler, extras: handler.extras, next: handler.next, [ENVELOPED]: true });
    handlers.set(subject, wrapped);
  }
}
