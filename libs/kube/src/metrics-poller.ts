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

export interface PodMetricsState {
  available: boolean;
  /** Why pod usage is missing, in words for the page; null when available. */
  message: string | null;
  /** The refused or failed pod list; null when metrics.k8s.io is simply absent. */
  error: ErrorBody | null;
  at: Date | null;
}

/** The annotation `npm run demo`'s simulated metrics-server puts on the PodMetrics it made up (not on measured ones). */
export const SIMULATED_USAGE_ANNOTATION = 'eks-info.demo/usage';

/**
 * Pod usage kept compact: per pod one map entry (its "namespace/name") and two numbers in a
 * typed array, not an object with strings — the scaling monitor holds it for every pod of its
 * namespace between polls.
 */
export class PodUsageTable {
  static readonly EMPTY = new PodUsageTable(0);
  private readonly slots = new Map<string, number>();
  private values: Float64Array;
  private marked: Set<string> | null = null;

  constructor(capacity: number) {
    this.values = new Float64Array(Math.max(2, capacity * 2));
  }

  add(namespace: string, name: string, cpuMillis: number, memoryBytes: number, simulated = false): void {
    const key = `${namespace}/${name}`;
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.slots.size;
      if (slot * 2 + 2 > this.values.length) {
        const grown = new Float64Array(this.values.length * 2);
        grown.set(this.values);
        this.values = grown;
      }
      this.slots.set(key, slot);
    }
    this.values[slot * 2] = cpuMillis;
    this.values[slot * 2 + 1] = memoryBytes;
    if (simulated) (this.marked ??= new Set()).add(key);
  }

  get(namespace: string, name: string): { cpuMillis: number; memoryBytes: number } | undefined {
    const slot = this.slots.get(`${namespace}/${name}`);
    return slot === undefined ? undefined : { cpuMillis: this.values[slot * 2], memoryBytes: this.values[slot * 2 + 1] };
  }

  simulated(namespace: string, name: string): boolean {
    return this.marked?.has(`${namespace}/${name}`) ?? false;
  }
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
  private podUsage = PodUsageTable.EMPTY;
  /** Pod usage has its own state: a refused pod list (RBAC) leaves node usage standing. */
  private podState: PodMetricsState = { available: false, message: 'waiting for the first metrics.k8s.io poll', error: null, at: null };
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

  /** Usage of a pod, summed over its containers (`timestamp`: when the poll that read it finished). */
  pod(namespace: string, name: string): Usage | undefined {
    const u = this.podUsage.get(namespace, name);
    return u && { ...u, timestamp: this.podState.at?.toISOString() ?? null };
  }

  /** True when the simulated metrics-server of `npm run demo` made this pod's usage up (it marks it so). */
  podSimulated(namespace: string, name: string): boolean {
    return this.podUsage.simulated(namespace, name);
  }

  /** Whether pod usage is there, and why not (metrics-server missing, the pod list refused, not polled). */
  get pods(): PodMetricsState {
    if (this.options.podNamespace === undefined) return { available: false, message: 'pod usage is not polled by this service', error: null, at: null };
    return this.podState;
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
      const pods = this.options.podNamespace !== undefined ? await this.pollPods() : undefined;
      if (this.stopped) return;
      this.nodeUsage = nodeUsage;
      if (pods) this.podUsage = pods;
      this.state = { available: true, message: null, error: null, at: new Date() };
      this.logOnce.clear('kube.metrics');
      kubeMetrics.metricsPolls().inc({ outcome: 'ok' });
    } catch (err) {
      // The API went away between discovery rechecks: same as absent.
      if (httpStatusOf(err) === 404) return this.absent();
      const error = toKubeError(err, { verb: 'list', resource: 'nodes', group: 'metrics.k8s.io', server: this.options.kubeConfig.getCurrentCluster()?.server });
      this.state = { ...this.state, available: false, message: error.message, error };
      this.podState = { ...this.podState, available: false, message: error.message, error };
      kubeMetrics.metricsPolls().inc({ outcome: 'error' });
      this.logOnce.warn('kube.metrics', { code: error.code, error: error.message, details: error.details }, 'metrics.k8s.io poll failed');
    }
  }

  /** The pod list, on its own: a failure keeps the last table and says why, node usage goes on. */
  private async pollPods(): Promise<PodUsageTable | undefined> {
    const namespace = this.options.podNamespace ?? undefined;
    try {
      const pods = await this.metrics.getPodMetrics(namespace);
      const table = new PodUsageTable(pods.items.length);
      for (const item of pods.items) {
        let cpu = 0;
        let memory = 0;
        for (const c of item.containers) {
          cpu += cpuMillicores(c.usage.cpu) ?? 0;
          memory += memoryBytes(c.usage.memory) ?? 0;
        }
        const annotations = (item.metadata as { annotations?: Record<string, string> }).annotations;
        table.add(item.metadata.namespace, item.metadata.name, cpu, memory, annotations?.[SIMULATED_USAGE_ANNOTATION] === 'simulated');
      }
      if (!this.stopped) this.podState = { available: true, message: null, error: null, at: new Date() };
      this.logOnce.clear('kube.metrics.pods');
      return table;
    } catch (err) {
      if (httpStatusOf(err) === 404) throw err;
      const error = toKubeError(err, {
        verb: 'list',
        resource: 'pods',
        group: 'metrics.k8s.io',
        namespace,
        server: this.options.kubeConfig.getCurrentCluster()?.server,
      });
      this.podState = { ...this.podState, available: false, message: error.message, error };
      this.logOnce.warn('kube.metrics.pods', { code: error.code, error: error.message, details: error.details }, 'metrics.k8s.io pod poll failed');
      return undefined;
    }
  }

  private absent(): void {
    this.nodeUsage = new Map();
    this.podUsage = PodUsageTable.EMPTY;
    this.state = { available: false, message: METRICS_ABSENT_MESSAGE, error: null, at: null };
    this.podState = { available: false, message: METRICS_ABSENT_MESSAGE, error: null, at: null };
    kubeMetrics.metricsPolls().inc({ outcome: 'absent' });
  }
}
