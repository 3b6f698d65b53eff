import { createHash } from 'node:crypto';
import * as fx from '../fixtures';
import { type KubeObject, kubeTime } from '../store';
import type { NodeGroupOptions } from './live-cluster';

/**
 * The cluster `npm run demo` simulates: three m7g.large nodes of a managed node group in three
 * zones, the system pods an EKS cluster runs, another team's workload, and this project as the
 * Helm chart installs it (release `eks-info`): its Deployments, StatefulSets, Services, claims
 * bound to EBS and EFS volumes, and the stress Deployment with its HPA. The stress pods are not
 * in it: the simulated ReplicaSet controller creates them and the kubelet runs them as real
 * processes. CPU requests are laid out so that one more stress pod fits and the next does not.
 */
export interface DemoNode {
  name: string;
  ip: string;
  zone: string;
  capacityType: 'ON_DEMAND' | 'SPOT';
  /** EC2 instance id (moto's when AWS is simulated). */
  instanceId?: string;
}

export interface DemoClusterOptions {
  namespace: string;
  region: string;
  nodes: [DemoNode, DemoNode, DemoNode];
  /** Where the dashboard's storage service keeps its EBS and EFS directories (the storage pod mounts its claims there). */
  ebsPath: string;
  efsPath: string;
  /** Volume ids behind the claims (moto's when AWS is simulated). */
  ebsVolumeIds?: { storage: string; history: string };
  efs?: { fileSystemId: string; accessPointId: string };
  image: string;
  /** When the simulation starts (the new objects' creation time). */
  now: Date;
  /** Real seconds per cluster second: the HPA's behaviour windows are written compressed, as the demo's HPA acts. */
  timeScale: number;
}

/** The downward-API variables a pod of the chart gets (POD_NAME, POD_NAMESPACE, POD_IP, NODE_NAME, SERVICE_ACCOUNT_NAME). */
export type DownwardApi = Record<'POD_NAME' | 'POD_NAMESPACE' | 'POD_IP' | 'NODE_NAME' | 'SERVICE_ACCOUNT_NAME', string>;

export interface DemoCluster {
  objects: KubeObject[];
  /** The dashboard's own pods, by component, for the single process that plays them. */
  pods: Record<'gateway' | 'environment' | 'storage' | 'scaling-monitor', DownwardApi>;
  hpaName: string;
  deploymentName: string;
  /** What the pods other than the stress pods use on each node (metrics.k8s.io). */
  baseUsage: Record<string, { cpuMillicores: number; memoryBytes: number }>;
  nodeGroup: Omit<NodeGroupOptions, 'registerSeconds' | 'readySeconds' | 'scaleDownUnneededSeconds'>;
}

export const RELEASE = 'eks-info';
export const STRESS_RESOURCES = { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } };
const DAEMON_SETS = [
  { name: 'aws-node', namespace: 'kube-system', cpu: '25m', memory: '64Mi' },
  { name: 'kube-proxy', namespace: 'kube-system', cpu: '100m', memory: '64Mi' },
  { name: 'ebs-csi-node', namespace: 'kube-system', cpu: '30m', memory: '40Mi' },
  { name: 'efs-csi-node', namespace: 'kube-system', cpu: '30m', memory: '40Mi' },
];

const hex = (seed: string, n: number) => createHash('sha256').update(seed).digest('hex').slice(0, n);
/** A ReplicaSet-style name suffix, stable per seed so the demo's pods keep their names across runs. */
function suffix(seed: string, n = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = createHash('sha256').update(seed).digest();
  return Array.from({ length: n }, (_, i) => alphabet[digest[i] % alphabet.length]).join('');
}
const templateHash = (name: string) => suffix(`hash:${name}`, 10).replace(/[^a-z0-9]/g, '');

