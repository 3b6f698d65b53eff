import { ServerNats } from '@nestjs/microservices';
import type { NatsConnection } from 'nats';
import type { NatsConnectionManager } from './nats.connection';

/**
 * Nest's NATS server on the process's shared connection. Subscriptions use the service name
 * as queue group unless a handler asks for broadcast (see `@OnRequest`). Connection status and
 * its logging belong to NatsConnectionManager, so Nest's per-status logging is switched off.
 */
export class SharedNatsServer extends ServerNats {
  constructor(
    private readonly manager: NatsConnectionManager,
    queue: string,
  ) {
    super({ queue, servers: [] });
  }

  /** Start-up does not wait for NATS: the handlers subscribe once connected, /ready reports it. */
  override async listen(callback: (err?: unknown, ...optionalParams: unknown[]) => void): Promise<void> {
    callback();
    await super.listen((err) => {
      if (err) this.logger.error(`NATS server strategy failed: ${(err as Error).message ?? String(err)}`);
    });
  }

  override async createNatsClient(): Promise<NatsConnection> {
    const nc = await this.manager.whenReady();
    // ServerNats closes its client on shutdown; the manager drains the shared one instead.
    return new Proxy(nc, {
      get(target, prop) {
        if (prop === 'close' || prop === 'drain') return async () => undefined;
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  override async handleStatusUpdates(): Promise<void> {
    // Intentionally empty: see the class comment.
  }
}
