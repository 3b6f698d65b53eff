/** A fake node as kwok runs it, labelled the way an EKS managed node group labels its nodes. */
export interface KwokNodeSpec {
  name: string;
  instanceType?: string;
  zone?: string;
  /** EKS spelling: ON_DEMAND or SPOT. */
  capacityType?: 'ON_DEMAND' | 'SPOT';
  nodegroup?: string;
  arch?: 'arm64' | 'amd64';
  cpu?: string;
  memory?: string;
  pods?: number;
  /** Node-local disk for emptyDirs and logs (the chart's pods request some): an EKS node's 20 GiB root volume by default. */
  ephemeralStorage?: string;
  /** More labels (e.g. a dedicated node group's). */
  labels?: Record<string, string>;
  /** Taints it is created with (the API server adds node.kubernetes.io/not-ready until kwok reports Ready). */
  taints?: Array<{ key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }>;
}

/** Nodes are managed by kwok when they carry this annotation (its --manage-nodes-with-annotation-selector). */
export const KWOK_ANNOTATION = 'kwok.x-k8s.io/node';

/**
 * The Node object a test creates for kwok to run: EKS labels (instance type, zone, region,
 * capacity type, node group, architecture) and capacity. kwok fills in the status (Ready,
 * addresses, node info) and keeps the node's lease, as a kubelet would.
 */
export function kwokNode(spec: KwokNodeSpec): Record<string, unknown> {
  const zone = spec.zone ?? 'eu-west-1a';
  const region = zone.replace(/[a-z]$/, '');
  const arch = spec.arch ?? 'arm64';
  const instanceType = spec.instanceType ?? (arch === 'arm64' ? 'm7g.large' : 'm6i.large');
  const cpu = spec.cpu ?? '2';
  const memory = spec.memory ?? '8Gi';
  const pods = String(spec.pods ?? 29);
  const ephemeral = spec.ephemeralStorage ?? '20Gi';
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      annotations: { [KWOK_ANNOTATION]: 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: {
        'kubernetes.io/arch': arch,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': spec.name,
        'node.kubernetes.io/instance-type': instanceType,
        'topology.kubernetes.io/zone': zone,
        'topology.kubernetes.io/region': region,
        'eks.amazonaws.com/capacityType': spec.capacityType ?? 'ON_DEMAND',
        'eks.amazonaws.com/nodegroup': spec.nodegroup ?? 'default',
        type: 'kwok',
        ...spec.labels,
      },
    },
    spec: { providerID: `aws:///${zone}/i-0kwok${spec.name.replace(/[^a-z0-9]/g, '').slice(0, 12)}`, ...(spec.taints ? { taints: spec.taints } : {}) },
    status: {
      capacity: { cpu, memory, pods, 'ephemeral-storage': ephemeral },
      allocatable: { cpu, memory, pods, 'ephemeral-storage': ephemeral },
      nodeInfo: { architecture: arch, operatingSystem: 'linux', kubeletVersion: 'v1.34.2-kwok' },
    },
  };
}
