/**
 * The home page's Kubernetes sections against the fake API server over real HTTPS: cluster
 * version, API server and name, and this pod's node from the nodes informer — with no API list
 * per page view.
 */
import pino from 'pino';
import { type EnvironmentOverview, EnvironmentRpc, type Section } from '@eks-info/contracts';
import { commonConfig, createRuntime, createServiceApp, loadConfig, resolveIdentity, type RunningApp, type ProcessRuntime } from '@eks-info/platform';
import { FakeKubeApiServer, kubeFixtures } from '@eks-info/testing';
import type { EnvironmentConfig } from '../environment.config';
import { environmentConfig } from '../environment.config';
import { EnvironmentModule } from '../environment.module';

jest.setTimeout(30_000);

const data = <T>(s: Section<T>): T => {
  if (s.status !== 'ok') throw new Error(`section is ${s.status}: ${s.message}`);
  return s.data;
};

describe('overview against a cluster', () => {
  let api: FakeKubeApiServer;
  let app: RunningApp;
  let runtime: ProcessRuntime;
  const saved = { ...process.env };

  beforeAll(async () => {
    api = await FakeKubeApiServer.start({ gitVersion: 'v1.33.4-eks-0123456', clusterName: 'prod-east' });
    api.upsert(
      kubeFixtures.node({ name: 'ip-10-0-1-10.ec2.internal', instanceType: 'c7g.xlarge', zone: 'us-east-1b', capacityType: 'SPOT', nodegroup: 'workers' }),
    );
    api.upsert(kubeFixtures.node({ name: 'ip-10-0-2-20.ec2.internal' }));
    // A pod (downward API env) whose API access comes from a kubeconfig pointing at the fake server.
    Object.assign(process.env, {
      KUBERNETES_SERVICE_HOST: '10.100.0.1',
      POD_NAME: 'environment-7d9c-abcde',
      POD_NAMESPACE: 'eks-info',
      POD_IP: '10.0.1.33',
      NODE_NAME: 'ip-10-0-1-10.ec2.internal',
      SERVICE_ACCOUNT_NAME: 'eks-info-environment',
    });
    const config = loadConfig(
      { ...commonConfig, ...environmentConfig },
      { KUBE_MODE: 'kubeconfig', KUBECONFIG: api.writeKubeconfig(), IMDS_MODE: 'off', LOG_LEVEL: 'silent' },
    ) as EnvironmentConfig;
    runtime = createRuntime('environment', 'environment-test', config, { logger: pino({ level: 'silent' }) });
    app = await createServiceApp({ identity: resolveIdentity('environment'), runtime, module: EnvironmentModule.forRoot(), config });
  });

  afterAll(async () => {
    await app?.close();
    await api?.close();
    process.env = saved;
  });

  const overview = () => runtime.bus.request(EnvironmentRpc.overview, {}) as Promise<EnvironmentOverview>;

  it('shows the pod from the downward API', async () => {
    expect(data((await overview()).pod)).toMatchObject({
      name: 'environment-7d9c-abcde',
      namespace: 'eks-info',
      ip: '10.0.1.33',
      node: 'ip-10-0-1-10.ec2.internal',
      serviceAccount: 'eks-info-environment',
    });
  });

  it('shows the cluster: version, platform, API server and the name from the kubeconfig context', async () => {
    const cluster = data((await overview()).cluster);
    expect(cluster).toMatchObject({ version: 'v1.33.4-eks-0123456', name: 'prod-east', nameSource: 'the kubeconfig context', auth: 'kubeconfig' });
    expect(cluster.apiServer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it("shows this pod's node with its EKS labels", async () => {
    expect(data((await overview()).node)).toMatchObject({
      name: 'ip-10-0-1-10.ec2.internal',
      instanceType: 'c7g.xlarge',
      zone: 'us-east-1b',
      region: 'us-east-1',
      capacityType: 'SPOT',
      arch: 'arm64',
      nodegroup: 'workers',
    });
  });

  it('reads the node from the watch cache: no list call per view, and changes arrive by watch', async () => {
    await overview();
    const lists = api.listCalls('nodes');
    expect(lists).toBeGreaterThanOrEqual(1); // the informer listed once at start
    for (let i = 0; i < 20; i++) await overview();
    expect(api.listCalls('nodes')).toBe(lists);
    api.upsert(
      kubeFixtures.node({ name: 'ip-10-0-1-10.ec2.internal', instanceType: 'c7g.2xlarge', zone: 'us-east-1b', capacityType: 'SPOT', nodegroup: 'workers' }),
    );
    const start = Date.now();
    while (Date.now() - start < 5000 && data((await overview()).node).instanceType !== 'c7g.2xlarge') await new Promise((r) => setTimeout(r, 50));
    expect(data((await overview()).node).instanceType).toBe('c7g.2xlarge');
    expect(api.listCalls('nodes')).toBe(lists);
  });

  it('prefers CLUSTER_NAME, then a node label, over the kubeconfig', async () => {
    api.upsert(kubeFixtures.node({ name: 'ip-10-0-2-20.ec2.internal', labels: { 'alpha.eksctl.io/cluster-name': 'from-label' } }));
    const start = Date.now();
    let cluster = data((await overview()).cluster);
    while (Date.now() - start < 5000 && cluster.name !== 'from-label') {
      await new Promise((r) => setTimeout(r, 50));
      cluster = data((await overview()).cluster);
    }
    expect(cluster).toMatchObject({ name: 'from-label', nameSource: 'a node label' });
  });
});
