import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiException, AppsV1Api, AutoscalingV2Api, CoreV1Api, CustomObjectsApi, KubeConfig, VersionApi, Watch } from '@kubernetes/client-node';
import { ManagedProcess } from '../process/managed-process';
import { distPath, nodeBin } from '../process/paths';
import { waitFor } from '../process/wait';
import * as fx from './fixtures';
import { FakeKubeApiServer } from './server';

// The fake API server driven by the real @kubernetes/client-node over HTTPS.

let server: FakeKubeApiServer;
let kc: KubeConfig;

beforeEach(async () => {
  server = await FakeKubeApiServer.start({
    objects: [
      fx.node({ name: 'ip-10-0-1-10' }),
      fx.pod({ name: 'web-1', node: 'ip-10-0-1-10', labels: { app: 'web', tier: 'front' } }),
      fx.pod({ name: 'web-2', node: 'ip-10-0-1-10', labels: { app: 'web' } }),
      fx.pod({ name: 'dns', namespace: 'kube-system', labels: { app: 'dns' } }),
      fx.deployment({ name: 'web' }),
    ],
  });
  kc = new KubeConfig();
  kc.loadFromString(server.kubeconfigYaml());
});
afterEach(() => server.close());

interface WatchLine {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string; labels?: Record<string, string> }; code?: number; message?: string };
}

/** Opens a watch with the real client and collects what it receives and how it ends. */
async function openWatch(
  p: string,
  query: Record<string, string | boolean>,
): Promise<{ lines: WatchLine[]; ended: Promise<unknown>; controller: AbortController }> {
  const lines: WatchLine[] = [];
  let end!: (err: unknown) => void;
  const ended = new Promise<unknown>((resolve) => (end = resolve));
  const controller = await new Watch(kc).watch(
    p,
    query,
    (type, object) => lines.push({ type, object }),
    (err) => end(err ?? 'closed'),
  );
  return { lines, ended, controller };
}

