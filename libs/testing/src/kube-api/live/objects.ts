import type { KubeObject } from '../store';

/**
 * Reading the fields of wire-form objects the simulated control plane acts on: quantities,
 * requests, conditions, taints. Small on purpose: the test harness does not import the
 * production Kubernetes library it is there to test.
 */

const SUFFIX: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** A Kubernetes quantity ("250m", "2", "128Mi", "1e3") as a number of base units; 0 when absent. */
export function quantity(q: string | number | undefined | null): number {
  if (q === undefined || q === null || q === '') return 0;
  if (typeof q === 'number') return q;
  const m = /^([+-]?[\d.]+(?:e[+-]?\d+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m || !(m[2] in SUFFIX)) throw new Error(`not a quantity: ${q}`);
  return Number(m[1]) * SUFFIX[m[2]];
}

export const millicores = (q: string | number | undefined | null): number => Math.round(quantity(q) * 1000);

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string | null;
  lastProbeTime?: string | null;
  lastHeartbeatTime?: string | null;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

interface Container {
  name: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

export interface PodShape extends KubeObject {
  spec: {
    nodeName?: string;
    containers: Container[];
    tolerations?: Array<{ key?: string; operator?: string; effect?: string }>;
    [key: string]: unknown;
  };
  status?: { phase?: string; conditions?: Condition[]; [key: string]: unknown };
}

export interface NodeShape extends KubeObject {
  spec?: { taints?: Taint[]; unschedulable?: boolean; providerID?: string };
  status?: { allocatable?: Record<string, string>; conditions?: Condition[]; addresses?: Array<{ type: string; address: string }> };
}

export const conditionOf = (o: { status?: { conditions?: Condition[] } }, type: string): Condition | undefined =>
  o.status?.conditions?.find((c) => c.type === type);

export const isTrue = (o: { status?: { conditions?: Condition[] } }, type: string): boolean => conditionOf(o, type)?.status === 'True';

/** What the scheduler reserves for a pod: the sum of its containers' requests. */
export function podRequests(pod: PodShape): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec.containers ?? []) {
    cpu += millicores(c.resources?.requests?.cpu);
    memory += quantity(c.resources?.requests?.memory);
  }
  return { cpu, memory };
}

export function podLimits(pod: PodShape): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec.containers ?? []) {
    cpu += millicores(c.resources?.limits?.cpu);
    memory += quantity(c.resources?.limits?.memory);
  }
  return { cpu, memory };
}

/** Bound to a node, not finished: it holds its requests there. */
export const holdsResources = (pod: PodShape): boolean => Boolean(pod.spec.nodeName) && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';

export const isDeleting = (o: KubeObject): boolean => Boolean(o.metadata.deletionTimestamp);

/** The internal IP a node reports. */
export const nodeIp = (node: NodeShape): string | undefined => node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
