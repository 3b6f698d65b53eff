import { type ErrorBody, KubeErrors, METRICS_SERVER_FIX, type Section, failed, unavailable } from '@eks-info/contracts';
import { METRICS_ABSENT_MESSAGE, type PodMetricsState } from './metrics-poller';
import { cpuMillicores, memoryBytes } from './quantity';

/**
 * Why pod usage is missing, as a section problem: metrics-server not installed (with how to
 * install it), the pod list refused or failing (the poll's own error), or the first poll still
 * to come. Null when usage is there.
 */
export function podUsageProblem(state: PodMetricsState): ErrorBody | null {
  if (state.available) return null;
  if (state.error) return state.error;
  if (state.message === METRICS_ABSENT_MESSAGE) {
    return {
      code: KubeErrors.API_NOT_FOUND.code,
      message: 'metrics.k8s.io is not installed here (no metrics-server): pod CPU and memory usage is unknown, and HPAs on CPU or memory cannot scale.',
      fix: METRICS_SERVER_FIX,
    };
  }
  return { code: KubeErrors.NOT_SYNCED.code, message: `No pod usage yet: ${state.message ?? 'waiting for the first metrics.k8s.io poll'}` };
}

/** A section of pod usage: the data when usage is there, else unavailable (absent, not yet polled) or an error (refused, failing). */
export function podUsageSection<T>(state: PodMetricsState, build: () => Section<T>): Section<T> {
  const problem = podUsageProblem(state);
  if (!problem) return build();
  return state.error ? failed(problem) : unavailable(problem);
}

type Quantities = Record<string, string | number | undefined> | undefined;
interface ContainerAmounts {
  resources?: { requests?: Quantities; limits?: Quantities };
  restartPolicy?: string;
}

/**
 * What a pod's running containers ask for and may use: requests and limits summed over its
 * containers and sidecars (init containers that keep running). A limit is null when one of them
 * has none: the pod then has no ceiling for that resource.
 */
export function podAmounts(spec: { containers?: ContainerAmounts[]; initContainers?: ContainerAmounts[] } | undefined): {
  cpuRequestMillis: number;
  memoryRequestBytes: number;
  cpuLimitMillis: number | null;
  memoryLimitBytes: number | null;
} {
  const running = [...(spec?.containers ?? []), ...(spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  let cpuRequest = 0;
  let memoryRequest = 0;
  let cpuLimit: number | null = running.length ? 0 : null;
  let memoryLimit: number | null = cpuLimit;
  for (const c of running) {
    cpuRequest += cpuMillicores(c.resources?.requests?.cpu as string | undefined) ?? 0;
    memoryRequest += memoryBytes(c.resources?.requests?.memory as string | undefined) ?? 0;
    const cpu = cpuMillicores(c.resources?.limits?.cpu as string | undefined);
    const memory = memoryBytes(c.resources?.limits?.memory as string | undefined);
    cpuLimit = cpuLimit === null || cpu === null ? null : cpuLimit + cpu;
    memoryLimit = memoryLimit === null || memory === null ? null : memoryLimit + memory;
  }
  return { cpuRequestMillis: cpuRequest, memoryRequestBytes: memoryRequest, cpuLimitMillis: cpuLimit, memoryLimitBytes: memoryLimit };
}
