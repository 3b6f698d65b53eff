import type { Logger } from '@eks-info/platform';
import { ApiDiscovery } from './api-discovery';
import { InformerHub } from './informer-hub';
import { type KubeAccessResult, loadKubeAccess } from './kube-access';
import type { KubeSettings } from './kube.config';
import { MetricsPoller } from './metrics-poller';

/**
 * What a service needs to read Kubernetes, built once per process: the access (or why there is
 * none), one shared informer hub, API discovery and the metrics.k8s.io poller. Without a
 * cluster only `access` (with its error) is set; `namespace` then falls back to WATCH_NAMESPACE.
 */
export interface KubeContext {
  access: KubeAccessResult;
  namespace: string;
  hub?: InformerHub;
  discovery?: ApiDiscovery;
  metrics?: MetricsPoller;
  /** Stops the poller and every informer. */
  stop(): Promise<void>;
}

export function createKubeContext(
  settings: Pick<KubeSettings, 'KUBE_MODE' | 'KUBECONFIG' | 'WATCH_NAMESPACE' | 'KUBE_WATCHDOG_SECONDS'>,
  /** `podMetrics`: also poll pod usage, in the watched namespace or in all; default nodes only. */
  options: { logger?: Logger; metricsIntervalMs: number; podMetrics?: 'namespace' | 'all' },
): KubeContext {
  const access = loadKubeAccess(settings);
  if (!access.ok) return { access, namespace: settings.WATCH_NAMESPACE ?? 'default', stop: async () => undefined };
  const { kubeConfig, namespace } = access.access;
  const discovery = new ApiDiscovery(kubeConfig);
  const hub = InformerHub.fromSettings(access.access, settings, options.logger);
  const podNamespace = options.podMetrics === 'namespace' ? namespace : options.podMetrics === 'all' ? null : undefined;
  const metrics = new MetricsPoller({ kubeConfig, discovery, intervalMs: options.metricsIntervalMs, podNamespace, logger: options.logger });
  return {
    access,
    namespace,
    hub,
    discovery,
    metrics,
    async stop() {
      metrics.stop();
      await hub.stop();
    },
  };
}
