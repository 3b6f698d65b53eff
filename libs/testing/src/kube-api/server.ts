import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { apiVersionOf, FAKE_RESOURCES, type FakeResource, type Feature, resourceByName } from './resources';
import { matchesFields, matchesLabels, unsupportedField } from './selectors';
import { type KubeObject, KubeStore, kubeTime, type ObjectRef, type StoreChange } from './store';
import { serverTls, type ServerTls } from './tls';

export interface FakeKubeApiOptions {
  /** Port on 127.0.0.1; 0 (default) = any free port. */
  port?: number;
  /** Bearer token the server accepts; random by default. */
  token?: string;
  /** Namespace of the kubeconfig context and the service account. */
  namespace?: string;
  /** EKS cluster name; the kubeconfig names the cluster and context by its ARN, as `aws eks update-kubeconfig` does. */
  clusterName?: string;
  region?: string;
  /** AWS account of the cluster ARN (default 111122223333). */
  accountId?: string;
  /** User named in 403 messages. */
  user?: string;
  gitVersion?: string;
  platform?: string;
  /** metrics.k8s.io served (metrics-server installed); default true. */
  metrics?: boolean;
  /** karpenter.sh CRDs served; default true. */
  karpenter?: boolean;
  /** Interval of BOOKMARK events on watches that ask for them (real API servers: about a minute). */
  bookmarkIntervalMs?: number;
  /** Changes kept for resuming watches; a watch from an older resourceVersion gets 410 Gone. */
  historyLimit?: number;
  /** Objects to start with. */
  objects?: KubeObject[];
  /**
   * What the control plane's own controllers would do to nodes (default true): a node created
   * later gets the `node.kubernetes.io/not-ready` taint (admission), which goes once the node is
   * Ready and comes back when it is not (kube-controller-manager's node lifecycle controller).
   */
  nodeLifecycle?: boolean;
}

export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

export type Verb = 'get' | 'list' | 'watch';

interface Route {
  resource: FakeResource;
  namespace?: string;
  name?: string;
  path: string;
}

interface OpenWatch {
  res: http.ServerResponse;
  route: Route;
  labelSelector?: string;
  fieldSelector?: string;
  bookmarks: boolean;
  stalled: boolean;
  queue: string[];
  timers: NodeJS.Timeout[];
}

interface Rule {
  target: string;
  verbs?: Verb[];
}

interface Failure extends Rule {
  status: number;
  remaining: number;
  message?: string;
}

const MAX_STALLED_LINES = 100_000;

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** A Kubernetes `Status` object, the body of every API server error. */
export function statusBody(code: number, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: REASONS[code] ?? 'InternalError',
    ...(details ? { details } : {}),
    code,
  };
}

/**
 * A fake Kubernetes API server for tests and demos. It serves real HTTPS (a generated CA goes
 * into the kubeconfig) so `@kubernetes/client-node` runs unmodified: discovery, list, get and
 * watch with resourceVersions, bookmarks and selectors, bearer-token auth, and on-demand faults —
 * expired watch history (410), dropped and stalled watches, failing and forbidden requests.
 * Objects change through `upsert`/`patch`/`remove`, which is also how a scenario script drives it.
 */
export class FakeKubeApiServer {
  readonly store: KubeStore;
  readonly token: string;
  readonly namespace: string;
  readonly clusterName: string;
  readonly region: string;
  readonly user: string;
  readonly gitVersion: string;
  readonly platform: string;

  private server?: https.Server;
  private tls?: ServerTls;
  private readonly watches = new Set<OpenWatch>();
  private readonly callCounts = new Map<string, { verb: Verb; path: string; resource: FakeResource; count: number }>();
  private failures: Failure[] = [];
  private forbidden: Rule[] = [];
  private readonly features: Record<Feature, boolean>;
  private fixedNow?: Date;
  private readonly tempDirs: string[] = [];
  private readonly graceTimers = new Set<NodeJS.Timeout>();
  private offlinePort?: number;
  private starting = true;

