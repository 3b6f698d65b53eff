import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { waitFor } from '../process/wait';
import { expectOk, type KubeClient } from './kube-client';

/** Where the aggregated API is registered: the Service and APIService metrics-server installs. */
export const METRICS_API = {
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  apiService: 'v1beta1.metrics.k8s.io',
  namespace: 'kube-system',
  service: 'metrics-server',
} as const;

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** FNV-1a: a stable number per name, so each node gets its own usage and keeps it. */
function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** "2" → 2000, "500m" → 500. */
export function cpuToMillis(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const s = String(q);
  return s.endsWith('m') ? Number(s.slice(0, -1)) : Math.round(Number(s) * 1000);
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** "8Gi" → bytes. */
export function memoryToBytes(q: string | number | undefined): number {
  if (q === undefined) return 0;
  const m = /^(\d+(?:\.\d+)?)([KMGT]i|[kMGT])?$/.exec(String(q));
  if (!m) return 0;
  return Math.round(Number(m[1]) * (m[2] ? (BINARY[m[2]] ?? DECIMAL[m[2]]) : 1));
}

/**
 * The usage this stand-in reports for a node: a share of its allocatable CPU (15–64 %) and
 * memory (20–59 %) fixed by its name, so every node differs and none changes between polls.
 */
export function nodeUsage(node: Obj): { cpuMillis: number; memoryBytes: number } {
  const name = String(node.metadata?.name ?? '');
  const allocatable = node.status?.allocatable ?? node.status?.capacity ?? {};
  return {
    cpuMillis: Math.round((cpuToMillis(allocatable.cpu) * (15 + (fnv(name) % 50))) / 100),
    memoryBytes: Math.round((memoryToBytes(allocatable.memory) * (20 + (fnv(`${name}/memory`) % 40))) / 100),
  };
}

/** A container uses half its request (10m and 32 MiB without one): below the chart's HPA targets. */
export function containerUsage(container: Obj): { cpuMillis: number; memoryBytes: number } {
  const requests = container.resources?.requests ?? {};
  return {
    cpuMillis: requests.cpu ? Math.max(1, Math.round(cpuToMillis(requests.cpu) / 2)) : 10,
    memoryBytes: requests.memory ? Math.round(memoryToBytes(requests.memory) / 2) : 32 * 2 ** 20,
  };
}

/**
 * A stand-in for metrics-server: a loopback HTTPS server answering `metrics.k8s.io/v1beta1`
 * (nodes and pods, list and get, label selectors), registered with the real API server as an
 * aggregated API (an APIService in front of an ExternalName Service that points at loopback), so
 * every client — the services' pollers, the HPA controller — reaches it through kube-apiserver,
 * with its authorization and audit, exactly as in EKS with metrics-server installed. Usage comes
 * from the objects the API server holds (see `nodeUsage` and `containerUsage`).
 */
export class MetricsApiServer {
  /** Requests served, by path (without the query). */
  readonly served = new Map<string, number>();

  private constructor(
    private readonly server: https.Server,
    readonly caCert: string,
    private readonly admin: KubeClient,
  ) {}

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  static async start(admin: KubeClient): Promise<MetricsApiServer> {
    const host = `${METRICS_API.service}.${METRICS_API.namespace}.svc`;
    const ca = await generate([{ name: 'commonName', value: 'metrics-server-ca' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    });
    const leaf = await generate([{ name: 'commonName', value: host }], {
      keyType: 'ec',
      algorithm: 'sha256',
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        // The aggregator checks the name <service>.<namespace>.svc, whatever address it dials.
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: host },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    const answering: { by?: MetricsApiServer } = {};
    const server = https.createServer({ key: leaf.private, cert: leaf.cert }, (req, res) => {
      void answering.by!.handle(req.url ?? '/').then(
        ([status, body]) => {
          res.writeHead(status, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        (err: Error) => {
          res.writeHead(500, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(status(500, 'InternalError', err.message)));
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    answering.by = new MetricsApiServer(server, ca.cert, admin);
    return answering.by;
  }

  /**
   * Registers the API with the API server (Service + APIService) and waits until the aggregator
   * reports it Available and serves node metrics through itself.
   */
  async register(timeoutMs = 30_000): Promise<void> {
    const { namespace, service, group, version, apiService } = METRICS_API;
    const svc = await this.admin.post(`/api/v1/namespaces/${namespace}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: service, namespace },
      // ExternalName: the aggregator dials the name itself; there is no Service network on loopback.
      spec: { type: 'ExternalName', externalName: '127.0.0.1', ports: [{ name: 'https', port: this.port, protocol: 'TCP' }] },
    });
    if (svc.status !== 409) expectOk(svc, 'the metrics-server Service');
    const api = await this.admin.post('/apis/apiregistration.k8s.io/v1/apiservices', {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: apiService },
      spec: {
        group,
        version,
        service: { namespace, name: service, port: this.port },
        caBundle: Buffer.from(this.caCert).toString('base64'),
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    });
    if (api.status !== 409) expectOk(api, 'the metrics.k8s.io APIService');
    await waitFor(
      async () => {
        const res = await this.admin.get<Obj>(`/apis/apiregistration.k8s.io/v1/apiservices/${apiService}`);
        const available = (res.body.status?.conditions ?? []).some((c: Obj) => c.type === 'Available' && c.status === 'True');
        return available && (await this.admin.get(`/apis/${group}/${version}/nodes`)).status === 200;
      },
      { timeoutMs, intervalMs: 200, what: `the ${apiService} APIService Available` },
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(url: string): Promise<[number, Obj]> {
    const { pathname, searchParams } = new URL(url, 'https://metrics-server');
    this.served.set(pathname, (this.served.get(pathname) ?? 0) + 1);
    const base = `/apis/${METRICS_API.group}/${METRICS_API.version}`;
    if (pathname === `/apis/${METRICS_API.group}`) return [200, apiGroup()];
    if (pathname === base) return [200, resourceList()];
    const rest = pathname.startsWith(`${base}/`) ? pathname.slice(base.length + 1).split('/') : [];
    const selector = searchParams.get('labelSelector');
    const query = selector ? `?labelSelector=${encodeURIComponent(selector)}` : '';
    if (rest[0] === 'nodes' && rest.length <= 2) {
      const nodes = rest[1]
        ? [expectOk(await this.admin.get<Obj>(`/api/v1/nodes/${rest[1]}`), `node ${rest[1]}`)]
        : (expectOk(await this.admin.get<Obj>(`/api/v1/nodes${query}`), 'nodes').items as Obj[]);
      const items = nodes.map(nodeMetrics);
      return [200, rest[1] ? items[0] : list('NodeMetricsList', items)];
    }
    const [namespace, name] = rest[0] === 'pods' ? [undefined, rest[1]] : rest[0] === 'namespaces' && rest[2] === 'pods' ? [rest[1], rest[3]] : [];
    if (rest[0] === 'pods' || (rest[0] === 'namespaces' && rest[2] === 'pods')) {
      const collection = namespace ? `/api/v1/namespaces/${namespace}/pods` : '/api/v1/pods';
      const pods = name
        ? [expectOk(await this.admin.get<Obj>(`${collection}/${name}`), `pod ${name}`)]
        : (expectOk(await this.admin.get<Obj>(`${collection}${query}`), 'pods').items as Obj[]);
      // metrics-server reports running pods only.
      const items = pods.filter((p) => p.status?.phase === 'Running').map(podMetrics);
      if (name && !items.length) return [404, status(404, 'NotFound', `podmetrics.metrics.k8s.io "${name}" not found`)];
      return [200, name ? items[0] : list('PodMetricsList', items)];
    }
    return [404, status(404, 'NotFound', `the server could not find the requested resource (${pathname})`)];
  }
}

const window = '15s';
const now = () => new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
const quantity = (u: { cpuMillis: number; memoryBytes: number }) => ({ cpu: `${u.cpuMillis}m`, memory: `${Math.round(u.memoryBytes / 1024)}Ki` });

function nodeMetrics(node: Obj): Obj {
  return {
    metadata: { name: node.metadata.name, creationTimestamp: now(), labels: node.metadata.labels ?? {} },
    timestamp: now(),
    window,
    usage: quantity(nodeUsage(node)),
  };
}

function podMetrics(pod: Obj): Obj {
  return {
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, creationTimestamp: now(), labels: pod.metadata.labels ?? {} },
    timestamp: now(),
    window,
    containers: (pod.spec?.containers ?? []).map((c: Obj) => ({ name: c.name, usage: quantity(containerUsage(c)) })),
  };
}

function list(kind: string, items: Obj[]): Obj {
  return { kind, apiVersion: `${METRICS_API.group}/${METRICS_API.version}`, metadata: {}, items };
}

function apiGroup(): Obj {
  const gv = { groupVersion: `${METRICS_API.group}/${METRICS_API.version}`, version: METRICS_API.version };
  return { kind: 'APIGroup', apiVersion: 'v1', name: METRICS_API.group, versions: [gv], preferredVersion: gv };
}

function resourceList(): Obj {
  const resource = (name: string, kind: string, namespaced: boolean) => ({ name, singularName: '', namespaced, kind, verbs: ['get', 'list'] });
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${METRICS_API.group}/${METRICS_API.version}`,
    resources: [resource('nodes', 'NodeMetrics', false), resource('pods', 'PodMetrics', true)],
  };
}

function status(code: number, reason: string, message: string): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}
