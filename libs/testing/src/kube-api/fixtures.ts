import { createHash } from 'node:crypto';
import type { KubeObject, KubeObjectMeta } from './store';
import { kubeTime } from './store';

/**
 * Builders for realistic objects as an EKS cluster returns them (labels, capacity, conditions,
 * statuses), so mappers and pages are tested against the shapes they will meet. Every builder
 * takes a few meaningful options; the rest is filled in the way a real cluster fills it.
 */

type Time = string | Date;
const iso = (t: Time | undefined): string | undefined => (t === undefined ? undefined : kubeTime(new Date(t)));

/** A stable fake hex id derived from a name (instance ids, volume ids, container ids). */
const hexId = (seed: string, length = 17) => createHash('sha256').update(seed).digest('hex').slice(0, length);

function meta(
  name: string,
  o: {
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    createdAt?: Time;
    owner?: { kind: string; name: string; apiVersion?: string };
  },
): KubeObjectMeta {
  return {
    name,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    ...(o.createdAt ? { creationTimestamp: iso(o.createdAt) } : {}),
    ...(o.labels ? { labels: o.labels } : {}),
    ...(o.annotations ? { annotations: o.annotations } : {}),
    ...(o.owner
      ? {
          ownerReferences: [
            {
              apiVersion: o.owner.apiVersion ?? 'apps/v1',
              kind: o.owner.kind,
              name: o.owner.name,
              uid: `00000000-0000-4000-8000-${hexId(o.owner.name, 12)}`,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        }
      : {}),
  };
}

// ---- nodes ------------------------------------------------------------------------------------

export interface NodeFixture {
  name: string;
  instanceType?: string;
  zone?: string;
  region?: string;
  arch?: 'arm64' | 'amd64';
  /** ON_DEMAND or SPOT (the EKS label's spelling). */
  capacityType?: 'ON_DEMAND' | 'SPOT';
  /** Managed node group; null for a Karpenter node. */
  nodegroup?: string | null;
  /** Karpenter NodePool that launched the node (adds karpenter.sh labels). */
  nodePool?: string;
  cpuCores?: number;
  memoryGi?: number;
  maxPods?: number;
  ready?: boolean;
  unschedulable?: boolean;
  internalIP?: string;
  createdAt?: Time;
  labels?: Record<string, string>;
  /** More taints (after the cordon and not-ready ones), e.g. a drainer's `karpenter.sh/disrupted:NoSchedule`. */
  taints?: Array<{ key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'; timeAdded?: string }>;
}

function nodeTaints(o: NodeFixture, ready: boolean, now: string | undefined): { taints?: NonNullable<NodeFixture['taints']> } {
  const taints: NonNullable<NodeFixture['taints']> = [];
  if (o.unschedulable) taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', ...(now ? { timeAdded: now } : {}) });
  if (!ready) taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
  taints.push(...(o.taints ?? []));
  return taints.length ? { taints } : {};
}

export function node(o: NodeFixture): KubeObject {
  const zone = o.zone ?? 'eu-west-1a';
  const region = o.region ?? zone.replace(/[a-z]$/, '');
  const arch = o.arch ?? 'arm64';
  const capacityType = o.capacityType ?? 'ON_DEMAND';
  const instanceType = o.instanceType ?? (arch === 'arm64' ? 'm7g.large' : 'm6i.large');
  const cpu = o.cpuCores ?? 2;
  const memoryKi = (o.memoryGi ?? 8) * 1024 * 1024 - 453_000;
  const maxPods = o.maxPods ?? 29;
  const ready = o.ready ?? true;
  const ip = o.internalIP ?? `10.0.${(parseInt(hexId(o.name, 2), 16) % 200) + 1}.${(parseInt(hexId(o.name + 'b', 2), 16) % 250) + 2}`;
  const now = iso(o.createdAt ?? new Date());
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/instance-type': instanceType,
    'beta.kubernetes.io/os': 'linux',
    'failure-domain.beta.kubernetes.io/region': region,
    'failure-domain.beta.kubernetes.io/zone': zone,
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': o.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': instanceType,
    'topology.kubernetes.io/region': region,
    'topology.kubernetes.io/zone': zone,
    'topology.k8s.aws/zone-id': `euw1-az${(zone.charCodeAt(zone.length - 1) - 96) % 3 || 3}`,
    ...(o.nodePool
      ? {
          'karpenter.sh/capacity-type': capacityType === 'SPOT' ? 'spot' : 'on-demand',
          'karpenter.sh/nodepool': o.nodePool,
          'karpenter.sh/initialized': 'true',
          'karpenter.sh/registered': 'true',
        }
      : {
          'eks.amazonaws.com/capacityType': capacityType,
          'eks.amazonaws.com/nodegroup': o.nodegroup ?? 'default',
          'eks.amazonaws.com/nodegroup-image': 'ami-0a1b2c3d4e5f67890',
        }),
    ...o.labels,
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      ...meta(o.name, { createdAt: o.createdAt }),
      labels,
      annotations: { 'alpha.kubernetes.io/provided-node-ip': ip, 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {
      providerID: `aws:///${zone}/i-0${hexId(o.name, 16)}`,
      ...(o.unschedulable ? { unschedulable: true } : {}),
      ...nodeTaints(o, ready, now),
    },
    status: {
      capacity: {
        cpu: String(cpu),
        'ephemeral-storage': '20893676Ki',
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: `${memoryKi}Ki`,
        pods: String(maxPods),
      },
      allocatable: {
        cpu: `${cpu * 1000 - 70}m`,
        'ephemeral-storage': '18181869946',
        'hugepages-1Gi': '0',
        'hugepages-2Mi': '0',
        memory: `${memoryKi - 738_000}Ki`,
        pods: String(maxPods),
      },
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', now),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', now),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', now),
        ready
          ? condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', now)
          : condition(
              'Ready',
              'False',
              'KubeletNotReady',
              'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
              now,
            ),
      ],
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'InternalDNS', address: `ip-${ip.replace(/\./g, '-')}.${region}.compute.internal` },
        { type: 'Hostname', address: `ip-${ip.replace(/\./g, '-')}.${region}.compute.internal` },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: arch,
        bootID: `${hexId(o.name + 'boot', 8)}-0000-4000-8000-${hexId(o.name + 'boot2', 12)}`,
        containerRuntimeVersion: 'containerd://1.7.27',
        kernelVersion: `6.1.141-155.222.amzn2023.${arch === 'arm64' ? 'aarch64' : 'x86_64'}`,
        kubeProxyVersion: '',
        kubeletVersion: 'v1.33.0-eks-802817d',
        machineID: hexId(o.name + 'machine', 32),
        operatingSystem: 'linux',
        osImage: 'Amazon Linux 2023.7.20250623',
        systemUUID: `ec2${hexId(o.name + 'uuid', 5)}-0000-4000-8000-${hexId(o.name + 'uuid2', 12)}`,
      },
    },
  };
}

