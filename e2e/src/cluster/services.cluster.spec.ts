// The services on a real API server, each with its own ServiceAccount's token: the chart is
// installed (its ServiceAccounts, Roles and bindings), the production bundles of environment,
// storage, stress and scaling-monitor run as the chart's pods would (their ConfigMaps, the
// downward API, a TokenRequest token), with a real nats-server and the gateway in front.
// They read what they need; the real scheduler's Pending pods and a new kwok node make the
// scaling story; a removed rule is named on the page; an API-server outage with an expired
// watch ends in a relist and readiness within seconds; and the audit log proves every grant of
// the chart is used and no call was refused.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResourcesView, ScalingEventsPage, ScalingHistory, ScalingSnapshot, StorageOverview, StressOverview } from '@eks-info/contracts';
import {
  type AuditEvent,
  type ExtraApiServer,
  type ManagedProcess,
  NatsServer,
  componentEntry,
  containerUsage,
  expectOk,
  freePort,
  nodeUsage,
  startNodeProcess,
  waitFor,
} from '@eks-info/testing';
import { type ObservedRequest, describeRequest, grantCoverageProblems, grantsOf } from '../shipping/chart-invariants';
import { CHART, run, tool } from '../shipping/support';
import { type RunningComponent, counterSum, observedRequests, pageText, readiness, runningPods, startAsPod, waitJson } from './release';
import { compactEtcd, controlPlane, describeCluster, waitForObject } from './support';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const NS = 'eks-info-live';
const RELEASE = 'live';
const NAME = `${RELEASE}-eks-info`;
const EBS_CLAIM = `ebs-${NAME}-storage-0`;
const EBS_VOLUME = 'live-ebs-storage-0';
const VOLUME_ID = 'vol-0c0ffee0c0ffee000';
const EFS_HANDLE = 'fs-0c0ffee0c0ffee001::fsap-0c0ffee0c0ffee002';
const BURST_GROUP = 'burst';
const BURST_NODES = ['ip-10-0-9-1.eu-west-1.compute.internal', 'ip-10-0-9-2.eu-west-1.compute.internal'];
const INFORMER_COMPONENTS = ['environment', 'stress', 'scaling-monitor'] as const;
/** The API server is down at least this long in the outage test. */
const OUTAGE_MS = 12_000;

const cp = () => controlPlane();
const admin = () => cp().admin();
let dir: string;
let nats: NatsServer;
let api: ExtraApiServer;
let gateway: ManagedProcess;
let base: string;
const services: Partial<Record<'environment' | 'storage' | 'stress' | 'scaling-monitor', RunningComponent>> = {};
const svc = (c: keyof typeof services) => services[c]!;
/**
 * Refusals the tests cause on purpose, each in a time window: a removed rule (list/watch of one
 * resource by one account), and a restarted API server, which refuses every request until its
 * RBAC authorizer has synced (before its /readyz passes).
 */
const expectedForbidden: Array<{ why: string; account?: string; resource?: string; namespace?: string; from: number; to: number }> = [];

const get = async <T>(route: string): Promise<T> => {
  const res = await fetch(`${base}${route}`);
  expect([route, res.status]).toEqual([route, 200]);
  return (await res.json()) as T;
};

/** Every error body anywhere in a page's JSON (sections and nested sections). */
function problems(value: unknown, where = ''): Array<{ where: string; code: string; message: string }> {
  if (!value || typeof value !== 'object') return [];
  const o = value as Obj;
  const own = (o.status === 'error' || o.status === 'unavailable') && typeof o.code === 'string' ? [{ where, code: o.code, message: o.message }] : [];
  return [...own, ...Object.entries(o).flatMap(([k, v]) => problems(v, where ? `${where}.${k}` : k))];
}
const forbidden = (value: unknown) => problems(value).filter((p) => /FORBIDDEN|UNAUTHORIZED/i.test(p.code) || /forbidden/i.test(p.message));

/**
 * The text of a page once it shows `text` (or the last one after 5 s): /scaling renders its
 * sections at most twice a second, so a view right after a change may still show the rendering
 * from before it.
 */
async function pageShowing(route: string, text: string): Promise<string> {
  let last = '';
  await waitFor(
    async () => {
      last = (await pageText(`${base}${route}`)).text;
      return last.includes(text);
    },
    { timeoutMs: 5000, intervalMs: 250, what: `${route} showing ${text}` },
  ).catch(() => undefined);
  return last;
}

/**
 * Waits until what a page shows (`shown` of its answer) equals what the API server holds, both
 * read again each round (other test files change nodes meanwhile); returns the page's answer.
 */
