import { type ConfigOf, v } from '@eks-info/platform';

/** How a service reaches the Kubernetes API; the descriptions become the README table. */
export const kubeConfigSpec = {
  KUBE_MODE: v.oneOf(['auto', 'in-cluster', 'kubeconfig', 'off'], {
    description:
      'How to reach the Kubernetes API: `in-cluster` (the pod\'s service-account token), `kubeconfig` (KUBECONFIG or ~/.kube/config), `off`, or `auto`: in-cluster when KUBERNETES_SERVICE_HOST is set, else a kubeconfig when one exists, else off (pages then say "Not running in Kubernetes")',
    default: 'auto',
  }),
  KUBECONFIG: v.string({
    description:
      'kubeconfig file(s) for `kubeconfig` mode, separated by `:` as for kubectl (e.g. after `aws eks update-kubeconfig`); ~/.kube/config when unset',
    optional: true,
  }),
  WATCH_NAMESPACE: v.string({
    description:
      "Namespace whose pods, services, workloads, claims and events are shown; default the pod's own namespace (outside a cluster: the kubeconfig context's, else `default`)",
    optional: true,
    pattern: /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    hint: 'must be a Kubernetes namespace name (lower-case letters, digits and -)',
  }),
  KUBE_WATCHDOG_SECONDS: v.int({
    description:
      'A watch that has received nothing, not even a bookmark, for this long is restarted from its last resourceVersion. API servers send a bookmark about every minute, so only a silently dead connection trips it',
    default: '300',
    min: 5,
    max: 3600,
  }),
  KUBE_METRICS_POLL_SECONDS: v.int({
    description: 'Interval of the metrics.k8s.io (metrics-server) CPU/memory poll: the one periodic list; page views read its last result',
    default: '30',
    min: 5,
    max: 3600,
  }),
};

export type KubeSettings = ConfigOf<typeof kubeConfigSpec>;
