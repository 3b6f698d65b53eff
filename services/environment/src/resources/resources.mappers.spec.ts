import type { ResourceObjects } from '@eks-info/kube';
import { kubeFixtures as fx } from '@eks-info/testing';
import { eventRow, nodeUsageRow, persistentVolumeClaimRow, persistentVolumeRow, podRow, serviceRow, warningRows, workloadRow } from './resources.mappers';

// Fixture objects are in wire form already: the cast only names their client-node type.
const as = <K extends keyof ResourceObjects>(o: unknown) => o as ResourceObjects[K];

describe('podRow', () => {
  it('shows a running, ready pod as Running/ok with its node, IP and age', () => {
    const row = podRow(as<'pods'>(fx.pod({ name: 'web-7d4b9c-x2k4p', node: 'ip-10-0-1-10', ip: '10.0.1.23', createdAt: '2025-07-01T08:00:00Z' })));
    expect(row).toEqual({
      name: 'web-7d4b9c-x2k4p',
      namespace: 'demo',
      phase: 'Running',
      ready: '1/1',
      reason: 'Running',
      health: 'ok',
      node: 'ip-10-0-1-10',
      ip: '10.0.1.23',
      restarts: 0,
      createdAt: '2025-07-01T08:00:00Z',
    });
  });

  it.each([
    [{ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' }, restartCount: 7 }, 'CrashLoopBackOff', 'error'],
    [{ waiting: { reason: 'ImagePullBackOff' } }, 'ImagePullBackOff', 'error'],
    [{ waiting: { reason: 'CreateContainerConfigError', message: 'secret "db" not found' } }, 'CreateContainerConfigError', 'error'],
    [{ phase: 'Pending' as const }, 'ContainerCreating', 'warn'],
    [{ unschedulable: '' }, 'Pending (Unschedulable)', 'warn'],
    [{ ready: false }, 'Running (not ready)', 'warn'],
    [{ phase: 'Succeeded' as const }, 'Completed', 'ok'],
    [{ phase: 'Failed' as const, reason: 'Evicted', message: 'The node was low on resource: memory.' }, 'Evicted', 'error'],
    [{ phase: 'Failed' as const }, 'Error', 'error'],
    [{ deleting: true }, 'Terminating', 'warn'],
  ])('%j → %s (%s)', (o, reason, health) => {
    const row = podRow(as<'pods'>(fx.pod({ name: 'p', node: 'n1', ...o })));
    expect([row.reason, row.health]).toEqual([reason, health]);
  });

  it('counts restarts and ready containers, and has no node while unschedulable', () => {
    expect(podRow(as<'pods'>(fx.pod({ name: 'p', node: 'n1', waiting: { reason: 'CrashLoopBackOff' }, restartCount: 7 })))).toMatchObject({
      restarts: 7,
      ready: '0/1',
    });
    expect(podRow(as<'pods'>(fx.pod({ name: 'p', unschedulable: 'x' })))).toMatchObject({ node: null, ip: null, ready: '0/1', phase: 'Pending' });
  });

  it('names a failing init container', () => {
    const pod = fx.pod({ name: 'p', node: 'n1', phase: 'Pending' });
    (pod.status as Record<string, unknown>).initContainerStatuses = [
      { name: 'migrate', ready: false, restartCount: 3, image: 'x', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff' } } },
    ];
    expect(podRow(as<'pods'>(pod))).toMatchObject({ reason: 'Init:CrashLoopBackOff', health: 'error', restarts: 3 });
  });
});

describe('serviceRow', () => {
  it('formats ports with node ports and targets, and lists external addresses', () => {
    const lb = serviceRow(
      as<'services'>(
        fx.service({
          name: 'gateway',
          type: 'LoadBalancer',
          clusterIP: '172.20.14.7',
          ports: [
            { port: 443, targetPort: 'https', nodePort: 30443 },
            { port: 53, protocol: 'UDP' },
          ],
          loadBalancerHostname: 'k8s-demo-gateway-1a2b3c.elb.eu-west-1.amazonaws.com',
        }),
      ),
    );
    expect(lb).toEqual({
      name: 'gateway',
      type: 'LoadBalancer',
      clusterIP: '172.20.14.7',
      ports: ['443:30443/TCP → https', '53/UDP'],
      external: ['k8s-demo-gateway-1a2b3c.elb.eu-west-1.amazonaws.com'],
    });
    expect(serviceRow(as<'services'>(fx.service({ name: 'web', clusterIP: '172.20.1.1' }))).ports).toEqual(['80/TCP → 8080']);
    expect(serviceRow(as<'services'>(fx.service({ name: 'db', type: 'ExternalName', externalName: 'db.example.com' })))).toMatchObject({
      clusterIP: null,
      ports: [],
      external: ['db.example.com'],
    });
  });
});

describe('workloadRow', () => {
  it('shows replicas and per-container requests and limits', () => {
    const row = workloadRow(
      'Deployment',
      as<'deployments'>(
        fx.deployment({
          name: 'stress',
          replicas: 3,
          containers: [{ name: 'stress', image: 'eks-info:1.0', requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '512Mi' } }],
        }),
      ),
    );
    expect(row).toEqual({
      kind: 'Deployment',
      name: 'stress',
      desired: 3,
      ready: 3,
      updated: 3,
      available: 3,
      health: 'ok',
      containers: [{ name: 'stress', image: 'eks-info:1.0', requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: null, memory: '512Mi' } }],
    });
  });

  it.each([
    [3, 1, 'warn'],
    [2, 0, 'error'],
    [0, 0, 'ok'],
  ])('%d desired, %d ready → %s', (replicas, readyReplicas, health) => {
    expect(workloadRow('StatefulSet', as<'statefulsets'>(fx.statefulSet({ name: 'storage', replicas, readyReplicas }))).health).toBe(health);
  });
});

describe('nodeUsageRow', () => {
  const node = as<'nodes'>(fx.node({ name: 'ip-10-0-1-10', instanceType: 'm7g.large', zone: 'eu-west-1b', cpuCores: 2, memoryGi: 8 }));

  it('relates metrics-server usage to allocatable', () => {
    const allocatableMemory = Number(/^(\d+)Ki$/.exec(node.status!.allocatable!.memory)![1]) * 1024;
    const row = nodeUsageRow(node, { cpuMillis: 965, memoryBytes: allocatableMemory / 4, timestamp: null });
    expect(row).toEqual({
      name: 'ip-10-0-1-10',
      ready: true,
      instanceType: 'm7g.large',
      zone: 'eu-west-1b',
      cpuAllocatableMillis: 1930,
      memoryAllocatableBytes: allocatableMemory,
      cpuUsageMillis: 965,
      memoryUsageBytes: allocatableMemory / 4,
      cpuPercent: 50,
      memoryPercent: 25,
    });
  });

  it('leaves usage empty without metrics and reads NotReady', () => {
    const row = nodeUsageRow(as<'nodes'>(fx.node({ name: 'n2', ready: false })), undefined);
    expect(row).toMatchObject({ ready: false, cpuUsageMillis: null, memoryUsageBytes: null, cpuPercent: null, memoryPercent: null });
  });
});

describe('volumes', () => {
  it('shows EBS and EFS volumes with driver, handle and claim', () => {
    const ebs = persistentVolumeRow(
      as<'persistentvolumes'>(
        fx.ebsVolume({ name: 'pvc-1', volumeId: 'vol-0a1b2c3d4e5f60718', zone: 'eu-west-1a', claim: { namespace: 'demo', name: 'data-storage-0' } }),
      ),
    );
    expect(ebs).toEqual({
      name: 'pvc-1',
      capacity: '10Gi',
      accessModes: ['ReadWriteOnce'],
      reclaimPolicy: 'Delete',
      status: 'Bound',
      storageClass: 'gp3',
      claim: 'demo/data-storage-0',
      driver: 'ebs.csi.aws.com',
      volumeHandle: 'vol-0a1b2c3d4e5f60718',
      health: 'ok',
    });
    const efs = persistentVolumeRow(
      as<'persistentvolumes'>(fx.efsVolume({ name: 'efs-pv', fileSystemId: 'fs-0123456789abcdef0', accessPointId: 'fsap-0fedcba9876543210' })),
    );
    expect(efs).toMatchObject({
      driver: 'efs.csi.aws.com',
      volumeHandle: 'fs-0123456789abcdef0::fsap-0fedcba9876543210',
      accessModes: ['ReadWriteMany'],
      status: 'Available',
      claim: null,
      health: 'ok',
    });
    expect(persistentVolumeRow(as<'persistentvolumes'>(fx.ebsVolume({ name: 'old', phase: 'Released' }))).health).toBe('warn');
    expect(persistentVolumeRow(as<'persistentvolumes'>(fx.ebsVolume({ name: 'bad', phase: 'Failed' }))).health).toBe('error');
  });

  it('shows claims, bound or pending', () => {
    expect(
      persistentVolumeClaimRow(as<'persistentvolumeclaims'>(fx.persistentVolumeClaim({ name: 'data-storage-0', volumeName: 'pvc-1', size: '20Gi' }))),
    ).toEqual({
      name: 'data-storage-0',
      namespace: 'demo',
      status: 'Bound',
      volume: 'pvc-1',
      capacity: '20Gi',
      accessModes: ['ReadWriteOnce'],
      storageClass: 'gp3',
      health: 'ok',
    });
    expect(
      persistentVolumeClaimRow(
        as<'persistentvolumeclaims'>(fx.persistentVolumeClaim({ name: 'shared', storageClass: 'efs-sc', accessModes: ['ReadWriteMany'], size: '5Gi' })),
      ),
    ).toMatchObject({
      status: 'Pending',
      volume: null,
      capacity: '5Gi',
      accessModes: ['ReadWriteMany'],
      health: 'warn',
    });
  });
});

describe('warningRows', () => {
  const ev = (reason: string, at: string, type: 'Warning' | 'Normal' = 'Warning') =>
    as<'events'>(fx.event({ type, reason, message: `${reason} happened`, involvedObject: { kind: 'Pod', name: 'web-1' }, lastTimestamp: at, count: 3 }));

  it('keeps warnings only, newest first, capped', () => {
    const rows = warningRows(
      [
        ev('BackOff', '2025-07-01T10:00:00Z'),
        ev('Pulled', '2025-07-01T12:00:00Z', 'Normal'),
        ev('FailedMount', '2025-07-01T11:00:00Z'),
        ev('Unhealthy', '2025-07-01T09:00:00Z'),
      ],
      2,
    );
    expect(rows.map((r) => r.reason)).toEqual(['FailedMount', 'BackOff']);
  });

  it('maps an event row', () => {
    expect(eventRow(ev('BackOff', '2025-07-01T10:00:00Z'))).toEqual({
      lastSeen: '2025-07-01T10:00:00Z',
      type: 'Warning',
      reason: 'BackOff',
      object: 'Pod/web-1',
      message: 'BackOff happened',
      count: 3,
    });
  });

  it('falls back to eventTime for events written through events.k8s.io', () => {
    const e = ev('FailedScheduling', '2025-07-01T10:00:00Z');
    const modern = {
      ...e,
      lastTimestamp: undefined,
      firstTimestamp: undefined,
      eventTime: '2025-07-01T10:05:00.123456Z',
      count: undefined,
      series: { count: 4, lastObservedTime: '2025-07-01T10:06:00.000000Z' },
    };
    expect(eventRow(modern)).toMatchObject({ lastSeen: '2025-07-01T10:06:00.000000Z', count: 4 });
  });
});
