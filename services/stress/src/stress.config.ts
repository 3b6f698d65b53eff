import { kubeConfigSpec } from '@eks-info/kube';
import { v, type CommonConfig, type ConfigOf } from '@eks-info/platform';

/** Variables only the stress service reads. */
export const stressOwnConfig = {
  STRESS_MAX_DURATION_SECONDS: v.int({
    description: 'Longest stress test or sustained load accepted, in seconds (tests stop by themselves at the end)',
    default: '600',
    min: 5,
    max: 3600,
  }),
  STRESS_MEMORY_HEADROOM_PERCENT: v.int({
    description: 'Share of the memory limit a memory test never takes: the target is capped at limit − current − headroom, so the pod is never OOM-killed',
    default: '20',
    min: 5,
    max: 90,
  }),
  STRESS_MAX_MEMORY_MB: v.int({
    description:
      'Largest memory test (MiB) where nothing limits the memory (no cgroup limit, no MEMORY_LIMIT_BYTES: a laptop, a bare process); under a limit, limit − current − headroom applies instead',
    default: '1024',
    min: 16,
    max: 1048576,
  }),
  STRESS_MAX_LOAD_MILLICORES: v.int({
    description: 'Largest sustained load accepted (aggregate CPU across all stress pods, in millicores)',
    default: '20000',
    min: 100,
    max: 256000,
  }),
  STRESS_WORK_UNIT_MS: v.int({
    description: 'CPU time of one sustained-load work unit; the dispatching pod publishes millicores ÷ this many units per second on the stress queue group',
    default: '100',
    min: 10,
    max: 1000,
  }),
  STRESS_HEARTBEAT_INTERVAL_MS: v.int({
    description: 'Interval of the heartbeat each stress pod publishes (live CPU, memory and test for the gateway)',
    default: '1000',
    min: 200,
    max: 10000,
  }),
  STRESS_WORKER_NICE: v.int({
    description: "Nice value of the load threads, so the pod's own event loop (health probes, heartbeats) gets the CPU first when it needs it",
    default: '10',
    min: 0,
    max: 19,
  }),
  STRESS_USAGE_SOURCE: v.oneOf(['auto', 'cgroup', 'process'], {
    description:
      'Where CPU and memory usage are read: `cgroup` (the container), `process` (this process), or `auto`: the cgroup for a resource the cgroup limits, else the process',
    default: 'auto',
  }),
  STRESS_HPA_NAME: v.string({
    description: 'Name of the stress HPA shown on /stress (the Helm chart sets it); unset = the page says there is none',
    optional: true,
  }),
  SIMULATED_SOURCES: v.string({
    description:
      'Sources `npm run demo` simulates, comma-separated: kubernetes (the fake API server), imds (the EC2 metadata mock), aws (moto). Sections fed by them are labelled "simulated"; set by the demo, unset anywhere else',
    optional: true,
    pattern: /^(kubernetes|imds|aws)(,(kubernetes|imds|aws))*$/,
    hint: 'must be a comma-separated list of kubernetes, imds and aws',
  }),
  CPU_REQUEST_MILLICORES: v.int({
    description: "The container's CPU request in millicores (downward API requests.cpu, divisor 1m): the HPA's 100 %",
    optional: true,
    min: 1,
  }),
  CPU_LIMIT_MILLICORES: v.int({
    description: "The container's CPU limit in millicores (downward API limits.cpu), used when the cgroup shows no CPU quota",
    optional: true,
    min: 1,
  }),
  MEMORY_REQUEST_BYTES: v.int({ description: "The container's memory request in bytes (downward API requests.memory)", optional: true, min: 1 }),
  MEMORY_LIMIT_BYTES: v.int({
    description: "The container's memory limit in bytes (downward API limits.memory), used when the cgroup shows no memory limit",
    optional: true,
    min: 1,
  }),
};

/** The Kubernetes variables the HPA informer needs (no metrics poll here). */
const { KUBE_MODE, KUBECONFIG, WATCH_NAMESPACE, KUBE_WATCHDOG_SECONDS } = kubeConfigSpec;

/** Everything the stress service validates at start-up (on top of the common variables). */
export const stressConfig = { KUBE_MODE, KUBECONFIG, WATCH_NAMESPACE, KUBE_WATCHDOG_SECONDS, ...stressOwnConfig };

/** Defaults that differ in `npm start` (one process, data under ./.data) from a deployment. */
export const stressLocalDefaults: Record<string, string> = {};

/** The validated configuration of this component: its own variables and the common ones. */
export type StressConfig = ConfigOf<typeof stressConfig> & CommonConfig;
