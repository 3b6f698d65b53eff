import { z } from 'zod';
import { sectionOf } from '../../common/section';
import { Served } from '../../common/served-by';
import { Simulated } from '../simulation';

export const VpcInfo = z.object({
  vpcId: z.string(),
  name: z.string().nullable(),
  cidrs: z.array(z.string()),
  ipv6Cidrs: z.array(z.string()),
  isDefault: z.boolean(),
  state: z.string(),
  dnsSupport: z.boolean().nullable(),
  dnsHostnames: z.boolean().nullable(),
  dhcpOptionsId: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
});
export type VpcInfo = z.output<typeof VpcInfo>;

export const SubnetRow = z.object({
  subnetId: z.string(),
  name: z.string().nullable(),
  cidr: z.string(),
  availabilityZone: z.string(),
  /** Public when its route table sends 0.0.0.0/0 to an internet gateway. */
  public: z.boolean(),
  availableIps: z.number(),
  routeTableId: z.string().nullable(),
  mapPublicIpOnLaunch: z.boolean(),
  tags: z.record(z.string(), z.string()),
});
export type SubnetRow = z.output<typeof SubnetRow>;

export const RuleRow = z.object({
  protocol: z.string(),
  /** "443", "1024-65535" or "all". */
  ports: z.string(),
  /** CIDRs, security groups and prefix lists the rule allows. */
  peers: z.array(z.string()),
  description: z.string().nullable(),
});
export type RuleRow = z.output<typeof RuleRow>;

export const SecurityGroupInfo = z.object({
  groupId: z.string(),
  name: z.string(),
  description: z.string(),
  inbound: z.array(RuleRow),
  outbound: z.array(RuleRow),
});
export type SecurityGroupInfo = z.output<typeof SecurityGroupInfo>;

export const RouteRow = z.object({
  destination: z.string(),
  target: z.string(),
  /** local, igw, nat, tgw, pcx, vpce, eni, instance, other. */
  targetType: z.string(),
  state: z.string(),
});
export type RouteRow = z.output<typeof RouteRow>;

export const RouteTableInfo = z.object({
  routeTableId: z.string(),
  name: z.string().nullable(),
  main: z.boolean(),
  subnetIds: z.array(z.string()),
  routes: z.array(RouteRow),
});
export type RouteTableInfo = z.output<typeof RouteTableInfo>;

export const TargetRow = z.object({
  id: z.string(),
  port: z.number().nullable(),
  state: z.string(),
  reason: z.string().nullable(),
  description: z.string().nullable(),
});
export type TargetRow = z.output<typeof TargetRow>;

export const TargetGroupInfo = z.object({
  name: z.string(),
  arn: z.string(),
  protocol: z.string().nullable(),
  port: z.number().nullable(),
  targetType: z.string().nullable(),
  healthCheckPath: z.string().nullable(),
  targets: z.array(TargetRow),
});
export type TargetGroupInfo = z.output<typeof TargetGroupInfo>;

export const ListenerRow = z.object({
  port: z.number().nullable(),
  protocol: z.string().nullable(),
  defaultActions: z.array(z.string()),
});
export type ListenerRow = z.output<typeof ListenerRow>;

export const LoadBalancerInfo = z.object({
  name: z.string(),
  arn: z.string(),
  dnsName: z.string(),
  type: z.string(),
  scheme: z.string(),
  state: z.string(),
  listeners: z.array(ListenerRow),
  targetGroups: z.array(TargetGroupInfo),
});
export type LoadBalancerInfo = z.output<typeof LoadBalancerInfo>;

export const NetworkView = z.object({
  ...Served.shape,
  region: z.string().nullable(),
  vpcId: z.string().nullable(),
  /** Where the VPC id came from: IMDS of this node, or VPC_ID. */
  vpcSource: z.enum(['imds', 'config']).nullable(),
  vpc: sectionOf(VpcInfo),
  subnets: sectionOf(z.array(SubnetRow)),
  securityGroups: sectionOf(z.array(SecurityGroupInfo)),
  routeTables: sectionOf(z.array(RouteTableInfo)),
  loadBalancers: sectionOf(z.array(LoadBalancerInfo)),
  /** When the oldest cached AWS answer on this view was fetched. */
  fetchedAt: z.string().nullable(),
  cacheTtlSeconds: z.number(),
  /** `npm run demo`: the AWS answers come from moto (and the VPC id from the metadata mock). */
  simulated: Simulated.optional(),
});
export type NetworkView = z.output<typeof NetworkView>;

export const NetworkRefreshResult = z.object({
  ...Served.shape,
  cleared: z.number(),
});
export type NetworkRefreshResult = z.output<typeof NetworkRefreshResult>;