  private constructor(private readonly options: FakeKubeApiOptions) {
    this.token = options.token ?? randomBytes(16).toString('hex');
    this.namespace = options.namespace ?? 'demo';
    this.clusterName = options.clusterName ?? 'demo-cluster';
    this.region = options.region ?? 'eu-west-1';
    this.user = options.user ?? `system:serviceaccount:${this.namespace}:eks-info`;
    this.gitVersion = options.gitVersion ?? 'v1.33.2-eks-931bdca';
    this.platform = options.platform ?? 'linux/arm64';
    this.features = { metrics: options.metrics ?? true, karpenter: options.karpenter ?? true };
    this.store = new KubeStore({ now: () => this.now(), historyLimit: options.historyLimit ?? 10_000 });
    this.store.subscribe((change) => this.broadcast(change));
    if (options.nodeLifecycle ?? true) this.store.subscribe((change) => this.nodeLifecycle(change));
    for (const obj of options.objects ?? []) this.store.upsert(obj);
    this.starting = false;
  }

  static async start(options: FakeKubeApiOptions = {}): Promise<FakeKubeApiServer> {
    const fake = new FakeKubeApiServer(options);
    await fake.listen(options.port ?? 0);
    return fake;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get caCert(): string {
    return this.tls!.caCert;
  }

  /** Name of the cluster and context in the kubeconfig (an EKS cluster ARN). */
  get contextName(): string {
    return `arn:aws:eks:${this.region}:${this.options.accountId ?? '111122223333'}:cluster/${this.clusterName}`;
  }

  // ---- kubeconfig -------------------------------------------------------------------------

  /** The kubeconfig as an object (the structure `KubeConfig.loadFromOptions` accepts). */
  kubeconfig(): Record<string, unknown> {
    const name = this.contextName;
    return {
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': name,
      clusters: [{ name, cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.caCert).toString('base64') } }],
      users: [{ name: 'eks-info-test', user: { token: this.token } }],
      contexts: [{ name, context: { cluster: name, user: 'eks-info-test', namespace: this.namespace } }],
    };
  }

  /** The kubeconfig as YAML, for `KubeConfig.loadFromString`. */
  kubeconfigYaml(): string {
    return YAML.stringify(this.kubeconfig());
  }

  /** Writes the kubeconfig (to a temporary file unless `file` is given) and returns its path. */
  writeKubeconfig(file?: string): string {
    const target = file ?? path.join(this.tempDir(), 'kubeconfig');
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, this.kubeconfigYaml(), { mode: 0o600 });
    return target;
  }

  /**
   * Lays out a service-account directory like a pod's (token, ca.crt, namespace) under a root,
   * for `KubeConfig.loadFromCluster(root)`; returns the root and the env an in-cluster pod sees.
   */
  writeServiceAccount(root?: string): { root: string; env: Record<string, string> } {
    const base = root ?? this.tempDir();
    const dir = path.join(base, 'var/run/secrets/kubernetes.io/serviceaccount');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'token'), this.token);
    writeFileSync(path.join(dir, 'ca.crt'), this.caCert);
    writeFileSync(path.join(dir, 'namespace'), this.namespace);
    return { root: base, env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(this.port) } };
  }

  // ---- objects and clock ------------------------------------------------------------------

  upsert(...objects: KubeObject[]): KubeObject[] {
    return objects.map((o) => this.store.upsert(this.admit(o)));
  }

  /** Admission of a new node (TaintNodesByCondition): it is created with the not-ready taint, whatever it says. */
  private admit(o: KubeObject): KubeObject {
    if (o.kind !== 'Node' || this.starting || !(this.options.nodeLifecycle ?? true) || this.store.get(`nodes/${o.metadata.name}`)) return o;
    const spec = (o as { spec?: { taints?: Array<{ key: string; effect: string }> } }).spec ?? {};
    if ((spec.taints ?? []).some((t) => t.key === NOT_READY_TAINT)) return o;
    return { ...o, spec: { ...spec, taints: [...(spec.taints ?? []), { key: NOT_READY_TAINT, effect: 'NoSchedule' }] } } as KubeObject;
  }

  patch(ref: ObjectRef, mutate: (obj: KubeObject) => void): KubeObject {
    return this.store.patch(ref, mutate);
  }

  /** Removes an object at once: what the API server does when a pod's kubelet confirms it stopped (or on a forced delete). */
  remove(ref: ObjectRef): KubeObject | undefined {
    return this.store.remove(ref);
  }

  /**
   * Deletes an object as a DELETE request does. A pod bound to a node is deleted gracefully: it
   * gets `deletionTimestamp` (now + the grace period, 30 s unless the pod or the call says
   * otherwise) and stays, Terminating, until its kubelet confirms — here, when the grace period
   * ends (or `remove` earlier). Anything else, and a grace period of 0, goes at once.
   */
  delete(ref: ObjectRef, options: { gracePeriodSeconds?: number } = {}): KubeObject | undefined {
    const current = this.store.get(ref);
    if (!current) return undefined;
    const bound = current.kind === 'Pod' && Boolean((current.spec as { nodeName?: string } | undefined)?.nodeName);
    const grace = options.gracePeriodSeconds ?? (current.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds ?? 30;
    if (!bound || grace <= 0) return this.store.remove(ref);
    if (current.metadata.deletionTimestamp) return current;
    const updated = this.store.patch(ref, (o) => {
      o.metadata.deletionTimestamp = kubeTime(new Date(this.now().getTime() + grace * 1000));
      (o.metadata as { deletionGracePeriodSeconds?: number }).deletionGracePeriodSeconds = grace;
      const generation = (o.metadata as { generation?: number }).generation;
      (o.metadata as { generation?: number }).generation = (generation ?? 1) + 1;
    });
    const uid = updated.metadata.uid;
    const timer = setTimeout(() => {
      this.graceTimers.delete(timer);
      if (this.store.get(ref)?.metadata.uid === uid) this.store.remove(ref);
    }, grace * 1000);
    timer.unref();
    this.graceTimers.add(timer);
    return updated;
  }

  get(ref: ObjectRef): KubeObject | undefined {
    return this.store.get(ref);
  }

  /** The server's clock, used for creationTimestamp of new objects. */
  now(): Date {
    return this.fixedNow ? new Date(this.fixedNow) : new Date();
  }

  /** Freezes the clock at `at` (null = real time again). */
  setNow(at: Date | string | null): void {
    this.fixedNow = at === null ? undefined : new Date(at);
  }

  advance(ms: number): void {
    this.fixedNow = new Date(this.now().getTime() + ms);
  }

  // ---- counters ---------------------------------------------------------------------------

  /** List requests so far, for a target (see `failNext`) or in total. */
  listCalls(target?: string): number {
    return this.calls('list', target);
  }

  watchCalls(target?: string): number {
    return this.calls('watch', target);
  }

  calls(verb: Verb, target?: string): number {
    let n = 0;
    for (const c of this.callCounts.values()) if (c.verb === verb && (!target || matchesTarget(target, c.path, c.resource))) n += c.count;
    return n;
  }

  resetCounters(): void {
    this.callCounts.clear();
  }

  /** Watches currently open (optionally for one target). */
  openWatches(target?: string): number {
    return [...this.watches].filter((w) => !target || matchesTarget(target, w.route.path, w.route.resource)).length;
  }

  // ---- faults -----------------------------------------------------------------------------

  /**
   * Compacts the change history as etcd does: every open watch gets an ERROR event carrying a
   * 410 Status and is closed, and a new watch from an older resourceVersion gets HTTP 410.
   * Stalled watches get the ERROR too (their queued events are lost), so a test can make a client
   * miss changes and then force it to relist.
   */
  expireWatchHistory(options: { notifyOpenWatches?: boolean } = {}): void {
    this.store.compact();
    if (options.notifyOpenWatches === false) return;
    const line = JSON.stringify({ type: 'ERROR', object: statusBody(410, 'The resourceVersion for the provided watch is too old.') }) + '\n';
    for (const w of [...this.watches]) {
      w.queue = [];
      w.res.end(line);
    }
  }

  /**
   * An API server outage: the port stops answering (connections refused) until `comeBack`.
   * The objects stay, as they stay in etcd while kube-apiserver restarts.
   */
  async goOffline(): Promise<void> {
    const server = this.server;
    if (!server?.listening) return;
    this.offlinePort = this.port;
    for (const w of this.watches) w.res.destroy();
    this.watches.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /**
   * The API server is back on the same port. Like a restarted kube-apiserver, whose watch
   * cache starts empty, it cannot resume watches from before the outage (410: clients relist).
   */
  async comeBack(): Promise<void> {
    if (this.offlinePort === undefined) return;
    this.store.compact();
    await this.listen(this.offlinePort);
    this.offlinePort = undefined;
  }

  /** Destroys the socket of every open watch, as a load balancer or API server restart would. */
  dropWatches(): number {
    const open = [...this.watches];
    for (const w of open) w.res.socket?.destroy();
    return open.length;
  }

  /**
   * Watches open now go silent (connection kept, nothing sent, no bookmarks) like a watch whose
   * TCP path died without a reset. Watches opened later are healthy. Changes are queued.
   */
  stallWatches(): number {
    for (const w of this.watches) w.stalled = true;
    return this.watches.size;
  }

  /** Stalled watches that are still open send what they queued and carry on. */
  resumeWatches(): void {
    for (const w of this.watches) {
      w.stalled = false;
      for (const line of w.queue.splice(0)) w.res.write(line);
    }
  }

  /** Sends a BOOKMARK now on every healthy watch that asked for bookmarks. */
  sendBookmarks(): void {
    for (const w of this.watches) if (w.bookmarks) this.bookmark(w);
  }

  /**
   * The next `times` requests matching `target` fail with `status` (a Status body). A target is
   * a path ("/api/v1/namespaces/demo/pods", matching it and below) or a resource ("pods",
   * "Node", "nodepools"); `verbs` narrows it to list, watch or get.
   */
  failNext(target: string, status: number, options: { times?: number; verbs?: Verb[]; message?: string } = {}): void {
    this.failures.push({ target, status, remaining: options.times ?? 1, verbs: options.verbs, message: options.message });
  }

  /** Denies `target` (see `failNext`) with 403 and the API server's RBAC message until `allow`. */
  forbid(target: string, verbs?: Verb[]): void {
    this.forbidden.push({ target, verbs });
  }

  allow(target: string): void {
    this.forbidden = this.forbidden.filter((r) => r.target !== target);
  }

  /** Switches an API group on or off: off looks like a cluster without metrics-server or Karpenter (404). */
  setFeature(feature: Feature, enabled: boolean): void {
    this.features[feature] = enabled;
    if (!enabled) for (const w of [...this.watches]) if (w.route.resource.feature === feature) w.res.destroy();
  }

  async close(): Promise<void> {
    for (const t of this.graceTimers) clearTimeout(t);
    this.graceTimers.clear();
    for (const w of this.watches) w.res.destroy();
    this.watches.clear();
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    for (const dir of this.tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }

  /** The node taints kube-apiserver's admission and the node lifecycle controller maintain. */
  private nodeLifecycle(change: StoreChange): void {
    if (change.resource.kind !== 'Node' || change.type === 'DELETED') return;
    const node = change.object as KubeObject & {
      spec?: { taints?: Array<{ key: string; effect: string }> };
      status?: { conditions?: Array<{ type: string; status: string }> };
    };
    const tainted = (node.spec?.taints ?? []).some((t) => t.key === NOT_READY_TAINT);
    const ready = (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    const name = node.metadata.name;
    const setTaint = (on: boolean) =>
      this.store.patch(`nodes/${name}`, (o) => {
        const spec = ((o as { spec?: Record<string, unknown> }).spec ??= {}) as { taints?: Array<{ key: string; effect: string }> };
        const others = (spec.taints ?? []).filter((t) => t.key !== NOT_READY_TAINT);
        spec.taints = on ? [...others, { key: NOT_READY_TAINT, effect: 'NoSchedule' }] : others;
        if (!spec.taints.length) delete spec.taints;
      });
    if (ready === tainted)
      setImmediate(() => {
        const now = this.store.get(`nodes/${name}`) as typeof node | undefined;
        if (!now) return;
        const nowTainted = (now.spec?.taints ?? []).some((t) => t.key === NOT_READY_TAINT);
        const nowReady = (now.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
        if (nowReady === nowTainted) setTaint(!nowReady);
      });
  }

  // ---- HTTP -------------------------------------------------------------------------------

  private async listen(port: number): Promise<void> {
    this.tls = await serverTls();
    this.server = https.createServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const pathname = url.pathname.replace(/\/+$/, '') || '/';
    if (pathname === '/version') return this.json(res, 200, this.versionInfo());
    if (['/healthz', '/livez', '/readyz'].includes(pathname)) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) return this.json(res, 401, statusBody(401, 'Unauthorized'));
    if (req.method !== 'GET') return this.json(res, 405, statusBody(405, 'the fake API server changes objects through upsert/patch/remove, not over HTTP'));

    const target = this.route(pathname);
    if (!target) return this.json(res, 404, statusBody(404, 'the server could not find the requested resource'));
    if ('discovery' in target) {
      if (this.takeFailure(res, pathname)) return;
      return this.json(res, 200, target.discovery);
    }
    const { route } = target;
    const q = url.searchParams;
    const verb: Verb = route.name ? 'get' : q.get('watch') === 'true' || q.get('watch') === '1' ? 'watch' : 'list';
    this.count(verb, route);
    if (this.takeFailure(res, pathname, route.resource, verb)) return;
    if (this.isForbidden(route, verb)) return this.json(res, 403, this.forbiddenStatus(route, verb));

    const res0 = route.resource;
    if (verb === 'get') {
      const obj =
        res0.namespaced && !route.namespace
          ? undefined
          : this.store.get(res0.namespaced ? `${res0.kind}/${route.namespace}/${route.name}` : `${res0.kind}/${route.name}`);
      if (!obj) {
        return this.json(res, 404, statusBody(404, `${qualified(res0)} "${route.name}" not found`, { name: route.name, group: res0.group, kind: res0.plural }));
      }
      return this.json(res, 200, obj);
    }
    const labelSelector = q.get('labelSelector') ?? undefined;
    const fieldSelector = q.get('fieldSelector') ?? undefined;
    const badField = unsupportedField(fieldSelector, res0.plural, res0.group);
    if (badField) return this.json(res, 400, statusBody(400, `field label not supported: ${badField}`));
    if (verb === 'list') {
      const items = this.store.list(res0, route.namespace).filter((o) => matchesLabels(labelSelector, o.metadata.labels) && matchesFields(fieldSelector, o));
      // Built-in lists carry no apiVersion/kind on their items; custom resources do.
      const item = isBuiltIn(res0) ? ({ apiVersion: _a, kind: _k, ...rest }: KubeObject) => rest : (o: KubeObject) => o;
      return this.streamList(
        res,
        { kind: `${res0.kind}List`, apiVersion: apiVersionOf(res0), metadata: { resourceVersion: String(this.store.resourceVersion) } },
        items,
        item,
      );
    }
    if (!res0.watchable)
      return this.json(res, 405, statusBody(405, `the server does not allow this method on the requested resource (watch ${qualified(res0)})`));
    this.watch(res, route, q, labelSelector, fieldSelector);
  }

  private watch(res: http.ServerResponse, route: Route, q: URLSearchParams, labelSelector?: string, fieldSelector?: string): void {
    const w: OpenWatch = {
      res,
      route,
      labelSelector,
      fieldSelector,
      bookmarks: q.get('allowWatchBookmarks') === 'true',
      stalled: false,
      queue: [],
      timers: [],
    };
    const rvParam = q.get('resourceVersion');
    let backlog: string[];
    if (rvParam && rvParam !== '0') {
      const from = Number(rvParam);
      const changes = Number.isFinite(from) ? this.store.changesSince(from) : undefined;
      if (!changes) {
        // A real API server accepts the watch (HTTP 200) and then sends one ERROR event carrying the 410 Status.
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
        res.end(
          JSON.stringify({ type: 'ERROR', object: statusBody(410, `too old resource version: ${rvParam} (${this.store.oldestResourceVersion})`) }) + '\n',
        );
        return;
      }
      backlog = changes.flatMap((c) => this.eventLine(w, c) ?? []);
    } else {
      // No resourceVersion: the current state as synthetic ADDED events, then changes.
      backlog = this.store
        .list(route.resource, route.namespace)
        .filter((o) => this.visible(w, o))
        .map((object) => JSON.stringify({ type: 'ADDED', object }) + '\n');
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    res.flushHeaders();
    this.watches.add(w);
    res.on('close', () => {
      this.watches.delete(w);
      for (const t of w.timers) clearTimeout(t);
    });
    for (const line of backlog) this.send(w, line);
    const timeoutSeconds = Number(q.get('timeoutSeconds'));
    if (timeoutSeconds > 0) w.timers.push(setTimeout(() => res.end(), timeoutSeconds * 1000).unref());
    if (w.bookmarks) w.timers.push(setInterval(() => this.bookmark(w), this.options.bookmarkIntervalMs ?? 60_000).unref());
  }

  private broadcast(change: StoreChange): void {
    for (const w of this.watches) {
      const line = this.eventLine(w, change);
      if (line) this.send(w, line);
    }
  }

  /** The event a watch sees for a change: selectors turn a change into ADDED/DELETED when an object enters or leaves them. */
  private eventLine(w: OpenWatch, change: StoreChange): string | undefined {
    if (change.resource !== w.route.resource) return undefined;
    const before = change.previous !== undefined && this.visible(w, change.previous);
    const after = change.type !== 'DELETED' && this.visible(w, change.object);
    const type = after ? (before ? 'MODIFIED' : 'ADDED') : before ? 'DELETED' : undefined;
    return type && JSON.stringify({ type, object: change.object }) + '\n';
  }

  private visible(w: OpenWatch, o: KubeObject): boolean {
    return (
      (!w.route.namespace || o.metadata.namespace === w.route.namespace) &&
      matchesLabels(w.labelSelector, o.metadata.labels) &&
      matchesFields(w.fieldSelector, o)
    );
  }

  private send(w: OpenWatch, line: string): void {
    if (w.stalled) {
      if (w.queue.length < MAX_STALLED_LINES) w.queue.push(line);
      return;
    }
    w.res.write(line);
  }

  private bookmark(w: OpenWatch): void {
    if (w.stalled) return;
    const res = w.route.resource;
    w.res.write(
      JSON.stringify({
        type: 'BOOKMARK',
        object: { kind: res.kind, apiVersion: apiVersionOf(res), metadata: { resourceVersion: String(this.store.resourceVersion) } },
      }) + '\n',
    );
  }

  private route(pathname: string): { discovery: unknown } | { route: Route } | undefined {
    const parts = pathname.split('/').filter(Boolean);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api') {
      if (parts.length === 1) {
        return {
          discovery: {
            kind: 'APIVersions',
            versions: ['v1'],
            serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }],
          },
        };
      }
      [group, version, rest] = ['', parts[1], parts.slice(2)];
    } else if (parts[0] === 'apis') {
      if (parts.length === 1) return { discovery: { kind: 'APIGroupList', apiVersion: 'v1', groups: this.groups().map((g) => this.groupDoc(g)) } };
      group = parts[1];
      if (!this.groups().includes(group)) return undefined;
      if (parts.length === 2) return { discovery: { kind: 'APIGroup', apiVersion: 'v1', ...this.groupDoc(group) } };
      [version, rest] = [parts[2], parts.slice(3)];
    } else {
      return undefined;
    }
    const served = this.enabled().filter((r) => r.group === group && r.version === version);
    if (!served.length) return undefined;
    if (!rest.length) {
      return {
        discovery: {
          kind: 'APIResourceList',
          apiVersion: 'v1',
          groupVersion: apiVersionOf({ group, version }),
          resources: served.map((r) => ({
            name: r.plural,
            singularName: r.singular,
            namespaced: r.namespaced,
            kind: r.kind,
            verbs: r.watchable ? ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] : ['get', 'list'],
          })),
        },
      };
    }
    const namespaced = rest[0] === 'namespaces' && rest.length >= 3;
    const [namespace, plural, name, ...sub] = namespaced ? rest.slice(1) : [undefined, ...rest];
    const resource = served.find((r) => r.plural === plural);
    if (!resource || sub.length || (namespace && !resource.namespaced)) return undefined;
    return { route: { resource, namespace, name, path: pathname } };
  }

  private enabled(): FakeResource[] {
    return FAKE_RESOURCES.filter((r) => !r.feature || this.features[r.feature]);
  }

  private groups(): string[] {
    return [...new Set(this.enabled().map((r) => r.group))].filter(Boolean);
  }

  private groupDoc(group: string): Record<string, unknown> {
    const versions = [
      ...new Set(
        this.enabled()
          .filter((r) => r.group === group)
          .map((r) => r.version),
      ),
    ].map((version) => ({ groupVersion: `${group}/${version}`, version }));
    return { name: group, versions, preferredVersion: versions[0] };
  }

  private versionInfo(): Record<string, string> {
    const [, major = '1', minor = '0'] = /^v(\d+)\.(\d+)/.exec(this.gitVersion) ?? [];
    return {
      major,
      minor: `${minor}+`,
      gitVersion: this.gitVersion,
      gitCommit: 'f6e5a5e0a8d8b8fb8e0f2ddf1c4f0a1f8e9d3c2b',
      gitTreeState: 'clean',
      buildDate: '2025-06-20T00:00:00Z',
      goVersion: 'go1.24.4',
      compiler: 'gc',
      platform: this.platform,
    };
  }

  private count(verb: Verb, route: Route): void {
    const key = `${verb} ${route.path}`;
    const entry = this.callCounts.get(key) ?? { verb, path: route.path, resource: route.resource, count: 0 };
    entry.count++;
    this.callCounts.set(key, entry);
  }

  private takeFailure(res: http.ServerResponse, pathname: string, resource?: FakeResource, verb?: Verb): boolean {
    const failure = this.failures.find((f) => f.remaining > 0 && matchesTarget(f.target, pathname, resource) && (!f.verbs || (verb && f.verbs.includes(verb))));
    if (!failure) return false;
    failure.remaining--;
    this.failures = this.failures.filter((f) => f.remaining > 0);
    this.json(res, failure.status, statusBody(failure.status, failure.message ?? `injected failure ${failure.status} for ${pathname}`));
    return true;
  }

  private isForbidden(route: Route, verb: Verb): boolean {
    return this.forbidden.some((r) => matchesTarget(r.target, route.path, route.resource) && (!r.verbs || r.verbs.includes(verb)));
  }

  /** The API server's RBAC denial, word for word. */
  private forbiddenStatus(route: Route, verb: Verb): Record<string, unknown> {
    const res = route.resource;
    const subject = route.name ? `${qualified(res)} "${route.name}"` : qualified(res);
    const scope = route.namespace ? `in the namespace "${route.namespace}"` : 'at the cluster scope';
    const message = `${subject} is forbidden: User "${this.user}" cannot ${verb} resource "${res.plural}" in API group "${res.group}" ${scope}`;
    return statusBody(403, message, { ...(route.name ? { name: route.name } : {}), ...(res.group ? { group: res.group } : {}), kind: res.plural });
  }

  /**
   * A list written item by item, as kube-apiserver encodes large lists since 1.33 (streaming
   * collection encoding): the first bytes leave at once and the server goes on serving other
   * requests between batches, instead of building one string of the whole list first (266 MB and
   * seconds for 150,000 pods). The bytes are those of JSON.stringify of the whole list.
   */
  private streamList(res: http.ServerResponse, head: object, items: KubeObject[], item: (o: KubeObject) => unknown): void {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    res.write(`${JSON.stringify(head).slice(0, -1)},"items":[`);
    let next = 0;
    const batch = () => {
      if (res.destroyed) return;
      let text = '';
      for (const end = Math.min(next + 500, items.length); next < end; next++) text += (next ? ',' : '') + JSON.stringify(item(items[next]));
      if (next >= items.length) return void res.end(`${text}]}`);
      if (res.write(text)) setImmediate(batch);
      else res.once('drain', batch);
    };
    batch();
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' }).end(JSON.stringify(body));
  }

  private tempDir(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-kube-'));
    this.tempDirs.push(dir);
    return dir;
  }
}

const isBuiltIn = (r: FakeResource) => !r.feature;
const qualified = (r: FakeResource) => (r.group ? `${r.plural}.${r.group}` : r.plural);

/** A fault target: a path (itself and below) or a resource name (kind or plural). */
function matchesTarget(target: string, pathname: string, resource?: FakeResource): boolean {
  if (target.startsWith('/')) return pathname === target || pathname.startsWith(`${target}/`);
  return resource !== undefined && resource === resourceByName(target);
}
