import type { Section } from '../../common/section';
import type { Served } from '../../common/served-by';

export interface PodInfo {
  name: string;
  namespace: string;
  ip: string | null;
  node: string | null;
  serviceAccount: string | null;
  /** Where the values came from: the downward API env vars, the service-account files, the API. */
  sources: string[];
}

export interface ClusterInfo {
  name: string | null;
  /** How the name was found: CLUSTER_NAME, a node label, the kubeconfig context… */
  nameSource: string | null;
  version: string;
  platform: string;
  apiServer: string;
  /** `in-cluster` (service-account token) or `kubeconfig` (outside a cluster). */
  auth: 'in-cluster' | 'kubeconfig';
}

export interface NodeInfo {
  name: string;
  instanceType: string | null;
  zone: string | null;
  region: string | null;
  /** ON_DEMAND / SPOT from the EKS or Karpenter capacity-type label. */
  capacityType: string | null;
  arch: string | null;
  os: string | null;
  osImage: string | null;
  kernel: string | null;
  kubelet: string | null;
  containerRuntime: string | null;
  nodegroup: string | null;
}

export interface Ec2Info {
  instanceId: string;
  instanceType: string;
  availabilityZone: string;
  region: string;
  privateIp: string | null;
  publicIp: string | null;
  /** `spot` or `on-demand` (IMDS instance-life-cycle). */
  lifecycle: string | null;
  amiId: string | null;
  architecture: string | null;
  accountId: string | null;
}

export interface CgroupLimits {
  version: 1 | 2 | null;
  /** CPU limit in cores (quota / period); null when unlimited. */
  cpuLimitCores: number | null;
  memoryLimitBytes: number | null;
  memoryCurrentBytes: number | null;
}

export interface SystemInfo {
  hostname: string;
  platform: string;
  /** Node's process.arch: `arm64` or `x64`. */
  arch: string;
  kernel: string;
  nodeVersion: string;
  cpuModel: string;
  /** CPUs the host shows; the container's share is `cgroup.cpuLimitCores`. */
  hostCpus: number;
  hostMemoryBytes: number;
  isArm64: boolean;
  /** True on AWS Graviton (Neoverse cores or a `g` instance family). */
  isGraviton: boolean;
  /** e.g. "Graviton3 (Neoverse V1)". */
  processorFamily: string | null;
  cgroup: CgroupLimits;
  processRssBytes: number;
  uptimeSeconds: number;
  loadAverage: number[];
}

export interface NetworkSummary {
  vpcId: string | null;
  subnetId: string | null;
  securityGroupIds: string[];
  vpcCidrs: string[];
  subnetCidr: string | null;
  mac: string | null;
  localIpv4: string | null;
  /** Destinations and targets of the subnet's route table, e.g. "0.0.0.0/0 → nat-…". */
  routes: string[];
}

export interface EnvVar {
  name: string;
  value: string;
  redacted: boolean;
}

export interface EnvironmentOverview extends Served {
  pod: Section<PodInfo>;
  cluster: Section<ClusterInfo>;
  node: Section<NodeInfo>;
  ec2: Section<Ec2Info>;
  system: Section<SystemInfo>;
  network: Section<NetworkSummary>;
  env: Section<EnvVar[]>;
  collectedAt: string;
}
