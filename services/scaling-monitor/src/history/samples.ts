import type { HistoryPoint } from '@eks-info/contracts';

const maxOf = (values: number[]) => values.reduce((a, b) => Math.max(a, b), 0);

function averageOrNull(values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? Math.round(known.reduce((a, b) => a + b, 0) / known.length) : null;
}

function maxRecord(records: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) for (const [k, v] of Object.entries(r)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}

/**
 * One point standing for several (downsampling): counts keep the bucket's maximum, so a short
 * scale-up stays visible; usage is averaged. The point takes the bucket's first time.
 */
export function mergePoints(points: HistoryPoint[]): HistoryPoint {
  if (points.length === 1) return points[0];
  const hpas: Record<string, [number, number]> = {};
  for (const p of points) {
    for (const [k, [current, desired]] of Object.entries(p.hpas)) {
      const prev = hpas[k];
      hpas[k] = prev ? [Math.max(prev[0], current), Math.max(prev[1], desired)] : [current, desired];
    }
  }
  return {
    t: points[0].t,
    nodes: maxOf(points.map((p) => p.nodes)),
    nodesReady: maxOf(points.map((p) => p.nodesReady)),
    nodesByCapacityType: maxRecord(points.map((p) => p.nodesByCapacityType)),
    pods: maxOf(points.map((p) => p.pods)),
    pending: maxOf(points.map((p) => p.pending)),
    workloads: maxRecord(points.map((p) => p.workloads)),
    hpas,
    cpuAllocatableMillis: maxOf(points.map((p) => p.cpuAllocatableMillis)),
    cpuRequestedMillis: maxOf(points.map((p) => p.cpuRequestedMillis)),
    cpuUsedMillis: averageOrNull(points.map((p) => p.cpuUsedMillis)),
    memoryAllocatableBytes: maxOf(points.map((p) => p.memoryAllocatableBytes)),
    memoryRequestedBytes: maxOf(points.map((p) => p.memoryRequestedBytes)),
    memoryUsedBytes: averageOrNull(points.map((p) => p.memoryUsedBytes)),
  };
}

/** Groups time-ordered points into buckets of `bucketMs` (aligned to the epoch) and merges each bucket. */
export function downsample(points: HistoryPoint[], bucketMs: number): HistoryPoint[] {
  if (bucketMs <= 0 || points.length < 2) return points;
  const out: HistoryPoint[] = [];
  let bucket: HistoryPoint[] = [];
  let key = NaN;
  for (const p of points) {
    const k = Math.floor(Date.parse(p.t) / bucketMs);
    if (k !== key && bucket.length) {
      out.push(mergePoints(bucket));
      bucket = [];
    }
    key = k;
    bucket.push(p);
  }
  if (bucket.length) out.push(mergePoints(bucket));
  return out;
}
