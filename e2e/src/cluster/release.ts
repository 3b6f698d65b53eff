// A release of the chart on the real control plane, its components run as real processes the
// way the kubelet runs their pods: the pod's own environment (its ConfigMap, the downward API,
// resource fields) and its ServiceAccount's token (TokenRequest) in a kubeconfig. What differs
// from a pod is said where it is set: the kubeconfig instead of the in-cluster files, loopback
// ports, and AWS endpoints that go nowhere.
import path from 'node:path';
import {
  type AuditEvent,
  type Component,
  type ControlPlaneHandle,
  type KubeClient,
  type ManagedProcess,
  componentEntry,
  expectOk,
  freePort,
  startNodeProcess,
  waitFor,
} from '@eks-info/testing';
import type { ObservedRequest } from '../shipping/chart-invariants';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DOWNWARD_FIELDS: Record<string, (pod: Obj) => string | undefined> = {
  'metadata.name': (p) => p.metadata?.name,
  'metadata.namespace': (p) => p.metadata?.namespace,
  'metadata.uid': (p) => p.metadata?.uid,
  'status.podIP': (p) => p.status?.podIP,
  'status.hostIP': (p) => p.status?.hostIP,
  'spec.nodeName': (p) => p.spec?.nodeName,
  'spec.serviceAccountName': (p) => p.spec?.serviceAccountName,
};

const cpuMillis = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
const UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 };
const bytes = (q: string) => {
  const m = /^(\d+)([KMG]i?|k)?$/.exec(q);
  return m ? Number(m[1]) * (m[2] ? UNITS[m[2]] : 1) : NaN;
};

/**
 * The environment the kubelet would give the pod's first container: `envFrom` ConfigMaps, then
 * `env` (plain values, downward-API fields, resource fields). Secret references are left out and
 * named in `skipped`: the processes here reach a NATS without a token.
 */
export async function podEnvironment(admin: KubeClient, pod: Obj): Promise<{ env: Record<string, string>; skipped: string[] }> {
  const container = pod.spec.containers[0];
  const ns = pod.metadata.namespace;
  const env: Record<string, string> = {};
  const skipped: string[] = [];
  for (const from of container.envFrom ?? []) {
    if (!from.configMapRef) throw new Error(`envFrom other than a ConfigMap: ${JSON.stringify(from)}`);
    const cm = expectOk(await admin.get<Obj>(`/api/v1/namespaces/${ns}/configmaps/${from.configMapRef.name}`), `ConfigMap ${from.configMapRef.name}`);
    Object.assign(env, cm.data ?? {});
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.fieldRef) {
      const read = DOWNWARD_FIELDS[e.valueFrom.fieldRef.fieldPath];
      if (!read) throw new Error(`downward-API field ${e.valueFrom.fieldRef.fieldPath} is not emulated`);
      const value = read(pod);
      if (value !== undefined) env[e.name] = value;
    } else if (e.valueFrom?.resourceFieldRef) {
      const { resource } = e.valueFrom.resourceFieldRef;
      // The API server stores an unset divisor as "0"; the kubelet reads it as 1.
      const divisor = ['0', undefined].includes(e.valueFrom.resourceFieldRef.divisor) ? '1' : String(e.valueFrom.resourceFieldRef.divisor);
      const [kind, name] = resource.split('.');
      const q = container.resources?.[kind]?.[name];
      if (q === undefined) continue;
      env[e.name] = String(name === 'cpu' ? Math.ceil(cpuMillis(q) / cpuMillis(divisor)) : Math.ceil(bytes(q) / bytes(divisor)));
    } else if (e.valueFrom?.secretKeyRef) skipped.push(e.name);
    else throw new Error(`env ${e.name}: ${JSON.stringify(e.valueFrom)} is not emulated`);
  }
  return { env, skipped };
}

