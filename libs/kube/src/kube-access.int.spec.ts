import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeErrors } from '@eks-info/contracts';
import { FakeKubeApiServer } from '@eks-info/testing';
import { ApiDiscovery } from './api-discovery';
import { eksClusterName, loadKubeAccess } from './kube-access';

const ENV_KEYS = ['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT', 'KUBECONFIG'] as const;

describe('loadKubeAccess', () => {
  let server: FakeKubeApiServer;
  let tmp: string;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    server = await FakeKubeApiServer.start({ namespace: 'shop', clusterName: 'prod-arm' });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'kube-access-'));
    for (const k of ENV_KEYS) {
      saved[k] = process.env[k];
      delete process.env[k];
    }
  });
  afterEach(() => {
    rmSync(tmp, { recursive: true, force: true });
    for (const k of ENV_KEYS)
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
  });

  it('uses a kubeconfig outside a cluster and names the EKS cluster from the context', async () => {
    const file = server.writeKubeconfig(path.join(tmp, 'config'));
    const result = loadKubeAccess({ KUBE_MODE: 'auto', KUBECONFIG: file, WATCH_NAMESPACE: undefined });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.access).toMatchObject({ source: 'kubeconfig', server: server.url, context: server.contextName, clusterName: 'prod-arm', namespace: 'shop' });
    expect((await new ApiDiscovery(result.access.kubeConfig).serverVersion()).gitVersion).toBe(server.gitVersion);
  });

  it('finds ~/.kube/config and lets WATCH_NAMESPACE override the namespace', () => {
    server.writeKubeconfig(path.join(tmp, '.kube', 'config'));
    const result = loadKubeAccess({ KUBE_MODE: 'kubeconfig', KUBECONFIG: undefined, WATCH_NAMESPACE: 'other' }, { homeDir: tmp });
    expect(result.ok && result.access.namespace).toBe('other');
  });

  it('uses the service account in a pod', async () => {
    const sa = server.writeServiceAccount(tmp);
    Object.assign(process.env, sa.env);
    const result = loadKubeAccess({ KUBE_MODE: 'auto', KUBECONFIG: undefined, WATCH_NAMESPACE: undefined }, { serviceAccountRoot: sa.root, homeDir: tmp });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.access).toMatchObject({ source: 'in-cluster', server: server.url, context: null, clusterName: null, namespace: 'shop' });
    expect((await new ApiDiscovery(result.access.kubeConfig).serverVersion()).platform).toBe('linux/arm64');
  });

  it('says "Not running in Kubernetes" with a KUBECONFIG fix when there is neither', () => {
    const result = loadKubeAccess({ KUBE_MODE: 'auto', KUBECONFIG: undefined, WATCH_NAMESPACE: undefined }, { homeDir: tmp });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ code: KubeErrors.NOT_IN_CLUSTER.code, message: 'Not running in Kubernetes' });
    expect(result.error.details).toContain(path.join(tmp, '.kube', 'config'));
    expect(result.error.fix).toContain('KUBECONFIG');
  });

  it('is unavailable when switched off or when the chosen mode has nothing to use', () => {
    server.writeKubeconfig(path.join(tmp, '.kube', 'config'));
    const off = loadKubeAccess({ KUBE_MODE: 'off', KUBECONFIG: undefined, WATCH_NAMESPACE: undefined }, { homeDir: tmp });
    expect(!off.ok && off.error.details).toBe('Kubernetes access is switched off (KUBE_MODE=off).');
    const inCluster = loadKubeAccess({ KUBE_MODE: 'in-cluster', KUBECONFIG: undefined, WATCH_NAMESPACE: undefined }, { homeDir: tmp });
    expect(!inCluster.ok && inCluster.error.details).toContain('KUBERNETES_SERVICE_HOST');
  });

  it('reports a broken kubeconfig instead of throwing', () => {
    const file = path.join(tmp, 'broken');
    writeFileSync(file, 'clusters: [unterminated');
    const result = loadKubeAccess({ KUBE_MODE: 'kubeconfig', KUBECONFIG: file, WATCH_NAMESPACE: undefined });
    expect(!result.ok && result.error.message).toBe('The kubeconfig cannot be read');
  });
});

describe('eksClusterName', () => {
  it.each([
    ['arn:aws:eks:eu-west-1:111122223333:cluster/demo', 'demo'],
    ['arn:aws-cn:eks:cn-north-1:111122223333:cluster/cn-demo', 'cn-demo'],
    ['admin@shop.eu-west-1.eksctl.io', 'shop'],
    ['shop.us-east-2.eksctl.io', 'shop'],
    ['kind-dev', null],
    [undefined, null],
  ])('%s → %s', (name, expected) => {
    expect(eksClusterName(name)).toBe(expected);
  });
});
