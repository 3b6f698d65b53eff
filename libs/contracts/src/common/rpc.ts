/**
 * Typed message contracts. A contract is a subject plus the service that answers it; its type
 * parameters carry the request and response shapes so the sender (`bus.request(contract, …)`)
 * and the handler (`@OnRequest(contract)`) compile against the same definition.
 */

/** The deployable services that answer messages. */
export type ServiceName = 'environment' | 'storage' | 'stress' | 'scaling-monitor';

/**
 * How a subject is delivered when a service has several replicas:
 * - `queue`: one replica (NATS queue group named after the service) handles each message;
 * - `all`: every replica receives it (broadcast), e.g. "stop every stress test".
 */
export type Delivery = 'queue' | 'all';

export interface RpcContract<Req, Res> {
  readonly kind: 'rpc';
  readonly service: ServiceName;
  readonly subject: string;
  readonly delivery: Delivery;
  /**
   * A read whose identical concurrent requests may share one answer: callers coalesce them into
   * a single in-flight request (no TTL: an answer is never older than its round trip).
   */
  readonly coalesce: boolean;
  /** Phantom fields: never set at run time, they only carry the types. */
  readonly __req?: Req;
  readonly __res?: Res;
}

export interface EventContract<E> {
  readonly kind: 'event';
  /** The service whose replicas consume the event on a queue group; `undefined` = every subscriber. */
  readonly consumer?: ServiceName;
  readonly subject: string;
  readonly delivery: Delivery;
  readonly __event?: E;
}

export type RequestOf<C> = C extends RpcContract<infer Req, unknown> ? Req : never;
export type ResponseOf<C> = C extends RpcContract<unknown, infer Res> ? Res : never;
export type EventOf<C> = C extends EventContract<infer E> ? E : never;

const SUBJECT = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

function checkSubject(subject: string): string {
  if (!SUBJECT.test(subject)) throw new Error(`invalid subject '${subject}': use dot-separated lower-case tokens`);
  return subject;
}

export function defineRpc<Req, Res>(service: ServiceName, subject: string, options: { delivery?: Delivery; coalesce?: boolean } = {}): RpcContract<Req, Res> {
  return Object.freeze({ kind: 'rpc', service, subject: checkSubject(subject), delivery: options.delivery ?? 'queue', coalesce: options.coalesce ?? false });
}

export function defineEvent<E>(subject: string, options: { consumer?: ServiceName; delivery?: Delivery } = {}): EventContract<E> {
  return Object.freeze({
    kind: 'event',
    consumer: options.consumer,
    subject: checkSubject(subject),
    delivery: options.delivery ?? (options.consumer ? 'queue' : 'all'),
  });
}