function condition(type: string, status: string, reason: string, message: string, at?: string): Record<string, unknown> {
  return { type, status, reason, message, lastHeartbeatTime: at, lastTransitionTime: at };
}

// ---- pods -------------------------------------------------------------------------------------

export interface ContainerFixture {
  name: string;
  image?: string;
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
  ports?: number[];
}

export interface PodFixture {
  name: string;
  namespace?: string;
  /** Node the pod is bound to; none for an unschedulable pod. */
  node?: string;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  containers?: ContainerFixture[];
  /** All containers ready (default: true when Running). */
  ready?: boolean;
  /** First container waiting, e.g. CrashLoopBackOff, ImagePullBackOff, ContainerCreating. */
  waiting?: { reason: string; message?: string };
  restartCount?: number;
  /** Scheduler message: makes the pod Pending with PodScheduled=False, reason Unschedulable. */
  unschedulable?: string;
  /** Pod-level status reason (e.g. Evicted) and message. */
  reason?: string;
  message?: string;
  ip?: string;
  labels?: Record<string, string>;
  owner?: { kind: string; name: string; apiVersion?: string };
  createdAt?: Time;
  /** Being deleted (gracefully, 30 s): true = asked now, or when it was asked. deletionTimestamp is when the grace period ends. */
  deleting?: boolean | Time;
}

