import { counter, gauge } from '@eks-info/platform';

/** Prometheus metrics of the Kubernetes layer (get-or-create on the process registry). */
export const kubeMetrics = {
  informerRestarts: () =>
    counter(
      'kube_informer_restarts_total',
      'Informer restarts by reason: error (list/watch failed, restarted with backoff), dropped (watch connection lost), watchdog (silent watch restarted), expired (410 Gone, relisted)',
      ['resource', 'namespace', 'reason'],
    ),
  informerSynced: () => gauge('kube_informer_synced', '1 while the informer has listed and is watching without error', ['resource', 'namespace']),
  informerObjects: () => gauge('kube_informer_objects', 'Objects in the informer cache', ['resource', 'namespace']),
  metricsPolls: () => counter('kube_metrics_polls_total', 'metrics.k8s.io polls by outcome (ok, absent, error)', ['outcome']),
};
