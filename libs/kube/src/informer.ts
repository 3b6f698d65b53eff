import { type KubeConfig, type KubernetesListObject, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';
import type { ErrorBody } from '@eks-info/contracts';
import { backoffDelay, type LogOnce, type Logger, sleep } from '@eks-info/platform';
import { httpStatusOf, toKubeError } from './kube-errors';
import { kubeMetrics } from './kube.metrics';
import { streamList } from './informer-list';
import { groupVersionOf, type KubeObject, resourcePath, type ResourceType } from './resources';

export type ChangeType = 'add' | 'update' | 'delete';
export type ChangeListener<T> = (type: ChangeType, obj: T) => void;

/**
 * What an informer keeps of each object, like client-go's `SetTransform`: applied to every list
 * item and watch object before it is cached or handed to listeners, so a cache of 150,000 pods
 * holds the handful of fields its reader uses instead of whole pods. The result must keep
 * `metadata.name`, `metadata.namespace` and `metadata.resourceVersion` (the cache is keyed by
 * them and the watch resumes from them); `keepIdentity` copies them.
 */
export interface ObjectTransform<T extends KubeObject = KubeObject> {
  /** Names the transform: the hub keeps one informer per kind, selectors and transform. */
  readonly name: string;
  apply(obj: KubeObject): T;
}

/** The metadata every transformed object must keep: name, namespace, uid and resourceVersion. */
export function keepIdentity(obj: KubeObject): { name?: string; namespace?: string; uid?: string; resourceVersion?: string } {
  const m = obj.metadata ?? {};
  return { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion };
}

export interface InformerOptions {
  /** Namespace of a namespaced kind; undefined = all namespaces. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** An optional informer (e.g. a CRD that may be absent) is reported by readiness but does not fail it. */
  optional?: boolean;
  /** What the cache keeps of each object (default: the whole object). */
  transform?: ObjectTransform;
}

export interface InformerTiming {
  /** A watch silent this long is restarted from its last resourceVersion. */
  watchdogMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  listTimeoutMs: number;
}

export interface InformerDeps {
  kubeConfig: KubeConfig;
  logger: Logger;
  logOnce: LogOnce;
  timing: InformerTiming;
  /** Called when the informer listed again after failing (the hub then wakes the others). */
  onRecovered?: (informer: ManagedInformer<KubeObject>) => void;
  /** Called when it starts waiting out a backoff after a failure. */
  onBackoff?: (informer: ManagedInformer<KubeObject>) => void;
}

/** What pages and readiness checks need to know about an informer, whatever it holds. */
export interface InformerStatus {
  readonly name: string;
  readonly optional: boolean;
  readonly synced: boolean;
  readonly lastError: ErrorBody | null;
  readonly updatedAt: Date | null;
}

/** How long after the server last did not answer a refusal (401/403) still counts as the server starting. */
const STARTING_REFUSAL_MS = 30_000;

type RestartReason = 'error' | 'dropped' | 'watchdog' | 'expired';

interface WatchHooks {
  closed(): boolean;
  opening(): void;
  event(type: string, obj: { code?: number } | undefined): void;
  ended(err: unknown, connected: boolean): void;
}

/**
 * client-node's Watch with three changes: it asks for BOOKMARK events (so a quiet but healthy
 * watch is never silent for long), it uses the watchdog interval as its inactivity timeout (the
 * Watch already aborts a silent stream with a TimeoutError after `requestTimeoutMs`, and
 * ListWatch then re-watches from the last resourceVersion: that is our watchdog), and it tells
 * the informer how each watch ended.
 */
class InformerWatch extends Watch {
  constructor(
    kubeConfig: KubeConfig,
    watchdogMs: number,
    private readonly hooks: WatchHooks,
    /** Applied to the objects of ADDED, MODIFIED and DELETED events (never to BOOKMARK or ERROR). */
    private readonly transform?: (obj: KubeObject) => KubeObject,
  ) {
    super(kubeConfig);
    // Private in the typings, a plain field at run time: the inactivity timeout of a watch stream.
    (this as unknown as { requestTimeoutMs: number }).requestTimeoutMs = watchdogMs;
  }

  override async watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    // After stop(), ListWatch may still come back from a reconnect delay: open nothing.
    if (this.hooks.closed()) return new AbortController();
    this.hooks.opening();
    let connected = false;
    try {
      const controller = await super.watch(
        path,
        { ...query, allowWatchBookmarks: true },
        (phase, obj, raw) => {
          this.hooks.event(phase, obj as { code?: number });
          const keep = this.transform && (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED');
          callback(phase, keep ? this.transform!(obj as KubeObject) : obj, raw);
        },
        (err) => {
          this.hooks.ended(err, connected);
          done(err);
        },
      );
      connected = true;
      return controller;
    } catch (err) {
      // E.g. an exec credential plugin failing: report it like any failed watch.
      this.hooks.ended(err, false);
      done(err);
      return new AbortController();
    }
  }
}

/**
 * One shared informer: client-node's ListWatch (list once, then watch; on 410 Gone it relists
 * and diffs against its cache, so existing objects produce update or nothing — never a second
 * add) made self-healing. ListWatch stops for good on any other error; this restarts it with
 * exponential backoff and jitter, keeps the error for pages to show, and logs restarts once
 * per kind per interval.
 *
 * The cache holds objects in wire form. client-node's typed list functions turn timestamps into
 * Date objects while its Watch passes raw JSON, so a cache fed by both would mix the two
 * (kubernetes-client/javascript#655); listing through the same raw HTTP path avoids that and
 * serves built-in kinds and custom resources alike. The list is parsed item by item as it
 * arrives (`streamList`) and each item goes through the informer's transform at once, so a big
 * list is never held whole.
 */
export class ManagedInformer<T extends KubeObject = KubeObject> implements InformerStatus {
  readonly name: string;
  readonly optional: boolean;
  private readonly lw: ListWatch<KubernetesObject>;
  private readonly listeners = new Set<ChangeListener<T>>();
  private readonly syncWaiters = new Set<() => void>();
  private readonly labels: { resource: string; namespace: string };
  private readonly stopping = new AbortController();
  private isSynced = false;
  private error: ErrorBody | null = null;
  private changedAt = 0;
  private objectCount = 0;
  /** The object-count gauge is set once per burst of changes (a list of thousands is one burst). */
  private countPending = false;
  private attempt = 0;
  private failures = 0;
  private restartTimer?: NodeJS.Timeout;
  private started = false;
  private closed = false;
  private operation: 'list' | 'watch' = 'list';
  /** The last watch ended with an error after it had connected (a dropped connection, not a refused request). */
  private droppedAfterConnect = false;
  /**
   * The last failure was the API server not answering (no HTTP status, or 429/5xx), or refusing
   * (401/403) right after it did not answer: see STARTING_REFUSAL_MS. Not a plain refusal.
   */
  private unreachable = false;
  /** When the API server last did not answer this informer. */
  private unansweredAt = 0;

  constructor(
    readonly resource: ResourceType,
    readonly options: InformerOptions,
    private readonly deps: InformerDeps,
  ) {
    this.name = describeInformer(resource, options);
    this.optional = options.optional ?? false;
    this.labels = { resource: qualifiedName(resource), namespace: options.namespace ?? '*' };
    const path = resourcePath(resource, options.namespace);
    const transform = options.transform;
    const watch = new InformerWatch(
      deps.kubeConfig,
      deps.timing.watchdogMs,
      {
        closed: () => this.closed,
        opening: () => {
          this.operation = 'watch';
        },
        event: (type, obj) => this.onWatchEvent(type, obj),
        ended: (err, connected) => this.onWatchEnd(err, connected),
      },
      transform && ((obj) => transform.apply(obj)),
    );
    this.lw = new ListWatch<KubernetesObject>(path, watch, () => this.fetchList(path), false, options.labelSelector, options.fieldSelector, {
      // ListWatch's own reconnect pause after a cleanly closed watch; cut short by stop().
      delayFn: (ms) => sleep(ms, this.stopping.signal).catch(() => undefined),
    });
    this.lw.on('add', (o) => this.emit('add', o as unknown as T));
    this.lw.on('update', (o) => this.emit('update', o as unknown as T));
    this.lw.on('delete', (o) => this.emit('delete', o as unknown as T));
    this.lw.on('error', (err) => this.onFailure(err));
  }

  /** Starts listing and watching (idempotent; the hub starts informers it creates). */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    void this.run();
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.restartTimer);
    this.stopping.abort();
    await this.lw.stop();
    for (const wake of this.syncWaiters) wake();
    kubeMetrics.informerSynced().set(this.labels, 0);
  }

  /** Cached objects (the cache's own objects: do not mutate them). */
  list(): readonly T[] {
    return this.lw.list() as unknown as readonly T[];
  }

  /** An object by name; the namespace defaults to the informer's (pass it for an all-namespaces informer). */
  get(name: string, namespace?: string): T | undefined {
    return this.lw.get(name, namespace ?? this.options.namespace) as unknown as T | undefined;
  }

  /** True once the first list has completed (the cache may be stale while `lastError` is set). */
  get synced(): boolean {
    return this.isSynced;
  }

  /** Why the informer is failing right now (null while healthy), as a page section shows it. */
  get lastError(): ErrorBody | null {
    return this.error;
  }

  /** When the cache last changed. */
  get updatedAt(): Date | null {
    return this.changedAt ? new Date(this.changedAt) : null;
  }

  /** Subscribes to changes (including the adds of the first list); returns the unsubscribe function. */
  onChange(listener: ChangeListener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True while it waits out a backoff because the API server did not answer (see `retryNow`). */
  get waitingForServer(): boolean {
    return this.restartTimer !== undefined && this.unreachable && !this.closed;
  }

  /**
   * The API server answers again: restart now instead of at the end of the backoff, which may
   * be up to a minute away after a long outage. The next failure starts the backoff afresh.
   */
  retryNow(): void {
    if (this.restartTimer === undefined || this.closed) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.attempt = 0;
    void this.run();
  }

  /** Resolves true once synced, false after `timeoutMs` (or when stopped) without it. */
  whenSynced(timeoutMs: number): Promise<boolean> {
    if (this.isSynced) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.syncWaiters.delete(finish);
        resolve(this.isSynced);
      };
      const timer = setTimeout(finish, timeoutMs);
      this.syncWaiters.add(finish);
    });
  }

  private async run(): Promise<void> {
    if (this.closed) return;
    const failuresBefore = this.failures;
    try {
      // Lists (unless resuming from a resourceVersion) and opens the watch; failures arrive
      // through the 'error' callback rather than as a rejection.
      await this.lw.start();
    } catch (err) {
      this.onFailure(err);
      return;
    }
    if (!this.closed && this.failures === failuresBefore) this.healthy();
  }

  private async fetchList(path: string): Promise<KubernetesListObject<KubernetesObject>> {
    this.operation = 'list';
    const { labelSelector, fieldSelector, transform } = this.options;
    // List items carry no apiVersion/kind while watch events do: fill them so cached objects look alike.
    const apiVersion = groupVersionOf(this.resource);
    const kind = this.resource.kind;
    const list = await streamList(this.deps.kubeConfig, path, { labelSelector, fieldSelector }, this.deps.timing.listTimeoutMs, (o) => {
      o.apiVersion ??= apiVersion;
      o.kind ??= kind;
      return transform ? transform.apply(o) : o;
    });
    this.attempt = 0;
    return { metadata: { resourceVersion: list.resourceVersion }, items: list.items } as KubernetesListObject<KubernetesObject>;
  }

  private healthy(): void {
    const recovered = this.error !== null || this.unreachable;
    if (this.error) {
      this.deps.logger.info({ informer: this.name }, 'informer recovered');
      this.deps.logOnce.clear(this.logKind('error'));
    }
    this.error = null;
    this.unreachable = false;
    if (recovered) this.deps.onRecovered?.(this as unknown as ManagedInformer<KubeObject>);
    kubeMetrics.informerSynced().set(this.labels, 1);
    if (!this.isSynced) {
      this.isSynced = true;
      for (const wake of this.syncWaiters) wake();
    }
  }

  private onWatchEvent(type: string, obj: { code?: number } | undefined): void {
    // Any event, bookmarks included, shows the connection works: the next failure starts backoff afresh.
    this.attempt = 0;
    if (type === 'ERROR' && obj?.code === 410) this.restarted('expired', 'watch history expired (410 Gone); relisting');
  }

  private onWatchEnd(err: unknown, connected: boolean): void {
    this.droppedAfterConnect = false;
    if (!err || this.closed) return;
    if ((err as Error).name === 'TimeoutError') {
      this.restarted('watchdog', `watch silent for ${Math.round(this.deps.timing.watchdogMs / 1000)} s; restarted from its last resourceVersion`);
    } else if (httpStatusOf(err) === 410) {
      this.restarted('expired', 'resourceVersion too old (410 Gone); relisting');
    } else {
      this.droppedAfterConnect = connected;
    }
  }

  /** ListWatch gave up (it does on every error except 410 and timeouts): restart it after a backoff. */
  private onFailure(err: unknown): void {
    // stop() aborts the open watch, which ListWatch reports as one more error.
    if (this.closed) return;
    this.failures++;
    const dropped = this.droppedAfterConnect;
    this.droppedAfterConnect = false;
    const status = httpStatusOf(err);
    const unanswered = dropped || status === undefined || status === 429 || status >= 500;
    // A kube-apiserver that has just (re)started serves requests before its authorizer has
    // synced and refuses them all (403, even /version) for a moment: still "not back", so the
    // hub's probe restarts this informer then rather than a backoff grown during the outage.
    const starting = (status === 401 || status === 403) && Date.now() - this.unansweredAt < STARTING_REFUSAL_MS;
    if (unanswered) this.unansweredAt = Date.now();
    this.unreachable = unanswered || starting;
    const body = toKubeError(err, {
      verb: this.operation,
      resource: this.resource.plural,
      group: this.resource.group || undefined,
      namespace: this.resource.namespaced ? this.options.namespace : undefined,
      server: this.deps.kubeConfig.getCurrentCluster()?.server,
      informer: true,
    });
    // A dropped watch is routine (API server restarts, idle timeouts): reconnect without
    // showing an error; only if that fails too does the section turn red.
    if (!dropped) {
      this.error = body;
      kubeMetrics.informerSynced().set(this.labels, 0);
    }
    const delay = backoffDelay(this.attempt++, this.deps.timing.backoffBaseMs, this.deps.timing.backoffMaxMs);
    this.restarted(
      dropped ? 'dropped' : 'error',
      dropped ? 'watch connection dropped; reconnecting' : 'informer stopped on an error; restarting with backoff',
      {
        code: body.code,
        error: body.message,
        details: body.details,
        retry_in_ms: delay,
      },
    );
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.run();
    }, delay);
    this.deps.onBackoff?.(this as unknown as ManagedInformer<KubeObject>);
  }

  private restarted(reason: RestartReason, message: string, fields: Record<string, unknown> = {}): void {
    kubeMetrics.informerRestarts().inc({ ...this.labels, reason });
    this.deps.logOnce.warn(this.logKind(reason), { informer: this.name, reason, ...fields }, message);
  }

  private logKind(reason: RestartReason): string {
    return `kube.informer.${reason}:${this.name}`;
  }

  private emit(type: ChangeType, obj: T): void {
    this.changedAt = Date.now();
    this.objectCount += type === 'add' ? 1 : type === 'delete' ? -1 : 0;
    if (!this.countPending) {
      this.countPending = true;
      queueMicrotask(() => {
        this.countPending = false;
        kubeMetrics.informerObjects().set(this.labels, this.objectCount);
      });
    }
    for (const listener of this.listeners) {
      // ListWatch calls back inside the watch's line handler, which swallows exceptions and
      // would skip the resourceVersion update: a failing subscriber must not reach it.
      try {
        listener(type, obj);
      } catch (err) {
        this.deps.logOnce.error(`kube.informer.listener:${this.name}`, { informer: this.name, err }, 'informer change listener threw');
      }
    }
  }
}

function qualifiedName(r: ResourceType): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}

/** "pods in demo", "nodes", "events in demo (type=Warning)". */
export function describeInformer(r: ResourceType, o: InformerOptions): string {
  const selectors = [o.labelSelector, o.fieldSelector].filter(Boolean).join(',');
  return `${qualifiedName(r)}${r.namespaced ? (o.namespace ? ` in ${o.namespace}` : ' in all namespaces') : ''}${selectors ? ` (${selectors})` : ''}`;
}
