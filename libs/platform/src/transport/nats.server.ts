import { ServerNats } from '@nestjs/microservices';
import type { NatsContext } from '@nestjs/microservices';
import type { Msg, NatsConnection, Subscription } from 'nats';
import type { ServedBy } from '@eks-info/contracts';
import { envelopeHandlers } from './handler-envelope';
import type { NatsConnectionManager } from './nats.connection';

/** Longest the server waits for in-flight handlers to reply when it stops taking messages. */
const HANDLERS_TIMEOUT_MS = 10_000;

/**
 * Nest's NATS server on the process's shared connection. Subscriptions use the service name
 * as queue group unless a handler asks for broadcast (see `@OnRequest`). Connection status and
 * its logging belong to NatsConnectionManager, so Nest's per-status logging is switched off.
 *
 * `close()` (also called by Nest when the app closes) stops taking messages without closing the
 * shared connection, which the bus and the replies still need: each subscription is drained
 * (NATS stops routing to it, so the queue group's other replicas get the new requests, and
 * what was already sent to it is delivered), then it waits until every handler that took a
 * message has replied. Only after that may the app close its stores, and the connection drain.
 */
export class SharedNatsServer extends ServerNats {
  /** Messages taken and not answered yet: resolved when the last reply packet is published. */
  private readonly unanswered = new Map<Msg, () => void>();
  private readonly inFlight = new Set<Promise<void>>();
  private stopping?: Promise<void>;

  constructor(
    private readonly manager: NatsConnectionManager,
    queue: string,
    private readonly servedBy: ServedBy,
    private readonly handlersTimeoutMs = HANDLERS_TIMEOUT_MS,
  ) {
    super({ queue, servers: [] });
  }

  /** Messages being handled right now. */
  get pendingHandlers(): number {
    return this.inFlight.size;
  }

  /** Start-up does not wait for NATS: the handlers subscribe once connected, /ready reports it. */
  override async listen(callback: (err?: unknown, ...optionalParams: unknown[]) => void): Promise<void> {
    envelopeHandlers(this.messageHandlers, this.servedBy);
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

  /** Counts the message as in flight until its reply is out (requests) or its handler returned (events). */
  override async handleMessage(channel: string, natsMsg: Msg): Promise<unknown> {
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    this.inFlight.add(finished);
    void finished.then(() => this.inFlight.delete(finished));
    this.unanswered.set(natsMsg, done);
    const settle = () => {
      this.unanswered.delete(natsMsg);
      done();
    };
    try {
      const result: unknown = await super.handleMessage(channel, natsMsg as never);
      if (!natsMsg.reply) settle();
      return result;
    } catch (err) {
      settle();
      throw err;
    }
  }

  override getPublisher(natsMsg: Msg, id: string, ctx: NatsContext): (response: unknown) => unknown {
    const publish = super.getPublisher(natsMsg as never, id, ctx);
    return (response: unknown) => {
      const out = publish(response);
      const packet = response as { isDisposed?: boolean; err?: unknown };
      if (packet?.isDisposed || packet?.err !== undefined) {
        this.unanswered.get(natsMsg)?.();
        this.unanswered.delete(natsMsg);
      }
      return out;
    };
  }

  /** Stops taking messages and waits for the replies of those taken (see the class comment). Idempotent. */
  override async close(): Promise<void> {
    this.stopping ??= (async () => {
      const subscriptions = (this as unknown as { subscriptions: Subscription[] }).subscriptions ?? [];
      let timer: NodeJS.Timeout | undefined;
      // One deadline for both steps: a drain needs the server (an outage would hold it).
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.handlersTimeoutMs);
      });
      const stopped = (async () => {
        await Promise.all(subscriptions.map((sub) => (sub.isClosed() ? undefined : sub.drain().catch(() => sub.unsubscribe()))));
        await Promise.all([...this.inFlight]);
        return 'done' as const;
      })();
      const outcome = await Promise.race([stopped, timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        for (const sub of subscriptions) if (!sub.isClosed()) sub.unsubscribe();
        this.logger.warn(`stopped waiting after ${this.handlersTimeoutMs} ms: ${this.inFlight.size} message handler(s) had not replied`);
      }
    })();
    await this.stopping;
    await super.close();
  }
}
