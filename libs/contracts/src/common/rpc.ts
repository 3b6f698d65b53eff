import type { z } from 'zod';
import { CommonErrors, type ErrorDefinition } from './errors';

/**
 * Typed message contracts. A contract is a subject, the service that answers it and the schemas
 * of what crosses the wire. The request and response types are inferred from the schemas, so the
 * sender (`bus.request(contract, …)`) and the handler (`@OnRequest(contract)`) compile against
 * the same definition, and both validate with the same rules at run time.
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
   * a single in-flight request.
   */
  readonly coalesce: boolean;
  /**
   * For a coalesced read whose service itself refreshes its answer at most every so often: how
   * long (ms) a caller may reuse an answer without asking again. 0: never (an answer is never
   * older than its round trip).
   */
  readonly maxAgeMs: number;
  /** What a caller may send: the gateway parses HTTP input with it, the handler validates again. */
  readonly request: z.ZodType<Req>;
  /** What the handler answers. */
  readonly response: z.ZodType<Res>;
  /** The 400 a request that fails `request` gets (the domain's INVALID code). */
  readonly invalid: ErrorDefinition;
}

export interface EventContract<E> {
  readonly kind: 'event';
  /** The service whose replicas consume the event on a queue group; `undefined` = every subscriber. */
  readonly consumer?: ServiceName;
  readonly subject: string;
  readonly delivery: Delivery;
  readonly schema: z.ZodType<E>;
}

export type RequestOf<C> = C extends RpcContract<infer Req, unknown> ? Req : never;
export type ResponseOf<C> = C extends RpcContract<unknown, infer Res> ? Res : never;
export type EventOf<C> = C extends EventContract<infer E> ? E : never;

const SUBJECT = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

function checkSubject(subject: string): string {
  if (!SUBJECT.test(subject)) throw new Error(`invalid subject '${subject}': use dot-separated lower-case tokens`);
  return subject;
}

export interface RpcSchemas<Q extends z.ZodType, R extends z.ZodType> {
  request: Q;
  response: R;
  /** Default: COMMON.VALIDATION. */
  invalid?: ErrorDefinition;
}

export function defineRpc<Q extends z.ZodType, R extends z.ZodType>(
  service: ServiceName,
  subject: string,
  schemas: RpcSchemas<Q, R>,
  options: { delivery?: Delivery; coalesce?: boolean; maxAgeMs?: number } = {},
): RpcContract<z.output<Q>, z.output<R>> {
  if (options.maxAgeMs && !options.coalesce) throw new Error(`${subject}: maxAgeMs is for coalesced reads`);
  return Object.freeze({
    kind: 'rpc',
    service,
    subject: checkSubject(subject),
    delivery: options.delivery ?? 'queue',
    coalesce: options.coalesce ?? false,
    maxAgeMs: options.maxAgeMs ?? 0,
    request: schemas.request as z.ZodType<z.output<Q>>,
    response: schemas.response as z.ZodType<z.output<R>>,
    invalid: schemas.invalid ?? CommonErrors.VALIDATION,
  });
}

export function defineEvent<S extends z.ZodType>(
  subject: string,
  schema: S,
  options: { consumer?: ServiceName; delivery?: Delivery } = {},
): EventContract<z.output<S>> {
  return Object.freeze({
    kind: 'event',
    consumer: options.consumer,
    subject: checkSubject(subject),
    delivery: options.delivery ?? (options.consumer ? 'queue' : 'all'),
    schema: schema as z.ZodType<z.output<S>>,
  });
}