/** The release's pods of one component that kwok runs (Running), oldest name first. */
export async function runningPods(admin: KubeClient, namespace: string, release: string, component: string): Promise<Obj[]> {
  const selector = encodeURIComponent(`app.kubernetes.io/instance=${release},app.kubernetes.io/component=${component}`);
  const list = expectOk(await admin.get<Obj>(`/api/v1/namespaces/${namespace}/pods?labelSelector=${selector}`), `${component} pods`);
  return (list.items as Obj[])
    .filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

export interface RunningComponent {
  component: Component;
  pod: Obj;
  /** "namespace/name" of its ServiceAccount. */
  account: string;
  env: Record<string, string>;
  management: string;
  proc: ManagedProcess;
  /** Stops it and starts it again with the same environment (a new incarnation of the pod); resolves once /health answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts the production bundle of `component` as the given pod would run it, with a kubeconfig
 * for `server` holding a TokenRequest token of the pod's own ServiceAccount, in the pod's
 * namespace (what KUBE_MODE=in-cluster reads from the mounted files). Waits for /ready.
 */
export async function startAsPod(o: {
  handle: ControlPlaneHandle;
  admin: KubeClient;
  component: Component;
  pod: Obj;
  server: string;
  dir: string;
  extraEnv?: Record<string, string>;
}): Promise<RunningComponent> {
  const ns = o.pod.metadata.namespace;
  const sa = o.pod.spec.serviceAccountName;
  const token = await o.handle.tokenFor(ns, sa);
  const kubeconfig = o.handle.writeKubeconfig(path.join(o.dir, `${o.component}.kubeconfig`), token, ns, o.server);
  const port = await freePort();
  const { env: podEnv } = await podEnvironment(o.admin, o.pod);
  const env: Record<string, string> = {
    ...podEnv,
    // A kubeconfig with the pod's token instead of the in-cluster files (and no KUBERNETES_SERVICE_HOST).
    KUBE_MODE: 'kubeconfig',
    KUBECONFIG: kubeconfig,
    MANAGEMENT_HOST: '127.0.0.1',
    MANAGEMENT_PORT: String(port),
    SHUTDOWN_GRACE_MS: '0',
    ...o.extraEnv,
  };
  const management = `http://127.0.0.1:${port}`;
  const start = (readyPath: string) =>
    startNodeProcess({ name: o.component, entry: componentEntry(o.component), env, readyUrl: `${management}${readyPath}`, timeoutMs: 45_000 });
  const running: RunningComponent = {
    component: o.component,
    pod: o.pod,
    account: `${ns}/${sa}`,
    env,
    management,
    proc: await start('/ready'),
    async restart() {
      await running.proc.stop();
      // Not /ready: a restart may be into a state where it cannot be ready (a rule removed).
      running.proc = await start('/health');
    },
    async stop() {
      await running.proc.stop();
    },
  };
  return running;
}

/** /ready of a management port: the status and the body (the failing checks are named in it). */
export async function readiness(management: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${management}/ready`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  return res ? { status: res.status, body: await res.text() } : { status: 0, body: 'no answer' };
}

/** Sum of a Prometheus counter's samples whose labels contain every given pair. */
export async function counterSum(management: string, metric: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${management}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || !(m[1] === metric || m[1].endsWith(`_${metric}`))) continue;
    if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

/** Audit events of ServiceAccounts as requests (see ObservedRequest). */
export function observedRequests(events: AuditEvent[]): ObservedRequest[] {
  const prefix = 'system:serviceaccount:';
  return events
    .filter((e) => e.user.username.startsWith(prefix) && e.responseStatus?.code !== undefined)
    .map((e) => {
      const [ns, name] = e.user.username.slice(prefix.length).split(':');
      const ref = e.objectRef;
      return {
        account: `${ns}/${name}`,
        verb: e.verb,
        group: ref?.resource ? (ref.apiGroup ?? '') : null,
        resource: ref?.resource ? (ref.subresource ? `${ref.resource}/${ref.subresource}` : ref.resource) : null,
        namespace: ref?.namespace ?? null,
        name: ref?.name ?? null,
        code: e.responseStatus!.code!,
        uri: e.requestURI,
        at: e.requestReceivedTimestamp ?? e.stageTimestamp ?? '',
      };
    });
}

/** Polls a gateway JSON route until `ok` accepts the body. */
export async function waitJson<T>(url: string, ok: (body: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  let last: unknown;
  return waitFor(
    async () => {
      const res = await fetch(url);
      last = await res.json();
      return res.status === 200 && ok(last as T) ? (last as T) : undefined;
    },
    { timeoutMs, intervalMs: 250, what },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\nlast body: ${JSON.stringify(last)?.slice(0, 2000)}`);
  });
}

/** Text of an HTML page as a reader sees it (entities decoded), for "the page says …" checks. */
export async function pageText(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  const html = await res.text();
  const text = html
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;|&#x22;/g, '"')
    .replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return { status: res.status, text };
}
