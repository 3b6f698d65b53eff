import { randomUUID } from 'node:crypto';
import { ErrorCode, JSONCodec, NatsError, RequestStrategy, headers as natsHeaders, type MsgHdrs } from 'nats';
import type { Logger } from 'pino';
import { CommonErrors, type EventContract, type RpcContract } from '@eks-info/contracts';
import { currentRequestId, REQUEST_ID_HEADER } from '../logging/request-context';
import { platformMetrics } from '../metrics/metrics.registry';
import { type GatherOptions, MessageBus, type RequestOptions, type Unsubscribe, type WireReply, type WireRequest } from './message-bus';
import type { NatsConnectionManager } from './nats.connection';
import { RpcError, errorFromReply } from './rpc-error';
import { busDownError, timeoutError, unavailableError } from './transport-errors';

const codec = JSONCodec<unknown>();

/** MessageBus over a real NATS connection, speaking @nestjs/microservices' packet format. */
export class NatsBus extends MessageBus {
  readonly kind = 'nats' as const;
  private readonly requests = platformMetrics.rpcClientRequests();
  private readonly durations = platformMetrics.rpcClientDuration();
  /** Requests in flight; failed at once with 503 when the connection drops under them. */
  private readonly inFlight = new Set<() => void>();
  private readonly stopWatching: () => void;

  constructor(
    private readonly connection: NatsConnectionManager,
    private readonly defaultTimeoutMs: number,
    private readonly logger: Logger,
  ) {
    super();
    // A request in flight when the socket closes would otherwise wait for its timeout.
    this.stopWatching = connection.onChange((connected) => {
      if (connected) return;
      for (const fail of this.inFlight) fail();
      this.inFlight.clear();
    });
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  protected async send<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: RequestOptions = {}): Promise<Res> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const started = performance.now();
    let outcome = 'ok';
    try {
      const nc = this.connection.current();
      if (!nc || !this.connection.connected) throw busDownError(contract);
      const packet: WireRequest = { pattern: contract.subject, data, id: randomUUID() };
      const reply = await new Promise<WireReply>((resolve, reject) => {
        const fail = () => reject(busDownError(contract));
        this.inFlight.add(fail);
        nc.request(contract.subject, codec.encode(packet), { timeout: timeoutMs, headers: this.headers() })
          .then(
            (msg) => resolve(this.reuseAnswer(options.answerKey, msg.data, () => codec.decode(msg.data) as WireReply)),
            (err: unknown) => reject(this.translate(err, contract, timeoutMs)),
          )
          .finally(() => this.inFlight.delete(fail));
      });
      if (reply.err !== undefined && reply.err !== null) throw errorFromReply(reply.err, contract.subject);
      return reply.response as Res;
    } catch (err) {
      outcome = err instanceof RpcError ? err.code : 'error';
      throw err instanceof RpcError ? err : this.translate(err, contract, timeoutMs);
    } finally {
      this.requests.inc({ subject: contract.subject, outcome });
      this.durations.observe({ subject: contract.subject, outcome }, (performance.now() - started) / 1000);
    }
  }

  async gather<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: GatherOptions): Promise<Res[]> {
    const nc = this.connection.current();
    if (!nc || !this.connection.connected) throw busDownError(contract);
    const packet: WireRequest = { pattern: contract.subject, data, id: randomUUID() };
    const replies: Res[] = [];
    try {
      const stream = await nc.requestMany(contract.subject, codec.encode(packet), {
        strategy: RequestStrategy.Timer,
        maxWait: options.windowMs,
        maxMessages: options.max,
        headers: this.headers(),
      });
      for await (const msg of stream) {
        const reply = codec.decode(msg.data) as WireReply;
        if (reply.err === undefined || reply.err === null) replies.push(reply.response as Res);
      }
    } catch (err) {
      if (err instanceof NatsError && err.code === ErrorCode.NoResponders) return replies;
      throw this.translate(err, contract, options.windowMs);
    }
    return replies;
  }

  emit<E>(contract: EventContract<E>, data: E): void {
    const nc = this.connection.current();
    if (!nc || nc.isClosed()) return; // fire-and-forget: an event without a bus is dropped
    try {
      nc.publish(contract.subject, codec.encode({ pattern: contract.subject, data } satisfies WireRequest), { headers: this.headers() });
    } catch (err) {
      this.logger.debug({ subject: contract.subject, err: (err as Error).message }, 'event dropped');
    }
  }

  subscribe<E>(contract: EventContract<E>, handler: (data: E) => void | Promise<void>, options: { queue?: string } = {}): Unsubscribe {
    let unsubscribed = false;
    let sub: { unsubscribe(): void } | undefined;
    void this.connection.whenReady().then((nc) => {
      if (unsubscribed) return;
      sub = nc.subscribe(contract.subject, {
        queue: options.queue,
        callback: (err, msg) => {
          if (err) return;
          try {
            const packet = codec.decode(msg.data) as WireRequest;
            void Promise.resolve(handler(packet.data as E)).catch((e: Error) =>
              this.logger.warn({ subject: contract.subject, err: e.message }, 'event handler failed'),
            );
          } catch (e) {
            this.logger.warn({ subject: contract.subject, err: (e as Error).message }, 'undecodable event');
          }
        },
      });
    });
    return () => {
      unsubscribed = true;
      sub?.unsubscribe();
    };
  }

  async close(): Promise<void> {
    this.stopWatching();
    await this.connection.drain();
  }

  private headers(): MsgHdrs {
    const h = natsHeaders();
    const requestId = currentRequestId();
    if (requestId) h.set(REQUEST_ID_HEADER, requestId);
    return h;
  }

  private translate(err: unknown, contract: RpcContract<unknown, unknown>, timeoutMs: number): RpcError {
    if (err instanceof RpcError) return err;
    if (err instanceof NatsError) {
      if (err.code === ErrorCode.NoResponders) return unavailableError(contract, 'no replica is subscribed');
      if (err.code === ErrorCode.Timeout) return timeoutError(contract, timeoutMs);
      if (([ErrorCode.ConnectionClosed, ErrorCode.ConnectionDraining, ErrorCode.Disconnect] as string[]).includes(err.code)) return busDownError(contract);
    }
    return new RpcError({ code: CommonErrors.INTERNAL.code, message: `request ${contract.subject} failed: ${(err as Error)?.message ?? String(err)}` });
  }
}
