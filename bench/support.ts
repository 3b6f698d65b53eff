import autocannon from 'autocannon';
import { processRssBytes } from '@eks-info/testing';

/** One bounded autocannon run and what the tables print from it. */
export interface LoadResult {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Average response size. */
  bytes: number;
}

export async function loadTest(name: string, url: string, options: { connections: number; seconds: number }): Promise<LoadResult> {
  const r = await autocannon({ url, connections: options.connections, duration: options.seconds, pipelining: 1 });
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    bytes: Math.round(r.throughput.total / Math.max(1, r.requests.total)),
  };
}

/** Resident memory of a process in MiB, one decimal. */
export function rssMiB(pid: number): number {
  return Math.round((processRssBytes(pid) / 1048576) * 10) / 10;
}
