/**
 * EBS and EFS configuration from the Kubernetes API (the fake HTTPS API server, driven by the real
 * client) and AWS describes (moto): pod → claim → volume, three GETs by name and no list; the
 * volume's and file system's own settings; RBAC and wiring problems named with their fix.
 */
import { CreateVolumeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateAccessPointCommand, CreateFileSystemCommand, EFSClient } from '@aws-sdk/client-efs';
import pino from 'pino';
import { AwsClients } from '@eks-info/aws';
import { loadKubeAccess } from '@eks-info/kube';
import { FakeKubeApiServer, MotoServer, kubeFixtures } from '@eks-info/testing';
import { VolumeConfigSource, parseEfsHandle } from './volume-config.source';

const POD = 'eks-info-storage-0';

function storagePod(): ReturnType<typeof kubeFixtures.pod> {
  const pod = kubeFixtures.pod({ name: POD, node: 'ip-10-0-1-10.eu-west-1.compute.internal', containers: [{ name: 'storage', image: 'eks-info:test' }] });
  const spec = pod.spec as { containers: Array<Record<string, unknown>>; volumes?: unknown[] };
  spec.containers[0].volumeMounts = [
    { name: 'ebs', mountPath: '/data/ebs' },
    { name: 'efs', mountPath: '/data/efs/' },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  spec.volumes = [
    { name: 'ebs', persistentVolumeClaim: { claimName: `ebs-${POD}` } },
    { name: 'efs', persistentVolumeClaim: { claimName: 'eks-info-storage-efs' } },
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
  ];
  return pod;
}

describe('EBS and EFS configuration', () => {
  let fake: FakeKubeApiServer;
  let moto: MotoServer;
  let aws: AwsClients;
  let volumeId: string;
  let fileSystemId: string;
  let accessPointId: string;

  beforeAll(async () => {
    moto = await MotoServer.start();
    const ec2 = new EC2Client(moto.clientConfig());
    const efs = new EFSClient(moto.clientConfig());
    volumeId = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'eu-west-1b', Size: 10, VolumeType: 'gp3', Encrypted: true }))).VolumeId!;
    fileSystemId = (
      await efs.send(
        new CreateFileSystemCommand({
          CreationToken: 'eks-info',
          PerformanceMode: 'generalPurpose',
          Encrypted: true,
          Tags: [{ Key: 'Name', Value: 'eks-info-shared' }],
        }),
      )
    ).FileSystemId!;
    accessPointId = (
      await efs.send(new CreateAccessPointCommand({ FileSystemId: fileSystemId, PosixUser: { Uid: 10001, Gid: 10001 }, RootDirectory: { Path: '/eks-info' } }))
    ).AccessPointId!;
    ec2.destroy();
    efs.destroy();
    aws = new AwsClients({
      region: moto.region,
      requestTimeoutMs: 3000,
      connectTimeoutMs: 1000,
      maxAttempts: 1,
      endpoint: moto.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      inKubernetes: false,
    });

    fake = await FakeKubeApiServer.start({
      objects: [
        storagePod(),
        kubeFixtures.persistentVolumeClaim({ name: `ebs-${POD}`, volumeName: 'pvc-ebs-0', size: '10Gi' }),
        kubeFixtures.ebsVolume({ name: 'pvc-ebs-0', volumeId, zone: 'eu-west-1b', claim: { namespace: 'demo', name: `ebs-${POD}` } }),
        kubeFixtures.persistentVolumeClaim({
          name: 'eks-info-storage-efs',
          volumeName: 'pvc-efs',
          storageClass: 'efs-sc',
          accessModes: ['ReadWriteMany'],
          size: '20Gi',
        }),
        kubeFixtures.efsVolume({ name: 'pvc-efs', fileSystemId, accessPointId, claim: { namespace: 'demo', name: 'eks-info-storage-efs' } }),
      ],
    });
  }, 40_000);

  afterAll(async () => {
    aws?.destroy();
    await fake?.close();
    await moto?.stop();
  });

  function source(pod: { name: string; namespace: string } | null = { name: POD, namespace: 'demo' }) {
    return new VolumeConfigSource({
      access: loadKubeAccess({ KUBE_MODE: 'kubeconfig', KUBECONFIG: fake.writeKubeconfig() }),
      pod,
      aws,
      kubeCacheTtlMs: 60_000,
      awsCacheTtlMs: 60_000,
      deadlineMs: 5000,
      logger: pino({ level: 'silent' }),
    });
  }

  it('follows pod → claim → volume for EBS, with the volume id, zone and DescribeVolumes', async () => {
    fake.resetCounters();
    const ebs = await source().ebs('/data/ebs');
    expect(ebs).toMatchObject({
      status: 'ok',
      data: {
        claimName: `ebs-${POD}`,
        namespace: 'demo',
        phase: 'Bound',
        storageClass: 'gp3',
        accessModes: ['ReadWriteOnce'],
        capacity: '10Gi',
        volumeName: 'pvc-ebs-0',
        driver: 'ebs.csi.aws.com',
        volumeId,
        zone: 'eu-west-1b',
        fsType: 'ext4',
        aws: { status: 'ok', data: { volumeId, type: 'gp3', sizeGiB: 10, encrypted: true, availabilityZone: 'eu-west-1b' } },
      },
    });
    expect(fake.listCalls()).toBe(0);
    expect(fake.calls('get')).toBe(3);
  });

  it('reads the EFS file system and access point from the CSI handle and describes them', async () => {
    const efs = await source().efs('/data/efs');
    expect(efs).toMatchObject({
      status: 'ok',
      data: {
        claimName: 'eks-info-storage-efs',
        accessModes: ['ReadWriteMany'],
        driver: 'efs.csi.aws.com',
        fileSystemId,
        accessPointId,
        aws: { status: 'ok', data: { fileSystemId, name: 'eks-info-shared', encrypted: true, accessPointPath: '/eks-info', accessPointUser: '10001:10001' } },
      },
    });
  });

  it('caches the answers: a second page view makes no API call', async () => {
    const s = source();
    await s.ebs('/data/ebs');
    fake.resetCounters();
    await s.ebs('/data/ebs');
    await s.efs('/data/efs');
    expect(fake.calls('get')).toBe(2); // the EFS claim and volume, once each; the pod is cached
    await s.efs('/data/efs');
    expect(fake.calls('get')).toBe(2);
  });

  it('names what is wrong when the path is not a claim', async () => {
    expect(await source().ebs('/data/elsewhere')).toMatchObject({ status: 'error', message: `Pod ${POD} mounts no volume at /data/elsewhere.` });
    expect(await source().ebs('/tmp')).toMatchObject({ status: 'error', message: 'The volume at /tmp is backed by emptyDir, not a PersistentVolumeClaim.' });
    expect(await source({ name: 'not-a-pod', namespace: 'demo' }).ebs('/data/ebs')).toMatchObject({
      status: 'error',
      code: 'KUBE.API_NOT_FOUND',
      message: 'pods not-a-pod not found in namespace demo',
    });
  });

  it('turns missing RBAC into the permission to grant', async () => {
    fake.forbid('persistentvolumes');
    try {
      const ebs = await source().ebs('/data/ebs');
      expect(ebs).toMatchObject({
        status: 'error',
        code: 'KUBE.FORBIDDEN',
        message: 'Forbidden: the service account cannot get persistentvolumes cluster-wide',
      });
      expect(ebs.status === 'error' && ebs.fix).toContain('ClusterRole');
    } finally {
      fake.allow('persistentvolumes');
    }
  });

  it('says "not running as a pod" without calling anything when POD_NAME is not set', async () => {
    fake.resetCounters();
    expect(await source(null).ebs('/data/ebs')).toMatchObject({ status: 'unavailable', code: 'KUBE.NOT_IN_CLUSTER' });
    expect(fake.calls('get')).toBe(0);
  });

  it('parses every form of EFS volume handle', () => {
    expect(parseEfsHandle('fs-1::fsap-2')).toEqual({ fileSystemId: 'fs-1', subPath: null, accessPointId: 'fsap-2' });
    expect(parseEfsHandle('fs-1:/shared')).toEqual({ fileSystemId: 'fs-1', subPath: '/shared', accessPointId: null });
    expect(parseEfsHandle('fs-1')).toEqual({ fileSystemId: 'fs-1', subPath: null, accessPointId: null });
  });
});
