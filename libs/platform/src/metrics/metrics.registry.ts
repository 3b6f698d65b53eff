import { Counter, Gauge, Histogram, collectDefaultMetrics, register } from 'prom-client';

/**
 * Get-or-create metric constructors on the process-wide registry. In `npm start` several Nest
 * apps share one process and one registry, so a metric is created once and then reused.
 */
export function counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return (register.getSingleMetric(name) as Counter<L>) ?? new Counter({ name, help, labelNames });
}

export function gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
  return (register.getSingleMetric(name) as Gauge<L>) ?? new Gauge({ name, help, labelNames });
}

export function histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[] = LATENCY_BUCKETS): Histogram<L> {
  return (register.getSingleMetric(name) as Histogram<L>) ?? new Histogram({ name, help, labelNames, buckets });
}

/** Seconds; from 1 ms (a cached page) to 10 s (a timed-out request). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let defaultsStarted = false;
/** Process metrics (CPU, memory, event-loop lag, GC) once per process. */
export function startProcessMetrics(): void {
  if (defaultsStarted) return;
  defaultsStarted = true;
  collectDefaultMetrics();
}

/** The metrics every process exports. */
export const platformMetrics = {
  httpRequests: () => counter('http_requests_total', 'HTTP requests by route and status', ['service', 'method', 'route', 'status']),
  httpDuration: () => histogram('http_request_duration_seconds', 'HTTP request latency by route', ['service', 'method', 'route', 'status']),
  rpcClientRequests: () => counter('rpc_client_requests_total', 'Requests sent over the bus by subject and outcome', ['subject', 'outcome']),
  rpcClientReused: () =>
    counter('rpc_client_reused_answers_total', "Bus reads answered from the last answer, without a request (the contract's maxAgeMs)", ['subject']),
  rpcClientDuration: () => histogram('rpc_client_duration_seconds', 'Round-trip time of bus requests', ['subject', 'outcome']),
  rpcServerRequests: () => counter('rpc_server_requests_total', 'Bus requests handled by subject and outcome', ['service', 'subject', 'outcome']),
  rpcServerDuration: () => histogram('rpc_server_duration_seconds', 'Handler time of bus requests', ['service', 'subject', 'outcome']),
  natsConnected: () => gauge('nats_connected', '1 while connected to NATS, 0 otherwise (absent with the in-process transport)', ['service']),
};
