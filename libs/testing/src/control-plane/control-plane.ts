import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import YAML from 'yaml';
import { ManagedProcess } from '../process/managed-process';
import { hasTool, toolPath } from '../process/paths';
import { freePort, waitFor } from '../process/wait';
import { expectOk, KubeClient } from './kube-client';
import { KWOK_ANNOTATION, kwokNode, type KwokNodeSpec } from './kwok-nodes';
import { MetricsApiServer } from './metrics-api';
import { controlPlanePki } from './pki';

/** The binaries scripts/tools/install.sh control-plane installs. */
export const CONTROL_PLANE_TOOLS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;

/** Where a running control plane is described for the test workers (JSON of ControlPlaneState). */
export const CONTROL_PLANE_ENV = 'EKS_INFO_CONTROL_PLANE';
/** Set instead when the control plane could not start outside CI: the cluster tests skip with this reason. */
export const CONTROL_PLANE_UNAVAILABLE_ENV = 'EKS_INFO_CONTROL_PLANE_UNAVAILABLE';

const SERVICE_CIDR = '10.96.0.0/16';
const ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** Everything a test worker needs to use (and add API servers to) the control plane the run started. */
export interface ControlPlaneState {
  dir: string;
  /** Process that started it; a later run cleans up after an owner that died without stopping it. */
  ownerPid: number;
  server: string;
  caCert: string;
  adminToken: string;
  etcdUrl: string;
  auditLog: string;
  /** Port of the metrics.k8s.io stand-in registered as an aggregated API (see MetricsApiServer), when started with it. */
  metricsApiPort?: number;
  /** Files the API server flags point at (certificates, keys, tokens, audit policy). */
  files: { caCert: string; serverCert: string; serverKey: string; saKey: string; saPub: string; tokens: string; auditPolicy: string };
  pids: number[];
}

/** Only requests made with service-account tokens are audited: those are the services' own calls. */
const AUDIT_POLICY = {
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  omitStages: ['RequestReceived'],
  rules: [{ level: 'Metadata', userGroups: ['system:serviceaccounts'] }, { level: 'None' }],
};

