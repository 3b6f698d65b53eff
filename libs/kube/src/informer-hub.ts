import type { KubeConfig } from '@kubernetes/client-node';
import { KubeHttpError } from './kube-errors';
import { getJson } from './kube-request';
import { type CheckResult, LogOnce, type Logger } from '@eks-info/platform';
import pino from 'pino';
import type { KubeAccess } from './kube-access';
import type { KubeSettings } from './kube.config';
import { type InformerOptions, type InformerTiming, ManagedInformer } from './informer';
import { type BuiltinResource, type KubeObject, RESOURCES, type ResourceObjects, type ResourceType } from './resources';

export interface InformerHubOptions {
  kubeConfig: KubeConfig;
  logger?: Logger;
  /** A watch silent this long is restarted (KUBE_WATCHDOG_SECONDS); default 5 min. */
  watchdogMs?: number;
  /** Backoff of restarts after an error: full jitter between 0 and min(max, base·2^attempt). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A restart of the same kind is logged at most once per this interval. */
  logIntervalMs?: number;
  listTimeoutMs?: number;
  /**
   * While an informer waits out a backoff because the API server did not answer, the hub asks
   * the server's /version this often, and restarts the waiting informers as soon as it answers.
   */
  recoveryProbeMs?: number;
}

/**
 * Shared informers of one process: one list+watch per (kind, namespace, selectors, transform),
 * however many pages or collectors read it. Page views read the caches; they never list.
 *
 * Recovery after an API server outage is shared too: each informer backs off on its own (up to
 * `backoffMaxMs`), so without help readiness would wait for the slowest timer. When one informer
 * lists again, or a cheap probe of /version answers, every informer still waiting because the
 * server did not answer restarts at once.
 */
export class InformerHub {
  private readonly informers = new Map<string, ManagedInformer<KubeObject>>();
  private readonly logger: Logger;
  private readonly logOnce: LogOnce;
  private readonly timing: InformerTiming;
  private readonly recoveryProbeMs: number;
  private probeTimer?: NodeJS.Timeout;
  private probing = false;
  private closed = false;

  constructor(private readonly options: InformerHubOptions) {
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.logOnce = new LogOnce(this.logger, options.logIntervalMs ?? 60_000);
    this.timing = {
      watchdogMs: options.watchdogMs ?? 300_000,
      backoffBaseMs: options.backoffBaseMs ?? 1_000,
      backoffMaxMs: options.backoffMaxMs ?? 60_000,
      listTimeoutMs: options.listTimeoutMs ?? 60_000,
    };
    this.recoveryProbeMs = options.recoveryProbeMs ?? 2_000;
  }

  static fromSettings(access: KubeAccess, settings: Pick<KubeSettings, 'KUBE_WATCHDOG_SECONDS'>, logger?: Logger): InformerHub {
    return new InformerHub({ kubeConfig: access.kubeConfig, logger, watchdogMs: settings.KUBE_WATCHDOG_SECONDS * 1000 });
  }

  /** The running informer for a kind (built-in name or a custom resource type), created and started on first use. */
  informer<K extends BuiltinResource>(resource: K, options?: InformerOptions): ManagedInformer<ResourceObjects[K]>;
  informer<T extends KubeObject = KubeObject>(resource: ResourceType, options?: InformerOptions): ManagedInformer<T>;
  informer(resource: BuiltinResource | ResourceType, options: InformerOptions = {}): ManagedInformer<KubeObject> {
    if (this.closed) throw new Error('the informer hub is stopped');
    const type: ResourceType = typeof resource === 'string' ? RESOURCES[resource] : resource;
    const opts: InformerOptions = { ...options, namespace: type.namespaced ? options.namespace : undefined };
    const key = [
      type.group,
      type.version,
      type.plural,
      opts.namespace ?? '',
      opts.labelSelector ?? '',
      opts.fieldSelector ?? '',
      opts.transform?.name ?? '',
    ].join('|');
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new ManagedInformer(type, opts, {
        kubeConfig: this.options.kubeConfig,
        logger: this.logger,
        logOnce: this.logOnce,
        timing: this.timing,
        onRecovered: () => this.wakeWaiting(),
        onBackoff: () => this.startProbe(),
      });
      this.informers.set(key, informer);
      informer.start();
    }
    return informer;
  }

  all(): ManagedInformer<KubeObject>[] {
    return [...this.informers.values()];
  }

  /** Readiness check "kubernetes": every required informer has listed and is not failing. */
  readiness(): CheckResult {
    const problems: string[] = [];
    const notes: string[] = [];
    for (const i of this.informers.values()) {
      const problem = i.lastError ? `${i.name}: ${i.lastError.message}` : !i.synced ? `${i.name}: not synced yet` : undefined;
      if (problem) (i.optional ? notes : problems).push(problem);
    }
    if (problems.length) return { ok: false, detail: problems.join('; ') };
    const detail = `${this.informers.size} informers synced`;
    return { ok: true, detail: notes.length ? `${detail} (optional: ${notes.join('; ')})` : detail };
  }

  /** True when every informer created so far has synced within `timeoutMs`. */
  async whenSynced(timeoutMs: number): Promise<boolean> {
    const results = await Promise.all(this.all().map((i) => i.whenSynced(timeoutMs)));
    return results.every(Boolean);
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
    await Promise.all(this.all().map((i) => i.stop()));
  }

  /** The server answers again: informers waiting out a backoff because it did not, restart now. */
  private wakeWaiting(): void {
    for (const i of this.informers.values()) if (i.waitingForServer) i.retryNow();
  }

  private startProbe(): void {
    if (this.probeTimer || this.closed) return;
    this.probeTimer = setInterval(() => void this.probe(), this.recoveryProbeMs);
    this.probeTimer.unref();
  }

  /** One /version request while some informer waits for the server; any HTTP answer below 500 means it is back. */
  private async probe(): Promise<void> {
    if (this.probing) return;
    if (![...this.informers.values()].some((i) => i.waitingForServer)) {
      clearInterval(this.probeTimer);
      this.probeTimer = undefined;
      return;
    }
    this.probing = true;
    try {
      await getJson(this.options.kubeConfig, '/version', {}, Math.min(this.recoveryProbeMs, 5_000));
      this.wakeWaiting();
    } catch (err) {
      if (err instanceof KubeHttpError && err.statusCode > 0 && err.statusCode < 500) this.wakeWaiting();
    } finally {
      this.probing = false;
    }
  }
}
