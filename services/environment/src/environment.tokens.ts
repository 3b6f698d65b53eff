import type { ClusterInfo, Ec2Info, NetworkSummary, NodeInfo, Section } from '@eks-info/contracts';

/** The home page's Kubernetes sections (the API server and this pod's node). */
export interface ClusterSource {
  cluster(): Promise<Section<ClusterInfo>>;
  node(name: string | null): Promise<Section<NodeInfo>>;
}

/** The home page's EC2 sections (instance metadata, plus the subnet's routes). */
export interface Ec2Source {
  ec2(): Promise<Section<Ec2Info>>;
  network(): Promise<Section<NetworkSummary>>;
}

export const CLUSTER_SOURCE = Symbol('CLUSTER_SOURCE');
export const EC2_SOURCE = Symbol('EC2_SOURCE');
/** Config specs whose sensitive variables the environment page must redact. */
export const SENSITIVE_SPECS = Symbol('SENSITIVE_SPECS');
