import type { AccessRecord, AccessStatsPartial, AccessStatsReport } from '@eks-info/contracts';
import { stamp } from '../common/timestamps';

/** Pages get their own bucket; the JSON API is one bucket; anything else (scanners, typos) is "/other". */
const PAGE_BUCKETS = new Set(['/', '/storage', '/ebs', '/efs', '/s3', '/resources', '/network', '/stress', '/scaling', '/scaling/history']);

/** The report's path bucket for a request path (bounded: arbitrary paths must not grow the report). */
export function pathBucket(requestPath: string): string {
  const path = requestPath.split('?')[0].replace(/\/+$/, '') || '/';
  if (PAGE_BUCKETS.has(path)) return path;
  if (path === '/api' || path.startsWith('/api/')) return '/api';
  const top = `/${path.split('/')[1]}`;
  // Sub-pages (e.g. /efs/files/…) count towards their demo.
  if (top !== '/' && PAGE_BUCKETS.has(top)) return top;
  return '/other';
}

/** Distinct client IPs a pod sends at most; more are counted as truncated. */
export const MAX_IPS_PER_PARTIAL = 10_000;

/** Accumulates one pod's records of a window. */
export class PartialBuilder {
  private total = 0;
  private readonly ips = new Set<string>();
  private ipsTruncated = false;
  private readonly paths: Record<string, number> = {};
  private responseTimeSumMs = 0;
  private errors = 0;

  add(record: AccessRecord): void {
    this.total++;
    if (typeof record.client_ip === 'string') {
      if (this.ips.size < MAX_IPS_PER_PARTIAL) this.ips.add(record.client_ip);
      else if (!this.ips.has(record.client_ip)) this.ipsTruncated = true;
    }
    const bucket = pathBucket(String(record.request_path ?? '/other'));
    this.paths[bucket] = (this.paths[bucket] ?? 0) + 1;
    if (typeof record.response_time_ms === 'number' && Number.isFinite(record.response_time_ms)) this.responseTimeSumMs += record.response_time_ms;
    if (typeof record.response_status === 'number' && record.response_status >= 400) this.errors++;
  }

  build(pod: string): Omit<AccessStatsPartial, 'servedBy'> {
    return {
      pod,
      total: this.total,
      clientIps: [...this.ips],
      ipsTruncated: this.ipsTruncated,
      paths: { ...this.paths },
      responseTimeSumMs: Math.round(this.responseTimeSumMs * 10) / 10,
      errors: this.errors,
    };
  }
}

/** `stats_YYYYMMDD_HHMMSS` of the window's end, as in the design seed. */
export function reportId(end: Date): string {
  return `stats_${stamp(end)}`;
}

/** The window that ended most recently at `now`, on boundaries aligned to the interval. */
export function lastWindow(now: number, intervalMs: number): { start: number; end: number } {
  const end = Math.floor(now / intervalMs) * intervalMs;
  return { start: end - intervalMs, end };
}

/**
 * Merges every pod's partial into the design seed's report. An error is a response with status
 * 400 or above; the average response time is over all requests of the window.
 */
export function mergePartials(
  partials: Array<Pick<AccessStatsPartial, 'pod' | 'total' | 'clientIps' | 'paths' | 'responseTimeSumMs' | 'errors'>>,
  window: { start: number; end: number },
  generatedBy: string,
  trigger: AccessStatsReport['trigger'],
  generatedAt = new Date(),
): AccessStatsReport {
  const ips = new Set<string>();
  const paths: Record<string, number> = {};
  let total = 0;
  let sum = 0;
  let errors = 0;
  const sources = new Set<string>();
  for (const p of partials) {
    // Each pod answers once; a duplicate reply (at-most-once transport retries) is ignored.
    if (sources.has(p.pod)) continue;
    sources.add(p.pod);
    total += p.total;
    sum += p.responseTimeSumMs;
    errors += p.errors;
    for (const ip of p.clientIps) ips.add(ip);
    for (const [path, n] of Object.entries(p.paths)) paths[path] = (paths[path] ?? 0) + n;
  }
  return {
    report_id: reportId(new Date(window.end)),
    time_range: { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
    statistics: {
      total_requests: total,
      unique_ips: ips.size,
      path_distribution: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
      avg_response_time_ms: total ? Math.round((sum / total) * 10) / 10 : 0,
      error_count: errors,
    },
    generated_by: generatedBy,
    generated_at: generatedAt.toISOString(),
    sources: [...sources].sort(),
    trigger,
  };
}