export function demoCluster(o: DemoClusterOptions): DemoCluster {
  const ns = o.namespace;
  const longAgo = kubeTime(new Date(o.now.getTime() - 3 * 86_400_000));
  const weekAgo = kubeTime(new Date(o.now.getTime() - 9 * 86_400_000));
  const [a, b, c] = o.nodes;
  const objects: KubeObject[] = [];
  const add = (...objs: KubeObject[]) => objects.push(...objs);
  const ipOn = (node: DemoNode, n: number) => `${node.ip.split('.').slice(0, 3).join('.')}.${100 + n}`;
  const chartLabels = (component: string) => ({
    'app.kubernetes.io/name': RELEASE,
    'app.kubernetes.io/instance': RELEASE,
    'app.kubernetes.io/component': component,
  });

  // ---- namespaces, storage classes, nodes ---------------------------------------------------
  add(...['default', 'kube-system', ns, 'shop'].map((n) => fx.namespace(n)));
  add(
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' }, creationTimestamp: weekAgo },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    },
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: 'efs-sc', creationTimestamp: weekAgo },
      provisioner: 'efs.csi.aws.com',
      parameters: { provisioningMode: 'efs-ap', fileSystemId: o.efs?.fileSystemId ?? `fs-0${hex('efs', 16)}`, directoryPerms: '700' },
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
    },
  );
  for (const node of o.nodes) {
    const obj = fx.node({
      name: node.name,
      instanceType: 'm7g.large',
      zone: node.zone,
      region: o.region,
      cpuCores: 2,
      memoryGi: 8,
      nodegroup: 'default',
      capacityType: node.capacityType,
      internalIP: node.ip,
      createdAt: weekAgo,
    });
    if (node.instanceId) (obj.spec as { providerID: string }).providerID = `aws:///${node.zone}/${node.instanceId}`;
    add(obj);
  }

  // ---- system pods --------------------------------------------------------------------------
  for (const [i, node] of o.nodes.entries()) {
    for (const ds of DAEMON_SETS) {
      add(
        fx.pod({
          name: `${ds.name}-${suffix(`${ds.name}${i}`)}`,
          namespace: ds.namespace,
          node: node.name,
          containers: [{ name: ds.name, requests: { cpu: ds.cpu, memory: ds.memory } }],
          owner: { kind: 'DaemonSet', name: ds.name },
          labels: { 'k8s-app': ds.name },
          createdAt: weekAgo,
          ip: node.ip,
        }),
      );
    }
  }
  const deployed = (
    name: string,
    namespace: string,
    node: DemoNode,
    cpu: string,
    memory: string,
    n: number,
    extra: { labels?: Record<string, string>; image?: string; ports?: number[] } = {},
  ) => {
    const rs = `${name}-${templateHash(name)}`;
    return fx.pod({
      name: `${rs}-${suffix(`${name}${n}`)}`,
      namespace,
      node: node.name,
      containers: [{ name: name.replace(/^eks-info-/, ''), image: extra.image, requests: { cpu, memory }, ports: extra.ports }],
      owner: { kind: 'ReplicaSet', name: rs },
      labels: { ...(extra.labels ?? { 'k8s-app': name }), 'pod-template-hash': rs.slice(name.length + 1) },
      createdAt: longAgo,
      ip: ipOn(node, n + (namespace === 'kube-system' ? 10 : 40)),
    });
  };
  add(
    deployed('coredns', 'kube-system', a, '100m', '70Mi', 0),
    deployed('coredns', 'kube-system', b, '100m', '70Mi', 1),
    deployed('ebs-csi-controller', 'kube-system', a, '60m', '80Mi', 2),
    deployed('cluster-autoscaler', 'kube-system', b, '100m', '600Mi', 3),
    deployed('metrics-server', 'kube-system', c, '100m', '200Mi', 4),
    deployed('aws-load-balancer-controller', 'kube-system', c, '100m', '128Mi', 5),
  );
  // Another team's shop: most of each node's CPU is theirs.
  for (const [i, node] of o.nodes.entries()) add(deployed('web', 'shop', node, '1', '1Gi', i, { labels: { app: 'web' }, ports: [8080] }));
  add(
    fx.deployment({ name: 'web', namespace: 'shop', replicas: 3, labels: { app: 'web' }, createdAt: weekAgo }),
    fx.service({
      name: 'web',
      namespace: 'shop',
      type: 'LoadBalancer',
      ports: [{ port: 80, targetPort: 8080, nodePort: 31380 }],
      loadBalancerHostname: `k8s-shop-web-${hex('nlb', 10)}.elb.${o.region}.amazonaws.com`,
      createdAt: weekAgo,
    }),
  );

  // ---- the chart's release ------------------------------------------------------------------
  const image = o.image;
  const component = (
    name: string,
    node: DemoNode,
    cpu: string,
    memory: string,
    n: number,
    kind: 'Deployment' | 'StatefulSet' = 'Deployment',
  ): { pod: KubeObject; env: DownwardApi } => {
    const full = `${RELEASE}-${name}`;
    const rs = `${full}-${templateHash(full)}`;
    const podName = kind === 'StatefulSet' ? `${full}-0` : `${rs}-${suffix(`${full}${n}`)}`;
    const ip = ipOn(node, 60 + n);
    const pod = fx.pod({
      name: podName,
      namespace: ns,
      node: node.name,
      containers: [{ name, image, requests: { cpu, memory }, limits: { cpu: '500m', memory: '512Mi' }, ports: [name === 'gateway' ? 8080 : 9000] }],
      owner: kind === 'StatefulSet' ? { kind: 'StatefulSet', name: full } : { kind: 'ReplicaSet', name: rs },
      labels: { ...chartLabels(name), ...(kind === 'Deployment' ? { 'pod-template-hash': rs.slice(full.length + 1) } : {}) },
      createdAt: longAgo,
      ip,
    });
    (pod.spec as Record<string, unknown>).serviceAccountName = full;
    return { pod, env: { POD_NAME: podName, POD_NAMESPACE: ns, POD_IP: ip, NODE_NAME: node.name, SERVICE_ACCOUNT_NAME: full } };
  };
  const gateway = [component('gateway', a, '100m', '128Mi', 0), component('gateway', b, '100m', '128Mi', 1)];
  const environment = component('environment', c, '50m', '128Mi', 2);
  const storage = component('storage', c, '50m', '256Mi', 3, 'StatefulSet');
  const monitor = component('scaling-monitor', c, '100m', '256Mi', 4);
  const nats = component('nats', a, '50m', '64Mi', 5, 'StatefulSet');
  const mount = (p: { pod: KubeObject }, volumes: Array<{ name: string; claim: string; path: string }>) => {
    const spec = p.pod.spec as { volumes?: unknown[]; containers: Array<{ volumeMounts?: unknown[] }> };
    spec.volumes = volumes.map((v) => ({ name: v.name, persistentVolumeClaim: { claimName: v.claim } }));
    spec.containers[0].volumeMounts = volumes.map((v) => ({ name: v.name, mountPath: v.path }));
  };
  mount(storage, [
    { name: 'data', claim: `data-${RELEASE}-storage-0`, path: o.ebsPath },
    { name: 'shared', claim: `${RELEASE}-efs`, path: o.efsPath },
  ]);
  mount(monitor, [{ name: 'history', claim: `${RELEASE}-scaling-monitor`, path: '/data/history' }]);
  add(...[...gateway, environment, storage, monitor, nats].map((p) => p.pod));
  const containers = (name: string, cpu: string, memory: string) => [{ name, image, requests: { cpu, memory }, limits: { cpu: '500m', memory: '512Mi' } }];
  for (const [name, replicas, cpu, memory] of [
    ['gateway', 2, '100m', '128Mi'],
    ['environment', 1, '50m', '128Mi'],
    ['scaling-monitor', 1, '100m', '256Mi'],
  ] as const) {
    const full = `${RELEASE}-${name}`;
    const labels = chartLabels(name);
    add(
      fx.deployment({ name: full, namespace: ns, replicas, labels, containers: containers(name, cpu, memory), createdAt: longAgo }),
      fx.replicaSet({
        name: `${full}-${templateHash(full)}`,
        namespace: ns,
        deployment: full,
        replicas,
        labels: { ...labels, 'pod-template-hash': templateHash(full) },
        containers: containers(name, cpu, memory),
        createdAt: longAgo,
      }),
    );
  }
  add(
    fx.statefulSet({
      name: `${RELEASE}-storage`,
      namespace: ns,
      replicas: 1,
      labels: chartLabels('storage'),
      containers: containers('storage', '50m', '256Mi'),
      serviceName: `${RELEASE}-storage-headless`,
      volumeClaim: { name: 'data', storageClass: 'gp3', size: '10Gi' },
      createdAt: longAgo,
    }),
    fx.statefulSet({
      name: `${RELEASE}-nats`,
      namespace: ns,
      replicas: 1,
      labels: chartLabels('nats'),
      containers: containers('nats', '50m', '64Mi'),
      createdAt: longAgo,
    }),
    fx.service({
      name: `${RELEASE}-gateway`,
      namespace: ns,
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
      selector: chartLabels('gateway'),
      createdAt: longAgo,
    }),
    fx.service({ name: `${RELEASE}-nats`, namespace: ns, ports: [{ name: 'client', port: 4222 }], selector: chartLabels('nats'), createdAt: longAgo }),
    fx.service({
      name: `${RELEASE}-storage-headless`,
      namespace: ns,
      clusterIP: 'None',
      ports: [{ name: 'management', port: 9000 }],
      selector: chartLabels('storage'),
      createdAt: longAgo,
    }),
  );

  // ---- claims and volumes -------------------------------------------------------------------
  const pvName = (claim: string) => {
    const h = hex(`pv:${claim}`, 32);
    return `pvc-${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  const dataClaim = `data-${RELEASE}-storage-0`;
  const historyClaim = `${RELEASE}-scaling-monitor`;
  const efsClaim = `${RELEASE}-efs`;
  add(
    fx.persistentVolumeClaim({ name: dataClaim, namespace: ns, storageClass: 'gp3', size: '10Gi', volumeName: pvName(dataClaim), createdAt: longAgo }),
    fx.ebsVolume({
      name: pvName(dataClaim),
      capacity: '10Gi',
      claim: { namespace: ns, name: dataClaim },
      zone: c.zone,
      volumeId: o.ebsVolumeIds?.storage,
      createdAt: longAgo,
    }),
    fx.persistentVolumeClaim({ name: historyClaim, namespace: ns, storageClass: 'gp3', size: '5Gi', volumeName: pvName(historyClaim), createdAt: longAgo }),
    fx.ebsVolume({
      name: pvName(historyClaim),
      capacity: '5Gi',
      claim: { namespace: ns, name: historyClaim },
      zone: c.zone,
      volumeId: o.ebsVolumeIds?.history,
      createdAt: longAgo,
    }),
    fx.persistentVolumeClaim({
      name: efsClaim,
      namespace: ns,
      storageClass: 'efs-sc',
      size: '5Gi',
      accessModes: ['ReadWriteMany'],
      volumeName: pvName(efsClaim),
      createdAt: longAgo,
    }),
    fx.efsVolume({
      name: pvName(efsClaim),
      claim: { namespace: ns, name: efsClaim },
      fileSystemId: o.efs?.fileSystemId,
      accessPointId: o.efs?.accessPointId,
      createdAt: longAgo,
    }),
  );
  // A warning from 40 minutes ago (events live an hour): a gateway pod's readiness probe failed
  // three times while its NATS connection was re-established, as /ready reports 503 then.
  const lateGateway = gateway[1].env;
  const probeFailed = o.now.getTime() - 40 * 60_000;
  add(
    fx.warningEvent({
      namespace: ns,
      reason: 'Unhealthy',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
      involvedObject: { kind: 'Pod', name: lateGateway.POD_NAME, namespace: ns },
      count: 3,
      firstTimestamp: kubeTime(new Date(probeFailed)),
      lastTimestamp: kubeTime(new Date(probeFailed + 20_000)),
      source: 'kubelet',
    }),
  );

  // ---- the stress Deployment and its HPA ----------------------------------------------------
  const stress = `${RELEASE}-stress`;
  const hash = templateHash(stress);
  const stressLabels = chartLabels('stress');
  const stressContainers = [{ name: 'stress', image, ...STRESS_RESOURCES }];
  add(
    fx.deployment({ name: stress, namespace: ns, replicas: 2, readyReplicas: 0, labels: stressLabels, containers: stressContainers, createdAt: longAgo }),
    fx.replicaSet({
      name: `${stress}-${hash}`,
      namespace: ns,
      deployment: stress,
      replicas: 2,
      readyReplicas: 0,
      labels: { ...stressLabels, 'pod-template-hash': hash },
      containers: stressContainers,
      createdAt: longAgo,
    }),
  );
  for (const obj of objects.filter((x) => x.metadata.name === stress || x.metadata.name === `${stress}-${hash}`)) {
    const template = (obj.spec as { template: { spec: Record<string, unknown> } }).template;
    template.spec.serviceAccountName = stress;
  }
  // The two replicas the Deployment has, bound where the scheduler put them at the last rollout; the kubelet starts them.
  for (const [i, node] of [a, b].entries()) {
    const pod = fx.pod({
      name: `${stress}-${hash}-${suffix(`${stress}${i}`)}`,
      namespace: ns,
      node: node.name,
      phase: 'Pending',
      containers: stressContainers,
      owner: { kind: 'ReplicaSet', name: `${stress}-${hash}` },
      labels: { ...stressLabels, 'pod-template-hash': hash },
      createdAt: o.now,
    });
    const spec = pod.spec as Record<string, unknown>;
    spec.serviceAccountName = stress;
    pod.status = {
      phase: 'Pending',
      qosClass: 'Burstable',
      conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: kubeTime(o.now) }],
    };
    add(pod);
  }
  const scaled = (seconds: number) => Math.max(1, Math.round(seconds * o.timeScale));
  const hpa = fx.horizontalPodAutoscaler({
    name: stress,
    namespace: ns,
    target: { kind: 'Deployment', name: stress },
    minReplicas: 2,
    maxReplicas: 6,
    cpuTarget: 60,
    currentReplicas: 2,
    desiredReplicas: 2,
    scaleDownStabilizationSeconds: scaled(300),
  });
  Object.assign(hpa.metadata, { creationTimestamp: longAgo, labels: stressLabels });
  const behavior = (
    hpa.spec as { behavior: { scaleUp: { policies: Array<{ periodSeconds: number }> }; scaleDown: { policies: Array<{ periodSeconds: number }> } } }
  ).behavior;
  for (const p of [...behavior.scaleUp.policies, ...behavior.scaleDown.policies]) p.periodSeconds = scaled(15);
  hpa.status = { currentReplicas: 2, desiredReplicas: 2, currentMetrics: [], conditions: [] };
  add(hpa);

  const memory = (gi: number) => Math.round(gi * 2 ** 30);
  return {
    objects,
    pods: {
      gateway: gateway[0].env,
      environment: environment.env,
      storage: storage.env,
      'scaling-monitor': monitor.env,
    },
    hpaName: stress,
    deploymentName: stress,
    baseUsage: {
      [a.name]: { cpuMillicores: 640, memoryBytes: memory(3.1) },
      [b.name]: { cpuMillicores: 610, memoryBytes: memory(3.4) },
      [c.name]: { cpuMillicores: 520, memoryBytes: memory(2.9) },
    },
    nodeGroup: {
      name: 'eks-default-20250101000000000000000001',
      nodegroup: 'default',
      minSize: 3,
      maxSize: 5,
      instanceType: 'm7g.large',
      cpuCores: 2,
      memoryGi: 8,
      region: o.region,
      zones: o.nodes.map((n) => ({ zone: n.zone, ipPrefix: n.ip.split('.').slice(0, 2).join('.') + `.${Number(n.ip.split('.')[2]) + 1}` })),
      daemonSets: DAEMON_SETS,
      idleUsage: { cpuMillicores: 95, memoryBytes: memory(0.6) },
    },
  };
}

/** The three nodes of the demo cluster, in the private subnets of its VPC (10.0.16.0/20, 10.0.32.0/20, 10.0.48.0/20). */
export function demoNodes(region: string, instanceIds?: string[]): [DemoNode, DemoNode, DemoNode] {
  const at = (i: number, ip: string, capacityType: DemoNode['capacityType']): DemoNode => ({
    name: `ip-${ip.replace(/\./g, '-')}.${region}.compute.internal`,
    ip,
    zone: `${region}${'abc'[i]}`,
    capacityType,
    instanceId: instanceIds?.[i],
  });
  return [at(0, '10.0.16.10', 'ON_DEMAND'), at(1, '10.0.32.20', 'ON_DEMAND'), at(2, '10.0.48.30', 'SPOT')];
}
