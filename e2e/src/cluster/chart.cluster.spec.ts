// The Helm chart on a real API server: installs (default and all-on values), helm test's objects,
// upgrades across value changes, and the changes Kubernetes refuses, each stopped early with the
// steps that make it possible, and those steps then followed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ALL_ON_VALUES, CHART, run, tool } from '../shipping/support';
import { controlPlane, describeCluster } from './support';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const NS = 'chart-upgrades';
const RELEASE = 'demo';
let dir: string;
let kubeconfig: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'chart-cluster-'));
  kubeconfig = path.join(dir, 'kubeconfig');
  if (!process.env.EKS_INFO_CONTROL_PLANE_UNAVAILABLE) controlPlane().writeKubeconfig(kubeconfig, controlPlane().state.adminToken);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const helm = (...args: string[]) => run(tool('helm'), ['--kubeconfig', kubeconfig, ...args], { timeout: 120_000 });
const admin = () => controlPlane().admin();
const revision = (ns: string, release: string) => Number(JSON.parse(helm('status', release, '-n', ns, '-o', 'json').stdout).version);

describeCluster('the chart on a real API server', () => {
  it('installs with the all-on values; helm test objects are accepted (server-side dry run)', async () => {
    const r = helm('install', 'all-on', CHART, '-n', 'chart-all-on', '--create-namespace', '-f', ALL_ON_VALUES);
    try {
      await checkAllOn(r);
    } finally {
      // Cluster-scoped StorageClasses: the default install below creates gp3 itself.
      helm('uninstall', 'all-on', '-n', 'chart-all-on');
    }
  });

  async function checkAllOn(r: { code: number; stderr: string }): Promise<void> {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const sts = await admin().get<Obj>('/apis/apps/v1/namespaces/chart-all-on/statefulsets/all-on-eks-info-storage');
    expect(sts.body.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('gp3');
    const test = helm('template', 'all-on', CHART, '-n', 'chart-all-on', '-f', ALL_ON_VALUES, '--show-only', 'templates/tests/test-smoke.yaml');
    expect(test.code).toBe(0);
    const docs = test.stdout.split(/^---$/m).filter((d) => /kind:/.test(d));
    expect(docs.length).toBeGreaterThan(0);
    const yaml = await import('yaml');
    for (const doc of docs.map((d) => yaml.parse(d) as Obj)) {
      const collection = doc.kind === 'Pod' ? '/api/v1/namespaces/chart-all-on/pods' : '/apis/networking.k8s.io/v1/namespaces/chart-all-on/networkpolicies';
      if (doc.metadata.annotations?.['helm.sh/hook']) {
        // The hook pod is created only by `helm test`: the server validates and admits it without storing it.
        const res = await admin().post<Obj>(`${collection}?dryRun=All`, doc);
        expect([doc.kind, res.status, res.body.message]).toEqual([doc.kind, 201, undefined]);
      } else {
        // Its NetworkPolicy is a normal object of the release: installed with it.
        expect((await admin().get(`${collection}/${doc.metadata.name}`)).status).toBe(200);
      }
    }
  }

  it('installs with the default values, then upgrades across the documented value changes', async () => {
    const install = helm('install', RELEASE, CHART, '-n', NS, '--create-namespace');
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    const changes: string[][] = [
      ['--set', 'image.tag=2.0.0', '--set', 'logLevel=debug'],
      ['--set', 'gateway.replicaCount=3', '--set', 'stress.autoscaling.maxReplicas=20', '--set', 'storage.replicaCount=3'],
      [
        '--set',
        'gateway.ingress.enabled=true',
        '--set',
        'gateway.ingress.certificateArn=arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
        '--set',
        'networkPolicy.enabled=false',
      ],
      ['--set', 'nats.replicaCount=3'],
      // EFS from its dynamic claim to a static access point, then another access point.
      ['--set', 'storage.efs.fileSystemId=fs-0123456789abcdef0', '--set', 'storage.efs.accessPointId=fsap-0123456789abcdef0'],
      ['--set', 'storage.efs.fileSystemId=fs-0123456789abcdef0', '--set', 'storage.efs.accessPointId=fsap-0fedcba9876543210'],
    ];
    for (const change of changes) {
      const r = helm('upgrade', RELEASE, CHART, '-n', NS, '--reuse-values', ...change);
      expect([change.join(' '), r.code, r.stderr]).toEqual([change.join(' '), 0, '']);
    }
    const sts = (await admin().get<Obj>(`/apis/apps/v1/namespaces/${NS}/statefulsets/demo-eks-info-storage`)).body;
    const claim = sts.spec.template.spec.volumes.find((v: Obj) => v.name === 'efs').persistentVolumeClaim.claimName as string;
    expect(claim).toMatch(/^demo-eks-info-storage-efs-[0-9a-f]{8}$/);
    const pvc = (await admin().get<Obj>(`/api/v1/namespaces/${NS}/persistentvolumeclaims/${claim}`)).body;
    const pv = (await admin().get<Obj>(`/api/v1/persistentvolumes/${pvc.spec.volumeName}`)).body;
    expect(pv.spec.csi.volumeHandle).toBe('fs-0123456789abcdef0::fsap-0fedcba9876543210');
    // The claims of the earlier bindings are kept, not deleted with their files.
    expect((await admin().get(`/api/v1/namespaces/${NS}/persistentvolumeclaims/demo-eks-info-storage-efs`)).status).toBe(200);
  });

  it('stops a StorageClass change before changing anything, and the documented steps make it pass', async () => {
    const before = revision(NS, RELEASE);
    const kms = 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555';
    const refused = helm(
      'upgrade',
      RELEASE,
      CHART,
      '-n',
      NS,
      '--reuse-values',
      '--set',
      `storageClasses.gp3.kmsKeyId=${kms}`,
      '--set',
      'storageClasses.gp3.reclaimPolicy=Retain',
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('nothing was changed');
    expect(refused.stderr).toContain('kubectl delete storageclass gp3');
    expect(revision(NS, RELEASE)).toBe(before);
    expect((await admin().get<Obj>('/apis/storage.k8s.io/v1/storageclasses/gp3')).body.parameters.kmsKeyId).toBeUndefined();

    expect((await admin().delete('/apis/storage.k8s.io/v1/storageclasses/gp3')).status).toBe(200);
    const r = helm(
      'upgrade',
      RELEASE,
      CHART,
      '-n',
      NS,
      '--reuse-values',
      '--set',
      `storageClasses.gp3.kmsKeyId=${kms}`,
      '--set',
      'storageClasses.gp3.reclaimPolicy=Retain',
    );
    expect([r.code, r.stderr]).toEqual([0, '']);
    const sc = (await admin().get<Obj>('/apis/storage.k8s.io/v1/storageclasses/gp3')).body;
    expect(sc).toMatchObject({ reclaimPolicy: 'Retain', parameters: { kmsKeyId: kms } });
  });

  it('stops an EBS size change before changing anything; orphan-deleting the StatefulSet as documented makes it pass without stopping a pod', async () => {
    const before = revision(NS, RELEASE);
    const refused = helm('upgrade', RELEASE, CHART, '-n', NS, '--reuse-values', '--set', 'storage.ebs.size=20Gi');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--cascade=orphan');
    expect(revision(NS, RELEASE)).toBe(before);
    const pods = async () =>
      ((await admin().get<Obj>(`/api/v1/namespaces/${NS}/pods?labelSelector=app.kubernetes.io/component%3Dstorage`)).body.items as Obj[])
        .map((p) => p.metadata.uid)
        .sort();
    const podsBefore = await pods();
    expect(podsBefore.length).toBeGreaterThan(0);

    const del = await admin().delete(`/apis/apps/v1/namespaces/${NS}/statefulsets/demo-eks-info-storage`, { propagationPolicy: 'Orphan' });
    expect(del.status).toBe(200);
    const r = helm('upgrade', RELEASE, CHART, '-n', NS, '--reuse-values', '--set', 'storage.ebs.size=20Gi');
    expect([r.code, r.stderr]).toEqual([0, '']);
    const sts = (await admin().get<Obj>(`/apis/apps/v1/namespaces/${NS}/statefulsets/demo-eks-info-storage`)).body;
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
    expect(await pods()).toEqual(expect.arrayContaining(podsBefore));
  });

  it('writes the upgrade checks so that helm template (no cluster) renders as before', () => {
    writeFileSync(path.join(dir, 'v.yaml'), 'storage:\n  ebs:\n    size: 30Gi\n');
    const r = run(tool('helm'), ['template', RELEASE, CHART, '-n', NS, '-f', path.join(dir, 'v.yaml')]);
    expect(r.code).toBe(0);
  });
});
