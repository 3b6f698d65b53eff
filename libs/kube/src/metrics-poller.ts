import { type KubeConfig, Metrics } from '@kubernetes/client-node';
import type { ErrorBody } from '@eks-info/contracts';
import { LogOnce, type Logger } from '@eks-info/platform';
import pino from 'pino';
import type { ApiDiscovery } from './api-discovery';
import { httpStatusOf, toKubeError } from './kube-errors';
import { kubeMetrics } from './kube.metrics';
import { cpuMillicores, memoryBytes } from './quantity';

export interface Usage {
  cpuMillis: number;
  memoryBytes: number;
  /** When metrics-server sampled it. */
  timestamp: string | null;
}

export interface MetricsPollerOptions {
  kubeConfig: KubeConfig;
  discovery: ApiDiscovery;
  /** KUBE_METRICS_POLL_SECONDS in ms. */
  intervalMs: number;
  /** Also poll pod usage: in this namespace, or in all when null. Undefined = nodes only. */
  podNamespace?: string | null;
  logger?: Logger;
}

export const METRICS_GROUP_VERSION = 'metrics.k8s.io/v1beta1';
export const METRICS_ABSENT_MESSAGE = 'metrics.k8s.io is not installed: install metrics-server';

/**
 * Polls metrics.k8s.io for node (and optionally pod) CPU and memory usage while the API
 * exists. This is the one periodic list the services make — usage is not watchable — and it
 * runs on its interval, never per page view; views read the last result.
 */
export class MetricsPoller {
  private readonly metrics: Metrics;
  private readonly logOnce: LogOnce;
  private nodeUsage = new Map<string, Usage>();
  private podUsage = new Map<string, Usage>();
  private state: { available: boolean; message: string | null; error: ErrorBody | null; at: Date | null } = {
    available: false,
    message: 'waiting for the first metrics.k8s.io poll',
    error: null,
    at: null,
  };
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: MetricsPollerOptions) {
    this.metrics = new Metrics(options.kubeConfig);
    this.logOnce = new LogOnce(options.logger ?? pino({ level: 'silent' }), 300_000);
  }

  /** Polls now and then every interval. */
  start(): void {
    if (this.timer || this.stopped) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** One poll (shared with a poll already running). */
  poll(): Promise<void> {
    this.inFlight ??= this.pollOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** True while metrics.k8s.io answers; false when absent, forbidden or failing (see message). */
  get available(): boolean {
    return this.state.available;
  }

  /** Why usage is missing, in words for the page; null when available. */
  get message(): string | null {
    return this.state.message;
  }

  get error(): ErrorBody | null {
    return this.state.error;
  }

  /** When the last successful poll finished. */
  get at(): Date | null {
    return this.state.at;
  }

  node(name: string): Usage | undefined {
    return this.nodeUsage.get(name);
  }

  nodes(): ReadonlyMap<string, Usage> {
    return this.nodeUsage;
  }

  /** Usage of a pod, summed over its containers. */
  pod(namespace: string, name: string): Usage | undefined {
    return this.podUsage.get(`${namespace}/${name}`);
  }

  private async pollOnce(): Promise<void> {
    try {
      if (!(await this.options.discovery.has(METRICS_GROUP_VERSION))) return this.absent();
      const nodes = await this.metrics.getNodeMetrics();
      const nodeUsage = new Map<string, Usage>();
      for (const item of nodes.items) {
        nodeUsage.set(item.metadata.name, {
          cpuMillis: cpuMillicores(item.usage.cpu) ?? 0,
          memoryBytes: memoryBytes(item.usage.memory) ?? 0,
          timestamp: item.timestamp ?? null,
        });
      }
      const podUsage = new Map<string, Usage>();
      if (this.options.podNamespace !== undefined) {
        const pods = await this.metrics.getPodMetrics(this.options.podNamespace ?? undefined);
        for (const item of pods.items) {
          podUsage.set(`${item.metadata.namespace}/${item.metadata.name}`, {
            cpuMillis: item.containers.reduce((sum, c) => sum + (cpuMillicores(c.usage.cpu) ?? 0), 0),
            memoryBytes: item.containers.reduce((sum, c) => sum + (memoryBytes(c.usage.memory) ?? 0), 0),
            timestamp: item.timestamp ?? null,
          });
        }
      }
      if (this.stopped) return;
      this.nodeUsage = nodeUsage;
      this.podUsage = podUsage;
      this.state = { available: true, message: null, error: null, at: new Date() };
      this.logOnce.clear('kube.metrics');
      kubeMetrics.metricsPolls().inc({ outcome: 'ok' });
    } catch (err) {
      // The API went away between discovery rechecks: same as absent.
      if (httpStatusOf(err) === 404) return this.absent();
      const error = toKubeError(err, { verb: 'list', resource: 'nodes', group: 'metrics.k8s.io', server: this.options.kubeConfig.getCurrentCluster()?.server });
      this.state = { ...this.state, available: false, message: error.message, error };
      kubeMetrics.metricsPolls().inc({ outcome: 'error' });
      this.logOnce.warn('kube.metrics', { code: error.code, error: error.message, details: error.details }, 'metrics.k8s.io poll failed');
    }
  }

  private absent(): void {
    this.nodeUsage = new Map();
    this.podUsage = new Map();
    this.state = { available: false, message: METRICS_ABSENT_MESSAGE, error: null, at: null };
    kubeMetrics.metricsPolls().inc({ outcome: 'absent' });
  }
}