async function agree<T>(what: string, page: () => Promise<{ shown: unknown; whole: T }>, fromApi: () => Promise<unknown>, timeoutMs = 30_000): Promise<T> {
  let last: unknown[] = [];
  try {
    return await waitFor(
      async () => {
        const [p, a] = await Promise.all([page(), fromApi()]);
        last = [p.shown, a];
        return JSON.stringify(p.shown) === JSON.stringify(a) ? p.whole : undefined;
      },
      { timeoutMs, intervalMs: 500, what },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\npage:       ${JSON.stringify(last[0])}\nAPI server: ${JSON.stringify(last[1])}`);
  }
}

async function list(path: string): Promise<Obj[]> {
  return expectOk(await admin().get<Obj>(path), path).items as Obj[];
}

async function installKarpenterCrds(): Promise<void> {
  for (const [kind, plural] of [
    ['NodePool', 'nodepools'],
    ['NodeClaim', 'nodeclaims'],
  ]) {
    const res = await admin().post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `${plural}.karpenter.sh` },
      spec: {
        group: 'karpenter.sh',
        scope: 'Cluster',
        names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            subresources: { status: {} },
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    });
    if (res.status !== 409) expectOk(res, `the ${plural}.karpenter.sh CRD`);
    await waitForObject<Obj>(
      admin(),
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${plural}.karpenter.sh`,
      (c) => (c?.status?.conditions ?? []).some((x: Obj) => x.type === 'Established' && x.status === 'True'),
      `the ${plural} CRD established`,
    );
  }
  const pool = await admin().post('/apis/karpenter.sh/v1/nodepools', {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: 'general-arm64' },
    spec: {
      template: { spec: { requirements: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }] } },
      limits: { cpu: '64' },
      disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '1m' },
    },
  });
  if (pool.status !== 409) expectOk(pool, 'the NodePool');
}