export const DEFAULT_UNSCHEDULABLE =
  '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';

export function pod(o: PodFixture): KubeObject {
  const phase = o.unschedulable !== undefined ? 'Pending' : (o.phase ?? 'Running');
  const containers = o.containers ?? [
    { name: 'app', image: 'public.ecr.aws/nginx/nginx:1.27', requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  ];
  const scheduled = phase !== 'Pending' || (o.node !== undefined && o.unschedulable === undefined);
  const ready = phase === 'Running' && !o.waiting && (o.ready ?? true);
  const at = iso(o.createdAt ?? new Date());
  const statuses = scheduled
    ? containers.map((c, i) => {
        const waiting = i === 0 && o.waiting;
        const restarts = i === 0 ? (o.restartCount ?? 0) : 0;
        const running = phase === 'Running' && !waiting;
        return {
          name: c.name,
          image: c.image ?? 'public.ecr.aws/nginx/nginx:1.27',
          imageID: running ? `${(c.image ?? 'nginx').split(':')[0]}@sha256:${hexId(c.name + o.name, 64)}` : '',
          ...(running || restarts ? { containerID: `containerd://${hexId(o.name + c.name, 64)}` } : {}),
          ready: running && ready,
          started: running,
          restartCount: restarts,
          state: waiting
            ? { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } }
            : phase === 'Running'
              ? { running: { startedAt: at } }
              : phase === 'Succeeded' || phase === 'Failed'
                ? {
                    terminated: {
                      exitCode: phase === 'Succeeded' ? 0 : 1,
                      reason: phase === 'Succeeded' ? 'Completed' : 'Error',
                      startedAt: at,
                      finishedAt: at,
                    },
                  }
                : { waiting: { reason: 'ContainerCreating' } },
          ...(restarts ? { lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: at, finishedAt: at } } } : {}),
        };
      })
    : undefined;
  const conditions =
    o.unschedulable !== undefined
      ? [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: o.unschedulable || DEFAULT_UNSCHEDULABLE,
            lastProbeTime: null,
            lastTransitionTime: at,
          },
        ]
      : [
          { type: 'PodReadyToStartContainers', status: phase === 'Running' ? 'True' : 'False', lastTransitionTime: at },
          { type: 'Initialized', status: 'True', lastTransitionTime: at },
          {
            type: 'Ready',
            status: ready ? 'True' : 'False',
            lastTransitionTime: at,
            ...(ready ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${containers[0].name}]` }),
          },
          { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: at, ...(ready ? {} : { reason: 'ContainersNotReady' }) },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: at },
        ];
  const ip =
    o.ip ??
    (scheduled && phase !== 'Pending' ? `10.0.${(parseInt(hexId(o.name, 2), 16) % 200) + 1}.${(parseInt(hexId(o.name + 'p', 2), 16) % 250) + 2}` : undefined);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta(o.name, {
        namespace: o.namespace ?? 'demo',
        labels: o.labels ?? { app: o.name.replace(/-[a-z0-9]{5,10}(-[a-z0-9]{5})?$/, '') },
        createdAt: o.createdAt,
        owner: o.owner,
      }),
      ...(o.deleting
        ? { deletionTimestamp: iso(new Date(new Date(o.deleting === true ? new Date() : o.deleting).getTime() + 30_000)), deletionGracePeriodSeconds: 30 }
        : {}),
    },
    spec: {
      ...(scheduled && o.node ? { nodeName: o.node } : {}),
      serviceAccountName: 'default',
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      terminationGracePeriodSeconds: 30,
      containers: containers.map(containerSpec),
    },
    status: {
      phase,
      conditions,
      ...(o.reason ? { reason: o.reason } : {}),
      ...(o.message ? { message: o.message } : {}),
      qosClass: 'Burstable',
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      ...(scheduled && o.node ? { hostIP: '10.0.0.10', startTime: at } : {}),
      ...(statuses ? { containerStatuses: statuses } : {}),
    },
  };
}

function containerSpec(c: ContainerFixture): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  if (c.requests) resources.requests = c.requests;
  if (c.limits) resources.limits = c.limits;
  return {
    name: c.name,
    image: c.image ?? 'public.ecr.aws/nginx/nginx:1.27',
    imagePullPolicy: 'IfNotPresent',
    resources,
    ...(c.ports ? { ports: c.ports.map((p) => ({ containerPort: p, protocol: 'TCP' })) } : {}),
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}

// ---- workloads ----------------------------------------------------------------------------------

export interface WorkloadFixture {
  name: string;
  namespace?: string;
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  containers?: ContainerFixture[];
  labels?: Record<string, string>;
  createdAt?: Time;
}

function workload(
  kind: 'Deployment' | 'StatefulSet' | 'ReplicaSet',
  o: WorkloadFixture,
  extraSpec: Record<string, unknown> = {},
  owner?: { kind: string; name: string },
): KubeObject {
  const replicas = o.replicas ?? 2;
  const ready = o.readyReplicas ?? replicas;
  const labels = o.labels ?? { app: o.name };
  const containers = o.containers ?? [
    { name: o.name, image: 'public.ecr.aws/nginx/nginx:1.27', requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
  ];
  const available = o.availableReplicas ?? ready;
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { ...meta(o.name, { namespace: o.namespace ?? 'demo', labels, createdAt: o.createdAt, owner }), generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: containers.map(containerSpec) } },
      ...extraSpec,
    },
    status: {
      observedGeneration: 1,
      replicas,
      readyReplicas: ready,
      ...(kind === 'ReplicaSet' ? { fullyLabeledReplicas: replicas } : { updatedReplicas: o.updatedReplicas ?? replicas }),
      availableReplicas: available,
      ...(kind === 'Deployment'
        ? {
            ...(replicas - available > 0 ? { unavailableReplicas: replicas - available } : {}),
            conditions: [
              {
                type: 'Available',
                status: available >= replicas ? 'True' : 'False',
                reason: available >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
                message: available >= replicas ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
              },
              {
                type: 'Progressing',
                status: 'True',
                reason: 'NewReplicaSetAvailable',
                message: `ReplicaSet "${o.name}-7c9f8d6b5d" has successfully progressed.`,
              },
            ],
          }
        : {}),
      ...(kind === 'StatefulSet'
        ? { currentReplicas: replicas, currentRevision: `${o.name}-5d8c7b9f4`, updateRevision: `${o.name}-5d8c7b9f4`, collisionCount: 0 }
        : {}),
    },
  };
}

export function deployment(o: WorkloadFixture): KubeObject {
  return workload('Deployment', o, {
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
    revisionHistoryLimit: 10,
  });
}

export function statefulSet(o: WorkloadFixture & { serviceName?: string; volumeClaim?: { name: string; storageClass?: string; size?: string } }): KubeObject {
  return workload('StatefulSet', o, {
    serviceName: o.serviceName ?? o.name,
    podManagementPolicy: 'OrderedReady',
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    ...(o.volumeClaim
      ? {
          volumeClaimTemplates: [
            {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              metadata: { name: o.volumeClaim.name },
              spec: {
                accessModes: ['ReadWriteOnce'],
                storageClassName: o.volumeClaim.storageClass ?? 'gp3',
                resources: { requests: { storage: o.volumeClaim.size ?? '10Gi' } },
                volumeMode: 'Filesystem',
              },
            },
          ],
        }
      : {}),
  });
}

/** A ReplicaSet owned by `deployment`. */
export function replicaSet(o: WorkloadFixture & { deployment: string }): KubeObject {
  return workload('ReplicaSet', o, {}, { kind: 'Deployment', name: o.deployment });
}

// ---- services ---------------------------------------------------------------------------------

export interface ServiceFixture {
  name: string;
  namespace?: string;
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  clusterIP?: string;
  ports?: Array<{ port: number; targetPort?: number | string; protocol?: string; name?: string; nodePort?: number }>;
  selector?: Record<string, string>;
  /** LoadBalancer ingress hostname, e.g. an NLB's DNS name. */
  loadBalancerHostname?: string;
  externalName?: string;
  createdAt?: Time;
}

export function service(o: ServiceFixture): KubeObject {
  const type = o.type ?? 'ClusterIP';
  const clusterIP = o.clusterIP ?? `172.20.${parseInt(hexId(o.name, 2), 16)}.${(parseInt(hexId(o.name + 's', 2), 16) % 250) + 1}`;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(o.name, { namespace: o.namespace ?? 'demo', labels: { app: o.name }, createdAt: o.createdAt }),
    spec:
      type === 'ExternalName'
        ? { type, externalName: o.externalName ?? 'example.com' }
        : {
            type,
            clusterIP,
            clusterIPs: clusterIP === 'None' ? ['None'] : [clusterIP],
            ipFamilies: ['IPv4'],
            ipFamilyPolicy: 'SingleStack',
            internalTrafficPolicy: 'Cluster',
            sessionAffinity: 'None',
            selector: o.selector ?? { app: o.name },
            ports: (o.ports ?? [{ port: 80, targetPort: 8080 }]).map((p) => ({
              name: p.name,
              protocol: p.protocol ?? 'TCP',
              port: p.port,
              targetPort: p.targetPort ?? p.port,
              ...(p.nodePort ? { nodePort: p.nodePort } : {}),
            })),
            ...(type === 'LoadBalancer' ? { externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true } : {}),
          },
    status: { loadBalancer: o.loadBalancerHostname ? { ingress: [{ hostname: o.loadBalancerHostname }] } : {} },
  };
}

// ---- storage ----------------------------------------------------------------------------------

export interface VolumeFixture {
  name: string;
  capacity?: string;
  storageClass?: string;
  /** The bound claim; phase Available when absent. */
  claim?: { namespace: string; name: string };
  phase?: 'Pending' | 'Available' | 'Bound' | 'Released' | 'Failed';
  reclaimPolicy?: 'Delete' | 'Retain';
  createdAt?: Time;
}

function persistentVolume(o: VolumeFixture, accessModes: string[], csi: Record<string, unknown>, extra: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      ...meta(o.name, {
        createdAt: o.createdAt,
        annotations: { 'pv.kubernetes.io/provisioned-by': String(csi.driver), 'volume.kubernetes.io/provisioner-deletion-secret-name': '' },
      }),
      finalizers: ['external-provisioner.volume.kubernetes.io/finalizer', 'kubernetes.io/pv-protection'],
    },
    spec: {
      accessModes,
      capacity: { storage: o.capacity ?? '10Gi' },
      ...(o.claim
        ? {
            claimRef: {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              namespace: o.claim.namespace,
              name: o.claim.name,
              uid: `00000000-0000-4000-8000-${hexId(o.claim.name, 12)}`,
            },
          }
        : {}),
      csi,
      persistentVolumeReclaimPolicy: o.reclaimPolicy ?? 'Delete',
      storageClassName: o.storageClass,
      volumeMode: 'Filesystem',
      ...extra,
    },
    status: { phase: o.phase ?? (o.claim ? 'Bound' : 'Available'), lastPhaseTransitionTime: iso(o.createdAt ?? new Date()) },
  };
}

/** An EBS volume made by the EBS CSI driver: RWO, pinned to one zone. */
export function ebsVolume(o: VolumeFixture & { volumeId?: string; zone?: string; fsType?: string }): KubeObject {
  const zone = o.zone ?? 'eu-west-1a';
  return persistentVolume(
    { storageClass: 'gp3', ...o },
    ['ReadWriteOnce'],
    {
      driver: 'ebs.csi.aws.com',
      fsType: o.fsType ?? 'ext4',
      volumeHandle: o.volumeId ?? `vol-0${hexId(o.name, 16)}`,
      volumeAttributes: { 'storage.kubernetes.io/csiProvisionerIdentity': '1719400000000-8081-ebs.csi.aws.com' },
    },
    { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [zone] }] }] } } },
  );
}

/** An EFS access point volume: RWX, any zone. */
export function efsVolume(o: VolumeFixture & { fileSystemId?: string; accessPointId?: string }): KubeObject {
  const fs = o.fileSystemId ?? `fs-0${hexId(o.name, 16)}`;
  const ap = o.accessPointId ?? `fsap-0${hexId(o.name + 'ap', 16)}`;
  return persistentVolume(
    { storageClass: 'efs-sc', capacity: '5Gi', ...o },
    ['ReadWriteMany'],
    { driver: 'efs.csi.aws.com', volumeHandle: `${fs}::${ap}` },
    {},
  );
}

export interface ClaimFixture {
  name: string;
  namespace?: string;
  storageClass?: string;
  size?: string;
  accessModes?: string[];
  /** The bound volume; Pending when absent. */
  volumeName?: string;
  phase?: 'Pending' | 'Bound' | 'Lost';
  createdAt?: Time;
}

export function persistentVolumeClaim(o: ClaimFixture): KubeObject {
  const accessModes = o.accessModes ?? ['ReadWriteOnce'];
  const size = o.size ?? '10Gi';
  const phase = o.phase ?? (o.volumeName ? 'Bound' : 'Pending');
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { ...meta(o.name, { namespace: o.namespace ?? 'demo', createdAt: o.createdAt }), finalizers: ['kubernetes.io/pvc-protection'] },
    spec: {
      accessModes,
      resources: { requests: { storage: size } },
      storageClassName: o.storageClass ?? 'gp3',
      volumeMode: 'Filesystem',
      ...(o.volumeName ? { volumeName: o.volumeName } : {}),
    },
    status: phase === 'Bound' ? { phase, accessModes, capacity: { storage: size } } : { phase },
  };
}

// ---- events -----------------------------------------------------------------------------------

export interface EventFixture {
  name?: string;
  namespace?: string;
  type?: 'Normal' | 'Warning';
  reason: string;
  message: string;
  involvedObject: { kind: string; name: string; namespace?: string };
  count?: number;
  lastTimestamp?: Time;
  firstTimestamp?: Time;
  source?: string;
}

export function event(o: EventFixture): KubeObject {
  const namespace = o.namespace ?? o.involvedObject.namespace ?? 'demo';
  const last = iso(o.lastTimestamp ?? new Date());
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: meta(o.name ?? `${o.involvedObject.name}.${hexId(o.reason + o.message + last, 16)}`, {
      namespace,
      createdAt: o.firstTimestamp ?? o.lastTimestamp,
    }),
    involvedObject: {
      apiVersion: o.involvedObject.kind === 'Pod' ? 'v1' : 'apps/v1',
      kind: o.involvedObject.kind,
      name: o.involvedObject.name,
      namespace: o.involvedObject.namespace ?? namespace,
    },
    reason: o.reason,
    message: o.message,
    source: { component: o.source ?? 'kubelet' },
    firstTimestamp: iso(o.firstTimestamp) ?? last,
    lastTimestamp: last,
    count: o.count ?? 1,
    type: o.type ?? 'Normal',
    eventTime: null,
    reportingComponent: o.source ?? 'kubelet',
    reportingInstance: '',
  };
}

/**
 * An event the scheduler wrote (it uses events.k8s.io/v1), as the core v1 API shows it: no
 * `count`, `firstTimestamp` and `lastTimestamp` null, `source` empty, `eventTime` with
 * microseconds, `reportingComponent`/`action` set, and repeats counted in `series` (the
 * scheduler patches the same event when the same failure recurs).
 */
export function schedulerEvent(o: {
  pod: string;
  namespace?: string;
  reason: 'FailedScheduling' | 'Scheduled';
  message: string;
  at?: Time;
  /** A recurring failure: how often it was seen and when last. */
  series?: { count: number; lastObservedTime: Time };
}): KubeObject {
  const namespace = o.namespace ?? 'demo';
  const at = new Date(o.at ?? new Date());
  const micro = (d: Date) => d.toISOString().replace(/Z$/, '000Z');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: meta(`${o.pod}.${hexId(o.reason + o.message + at.toISOString(), 16)}`, { namespace, createdAt: at }),
    involvedObject: { kind: 'Pod', namespace, name: o.pod, uid: `00000000-0000-4000-8000-${hexId(o.pod, 12)}`, apiVersion: 'v1' },
    reason: o.reason,
    message: o.message,
    source: {},
    firstTimestamp: null,
    lastTimestamp: null,
    type: o.reason === 'FailedScheduling' ? 'Warning' : 'Normal',
    eventTime: micro(at),
    ...(o.series ? { series: { count: o.series.count, lastObservedTime: micro(new Date(o.series.lastObservedTime)) } } : {}),
    action: o.reason === 'FailedScheduling' ? 'Scheduling' : 'Binding',
    reportingComponent: 'default-scheduler',
    reportingInstance: 'default-scheduler-ip-10-0-0-1',
  };
}

export function warningEvent(o: Omit<EventFixture, 'type'>): KubeObject {
  return event({ ...o, type: 'Warning' });
}

// ---- autoscaling ------------------------------------------------------------------------------

export interface HpaFixture {
  name: string;
  namespace?: string;
  target?: { kind: string; name: string };
  minReplicas?: number;
  maxReplicas?: number;
  /** Target average utilisation in percent of requests. */
  cpuTarget?: number;
  memoryTarget?: number;
  currentCpu?: number;
  currentMemory?: number;
  currentReplicas?: number;
  desiredReplicas?: number;
  scaleDownStabilizationSeconds?: number;
  lastScaleTime?: Time;
  conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
}

export function horizontalPodAutoscaler(o: HpaFixture): KubeObject {
  const target = o.target ?? { kind: 'Deployment', name: o.name };
  const current = o.currentReplicas ?? o.minReplicas ?? 1;
  const metric = (name: 'cpu' | 'memory', utilization: number) => ({
    type: 'Resource',
    resource: { name, target: { type: 'Utilization', averageUtilization: utilization } },
  });
  const currentMetric = (name: 'cpu' | 'memory', utilization: number) => ({
    type: 'Resource',
    resource: { name, current: { averageUtilization: utilization, averageValue: name === 'cpu' ? `${utilization}m` : `${utilization * 2}Mi` } },
  });
  const metrics = [
    ...(o.cpuTarget !== undefined || o.memoryTarget === undefined ? [metric('cpu', o.cpuTarget ?? 70)] : []),
    ...(o.memoryTarget !== undefined ? [metric('memory', o.memoryTarget)] : []),
  ];
  const currentMetrics = [
    ...(o.currentCpu !== undefined ? [currentMetric('cpu', o.currentCpu)] : []),
    ...(o.currentMemory !== undefined ? [currentMetric('memory', o.currentMemory)] : []),
  ];
  const at = iso(new Date());
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(o.name, { namespace: o.namespace ?? 'demo' }),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: target.kind, name: target.name },
      minReplicas: o.minReplicas ?? 1,
      maxReplicas: o.maxReplicas ?? 10,
      metrics,
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: 0,
          selectPolicy: 'Max',
          policies: [
            { type: 'Pods', value: 4, periodSeconds: 15 },
            { type: 'Percent', value: 100, periodSeconds: 15 },
          ],
        },
        scaleDown: {
          stabilizationWindowSeconds: o.scaleDownStabilizationSeconds ?? 300,
          selectPolicy: 'Max',
          policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
        },
      },
    },
    status: {
      currentReplicas: current,
      desiredReplicas: o.desiredReplicas ?? current,
      ...(o.lastScaleTime ? { lastScaleTime: iso(o.lastScaleTime) } : {}),
      currentMetrics,
      conditions: o.conditions?.map((c) => ({ ...c, lastTransitionTime: at })) ?? [
        { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size', lastTransitionTime: at },
        {
          type: 'ScalingActive',
          status: 'True',
          reason: 'ValidMetricFound',
          message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
          lastTransitionTime: at,
        },
        {
          type: 'ScalingLimited',
          status: 'False',
          reason: 'DesiredWithinRange',
          message: 'the desired count is within the acceptable range',
          lastTransitionTime: at,
        },
      ],
    },
  };
}

// ---- metrics.k8s.io ---------------------------------------------------------------------------

/** metrics-server's NodeMetrics: cpu in nanocores, memory in Ki, as metrics-server reports them. */
export function nodeMetrics(o: { name: string; cpuMillis: number; memoryBytes: number; timestamp?: Time }): KubeObject {
  return {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'NodeMetrics',
    metadata: { name: o.name, labels: { 'kubernetes.io/hostname': o.name } },
    timestamp: iso(o.timestamp ?? new Date()),
    window: '10.068s',
    usage: { cpu: `${Math.round(o.cpuMillis * 1e6)}n`, memory: `${Math.round(o.memoryBytes / 1024)}Ki` },
  };
}

export function podMetrics(o: {
  name: string;
  namespace?: string;
  containers: Array<{ name: string; cpuMillis: number; memoryBytes: number }>;
  timestamp?: Time;
  annotations?: Record<string, string>;
}): KubeObject {
  return {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'PodMetrics',
    metadata: { name: o.name, namespace: o.namespace ?? 'demo', ...(o.annotations ? { annotations: o.annotations } : {}) },
    timestamp: iso(o.timestamp ?? new Date()),
    window: '10.5s',
    containers: o.containers.map((c) => ({
      name: c.name,
      usage: { cpu: `${Math.round(c.cpuMillis * 1e6)}n`, memory: `${Math.round(c.memoryBytes / 1024)}Ki` },
    })),
  };
}

// ---- other ------------------------------------------------------------------------------------

export function namespace(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function configMap(o: { name: string; namespace?: string; data: Record<string, string>; annotations?: Record<string, string> }): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(o.name, { namespace: o.namespace ?? 'demo', annotations: o.annotations }), data: o.data };
}

export function nodePool(o: { name: string; capacityTypes?: string[]; arch?: string[]; cpuLimit?: string; consolidateAfter?: string }): KubeObject {
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodePool',
    metadata: { name: o.name },
    spec: {
      template: {
        spec: {
          nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
          requirements: [
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: o.capacityTypes ?? ['spot', 'on-demand'] },
            { key: 'kubernetes.io/arch', operator: 'In', values: o.arch ?? ['arm64', 'amd64'] },
          ],
          expireAfter: '720h',
        },
      },
      limits: { cpu: o.cpuLimit ?? '100' },
      disruption: { consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: o.consolidateAfter ?? '1m' },
    },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: '' }], resources: { cpu: '0', memory: '0', nodes: '0' } },
  };
}

export function nodeClaim(o: {
  name: string;
  nodePool: string;
  instanceType?: string;
  zone?: string;
  capacityType?: 'spot' | 'on-demand';
  nodeName?: string;
  launched?: boolean;
  registered?: boolean;
  initialized?: boolean;
}): KubeObject {
  const cond = (type: string, ok?: boolean) => ({ type, status: ok ? 'True' : 'Unknown', reason: ok ? type : 'AwaitingReconciliation', message: '' });
  return {
    apiVersion: 'karpenter.sh/v1',
    kind: 'NodeClaim',
    metadata: {
      name: o.name,
      labels: {
        'karpenter.sh/nodepool': o.nodePool,
        'node.kubernetes.io/instance-type': o.instanceType ?? 'c7g.xlarge',
        'topology.kubernetes.io/zone': o.zone ?? 'eu-west-1a',
        'karpenter.sh/capacity-type': o.capacityType ?? 'spot',
      },
    },
    spec: {
      nodeClassRef: { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'default' },
      requirements: [],
      resources: { requests: { cpu: '1', pods: '3' } },
    },
    status: {
      ...(o.nodeName ? { nodeName: o.nodeName, providerID: `aws:///${o.zone ?? 'eu-west-1a'}/i-0${hexId(o.name, 16)}` } : {}),
      conditions: [cond('Launched', o.launched), cond('Registered', o.registered), cond('Initialized', o.initialized), cond('Ready', o.initialized)],
    },
  };
}
