import type { Section } from '../../common/section';
import type { Served } from '../../common/served-by';

export interface VpcInfo {
  vpcId: string;
  name: string | null;
  cidrs: string[];
  ipv6Cidrs: string[];
  isDefault: boolean;
  state: string;
  dnsSupport: boolean | null;
  dnsHostnames: boolean | null;
  dhcpOptionsId: string | null;
  tags: Record<string, string>;
}

export interface SubnetRow {
  subnetId: string;
  name: string | null;
  cidr: string;
  availabilityZone: string;
  /** Public when its route table sends 0.0.0.0/0 to an internet gateway. */
  public: boolean;
  availableIps: number;
  routeTableId: string | null;
  mapPublicIpOnLaunch: boolean;
  tags: Record<string, string>;
}

export interface RuleRow {
  protocol: string;
  /** "443", "1024-65535" or "all". */
  ports: string;
  /** CIDRs, security groups and prefix lists the rule allows. */
  peers: string[];
  description: string | null;
}

export interface SecurityGroupInfo {
  groupId: string;
  name: string;
  description: string;
  inbound: RuleRow[];
  outbound: RuleRow[];
}

export interface RouteRow {
  destination: string;
  target: string;
  /** local, igw, nat, tgw, pcx, vpce, eni, instance, other. */
  targetType: string;
  state: string;
}

export interface RouteTableInfo {
  routeTableId: string;
  name: string | null;
  main: boolean;
  subnetIds: string[];
  routes: RouteRow[];
}

export interface TargetRow {
  id: string;
  port: number | null;
  state: string;
  reason: string | null;
  description: string | null;
}

export interface TargetGroupInfo {
  name: string;
  arn: string;
  protocol: string | null;
  port: number | null;
  targetType: string | null;
  healthCheckPath: string | null;
  targets: TargetRow[];
}

export interface ListenerRow {
  port: number | null;
  protocol: string | null;
  defaultActions: string[];
}

export interface LoadBalancerInfo {
  name: string;
  arn: string;
  dnsName: string;
  type: string;
  scheme: string;
  state: string;
  listeners: ListenerRow[];
  targetGroups: TargetGroupInfo[];
}

export interface NetworkView extends Served {
  region: string | null;
  vpcId: string | null;
  /** Where the VPC id came from: IMDS of this node, or VPC_ID. */
  vpcSource: 'imds' | 'config' | null;
  vpc: Section<VpcInfo>;
  subnets: Section<SubnetRow[]>;
  securityGroups: Section<SecurityGroupInfo[]>;
  routeTables: Section<RouteTableInfo[]>;
  loadBalancers: Section<LoadBalancerInfo[]>;
  /** When the oldest cached AWS answer on this view was fetched. */
  fetchedAt: string | null;
  cacheTtlSeconds: number;
}

export interface NetworkRefreshResult extends Served {
  cleared: number;
}
