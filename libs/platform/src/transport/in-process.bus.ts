import type { Logger } from 'pino';
import { CommonErrors, type EventContract, type RpcContract } from '@eks-info/contracts';
import { REQUEST_ID_HEADER, currentRequestId } from '../logging/request-context';
import { platformMetrics } from '../metrics/metrics.registry';
import { setNewest } from '../cache/bounded-map';
import { type GatherOptions, MAX_KEPT_ANSWERS, MessageBus, type RequestOptions, type Unsubscribe, type WireReply } from './message-bus';
import { RpcError, errorFromReply } from './rpc-error';
import { timeoutError, unavailableError } from './transport-errors';

/** A handler as the in-process server registers it: data and headers in, wire reply out. */
export type InProcessRpcHandler = (data: unknown, headers: Map<string, string>) => Promise<WireReply>;
export type InProcessEventHandler = (data: unknown, headers: Map<string, string>) => Promise<void>;

interface EventSubscriber {
  handler: InProcessEventHandler;
  queue?: string;
}

/** Mimics the wire: whatever crosses must survive JSON, exactly as over NATS. */
const roundTrip = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));

/**
 * The in-process transport: the same Nest handlers, called through a map instead of NATS, with
 * the same JSON round-trip, queue/broadcast semantics, timeouts and error codes. Used by
 * `npm start` (one process, no external services) and by fast contract tests.
 */
export class InProcessBus extends MessageBus {
  readonly kind = 'in-process' as const;
  readonly connected = true;
  private readonly rpc = new Map<string, { queue: InProcessRpcHandler[]; all: InProcessRpcHandler[]; next: number }>();
  private readonly events = new Map<string, EventSubscriber[]>();
  private readonly roundRobin = new Map<string, number>();
  /** The handler's last answer object per coalesced read, and the copy the caller got. */
  private readonly lastSent = new Map<string, { source: object; copy: unknown }>();
  private readonly requests = platformMetrics.rpcClientRequests();
  private readonly durations = platformMetrics.rpcClientDuration();

  constructor(
    private readonly defaultTimeoutMs: number,
    private readonly logger?: Logger,
  ) {
    super();
  }

  /** Registers a request handler; `broadcast` handlers all receive every request (gather). */
  handle(subject: string, handler: InProcessRpcHandler, broadcast = false): Unsubscribe {
    const entry = this.rpc.get(subject) ?? { queue: [], all: [], next: 0 };
    this.rpc.set(subject, entry);
    const list = broadcast ? entry.all : entry.queue;
    list.push(handler);
    return () => list.splice(list.indexOf(handler), 1);
  }

  /** Registers an event consumer, in a queue group (one per group gets each event) or alone. */
  consume(subject: string, handler: InProcessEventHandler, queue?: string): Unsubscribe {
    const list = this.events.get(subject) ?? [];
    this.events.set(subject, list);
    const sub = { handler, queue: queue || undefined };
    list.push(sub);
    return () => list.splice(list.indexOf(sub), 1);
  }

  protected async send<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: RequestOptions = {}): Promise<Res> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    const started = performance.now();
    let outcome = 'ok';
    try {
      const entry = this.rpc.get(contract.subject);
      const candidates = entry ? (entry.queue.length ? entry.queue : entry.all) : [];
      if (!entry || candidates.length === 0) throw unavailableError(contract, 'no replica is subscribed');
      const handler = candidates[entry.next++ % candidates.length];
      const reply = await this.withTimeout(handler(roundTrip(data), this.headers()), contract, timeoutMs);
      if (reply.err !== undefined && reply.err !== null) throw errorFromReply(roundTrip(reply.err), contract.subject);
      // The same JSON round trip as the wire, compared like the wire: an unchanged answer is the same
      // object. A handler that answered with the very object it answered last time (from its
      // cache) is known unchanged without encoding it again.
      const response = reply.response;
      if (response === undefined || response === null || typeof response !== 'object') return roundTrip(response) as Res;
      const key = options.answerKey;
      const last = key === undefined ? undefined : this.lastSent.get(key);
      if (last && last.source === response) return last.copy as Res;
      const raw = JSON.stringify(response);
      const copy = this.reuseAnswer(key, raw, () => JSON.parse(raw) as Res);
      if (key !== undefined) setNewest(this.lastSent, key, { source: response, copy }, MAX_KEPT_ANSWERS);
      return copy;
    } catch (err) {
      const rpcErr = err instanceof RpcError ? err : new RpcError({ code: CommonErrors.INTERNAL.code, message: (err as Error).message });
      outcome = rpcErr.code;
      throw rpcErr;
    } finally {
      this.requests.inc({ subject: contract.subject, outcome });
      this.durations.observe({ subject: contract.subject, outcome }, (performance.now() - started) / 1000);
    }
  }

  async gather<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: GatherOptions): Promise<Res[]> {
    const entry = this.rpc.get(contract.subject);
    const handlers = entry ? [...entry.all, ...entry.queue] : [];
    const settled = await Promise.allSettled(
      handlers.slice(0, options.max ?? handlers.length).map((h) => this.withTimeout(h(roundTrip(data), this.headers()), contract, options.windowMs)),
    );
    return settled
      .filter((s): s is PromiseFulfilledResult<WireReply> => s.status === 'fulfilled' && (s.value.err === undefined || s.value.err === null))
      .map((s) => roundTrip(s.value.response) as Res);
  }

  emit<E>(contract: EventContract<E>, data: E): void {
    const subscribers = this.events.get(contract.subject);
    if (!subscribers?.length) return;
    // Encoded once now (the emitter may change `data` after emit returns), decoded per consumer.
    const encoded = data === undefined ? undefined : JSON.stringify(data);
    const decode = () => (encoded === undefined ? undefined : (JSON.parse(encoded) as unknown));
    const headers = this.headers();
    const chosen: EventSubscriber[] = [];
    const groups = new Map<string, EventSubscriber[]>();
    for (const s of subscribers) {
      if (!s.queue) chosen.push(s);
      else groups.set(s.queue, [...(groups.get(s.queue) ?? []), s]);
    }
    for (const [queue, members] of groups) {
      const key = `${contract.subject}|${queue}`;
      const n = this.roundRobin.get(key) ?? 0;
      this.roundRobin.set(key, n + 1);
      chosen.push(members[n % members.length]);
    }
    // Asynchronous like a real publish: the emitter never waits for, or fails with, a consumer.
    setImmediate(() => {
      for (const s of chosen) {
        s.handler(decode(), headers).catch((err: Error) => this.logger?.warn({ subject: contract.subject, err: err.message }, 'event handler failed'));
      }
    });
  }

  subscribe<E>(contract: EventContract<E>, handler: (data: E) => void | Promise<void>, options: { queue?: string } = {}): Unsubscribe {
    return this.consume(contract.subject, async (data) => handler(data as E), options.queue);
  }

  async close(): Promise<void> {
    this.rpc.clear();
    this.events.clear();
  }

  private headers(): Map<string, string> {
    const h = new Map<string, string>();
    const requestId = currentRequestId();
    if (requestId) h.set(REQUEST_ID_HEADER, requestId);
    return h;
  }

  private withTimeout<T>(promise: Promise<T>, contract: RpcContract<unknown, unknown>, timeoutMs: number): Promise<T> {
    let timer: NodeJS.Timeout;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeoutError(contract, timeoutMs)), timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