describe('FakeKubeApiServer', () => {
  it('lists and gets with the typed clients, namespaced and across namespaces, with selectors', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const demo = await core.listNamespacedPod({ namespace: 'demo' });
    expect(demo.items.map((p) => p.metadata?.name).sort()).toEqual(['web-1', 'web-2']);
    expect(Number(demo.metadata?.resourceVersion)).toBe(server.store.resourceVersion);
    expect((await core.listPodForAllNamespaces()).items).toHaveLength(3);
    expect((await core.listNamespacedPod({ namespace: 'demo', labelSelector: 'app=web,tier=front' })).items.map((p) => p.metadata?.name)).toEqual(['web-1']);
    expect((await core.listNamespacedPod({ namespace: 'demo', labelSelector: '!tier' })).items.map((p) => p.metadata?.name)).toEqual(['web-2']);
    expect((await core.listPodForAllNamespaces({ fieldSelector: 'metadata.namespace=kube-system' })).items.map((p) => p.metadata?.name)).toEqual(['dns']);
    expect((await core.readNode({ name: 'ip-10-0-1-10' })).metadata?.labels?.['node.kubernetes.io/instance-type']).toBe('m7g.large');
    expect((await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'web', namespace: 'demo' })).spec?.replicas).toBe(2);
    await expect(core.readNamespacedPod({ name: 'nope', namespace: 'demo' })).rejects.toMatchObject({ code: 404 });
    expect(server.listCalls('pods')).toBe(5);
    server.upsert(fx.horizontalPodAutoscaler({ name: 'stress', cpuTarget: 60, currentCpu: 85, currentReplicas: 2, desiredReplicas: 3 }));
    const [hpa] = (await kc.makeApiClient(AutoscalingV2Api).listNamespacedHorizontalPodAutoscaler({ namespace: 'demo' })).items;
    expect(hpa.spec?.metrics?.[0].resource?.target.averageUtilization).toBe(60);
    expect(hpa.status?.currentMetrics?.[0].resource?.current.averageUtilization).toBe(85);
    expect(hpa.spec?.behavior?.scaleDown?.stabilizationWindowSeconds).toBe(300);
    expect(server.listCalls('/api/v1/pods')).toBe(2);
    expect(server.calls('get', 'pods')).toBe(1);
  });

  it('streams watch events from a resourceVersion; DELETED carries the final state', async () => {
    const rv = String(server.store.resourceVersion);
    const w = await openWatch('/api/v1/namespaces/demo/pods', { resourceVersion: rv });
    server.upsert(fx.pod({ name: 'web-3' }));
    server.patch('pods/demo/web-1', (p) => void (p.metadata.labels!.version = 'v2'));
    const removed = server.remove('pods/demo/web-2');
    server.upsert(fx.pod({ name: 'elsewhere', namespace: 'kube-system' }));
    await waitFor(() => w.lines.length >= 3, { timeoutMs: 5000, what: 'three events' });
    w.controller.abort();
    expect(w.lines.map((l) => `${l.type} ${l.object.metadata?.name}`)).toEqual(['ADDED web-3', 'MODIFIED web-1', 'DELETED web-2']);
    expect(w.lines[1].object.metadata?.labels?.version).toBe('v2');
    expect(w.lines[2].object.metadata?.resourceVersion).toBe(removed?.metadata.resourceVersion);
    const rvs = w.lines.map((l) => Number(l.object.metadata?.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(rvs[0]).toBeGreaterThan(Number(rv));
    expect(server.watchCalls('pods')).toBe(1);
  });

  it('replays history to a watch resuming from an older resourceVersion and turns selector changes into ADDED/DELETED', async () => {
    const rv = String(server.store.resourceVersion);
    server.patch('pods/demo/web-2', (p) => void (p.metadata.labels!.tier = 'front'));
    server.patch('pods/demo/web-1', (p) => void delete p.metadata.labels!.tier);
    const w = await openWatch('/api/v1/namespaces/demo/pods', { resourceVersion: rv, labelSelector: 'tier=front' });
    await waitFor(() => w.lines.length >= 2, { timeoutMs: 5000, what: 'replayed events' });
    w.controller.abort();
    expect(w.lines.map((l) => `${l.type} ${l.object.metadata?.name}`)).toEqual(['ADDED web-2', 'DELETED web-1']);
  });

  it('sends bookmarks when asked and ends a watch after timeoutSeconds', async () => {
    const w = await openWatch('/api/v1/nodes', { resourceVersion: String(server.store.resourceVersion), allowWatchBookmarks: true, timeoutSeconds: '1' });
    server.sendBookmarks();
    await waitFor(() => w.lines.length === 1, { timeoutMs: 2000, what: 'a bookmark' });
    expect(w.lines[0]).toEqual({
      type: 'BOOKMARK',
      object: { kind: 'Node', apiVersion: 'v1', metadata: { resourceVersion: String(server.store.resourceVersion) } },
    });
    expect(await w.ended).toBe('closed');
  });

  it('expires watch history: an ERROR 410 Status on open watches, and HTTP 200 + an ERROR 410 event for a new watch from before', async () => {
    const oldRv = String(server.store.resourceVersion);
    const w = await openWatch('/api/v1/namespaces/demo/pods', { resourceVersion: oldRv });
    server.upsert(fx.pod({ name: 'web-3' }));
    await waitFor(() => w.lines.length === 1, { timeoutMs: 2000, what: 'the ADDED event' });
    server.expireWatchHistory();
    expect(await w.ended).toBe('closed');
    expect(w.lines[1]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });

    const again = await openWatch('/api/v1/namespaces/demo/pods', { resourceVersion: oldRv });
    expect(await again.ended).toBe('closed');
    expect(again.lines).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({
          kind: 'Status',
          code: 410,
          reason: 'Expired',
          message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/),
        }),
      },
    ]);
    // From the current resourceVersion a watch works again.
    const fresh = await openWatch('/api/v1/namespaces/demo/pods', { resourceVersion: String(server.store.resourceVersion) });
    server.remove('pods/demo/web-3');
    await waitFor(() => fresh.lines.length === 1, { timeoutMs: 2000, what: 'the DELETED event' });
    fresh.controller.abort();
  });

  it('accepts field selectors only on the fields each kind supports (400 otherwise), as a real API server does', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    expect((await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=ip-10-0-1-10,status.phase!=Failed' })).items).toHaveLength(2);
    const bad = (await core.listPodForAllNamespaces({ fieldSelector: 'spec.containers=x' }).catch((e: unknown) => e)) as ApiException<string>;
    expect(bad.code).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ reason: 'BadRequest', message: 'field label not supported: spec.containers' });
    await expect(core.listNode({ fieldSelector: 'status.phase=Running' })).rejects.toMatchObject({ code: 400 });
    expect((await core.listNode({ fieldSelector: 'spec.unschedulable!=true' })).items).toHaveLength(1);
    const watch = await openWatch('/api/v1/namespaces/demo/pods', { fieldSelector: 'metadata.labels=x' });
    expect(await watch.ended).toMatchObject({ statusCode: 400 });
  });

  it('deletes a pod bound to a node gracefully: Terminating for its grace period, then gone', async () => {
    const rv = String(server.store.resourceVersion);
    const w = await openWatch('/api/v1/namespaces/demo/pods', { resourceVersion: rv });
    const before = Date.now();
    const deleting = server.delete('pods/demo/web-1', { gracePeriodSeconds: 1 })!;
    expect(deleting.metadata).toMatchObject({ deletionGracePeriodSeconds: 1 });
    const at = Date.parse(deleting.metadata.deletionTimestamp!);
    expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    expect(server.get('pods/demo/web-1')).toBeDefined();
    // The default grace period is the pod's terminationGracePeriodSeconds (30 s).
    expect(server.delete('pods/demo/web-2')!.metadata).toMatchObject({ deletionGracePeriodSeconds: 30 });
    // A pod with no node (and anything that is not a pod) goes at once.
    server.upsert(fx.pod({ name: 'unbound', phase: 'Pending' }));
    server.delete('pods/demo/unbound');
    expect(server.get('pods/demo/unbound')).toBeUndefined();
    await waitFor(() => w.lines.some((l) => l.type === 'DELETED' && l.object.metadata?.name === 'web-1'), { timeoutMs: 5000, what: 'web-1 gone' });
    w.controller.abort();
    expect(w.lines.filter((l) => l.object.metadata?.name === 'web-1').map((l) => l.type)).toEqual(['MODIFIED', 'DELETED']);
    expect(server.get('pods/demo/web-2')?.metadata.deletionTimestamp).toBeDefined();
  });

  it('creates new nodes with the not-ready taint, which goes once they are Ready', async () => {
    const tainted = (name: string) => ((server.get(`nodes/${name}`)?.spec as { taints?: Array<{ key: string }> } | undefined)?.taints ?? []).map((t) => t.key);
    expect(tainted('ip-10-0-1-10')).toEqual([]);
    const [created] = server.upsert(fx.node({ name: 'joining', ready: false }));
    expect((created.spec as { taints: Array<{ key: string; effect: string }> }).taints).toEqual([
      { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    ]);
    server.upsert(fx.node({ name: 'joined-ready' }));
    await waitFor(() => tainted('joined-ready').length === 0, { timeoutMs: 2000, what: 'the taint removed from a Ready node' });
    server.patch('nodes/joining', (n) => {
      const ready = (n.status as { conditions: Array<{ type: string; status: string }> }).conditions.find((c) => c.type === 'Ready')!;
      ready.status = 'True';
    });
    await waitFor(() => tainted('joining').length === 0, { timeoutMs: 2000, what: 'the taint removed once Ready' });
    server.patch('nodes/joining', (n) => {
      (n.status as { conditions: Array<{ type: string; status: string }> }).conditions.find((c) => c.type === 'Ready')!.status = 'Unknown';
    });
    await waitFor(() => tainted('joining').includes('node.kubernetes.io/not-ready'), { timeoutMs: 2000, what: 'the taint back when not Ready' });
  });

  it('drops watch connections on demand', async () => {
    const w = await openWatch('/api/v1/namespaces/demo/pods', { resourceVersion: String(server.store.resourceVersion) });
    await waitFor(() => server.openWatches('pods') === 1, { timeoutMs: 2000, what: 'the watch to register' });
    expect(server.dropWatches()).toBe(1);
    const err = (await w.ended) as Error & { cause?: Error };
    expect(err.cause?.message ?? err.message).toMatch(/other side closed|terminated|socket/i);
    await waitFor(() => server.openWatches() === 0, { timeoutMs: 2000, what: 'the watch to close' });
  });

  it('stalls open watches (new ones stay healthy) and resumes them with what they missed', async () => {
    const rv = String(server.store.resourceVersion);
    const stalled = await openWatch('/api/v1/namespaces/demo/pods', { resourceVersion: rv });
    await waitFor(() => server.openWatches() === 1, { timeoutMs: 2000, what: 'the watch' });
    expect(server.stallWatches()).toBe(1);
    const healthy = await openWatch('/api/v1/namespaces/demo/pods', { resourceVersion: rv });
    server.upsert(fx.pod({ name: 'web-3' }));
    await waitFor(() => healthy.lines.length === 1, { timeoutMs: 2000, what: 'the healthy watch' });
    await new Promise((r) => setTimeout(r, 200));
    expect(stalled.lines).toEqual([]);
    expect(server.openWatches()).toBe(2);
    server.resumeWatches();
    await waitFor(() => stalled.lines.length === 1, { timeoutMs: 2000, what: 'the resumed watch' });
    stalled.controller.abort();
    healthy.controller.abort();
  });

  it('forbids with the API server RBAC message and fails requests on demand', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    server.forbid('pods');
    const err = (await core.listPodForAllNamespaces().catch((e: unknown) => e)) as ApiException<string>;
    expect(err).toBeInstanceOf(ApiException);
    expect(err.code).toBe(403);
    expect(JSON.parse(err.body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods is forbidden: User "system:serviceaccount:demo:eks-info" cannot list resource "pods" in API group "" at the cluster scope',
      reason: 'Forbidden',
      details: { kind: 'pods' },
      code: 403,
    });
    const watch = await openWatch('/api/v1/namespaces/demo/pods', { resourceVersion: '1' });
    expect(await watch.ended).toMatchObject({ statusCode: 403 });
    expect((await core.listNode()).items).toHaveLength(1);
    server.allow('pods');
    expect((await core.listNamespacedPod({ namespace: 'demo' })).items).toHaveLength(2);

    server.failNext('/api/v1/nodes', 500, { times: 2 });
    await expect(core.listNode()).rejects.toMatchObject({ code: 500 });
    await expect(core.listNode()).rejects.toMatchObject({ code: 500 });
    expect((await core.listNode()).items).toHaveLength(1);
  });

  it('rejects a wrong bearer token with 401', async () => {
    const bad = new KubeConfig();
    bad.loadFromString(server.kubeconfigYaml().replace(server.token, 'not-the-token'));
    await expect(bad.makeApiClient(CoreV1Api).listNode()).rejects.toMatchObject({ code: 401 });
  });

  it('serves discovery for the enabled groups only', async () => {
    server = await restartWith({ metrics: false, gitVersion: 'v1.33.2-eks-931bdca', platform: 'linux/arm64' });
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version).toMatchObject({ gitVersion: 'v1.33.2-eks-931bdca', platform: 'linux/arm64', major: '1' });
    const groups = await getJson<{ groups: Array<{ name: string }> }>('/apis');
    expect(groups.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apps', 'autoscaling', 'karpenter.sh']));
    expect(groups.groups.map((g) => g.name)).not.toContain('metrics.k8s.io');
    expect((await getJson<{ resources: Array<{ name: string }> }>('/apis/karpenter.sh/v1')).resources.map((r) => r.name)).toEqual(['nodepools', 'nodeclaims']);
    await expect(getJson('/apis/metrics.k8s.io/v1beta1/nodes')).rejects.toThrow('404');
    expect((await getJson<{ versions: string[] }>('/api')).versions).toEqual(['v1']);

    server.setFeature('metrics', true);
    server.setFeature('karpenter', false);
    expect((await getJson<{ groups: Array<{ name: string }> }>('/apis')).groups.map((g) => g.name)).toContain('metrics.k8s.io');
    await expect(
      kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: 'karpenter.sh', version: 'v1', plural: 'nodepools' }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('writes a kubeconfig the client can load from a file', async () => {
    const file = server.writeKubeconfig();
    expect(readFileSync(file, 'utf8')).toContain(server.contextName);
    const fromFile = new KubeConfig();
    fromFile.loadFromFile(file);
    expect(fromFile.getContextObject(fromFile.getCurrentContext())?.namespace).toBe('demo');
    expect((await fromFile.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'demo' })).items).toHaveLength(2);
  });
});

