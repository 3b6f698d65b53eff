import { z } from 'zod';
import { sectionOf } from '../../common/section';
import { Served } from '../../common/served-by';
import { Simulated } from '../simulation';
import { InterruptionInfo } from './interruption.dto';

export const PodInfo = z.object({
  name: z.string(),
  namespace: z.string(),
  ip: z.string().nullable(),
  node: z.string().nullable(),
  serviceAccount: z.string().nullable(),
  /** Where the values came from: the downward API env vars, the service-account files, the API. */
  sources: z.array(z.string()),
});
export type PodInfo = z.output<typeof PodInfo>;

export const ClusterInfo = z.object({
  name: z.string().nullable(),
  /** How the name was found: CLUSTER_NAME, a node label, the kubeconfig context… */
  nameSource: z.string().nullable(),
  version: z.string(),
  platform: z.string(),
  apiServer: z.string(),
  /** `in-cluster` (service-account token) or `kubeconfig` (outside a cluster). */
  auth: z.enum(['in-cluster', 'kubeconfig']),
});
export type ClusterInfo = z.output<typeof ClusterInfo>;

export const NodeInfo = z.object({
  name: z.string(),
  instanceType: z.string().nullable(),
  zone: z.string().nullable(),
  region: z.string().nullable(),
  /** ON_DEMAND / SPOT from the EKS or Karpenter capacity-type label. */
  capacityType: z.string().nullable(),
  arch: z.string().nullable(),
  os: z.string().nullable(),
  osImage: z.string().nullable(),
  kernel: z.string().nullable(),
  kubelet: z.string().nullable(),
  containerRuntime: z.string().nullable(),
  nodegroup: z.string().nullable(),
});
export type NodeInfo = z.output<typeof NodeInfo>;

export const Ec2Info = z.object({
  instanceId: z.string(),
  instanceType: z.string(),
  availabilityZone: z.string(),
  region: z.string(),
  privateIp: z.string().nullable(),
  publicIp: z.string().nullable(),
  /** `spot` or `on-demand` (IMDS instance-life-cycle). */
  lifecycle: z.string().nullable(),
  amiId: z.string().nullable(),
  architecture: z.string().nullable(),
  accountId: z.string().nullable(),
});
export type Ec2Info = z.output<typeof Ec2Info>;

export const CgroupLimits = z.object({
  version: z.union([z.literal(1), z.literal(2)]).nullable(),
  /** CPU limit in cores (quota / period); null when unlimited. */
  cpuLimitCores: z.number().nullable(),
  memoryLimitBytes: z.number().nullable(),
  memoryCurrentBytes: z.number().nullable(),
});
export type CgroupLimits = z.output<typeof CgroupLimits>;

export const SystemInfo = z.object({
  hostname: z.string(),
  platform: z.string(),
  /** Node's process.arch: `arm64` or `x64`. */
  arch: z.string(),
  kernel: z.string(),
  nodeVersion: z.string(),
  cpuModel: z.string(),
  /** CPUs the host shows; the container's share is `cgroup.cpuLimitCores`. */
  hostCpus: z.number(),
  hostMemoryBytes: z.number(),
  isArm64: z.boolean(),
  /** True on AWS Graviton (Neoverse cores or a `g` instance family). */
  isGraviton: z.boolean(),
  /** e.g. "Graviton3 (Neoverse V1)". */
  processorFamily: z.string().nullable(),
  cgroup: CgroupLimits,
  processRssBytes: z.number(),
  uptimeSeconds: z.number(),
  loadAverage: z.array(z.number()),
});
export type SystemInfo = z.output<typeof SystemInfo>;

export const NetworkSummary = z.object({
  vpcId: z.string().nullable(),
  subnetId: z.string().nullable(),
  securityGroupIds: z.array(z.string()),
  vpcCidrs: z.array(z.string()),
  subnetCidr: z.string().nullable(),
  mac: z.string().nullable(),
  localIpv4: z.string().nullable(),
  /** Destinations and targets of the subnet's route table, e.g. "0.0.0.0/0 → nat-…". */
  routes: z.array(z.string()),
});
export type NetworkSummary = z.output<typeof NetworkSummary>;

export const EnvVar = z.object({
  name: z.string(),
  value: z.string(),
  redacted: z.boolean(),
});
export type EnvVar = z.output<typeof EnvVar>;

export const EnvironmentOverview = z.object({
  ...Served.shape,
  pod: sectionOf(PodInfo),
  cluster: sectionOf(ClusterInfo),
  node: sectionOf(NodeInfo),
  ec2: sectionOf(Ec2Info),
  system: sectionOf(SystemInfo),
  network: sectionOf(NetworkSummary),
  /** Spot interruption notice and rebalance recommendation of this node's instance (IMDS, read every few seconds). */
  interruption: sectionOf(InterruptionInfo).optional(),
  env: sectionOf(z.array(EnvVar)),
  collectedAt: z.string(),
  /** `npm run demo`: the simulated sources the sections come from (pod, cluster, node: kubernetes; EC2: imds; routes: aws). */
  simulated: Simulated.optional(),
});
export type EnvironmentOverview = z.output<typeof EnvironmentOverview>;