describeCluster('the services on a real API server, each with its own ServiceAccount', () => {
  jest.setTimeout(120_000);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'eks-info-live-'));
    for (const d of ['ebs', 'efs', 'history']) mkdirSync(path.join(dir, d));
    await cp().createNamespace(NS);
    await installKarpenterCrds();
    // What the EBS CSI driver would have provisioned for the storage pod's claim (pre-bound to it).
    const pv = await admin().post('/api/v1/persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: EBS_VOLUME },
      spec: {
        capacity: { storage: '10Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: 'gp3',
        claimRef: { namespace: NS, name: EBS_CLAIM },
        csi: { driver: 'ebs.csi.aws.com', volumeHandle: VOLUME_ID, fsType: 'ext4' },
        nodeAffinity: {
          required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1a'] }] }] },
        },
      },
    });
    if (pv.status !== 409) expectOk(pv, 'the EBS PersistentVolume');
    nats = await NatsServer.start();

    const kubeconfig = cp().writeKubeconfig(path.join(dir, 'admin.kubeconfig'), cp().state.adminToken);
    const [fs, ap] = EFS_HANDLE.split('::');
    const install = run(
      tool('helm'),
      [
        '--kubeconfig',
        kubeconfig,
        'install',
        RELEASE,
        CHART,
        '-n',
        NS,
        '--set',
        'aws.region=eu-west-1',
        // One pod each is enough here; the StorageClass is cluster-scoped and another test owns it.
        '--set',
        'gateway.replicaCount=1',
        '--set',
        'environment.replicaCount=1',
        '--set',
        'storage.replicaCount=1',
        '--set',
        'storageClasses.gp3.create=false',
        // The volumes are directories of this test; the paths are the chart's mount paths.
        '--set',
        `storage.ebs.mountPath=${path.join(dir, 'ebs')}`,
        '--set',
        `storage.efs.mountPath=${path.join(dir, 'efs')}`,
        '--set',
        `storage.efs.fileSystemId=${fs}`,
        '--set',
        `storage.efs.accessPointId=${ap}`,
        '--set',
        'scalingMonitor.persistence.enabled=false',
        '--set',
        `scalingMonitor.persistence.mountPath=${path.join(dir, 'history')}`,
        '--set',
        'scalingMonitor.history.sampleIntervalSeconds=1',
        // The services' NATS is the test's nats-server.
        '--set',
        'nats.enabled=false',
        '--set',
        `nats.externalUrl=${nats.url}`,
        // The test's nats-server has no users: the chart's per-component NATS users are tested in the chart's own tests.
        '--set',
        'nats.auth.enabled=false',
      ],
      { timeout: 120_000 },
    );
    expect([install.code, install.stderr]).toEqual([0, '']);

    api = await cp().startApiServer();
    const pods: Record<string, Obj> = {};
    for (const c of ['environment', 'storage', 'stress', 'scaling-monitor'] as const) {
      pods[c] = await waitFor(async () => (await runningPods(admin(), NS, RELEASE, c))[0], {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: `a Running ${c} pod`,
      }).catch(async (err: Error) => {
        const state = (await list(`/api/v1/namespaces/${NS}/pods`)).map((p) => ({
          name: p.metadata.name,
          phase: p.status?.phase,
          node: p.spec?.nodeName,
          conditions: p.status?.conditions?.map((x: Obj) => `${x.type}=${x.status} ${x.message ?? ''}`),
        }));
        throw new Error(`${err.message}\npods in ${NS}: ${JSON.stringify(state, null, 1)}`);
      });
    }
    // AWS is not part of this test: every AWS call goes to a closed loopback port and fails at once.
    const aws = { AWS_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}`, AWS_MAX_ATTEMPTS: '1' };
    const started = await Promise.allSettled(
      (['environment', 'storage', 'stress', 'scaling-monitor'] as const).map((component) =>
        startAsPod({
          handle: cp(),
          admin: admin(),
          component,
          pod: pods[component],
          server: api.url,
          dir,
          // Directories, not mounted volumes.
          extraEnv: component === 'storage' ? { ...aws, REQUIRE_MOUNTS: 'false' } : component === 'environment' ? aws : {},
        }),
      ),
    );
    // Every process that started is stopped by afterAll, also when another one failed to.
    for (const s of started) if (s.status === 'fulfilled') services[s.value.component as keyof typeof services] = s.value;
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    gateway = await startNodeProcess({
      name: 'gateway',
      entry: componentEntry('gateway'),
      env: { NATS_URL: nats.url, PORT: String(port), HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '0', POD_NAME: 'gateway-test' },
      readyUrl: `${base}/ready`,
    });
  }, 240_000);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await api?.stop();
    await nats?.stop();
    await admin()
      .delete(`/apis/apps/v1/namespaces/${NS}/deployments/burst`)
      .catch(() => undefined);
    for (const n of BURST_NODES)
      await admin()
        .delete(`/api/v1/nodes/${n}`)
        .catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('run with their own tokens and show what the cluster holds on /resources, /storage, /stress and /scaling, with no permission error', async () => {
    // /resources: the informer caches equal what the API server holds (other test files add and
    // remove nodes meanwhile: compared until both sides agree).
    const names = (items: Obj[]) => items.map((o) => o.metadata.name).sort();
    const resources = await agree(
      'the resources view and the API server',
      async () => {
        const r = await get<ResourcesView>('/api/v1/resources');
        const ok = <T>(s: { status: string; data?: T }) => (s.status === 'ok' ? s.data! : undefined);
        const shown = {
          services: ok(r.services)
            ?.map((x) => x.name)
            .sort(),
          workloads: ok(r.workloads)
            ?.map((w) => `${w.kind}/${w.name}`)
            .sort(),
          claims: ok(r.volumes)
            ?.claims.map((c) => c.name)
            .sort(),
          nodes: ok(r.nodes)
            ?.nodes.map((n) => [n.name, n.cpuUsageMillis, n.memoryUsageBytes])
            .sort(),
        };
        return { shown, whole: r };
      },
      async () => ({
        services: names(await list(`/api/v1/namespaces/${NS}/services`)),
        workloads: [
          ...names(await list(`/apis/apps/v1/namespaces/${NS}/deployments`)).map((n) => `Deployment/${n}`),
          ...names(await list(`/apis/apps/v1/namespaces/${NS}/statefulsets`)).map((n) => `StatefulSet/${n}`),
        ].sort(),
        claims: names(await list(`/api/v1/namespaces/${NS}/persistentvolumeclaims`)),
        // Usage as the metrics API reports it through the aggregator (memory in whole KiB).
        nodes: (await list('/api/v1/nodes')).map((n) => [n.metadata.name, nodeUsage(n).cpuMillis, Math.round(nodeUsage(n).memoryBytes / 1024) * 1024]).sort(),
      }),
    );
    expect(forbidden(resources)).toEqual([]);
    for (const s of ['pods', 'services', 'workloads', 'nodes', 'podUsage', 'volumes', 'warnings'] as const) expect([s, resources[s].status]).toEqual([s, 'ok']);
    expect(resources.namespace).toBe(NS);
    if (resources.pods.status !== 'ok' || resources.volumes.status !== 'ok' || resources.nodes.status !== 'ok') throw new Error('sections not ok');
    expect(resources.nodes.data.metricsAvailable).toBe(true);
    for (const n of resources.nodes.data.nodes.filter((x) => x.cpuAllocatableMillis > 0)) expect([n.name, n.cpuPercent! > 0]).toEqual([n.name, true]);
    expect(resources.volumes.data.persistentVolumes.map((v) => v.name)).toContain(EBS_VOLUME);
    const podNames = resources.pods.data.map((p) => p.name);
    for (const c of Object.values(services)) expect(podNames).toContain(c.pod.metadata.name);
    // Pod usage through the aggregated metrics API, listed with the environment's own token (its
    // Role grants it): each service pod's usage as the metrics-server stand-in reports it.
    const measured = (r: ResourcesView, name: string) =>
      r.podUsage.status === 'ok' ? r.podUsage.data.pods.find((p) => p.name === name && p.cpu.used !== null) : undefined;
    const usage = await waitJson<ResourcesView>(
      `${base}/api/v1/resources`,
      (r) => Object.values(services).every((c) => measured(r, c.pod.metadata.name)),
      'the service pods with usage',
    );
    for (const c of Object.values(services)) {
      const row = measured(usage, c.pod.metadata.name)!;
      const containers = (c.pod.spec.containers as Obj[]).map(containerUsage);
      const cpu = containers.reduce((sum, u) => sum + u.cpuMillis, 0);
      const memory = containers.reduce((sum, u) => sum + Math.round(u.memoryBytes / 1024) * 1024, 0);
      expect([row.name, row.cpu.used, row.memory.used, row.aboveRequest]).toEqual([c.pod.metadata.name, cpu, memory, []]);
    }

    // /storage: this pod → its claims → their volumes, read with the storage ServiceAccount's token.
    const storage = await get<StorageOverview>('/api/v1/storage');
    expect(forbidden(storage)).toEqual([]);
    expect(storage.servedBy.pod).toBe(svc('storage').pod.metadata.name);
    if (storage.ebs.status !== 'ok' || storage.efs.status !== 'ok') throw new Error(`storage sections: ${JSON.stringify(storage).slice(0, 500)}`);
    expect(storage.ebs.data.config).toMatchObject({
      status: 'ok',
      data: { claimName: EBS_CLAIM, volumeName: EBS_VOLUME, volumeId: VOLUME_ID, zone: 'eu-west-1a' },
    });
    expect(storage.efs.data.config).toMatchObject({ status: 'ok', data: { driver: 'efs.csi.aws.com', volumeHandle: EFS_HANDLE } });

    // /stress: its own HPA, as the API server holds it.
    const hpa = expectOk(await admin().get<Obj>(`/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/${NAME}-stress`), 'the stress HPA');
    const stress = await waitJson<StressOverview>(`${base}/api/v1/stress`, (s) => s.hpa.status === 'ok', 'the stress HPA on /stress');
    expect(forbidden(stress)).toEqual([]);
    expect(stress.hpa).toMatchObject({
      status: 'ok',
      data: { name: hpa.metadata.name, namespace: NS, minReplicas: hpa.spec.minReplicas, maxReplicas: hpa.spec.maxReplicas },
    });

    // /scaling: nodes, the HPA, Karpenter's NodePool.
    const scaling = await waitJson<ScalingSnapshot>(
      `${base}/api/v1/scaling`,
      (s) => s.karpenter.status === 'ok' && s.nodes.status === 'ok' && s.nodes.data.metricsAvailable,
      'the scaling snapshot with Karpenter and usage',
    );
    expect(forbidden(scaling)).toEqual([]);
    if (scaling.nodes.status !== 'ok' || scaling.hpas.status !== 'ok' || scaling.karpenter.status !== 'ok') throw new Error('scaling sections not ok');
    await agree(
      'the scaling nodes and the API server',
      async () => {
        const s = await get<ScalingSnapshot>('/api/v1/scaling');
        return { shown: s.nodes.status === 'ok' ? s.nodes.data.nodes.map((n) => [n.name, n.cpu.used, n.zone, n.instanceType]).sort() : s.nodes, whole: s };
      },
      async () =>
        (await list('/api/v1/nodes'))
          .map((n) => [
            n.metadata.name,
            nodeUsage(n).cpuMillis,
            n.metadata.labels['topology.kubernetes.io/zone'],
            n.metadata.labels['node.kubernetes.io/instance-type'],
          ])
          .sort(),
    );
    expect(scaling.hpas.data.map((h) => h.name)).toContain(hpa.metadata.name);
    expect(scaling.karpenter.data.nodePools.map((p) => p.name)).toContain('general-arm64');

    // The pages themselves.
    for (const route of ['/resources', '/storage', '/stress', '/scaling', '/scaling/history', '/']) {
      const page = await pageText(`${base}${route}`);
      expect([route, page.status, /forbidden/i.test(page.text)]).toEqual([route, 200, false]);
    }
    expect((await pageText(`${base}/storage`)).text).toContain(VOLUME_ID);
    expect((await pageText(`${base}/scaling`)).text).toContain('general-arm64');

    // Each process authenticated as its own pod's ServiceAccount (storage calls only when a page asks).
    const accounts = new Set(observedRequests(cp().auditEvents(() => true, api.auditLog)).map((r) => r.account));
    for (const c of Object.values(services)) {
      expect(c.account).toBe(`${NS}/${c.pod.spec.serviceAccountName}`);
      expect(c.pod.spec.serviceAccountName).toBe(`${NAME}-${c.component}`);
      expect(accounts).toContain(c.account);
    }
  });

  it("the scaling story: Pending with the real scheduler's reason, a new kwok node, scheduled and Ready, measured on /scaling and /scaling/history", async () => {
    const started = new Date(Date.now() - 1000).toISOString();
    const burstNode = (name: string, zone: string) => ({
      name,
      zone,
      instanceType: 'c7g.large',
      nodegroup: BURST_GROUP,
      cpu: '2',
      memory: '4Gi',
      // A node group of its own: the other test files' pods stay off it, and its capacity is this test's.
      taints: [{ key: 'dedicated', value: BURST_GROUP, effect: 'NoSchedule' as const }],
    });
    await cp().addNode(burstNode(BURST_NODES[0], 'eu-west-1b'));
    await cp().waitNodeReady(BURST_NODES[0]);
    // Three pods of 800m: two fit on the 2-CPU node, the third cannot.
    expectOk(
      await admin().post(`/apis/apps/v1/namespaces/${NS}/deployments`, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'burst' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'burst' } },
          template: {
            metadata: { labels: { app: 'burst' } },
            spec: {
              nodeSelector: { 'eks.amazonaws.com/nodegroup': BURST_GROUP },
              tolerations: [{ key: 'dedicated', operator: 'Equal', value: BURST_GROUP, effect: 'NoSchedule' }],
              terminationGracePeriodSeconds: 30,
              containers: [{ name: 'app', image: 'burst:1', resources: { requests: { cpu: '800m', memory: '512Mi' } } }],
            },
          },
        },
      }),
      'the burst Deployment',
    );
    const burstPods = () => list(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dburst`);
    const scheduledCondition = (p: Obj) => (p.status?.conditions ?? []).find((c: Obj) => c.type === 'PodScheduled');
    const pending = await waitFor(
      async () => {
        const pods = await burstPods();
        const running = pods.filter((p) => p.status?.phase === 'Running');
        const waiting = pods.filter((p) => scheduledCondition(p)?.status === 'False');
        return running.length === 2 && waiting.length === 1 ? waiting[0] : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'two burst pods Running and one unschedulable' },
    );
    const reason = scheduledCondition(pending);
    expect(reason).toMatchObject({ reason: 'Unschedulable', message: expect.stringContaining('Insufficient cpu') });
    const pendingSince = Date.parse(reason.lastTransitionTime);

    // /scaling shows it Pending with the scheduler's own words.
    const snapshot = await waitJson<ScalingSnapshot>(
      `${base}/api/v1/scaling`,
      (s) => s.pending.status === 'ok' && s.pending.data.pods.some((p) => p.name === pending.metadata.name),
      'the Pending burst pod on /scaling',
    );
    if (snapshot.pending.status !== 'ok') throw new Error('pending section');
    expect(snapshot.pending.data.pods.find((p) => p.name === pending.metadata.name)).toMatchObject({
      namespace: NS,
      workload: 'Deployment/burst',
      reason: 'Unschedulable',
      message: reason.message,
      cpuRequestMillis: 800,
    });
    expect(await pageShowing('/scaling', reason.message)).toContain(reason.message);

    // Kubernetes times have whole seconds: let a second pass so the waits measure more than 0.
    await new Promise((r) => setTimeout(r, Math.max(0, pendingSince + 1500 - Date.now())));
    await cp().addNode(burstNode(BURST_NODES[1], 'eu-west-1c'));
    const placed = await waitForObject<Obj>(
      admin(),
      `/api/v1/namespaces/${NS}/pods/${pending.metadata.name}`,
      (p) => p?.spec?.nodeName === BURST_NODES[1] && (p.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True'),
      'the Pending pod scheduled on the new node and Ready',
    );
    const node = expectOk(await admin().get<Obj>(`/api/v1/nodes/${BURST_NODES[1]}`), 'the new node');
    const nodeReadyAt = Date.parse(node.status.conditions.find((c: Obj) => c.type === 'Ready').lastTransitionTime);
    const scheduledAt = Date.parse(scheduledCondition(placed!).lastTransitionTime);

    // /scaling: no longer Pending, on the new node, which carries its EKS labels.
    const after = await waitJson<ScalingSnapshot>(
      `${base}/api/v1/scaling`,
      (s) =>
        s.pending.status === 'ok' &&
        !s.pending.data.pods.some((p) => p.name === pending.metadata.name) &&
        s.nodes.status === 'ok' &&
        s.nodes.data.nodes.some((n) => n.name === BURST_NODES[1] && n.appPods.includes(pending.metadata.name)),
      'the pod on the new node on /scaling',
    );
    if (after.nodes.status !== 'ok') throw new Error('nodes section');
    expect(after.nodes.data.nodes.find((n) => n.name === BURST_NODES[1])).toMatchObject({
      ready: true,
      instanceType: 'c7g.large',
      zone: 'eu-west-1c',
      capacityType: 'on-demand',
      provisioner: `node group ${BURST_GROUP}`,
      cpu: { requested: 800 },
    });

    // /scaling/history and the events API: the transitions, and the response times measured from them.
    const subject = `${NS}/${pending.metadata.name}`;
    const events = await waitJson<ScalingEventsPage>(
      `${base}/api/v1/scaling/events?since=${started}`,
      (e) =>
        ['pending_to_scheduled', 'pending_to_node_ready'].every((t) => e.chains.some((c) => c.type === t && c.subject === subject && c.status === 'completed')),
      'both response-time chains of the burst pod completed',
    );
    const types = (o: { name: string }) => events.events.filter((e) => e.object.name === o.name).map((e) => e.event_type);
    expect(types({ name: pending.metadata.name })).toEqual(expect.arrayContaining(['pod_created', 'pod_pending', 'pod_scheduled', 'pod_ready']));
    expect(types({ name: BURST_NODES[1] })).toEqual(expect.arrayContaining(['node_added', 'node_ready']));
    const chain = (type: string) => events.chains.find((c) => c.type === type && c.subject === subject)!;
    // Measured from the objects' own transition times (whole seconds), as the API server holds them.
    expect(chain('pending_to_scheduled')).toMatchObject({
      status: 'completed',
      workload: 'Deployment/burst',
      duration_seconds: (scheduledAt - pendingSince) / 1000,
    });
    expect(chain('pending_to_node_ready')).toMatchObject({
      status: 'completed',
      detail: `on ${BURST_NODES[1]}`,
      duration_seconds: (Math.max(nodeReadyAt, pendingSince) - pendingSince) / 1000,
    });
    expect(chain('pending_to_scheduled').duration_seconds).toBeGreaterThan(0);
    expect(chain('pending_to_node_ready').duration_seconds).toBeGreaterThan(0);

    const history = await waitJson<ScalingHistory>(
      `${base}/api/v1/scaling/history?hours=1`,
      (h) => h.responseTimes.status === 'ok' && h.responseTimes.data.chains.some((c) => c.subject === subject),
      'the chains on /scaling/history',
    );
    if (history.responseTimes.status !== 'ok' || history.events.status !== 'ok') throw new Error('history sections');
    for (const type of ['pending_to_scheduled', 'pending_to_node_ready'] as const) {
      const stats = history.responseTimes.data.stats.find((x) => x.type === type)!;
      expect(stats.count).toBeGreaterThanOrEqual(1);
      expect(stats.max_seconds).toBeGreaterThanOrEqual(chain(type).duration_seconds!);
    }
    expect(history.events.data.events.map((e) => `${e.event_type} ${e.object.name}`)).toEqual(
      expect.arrayContaining([`pod_pending ${pending.metadata.name}`, `node_ready ${BURST_NODES[1]}`]),
    );
    const page = (await pageText(`${base}/scaling/history?hours=1`)).text;
    for (const text of ['Pod Pending → scheduled', 'Pod Pending → its new node Ready', pending.metadata.name, BURST_NODES[1]]) expect(page).toContain(text);
  });

  it('a pod deleted gracefully shows as Terminating and is not counted as running', async () => {
    const victim = (await list(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dburst`)).find(
      (p) => p.spec.nodeName === BURST_NODES[0] && p.status?.phase === 'Running',
    )!;
    expect(victim).toBeDefined();
    const deleted = expectOk(await admin().delete<Obj>(`/api/v1/namespaces/${NS}/pods/${victim.metadata.name}`), 'graceful delete');
    expect(deleted.metadata.deletionTimestamp).toBeDefined();
    const snapshot = await waitJson<ScalingSnapshot>(
      `${base}/api/v1/scaling`,
      (s) => s.nodes.status === 'ok' && s.nodes.data.nodes.some((n) => n.appPods.includes(`${victim.metadata.name} (Terminating)`)),
      'the deleted pod as Terminating on /scaling',
    );
    if (snapshot.summary.status !== 'ok') throw new Error('summary section');
    expect(snapshot.summary.data.terminating).toBeGreaterThanOrEqual(1);
    expect(await pageShowing('/scaling', `${victim.metadata.name} (Terminating)`)).toContain(`${victim.metadata.name} (Terminating)`);
    // The pod is still there (its grace period runs) beside its replacement, but a sample taken
    // now counts only the burst pods that are not being deleted.
    const pods = await waitFor(
      async () => {
        const all = await list(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dburst`);
        return all.filter((p) => !p.metadata.deletionTimestamp).length === 3 ? all : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: 'the replacement pod' },
    );
    expect(pods.find((p) => p.metadata.name === victim.metadata.name)?.metadata.deletionTimestamp).toBeDefined();
    expect(pods).toHaveLength(4);
    const live = 3;
    const replaced = Date.now();
    const history = await waitJson<ScalingHistory>(
      `${base}/api/v1/scaling/history?hours=1`,
      (h) => h.samples.status === 'ok' && h.samples.data.points.some((p) => Date.parse(p.t) > replaced + 1000),
      'a history sample taken after the replacement was created',
    );
    if (history.samples.status !== 'ok') throw new Error('samples section');
    const sample = history.samples.data.points.at(-1)!;
    expect(sample.workloads['Deployment/burst']).toBe(live);
    expect(sample.terminating).toBeGreaterThanOrEqual(1);
  });

  it('a rule removed from the environment Role is named on /resources (verb, resource, namespace) while the rest of the page works', async () => {
    const env = svc('environment');
    const rolePath = `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles/${NAME}-environment`;
    const role = expectOk(await admin().get<Obj>(rolePath), 'the environment Role');
    const original = structuredClone(role.rules) as Obj[];
    const trimmed = original
      .map((r) => ({ ...r, resources: (r.resources as string[]).filter((x) => !((r.apiGroups as string[]).includes('') && x === 'services')) }))
      .filter((r) => r.resources.length);
    expect(JSON.stringify(trimmed)).not.toBe(JSON.stringify(original));
    const token = await cp().tokenFor(NS, env.pod.spec.serviceAccountName);
    const asEnvironment = api.admin().withToken(token);
    const window = { why: 'rule removed', account: env.account, resource: 'services', namespace: NS, from: Date.now() - 1000, to: Infinity };
    expectedForbidden.push(window);
    try {
      expectOk(await admin().put(rolePath, { ...role, rules: trimmed }), 'the trimmed Role');
      // RBAC changes reach the authorizer through its informer: wait until the API server applies it.
      await waitFor(async () => (await asEnvironment.get(`/api/v1/namespaces/${NS}/services`)).status === 403, {
        timeoutMs: 10_000,
        what: 'list services forbidden for the environment ServiceAccount',
      });
      // The pod starts again (as after a rollout) and lists with the Role as it now is.
      await env.restart();
      const message = `Forbidden: the service account cannot list services in namespace "${NS}"`;
      const view = await waitJson<ResourcesView>(`${base}/api/v1/resources`, (r) => r.services.status === 'error', 'the services section failing');
      expect(view.services).toMatchObject({ status: 'error', code: 'KUBE.FORBIDDEN', message });
      if (view.services.status !== 'error') throw new Error('services section');
      expect(view.services.details).toContain('cannot list resource "services"');
      // The fix names what the informer needs and the chart grants (list and watch), in a Role of that namespace.
      expect(view.services.fix).toContain(`Grant the service account list and watch on "services" (apiGroups: [""]) in a Role in namespace "${NS}"`);
      for (const s of ['pods', 'workloads', 'nodes', 'volumes', 'warnings'] as const) expect([s, view[s].status]).toEqual([s, 'ok']);
      if (view.pods.status !== 'ok') throw new Error('pods section');
      expect(view.pods.data.map((p) => p.name)).toContain(env.pod.metadata.name);
      const page = await pageText(`${base}/resources`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(message);
      expect(page.text).toContain(env.pod.metadata.name);
      // Readiness names the failing informer.
      const ready = await readiness(env.management);
      expect(ready.status).toBe(503);
      expect(ready.body).toContain(`services in ${NS}`);
    } finally {
      const current = expectOk(await admin().get<Obj>(rolePath), 'the environment Role');
      expectOk(await admin().put(rolePath, { ...current, rules: original }), 'the Role put back');
    }
    // Put back, the section recovers by itself (the informer retries with backoff).
    const recovered = await waitJson<ResourcesView>(`${base}/api/v1/resources`, (r) => r.services.status === 'ok', 'the services section back', 60_000);
    window.to = Date.now() + 1000;
    if (recovered.services.status !== 'ok') throw new Error('services section');
    expect(recovered.services.data.map((x) => x.name).sort()).toEqual((await list(`/api/v1/namespaces/${NS}/services`)).map((x) => x.metadata.name).sort());
    await waitFor(async () => (await readiness(env.management)).status === 200, { timeoutMs: 10_000, what: 'environment ready again' });
  });

  it('an API-server outage that expires the watches: the informers get the 410 ERROR event, relist, show the current state and are ready within 10 s of the server', async () => {
    const expired = async () =>
      Object.fromEntries(
        await Promise.all(
          INFORMER_COMPONENTS.map(async (c) => [c, await counterSum(svc(c).management, 'kube_informer_restarts_total', { reason: 'expired' })]),
        ),
      ) as Record<string, number>;
    const before = await expired();
    const hpaPath = `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/${NAME}-stress`;
    const maxBefore = expectOk(await admin().get<Obj>(hpaPath), 'the stress HPA').spec.maxReplicas as number;

    // A crash: connections reset, the port refuses.
    const stopping = Date.now();
    await api.stop('SIGKILL');
    // Each service notices: its informers fail and readiness turns red.
    for (const c of INFORMER_COMPONENTS) {
      await waitFor(async () => (await readiness(svc(c).management)).status === 503, {
        timeoutMs: 30_000,
        intervalMs: 200,
        what: `${c} not ready in the outage`,
      });
    }
    // Meanwhile the cluster changes (through the main API server), and etcd compacts its history:
    // the resourceVersions the informers hold are gone.
    expectOk(
      await admin().post(`/api/v1/namespaces/${NS}/services`, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'made-in-the-outage' },
        spec: { selector: { app: 'none' }, ports: [{ port: 80 }] },
      }),
      'a Service created in the outage',
    );
    const patched = expectOk(await admin().patch<Obj>(hpaPath, { spec: { maxReplicas: maxBefore - 1 } }), 'the HPA changed in the outage');
    await compactEtcd(patched.metadata.resourceVersion);

    // Long enough for the informers' backoffs (full jitter, doubling) to outgrow the 10 s budget.
    await new Promise((r) => setTimeout(r, Math.max(0, stopping + OUTAGE_MS - Date.now())));
    const restarting = Date.now();
    await api.restart();
    const back = Date.now();

    expectedForbidden.push({ why: 'API server starting', from: restarting, to: back });
    const readyAfter: Record<string, number> = {};
    await Promise.all(
      INFORMER_COMPONENTS.map((c) =>
        waitFor(
          async () => {
            if ((await readiness(svc(c).management)).status !== 200) return false;
            readyAfter[c] = (Date.now() - back) / 1000;
            return true;
          },
          { timeoutMs: 30_000, intervalMs: 100, what: `${c} ready after the outage` },
        ),
      ),
    );
    process.stderr.write(
      `[cluster] API-server outage of ${((back - stopping) / 1000).toFixed(1)} s (restart ${((back - restarting) / 1000).toFixed(1)} s): ready again ${JSON.stringify(readyAfter)} s after the server's /readyz\n`,
    );
    for (const c of INFORMER_COMPONENTS) expect([c, readyAfter[c]]).toEqual([c, expect.any(Number)]);
    expect(Math.max(...Object.values(readyAfter))).toBeLessThan(10);

    // The watches were resumed from expired resourceVersions: each service got the 410 and relisted.
    // Its counter of expired watches grew, and the restarted server's audit log shows the resumed
    // watch answered 200 (the 410 came as an ERROR event in the stream), then a list.
    const after = await expired();
    expect({ before, after, grew: INFORMER_COMPONENTS.filter((c) => after[c] > before[c]) }).toEqual({ before, after, grew: [...INFORMER_COMPONENTS] });
    const compacted = Number(patched.metadata.resourceVersion);
    const since = cp()
      .auditEvents(() => true, api.auditLog)
      .filter((e) => Date.parse(e.requestReceivedTimestamp ?? '') >= restarting)
      .sort((a, b) => Date.parse(a.requestReceivedTimestamp!) - Date.parse(b.requestReceivedTimestamp!));
    const rvOf = (e: AuditEvent) => Number(new URL(e.requestURI, 'https://x').searchParams.get('resourceVersion') ?? 0);
    for (const c of INFORMER_COMPONENTS) {
      const user = `system:serviceaccount:${NS}:${svc(c).pod.spec.serviceAccountName}`;
      const mine = since.filter((e) => e.user.username === user);
      const resumed = mine.findIndex((e) => e.verb === 'watch' && e.responseStatus?.code === 200 && rvOf(e) > 0 && rvOf(e) < compacted);
      const relist =
        resumed >= 0 ? mine.slice(resumed + 1).find((e) => e.verb === 'list' && e.objectRef?.resource === mine[resumed].objectRef?.resource) : undefined;
      // On failure, what the component asked for after the restart says why.
      const trail = mine.map((e) => `${e.verb} ${e.objectRef?.resource ?? e.requestURI} rv=${rvOf(e)} → ${e.responseStatus?.code}`);
      expect({ c, resumedWatch: resumed >= 0, relist: relist?.responseStatus?.code, trail }).toEqual({ c, resumedWatch: true, relist: 200, trail });
    }
    // …and shows the cluster as it is now.
    const resources = await waitJson<ResourcesView>(
      `${base}/api/v1/resources`,
      (r) => r.services.status === 'ok' && r.services.data.some((s) => s.name === 'made-in-the-outage'),
      'the Service made in the outage on /resources',
    );
    expect(resources.services.status).toBe('ok');
    await waitJson<StressOverview>(
      `${base}/api/v1/stress`,
      (s) => s.hpa.status === 'ok' && s.hpa.data.maxReplicas === maxBefore - 1,
      'the HPA as changed in the outage on /stress',
    );
    await waitJson<ScalingSnapshot>(
      `${base}/api/v1/scaling`,
      (s) => s.hpas.status === 'ok' && s.hpas.data.some((h) => h.name === `${NAME}-stress` && h.maxReplicas === maxBefore - 1),
      'the HPA as changed in the outage on /scaling',
    );
  });

  it('every grant of the chart is used by its service, and no call was refused (the audit log of this run)', async () => {
    // The release's RBAC as installed (the Role changed above is back as it was).
    const rbac = async (plural: string, kind: string) =>
      (await list(`/apis/rbac.authorization.k8s.io/v1/${plural}?labelSelector=app.kubernetes.io%2Finstance%3D${RELEASE}`)).map((d) => ({ ...d, kind }));
    const docs = [
      ...(await rbac('roles', 'Role')),
      ...(await rbac('rolebindings', 'RoleBinding')),
      ...(await rbac('clusterroles', 'ClusterRole')),
      ...(await rbac('clusterrolebindings', 'ClusterRoleBinding')),
    ];
    const grants = grantsOf(docs);
    const accounts = new Set(grants.map((g) => g.account));
    // The components that call the API, and only those, hold grants.
    expect([...accounts].sort()).toEqual(
      Object.values(services)
        .map((s) => s.account)
        .sort(),
    );
    const requests: ObservedRequest[] = observedRequests([...cp().auditEvents(() => true, api.auditLog), ...cp().auditEvents()]).filter((r) =>
      accounts.has(r.account),
    );
    const allowed = (r: ObservedRequest) =>
      expectedForbidden.some(
        (w) =>
          (w.account === undefined ||
            (w.account === r.account && w.resource === r.resource && w.namespace === r.namespace && ['list', 'watch'].includes(r.verb))) &&
          Date.parse(r.at) >= w.from &&
          Date.parse(r.at) <= w.to,
      );
    const found = grantCoverageProblems(grants, requests, allowed);
    process.stderr.write(`[cluster] ${grants.length} grants, ${requests.length} requests\n`);
    const summary = [...accounts].map((a) => `${a}: ${requests.filter((r) => r.account === a).length} requests`).join('; ');
    expect({ problems: found, summary }).toEqual({ problems: [], summary });
    // The test that removed a rule did see it refused (so the forbidden check had something to look at).
    const refused = requests.filter((r) => r.code === 403 && allowed(r));
    expect(refused.filter((r) => r.resource === 'services' && r.account.endsWith('-environment')).length).toBeGreaterThan(0);
    process.stderr.write(
      `[cluster] expected refusals: ${refused.length} (${[...new Set(refused.map((r) => describeRequest(r).replace(/ → .*/, '')))].length} kinds)\n`,
    );
  });
});