describe('fake API server CLI', () => {
  it('starts with fixture objects and prints the kubeconfig path', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-kube-cli-'));
    const fixture = path.join(dir, 'objects.json');
    writeFileSync(fixture, JSON.stringify([fx.node({ name: 'n1' }), fx.pod({ name: 'p1', node: 'n1' })]));
    const proc = new ManagedProcess({
      name: 'fake-kube',
      command: nodeBin,
      args: [distPath('libs/testing/src/kube-api/cli.js'), '--fixture', fixture, '--kubeconfig', path.join(dir, 'kubeconfig'), '--no-metrics'],
    });
    try {
      const printed = await waitFor(() => proc.output.find((l) => l.endsWith('kubeconfig')), { timeoutMs: 10_000, what: 'the kubeconfig path' });
      expect(printed).toBe(path.join(dir, 'kubeconfig'));
      const cli = new KubeConfig();
      cli.loadFromFile(printed);
      expect((await cli.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'demo' })).items.map((p) => p.metadata?.name)).toEqual(['p1']);
      await expect(
        cli.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', plural: 'nodes' }),
      ).rejects.toMatchObject({ code: 404 });
      expect((await proc.stop('SIGTERM')).code).toBe(0);
    } finally {
      proc.killNow();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function restartWith(options: Parameters<typeof FakeKubeApiServer.start>[0]): Promise<FakeKubeApiServer> {
  await server.close();
  const next = await FakeKubeApiServer.start(options);
  kc = new KubeConfig();
  kc.loadFromString(next.kubeconfigYaml());
  return next;
}

/** A raw GET with the client's credentials (discovery documents have no typed client for every path). */
async function getJson<T = unknown>(p: string): Promise<T> {
  const https = await import('node:https');
  const options: import('node:https').RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  return new Promise<T>((resolve, reject) => {
    https
      .get(`${server.url}${p}`, options, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as T) : reject(new Error(`${res.statusCode} ${body}`))));
      })
      .on('error', reject);
  });
}
