import type { EventContract, RpcContract } from '@eks-info/contracts';
import { setNewest } from '../cache/bounded-map';
import { TtlCache } from '../cache/ttl-cache';
import { platformMetrics } from '../metrics/metrics.registry';

export interface RequestOptions {
  /** Overrides RPC_TIMEOUT_MS for this request. */
  timeoutMs?: number;
  /** Set by `request` for coalesced reads: the transport reuses an unchanged answer (see `reuseAnswer`). */
  answerKey?: string;
}

/** Coalesced reads whose last answer is kept, per subject for reuse and in all for comparison (the rest are dropped, oldest first). */
export const MAX_KEPT_ANSWERS = 256;

export interface GatherOptions {
  /** How long to collect replies from every replica. */
  windowMs: number;
  /** Stop early once this many replies arrived. */
  max?: number;
}

export type Unsubscribe = () => void;

/**
 * The one way code talks to other services. Two implementations share every behaviour that a
 * caller can observe: NATS (every deployed shape) and in-process (`npm start`, fast tests).
 *
 * - `request` → one replica answers; fails with RpcError `TRANSPORT.UNAVAILABLE` (503) at once
 *   when nothing can answer, `TRANSPORT.TIMEOUT` (504) when the answer is late, or the
 *   handler's own error code.
 * - `gather` → a broadcast request; resolves with every reply that arrived within the window.
 * - `emit` → fire-and-forget event; never throws, never waits.
 * - `subscribe` → receive events (every subscriber, or one per `queue`).
 */
export abstract class MessageBus {
  abstract readonly kind: 'nats' | 'in-process';
  /** False while disconnected; requests then fail fast with 503. */
  abstract readonly connected: boolean;

  /** Per coalesced read (by subject): its in-flight request, and for a `maxAgeMs` its last answer. */
  private readonly reads = new Map<string, TtlCache<unknown>>();
  private readonly lastAnswers = new Map<string, { raw: Uint8Array | string; value: unknown }>();
  private readonly reused = platformMetrics.rpcClientReused();

  /**
   * One replica answers. Identical concurrent requests of a `coalesce` contract share one
   * in-flight request: under a burst of page views the service answers once per round trip.
   * A read with a `maxAgeMs` is answered from its last answer while that is younger than
   * `maxAgeMs`; in the second half of that time the first request also asks again in the
   * background, so under steady traffic no request waits for a round trip, and an idle caller's
   * next request waits for a fresh answer. Failures are never kept.
   */
  request<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: RequestOptions = {}): Promise<Res> {
    if (!contract.coalesce) return this.send(contract, data, options);
    const key = `${contract.subject}\u0000${JSON.stringify(data)}`;
    return this.readsOf(contract).get(key, () => this.send(contract, data, { ...options, answerKey: key })) as Promise<Res>;
  }

  /** Fresh for the first half of `maxAgeMs`, then answered stale while one request refreshes it. */
  private readsOf(contract: RpcContract<unknown, unknown>): TtlCache<unknown> {
    let cache = this.reads.get(contract.subject);
    if (!cache) {
      const half = contract.maxAgeMs / 2;
      cache = new TtlCache<unknown>({
        ttlMs: half,
        staleMs: half,
        maxEntries: MAX_KEPT_ANSWERS,
        now: () => performance.now(),
        onHit: () => this.reused.inc({ subject: contract.subject }),
      });
      this.reads.set(contract.subject, cache);
    }
    return cache;
  }

  /**
   * An answer identical (byte for byte on the wire) to the last answer of the same coalesced read
   * is returned as the same object. Everything downstream that is keyed by the answer object — a
   * page body rendered once per answer, JSON encoded once per answer — is then reused across round
   * trips for as long as the service's answer does not change, not only within one burst.
   */
  protected reuseAnswer<T>(key: string | undefined, raw: Uint8Array | string, decode: () => T): T {
    if (key === undefined) return decode();
    const last = this.lastAnswers.get(key);
    if (last && sameBytes(last.raw, raw)) return last.value as T;
    const value = decode();
    setNewest(this.lastAnswers, key, { raw, value }, MAX_KEPT_ANSWERS);
    return value;
  }

  /** The transport's own request (no coalescing). */
  protected abstract send<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: RequestOptions): Promise<Res>;
  abstract gather<Req, Res>(contract: RpcContract<Req, Res>, data: Req, options: GatherOptions): Promise<Res[]>;
  abstract emit<E>(contract: EventContract<E>, data: E): void;
  abstract subscribe<E>(contract: EventContract<E>, handler: (data: E) => void | Promise<void>, options?: { queue?: string }): Unsubscribe;
  abstract close(): Promise<void>;
}

/** Wire shapes: the packets @nestjs/microservices exchanges, so Nest handlers answer our requests. */
export interface WireRequest {
  pattern: string;
  data: unknown;
  id?: string;
}

export interface WireReply {
  id?: string;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

function sameBytes(a: Uint8Array | string, b: Uint8Array | string): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}
