import { BaseRpcContext, type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { ServedBy } from '@eks-info/contracts';
import { envelopeHandlers } from './handler-envelope';
import type { InProcessBus } from './in-process.bus';
import type { WireReply } from './message-bus';

/** The context handlers receive in-process; same accessors as NatsContext. */
export class InProcessContext extends BaseRpcContext<[string, Map<string, string>]> {
  getSubject(): string {
    return this.args[0];
  }
  getHeaders(): Map<string, string> {
    return this.args[1];
  }
}

/**
 * Nest transport strategy that registers the app's @OnRequest/@OnEvent handlers on an
 * InProcessBus. Handlers run through Nest's full pipeline (interceptors, pipes, exception
 * filters), so a handler behaves the same whichever transport delivers the message.
 */
export class InProcessServer extends Server implements CustomTransportStrategy {
  override readonly transportId = Symbol('in-process');
  private readonly registrations: Array<() => void> = [];

  constructor(
    private readonly bus: InProcessBus,
    private readonly defaultQueue: string,
    private readonly servedBy: ServedBy,
  ) {
    super();
  }

  listen(callback: () => void): void {
    envelopeHandlers(this.messageHandlers, this.servedBy);
    for (const [pattern, handler] of this.messageHandlers) {
      const queue = (handler.extras as { queue?: string } | undefined)?.queue ?? this.defaultQueue;
      if (handler.isEventHandler) {
        this.registrations.push(
          this.bus.consume(pattern, (data, headers) => this.handleEvent(pattern, { pattern, data }, new InProcessContext([pattern, headers])), queue),
        );
      } else {
        this.registrations.push(this.bus.handle(pattern, (data, headers) => this.answer(pattern, handler, data, headers), queue === ''));
      }
    }
    callback();
  }

  close(): void {
    for (const unregister of this.registrations.splice(0)) unregister();
  }

  on(): void {
    // No transport-level events in-process.
  }

  unwrap<T>(): T {
    return this.bus as T;
  }

  private async answer(pattern: string, handler: MessageHandler, data: unknown, headers: Map<string, string>): Promise<WireReply> {
    try {
      const result$ = this.transformToObservable(await handler(data, new InProcessContext([pattern, headers])));
      return { response: await lastValueFrom(result$, { defaultValue: undefined }), isDisposed: true };
    } catch (err) {
      return { err, isDisposed: true };
    }
  }
}
