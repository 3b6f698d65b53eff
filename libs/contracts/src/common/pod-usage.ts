import { z } from 'zod';

/**
 * Per-pod usage: a pod's CPU and memory as metrics.k8s.io reports them (summed over its
 * containers), against its requests and limits. Shown on /resources (the watched namespace) and
 * in the /scaling node cards (the watched namespace's pods on each node).
 */

/** What to do when metrics.k8s.io is missing: install metrics-server (EKS: as an add-on). */
export const METRICS_SERVER_FIX =
  'Install metrics-server: kubectl apply -f https://github.com/kubernetes-sigs/metrics-server/releases/latest/download/components.yaml' +
  ' — on EKS, the add-on: aws eks create-addon --cluster-name <name> --addon-name metrics-server' +
  ' (the Terraform of this project installs it). Then check it with kubectl get apiservice v1beta1.metrics.k8s.io.';

/** One resource of a pod: CPU in millicores or memory in bytes. */
export const PodResourceUsage = z.object({
  /** metrics.k8s.io usage; null while metrics-server has no sample of the pod (just started, not running). */
  used: z.number().nullable(),
  /** Sum of the containers' requests (0: none). */
  request: z.number(),
  /** Sum of the containers' limits; null when a container has none (no ceiling). */
  limit: z.number().nullable(),
  /** Used of request and of limit, in percent (one decimal); null when either side is missing. */
  ofRequestPercent: z.number().nullable(),
  ofLimitPercent: z.number().nullable(),
});
export type PodResourceUsage = z.output<typeof PodResourceUsage>;

export const PodUsageRow = z.object({
  namespace: z.string(),
  name: z.string(),
  node: z.string().nullable(),
  cpu: PodResourceUsage,
  memory: PodResourceUsage,
  /** The resources it uses more of than it requested: the scheduler reserved less than it takes. */
  aboveRequest: z.array(z.enum(['cpu', 'memory'])),
  /** ok; warn: above a request or near the CPU limit (throttled); error: memory near its limit (OOM kill ahead). */
  health: z.enum(['ok', 'warn', 'error']),
  /** Set by `npm run demo` for usage the simulated metrics-server made up (the stress pods' is measured). */
  simulated: z.boolean().optional(),
  /** Set while the pod is being deleted (Terminating): still on its node, no longer counted as running. */
  terminating: z.boolean().optional(),
});
export type PodUsageRow = z.output<typeof PodUsageRow>;

/** The /resources section: every pod of the namespace with its usage. */
export const PodUsageView = z.object({
  pods: z.array(PodUsageRow),
  /** Pods using more CPU or memory than they request. */
  aboveRequest: z.number(),
  /** When the usage was polled. */
  metricsAt: z.string().nullable(),
});
export type PodUsageView = z.output<typeof PodUsageView>;

/** Share of memory limit from which a pod is shown red: the kernel OOM-kills it at the limit. */
const MEMORY_LIMIT_DANGER = 0.9;
/** Share of CPU limit from which a pod is shown yellow: it is being throttled. */
const CPU_LIMIT_THROTTLED = 0.9;

const percent = (part: number | null, of: number | null) => (part === null || of === null || of <= 0 ? null : Math.round((part / of) * 1000) / 10);

/** The amounts of a pod: requests and limits from its spec, usage from metrics.k8s.io (null when none). */
export interface PodAmounts {
  namespace: string;
  name: string;
  node: string | null;
  cpuRequestMillis: number;
  cpuLimitMillis: number | null;
  memoryRequestBytes: number;
  memoryLimitBytes: number | null;
  usage: { cpuMillis: number; memoryBytes: number } | null;
  simulated?: boolean;
  terminating?: boolean;
}

/**
 * A pod's usage row: above a request when it uses more than it asked for (a pod without a request
 * that uses anything counts), red when its memory nears the limit, yellow when above a request or
 * throttled near its CPU limit.
 */
export function podUsageRow(p: PodAmounts): PodUsageRow {
  const resource = (used: number | null, request: number, limit: number | null): PodResourceUsage => ({
    used: used === null ? null : Math.round(used),
    request: Math.round(request),
    limit: limit === null ? null : Math.round(limit),
    ofRequestPercent: percent(used, request),
    ofLimitPercent: percent(used, limit),
  });
  const cpuUsed = p.usage ? p.usage.cpuMillis : null;
  const memoryUsed = p.usage ? p.usage.memoryBytes : null;
  const aboveRequest: PodUsageRow['aboveRequest'] = [];
  if (cpuUsed !== null && cpuUsed > p.cpuRequestMillis) aboveRequest.push('cpu');
  if (memoryUsed !== null && memoryUsed > p.memoryRequestBytes) aboveRequest.push('memory');
  const memoryDanger = memoryUsed !== null && p.memoryLimitBytes !== null && memoryUsed >= p.memoryLimitBytes * MEMORY_LIMIT_DANGER;
  const throttled = cpuUsed !== null && p.cpuLimitMillis !== null && cpuUsed >= p.cpuLimitMillis * CPU_LIMIT_THROTTLED;
  const row: PodUsageRow = {
    namespace: p.namespace,
    name: p.name,
    node: p.node,
    cpu: resource(cpuUsed, p.cpuRequestMillis, p.cpuLimitMillis),
    memory: resource(memoryUsed, p.memoryRequestBytes, p.memoryLimitBytes),
    aboveRequest,
    health: memoryDanger ? 'error' : aboveRequest.length || throttled ? 'warn' : 'ok',
  };
  if (p.simulated) row.simulated = true;
  if (p.terminating) row.terminating = true;
  return row;
}