/** kube-apiserver flags for a server on `port` in front of the run's etcd. */
export function apiServerArgs(state: Pick<ControlPlaneState, 'etcdUrl' | 'files' | 'auditLog'>, port: number, auditLog = state.auditLog): string[] {
  const f = state.files;
  return [
    `--etcd-servers=${state.etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--tls-cert-file=${f.serverCert}`,
    `--tls-private-key-file=${f.serverKey}`,
    `--client-ca-file=${f.caCert}`,
    `--token-auth-file=${f.tokens}`,
    `--service-account-issuer=${ISSUER}`,
    `--service-account-key-file=${f.saPub}`,
    `--service-account-signing-key-file=${f.saKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--authorization-mode=RBAC',
    // On loopback there is no Service network to publish the `kubernetes` endpoints to.
    '--endpoint-reconciler-type=none',
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    `--audit-policy-file=${f.auditPolicy}`,
    `--audit-log-path=${auditLog}`,
    '--audit-log-format=json',
    '--audit-log-maxbackup=1',
    '--audit-log-maxsize=200',
  ];
}

/** A kubeconfig (YAML) for `token` against `server`, with the run's CA. */
export function kubeconfigYaml(o: { server: string; caCert: string; token: string; namespace?: string; user?: string }): string {
  const name = 'arn:aws:eks:eu-west-1:111122223333:cluster/eks-info-test';
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': name,
    clusters: [{ name, cluster: { server: o.server, 'certificate-authority-data': Buffer.from(o.caCert).toString('base64') } }],
    users: [{ name: o.user ?? 'user', user: { token: o.token } }],
    contexts: [{ name, context: { cluster: name, user: o.user ?? 'user', ...(o.namespace ? { namespace: o.namespace } : {}) } }],
  });
}

function log(message: string): void {
  process.stderr.write(`[control-plane] ${message}\n`);
}

async function waitHealthy(client: KubeClient, proc: ManagedProcess, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      if (!proc.running) throw new Error(`${proc.options.name} exited:\n${proc.tail(30)}`);
      const res = await client.get('/readyz').catch(() => undefined);
      return res?.status === 200;
    },
    { timeoutMs, intervalMs: 200, what: `${proc.options.name} /readyz` },
  );
}

/** Kills (by PID) what an earlier run started and left behind when its owner died; only PIDs whose command line names that run's directory. */
function reapAbandoned(): void {
  for (const entry of readdirSync(os.tmpdir())) {
    if (!entry.startsWith('eks-info-control-plane-')) continue;
    const dir = path.join(os.tmpdir(), entry);
    const stateFile = path.join(dir, 'state.json');
    if (!existsSync(stateFile)) continue;
    let state: ControlPlaneState;
    try {
      state = JSON.parse(readFileSync(stateFile, 'utf8')) as ControlPlaneState;
    } catch {
      continue;
    }
    if (isAlive(state.ownerPid)) continue;
    for (const pid of state.pids) {
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue;
      }
      if (cmdline.includes(dir)) {
        log(`stopping PID ${pid} left behind by an earlier run (${dir})`);
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A real Kubernetes control plane on loopback, started once per test run: etcd, kube-apiserver
 * (RBAC, service-account tokens, an audit log of every service-account request),
 * kube-controller-manager (which creates the `default` ServiceAccounts, runs Deployments and
 * ReplicaSets, and taints nodes by condition), kube-scheduler, and kwok, which runs the pods
 * scheduled to its fake nodes without containers and keeps those nodes' leases.
 */
export class ControlPlane {
  private metricsApi?: MetricsApiServer;

  private constructor(
    readonly state: ControlPlaneState,
    private readonly processes: ManagedProcess[],
  ) {}

  static missingTools(): string[] {
    return CONTROL_PLANE_TOOLS.filter((t) => !hasTool(t));
  }

  /**
   * `metricsApi`: also serve metrics.k8s.io (a loopback stand-in for metrics-server, registered as
   * an aggregated API), as the Terraform installs metrics-server on EKS.
   */
  static async start(options: { nodes?: KwokNodeSpec[]; timeoutMs?: number; metricsApi?: boolean } = {}): Promise<ControlPlane> {
    const missing = ControlPlane.missingTools();
    if (missing.length) throw new Error(`${missing.join(', ')} not installed: run scripts/tools/install.sh control-plane`);
    reapAbandoned();
    const started = Date.now();
    const timeoutMs = options.timeoutMs ?? 90_000;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'eks-info-control-plane-'));
    const pki = await controlPlanePki();
    const file = (name: string, content: string) => {
      const p = path.join(dir, name);
      writeFileSync(p, content, { mode: 0o600 });
      return p;
    };
    const adminToken = randomBytes(24).toString('hex');
    const files = {
      caCert: file('ca.crt', pki.caCert),
      serverCert: file('apiserver.crt', pki.serverCert),
      serverKey: file('apiserver.key', pki.serverKey),
      saKey: file('sa.key', pki.serviceAccountKey),
      saPub: file('sa.pub', pki.serviceAccountPublicKey),
      tokens: file('tokens.csv', `${adminToken},eks-info-test-admin,eks-info-test-admin,"system:masters"\n`),
      auditPolicy: file('audit-policy.yaml', YAML.stringify(AUDIT_POLICY)),
    };
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
    const state: ControlPlaneState = {
      dir,
      ownerPid: process.pid,
      server: `https://127.0.0.1:${apiPort}`,
      caCert: pki.caCert,
      adminToken,
      etcdUrl: `http://127.0.0.1:${etcdClient}`,
      auditLog: path.join(dir, 'audit.log'),
      files,
      pids: [],
    };
    const processes: ManagedProcess[] = [];
    const plane = new ControlPlane(state, processes);
    const spawn = (name: string, args: string[]) => {
      const proc = new ManagedProcess({ name, command: toolPath(name), args, cwd: dir, env: { PATH: process.env.PATH, HOME: dir } });
      processes.push(proc);
      state.pids.push(proc.pid);
      writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state));
      return proc;
    };
    try {
      const etcd = spawn('etcd', [
        '--name=eks-info-test',
        `--data-dir=${path.join(dir, 'etcd')}`,
        `--listen-client-urls=${state.etcdUrl}`,
        `--advertise-client-urls=${state.etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
        `--initial-cluster=eks-info-test=http://127.0.0.1:${etcdPeer}`,
        // A test cluster: its data dies with the run, so fsync buys nothing.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ]);
      await waitFor(
        async () => {
          if (!etcd.running) throw new Error(`etcd exited:\n${etcd.tail(30)}`);
          const res = await fetch(`${state.etcdUrl}/health`).catch(() => undefined);
          return res?.ok;
        },
        { timeoutMs: 20_000, intervalMs: 100, what: 'etcd /health' },
      );
      const apiserver = spawn('kube-apiserver', apiServerArgs(state, apiPort));
      const admin = plane.admin();
      await waitHealthy(admin, apiserver, timeoutMs);
      const kubeconfig = file('admin.kubeconfig', kubeconfigYaml({ server: state.server, caCert: pki.caCert, token: adminToken, user: 'admin' }));
      spawn('kube-controller-manager', [
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        '--leader-elect=false',
        '--secure-port=0',
        `--service-account-private-key-file=${files.saKey}`,
        `--root-ca-file=${files.caCert}`,
        `--cluster-name=eks-info-test`,
        // Faster reactions than the defaults, so tests wait seconds, not minutes.
        '--concurrent-deployment-syncs=5',
        '--node-monitor-period=2s',
      ]);
      spawn('kube-scheduler', [
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        '--leader-elect=false',
        '--secure-port=0',
      ]);
      spawn('kwok', [
        `--kubeconfig=${kubeconfig}`,
        `--config=${file('kwok.yaml', kwokConfig())}`,
        '--manage-all-nodes=false',
        `--manage-nodes-with-annotation-selector=${KWOK_ANNOTATION}=fake`,
        '--cidr=10.244.0.1/16',
        '--node-ip=10.0.0.1',
      ]);
      // The controller-manager creates each namespace's `default` ServiceAccount: pods need it.
      await waitFor(async () => (await admin.get('/api/v1/namespaces/default/serviceaccounts/default')).status === 200 || plane.failed(), {
        timeoutMs,
        intervalMs: 200,
        what: 'the default ServiceAccount (kube-controller-manager running)',
      });
      plane.throwIfFailed();
      for (const node of options.nodes ?? []) await plane.addNode(node);
      for (const node of options.nodes ?? []) await plane.waitNodeReady(node.name, timeoutMs);
      if (options.metricsApi) {
        plane.metricsApi = await MetricsApiServer.start(admin);
        await plane.metricsApi.register(timeoutMs);
        state.metricsApiPort = plane.metricsApi.port;
      }
      log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${state.server} (${dir})`);
      return plane;
    } catch (err) {
      const tails = processes.map((p) => `--- ${p.options.name} ---\n${p.tail(15)}`).join('\n');
      await plane.stop();
      throw new Error(`${(err as Error).message}\n${tails}`);
    }
  }

  /** The control plane a worker was given by the run (see CONTROL_PLANE_ENV). */
  static fromEnv(): ControlPlaneHandle {
    const raw = process.env[CONTROL_PLANE_ENV];
    if (!raw)
      throw new Error(`${CONTROL_PLANE_ENV} is not set: the cluster tests run in the Jest project "cluster", whose global setup starts the control plane`);
    return new ControlPlaneHandle(JSON.parse(raw) as ControlPlaneState);
  }

  admin(): KubeClient {
    return new KubeClient(this.state.server, this.state.adminToken, this.state.caCert);
  }

  addNode(spec: KwokNodeSpec): Promise<void> {
    return new ControlPlaneHandle(this.state).addNode(spec);
  }

  waitNodeReady(name: string, timeoutMs?: number): Promise<void> {
    return new ControlPlaneHandle(this.state).waitNodeReady(name, timeoutMs);
  }

  private failed(): boolean {
    return this.processes.some((p) => !p.running);
  }

  private throwIfFailed(): void {
    const dead = this.processes.find((p) => !p.running);
    if (dead) throw new Error(`${dead.options.name} exited:\n${dead.tail(30)}`);
  }

  /** Stops every process it started, newest first, by PID (SIGKILL after 10 s), and removes its directory. */
  async stop(): Promise<void> {
    await this.metricsApi?.close();
    for (const p of [...this.processes].reverse()) await p.stop('SIGTERM', 10_000);
    rmSync(this.state.dir, { recursive: true, force: true });
  }
}

/** kwok's own stage definitions (installed beside the binary) plus a kubelet-like graceful pod deletion. */
function kwokConfig(): string {
  const stagesDir = path.join(path.dirname(realpathSync(toolPath('kwok'))), 'kwok-stages');
  const stage = (name: string) => readFileSync(path.join(stagesDir, name), 'utf8').trim();
  const podDelete = {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Stage',
    metadata: { name: 'pod-delete' },
    spec: {
      resourceRef: { apiGroup: 'v1', kind: 'Pod' },
      selector: { matchExpressions: [{ key: '.metadata.deletionTimestamp', operator: 'Exists' }] },
      // A container that uses its whole grace period: the pod is gone at its deletionTimestamp.
      delay: { durationMilliseconds: 0, durationFrom: { expressionFrom: '.metadata.deletionTimestamp' } },
      next: { delete: true },
    },
  };
  const configuration = {
    apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
    kind: 'KwokConfiguration',
    // A configuration file replaces kwok's defaults entirely: the parallelism settings must be given too.
    options: { nodeLeaseDurationSeconds: 40, nodeLeaseParallelism: 4, nodePlayStageParallelism: 4, podPlayStageParallelism: 4, podsOnNodeSyncParallelism: 4 },
  };
  return [
    YAML.stringify(configuration).trim(),
    stage('node-initialize.yaml'),
    stage('node-heartbeat-with-lease.yaml'),
    stage('pod-ready.yaml'),
    stage('pod-complete.yaml'),
    YAML.stringify(podDelete).trim(),
  ].join('\n---\n');
}

export interface AuditEvent {
  auditID: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string; groups?: string[] };
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string; apiVersion?: string; subresource?: string };
  responseStatus?: { code?: number };
  annotations?: Record<string, string>;
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
}

/** What a test worker does with the run's control plane: clients, tokens, nodes, the audit log, extra API servers. */
export class ControlPlaneHandle {
  constructor(readonly state: ControlPlaneState) {}

  admin(): KubeClient {
    return new KubeClient(this.state.server, this.state.adminToken, this.state.caCert);
  }

  /** A client for another API server of this control plane (same CA, same tokens). */
  adminAt(server: string): KubeClient {
    return new KubeClient(server, this.state.adminToken, this.state.caCert);
  }

  kubeconfig(token: string, namespace?: string, server = this.state.server): string {
    return kubeconfigYaml({ server, caCert: this.state.caCert, token, namespace });
  }

  writeKubeconfig(file: string, token: string, namespace?: string, server?: string): string {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, this.kubeconfig(token, namespace, server), { mode: 0o600 });
    return file;
  }

  /** A token of a ServiceAccount from the TokenRequest API, as the kubelet mounts in a pod. */
  async tokenFor(namespace: string, serviceAccount: string, expirationSeconds = 3600): Promise<string> {
    const res = await this.admin().create<{ status: { token: string } }>(`/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds },
    });
    return res.status.token;
  }

  async createNamespace(name: string): Promise<void> {
    const res = await this.admin().post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    if (res.status !== 201 && res.status !== 409) expectOk(res, `create namespace ${name}`);
    await waitFor(async () => (await this.admin().get(`/api/v1/namespaces/${name}/serviceaccounts/default`)).status === 200, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: `the default ServiceAccount in ${name}`,
    });
  }

  async addNode(spec: KwokNodeSpec): Promise<void> {
    const node = kwokNode(spec);
    await this.admin().create('/api/v1/nodes', node);
    // Creation drops most of a node's status (the kubelet reports it): set capacity as a kubelet would.
    expectOk(await this.admin().request('PATCH', `/api/v1/nodes/${spec.name}/status`, { status: node.status }, 'application/merge-patch+json'), 'node status');
  }

  async waitNodeReady(name: string, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      async () => {
        const res = await this.admin().get<{ status?: { conditions?: Array<{ type: string; status: string }> }; spec?: { taints?: Array<{ key: string }> } }>(
          `/api/v1/nodes/${name}`,
        );
        const ready = res.body.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        const tainted = res.body.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/not-ready');
        return res.status === 200 && ready && !tainted;
      },
      { timeoutMs, intervalMs: 200, what: `node ${name} Ready without the not-ready taint` },
    );
  }

  /** Audit events of service-account requests so far (one per request: the last stage seen). */
  auditEvents(filter: (e: AuditEvent) => boolean = () => true, file = this.state.auditLog): AuditEvent[] {
    if (!existsSync(file)) return [];
    const byId = new Map<string, AuditEvent>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      let e: AuditEvent;
      try {
        e = JSON.parse(line) as AuditEvent;
      } catch {
        continue; // a line being written
      }
      if (filter(e)) byId.set(e.auditID, { ...byId.get(e.auditID), ...e });
    }
    return [...byId.values()];
  }

  /**
   * Starts another kube-apiserver on the same etcd: a server a test may stop and restart
   * (an outage) without disturbing the tests that use the main one. Stop it with `stop()`.
   */
  async startApiServer(port?: number): Promise<ExtraApiServer> {
    const p = port ?? (await freePort());
    const auditLog = path.join(this.state.dir, `audit-${p}.log`);
    const proc = new ManagedProcess({
      name: 'kube-apiserver',
      command: toolPath('kube-apiserver'),
      args: apiServerArgs(this.state, p, auditLog),
      cwd: this.state.dir,
      env: { PATH: process.env.PATH, HOME: this.state.dir },
    });
    const server = new ExtraApiServer(this, proc, p, auditLog);
    await waitHealthy(server.admin(), proc, 90_000);
    return server;
  }
}

export class ExtraApiServer {
  constructor(
    private readonly handle: ControlPlaneHandle,
    public proc: ManagedProcess,
    readonly port: number,
    readonly auditLog: string,
  ) {}

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  admin(): KubeClient {
    return this.handle.adminAt(this.url);
  }

  /** SIGTERM (a graceful shutdown, SIGKILL after 10 s), or SIGKILL: a crash, connections reset. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.proc.stop(signal, 10_000);
  }

  /** Starts it again on the same port (after `stop`). */
  async restart(): Promise<void> {
    this.proc = new ManagedProcess({ ...this.proc.options });
    await waitHealthy(this.admin(), this.proc, 90_000);
  }
}
