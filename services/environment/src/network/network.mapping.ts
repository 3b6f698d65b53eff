import type { IpPermission, Route, RouteTable, SecurityGroup, Subnet, Tag, Vpc } from '@aws-sdk/client-ec2';
import type { Action, Listener, LoadBalancer, TargetGroup, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  ListenerRow,
  LoadBalancerInfo,
  RouteRow,
  RouteTableInfo,
  RuleRow,
  SecurityGroupInfo,
  SubnetRow,
  TargetGroupInfo,
  TargetRow,
  VpcInfo,
} from '@eks-info/contracts';

/** Pure mapping from AWS SDK shapes to the /network contract. */

export function tagsOf(tags: Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key) out[t.Key] = t.Value ?? '';
  return out;
}

const nameOf = (tags: Tag[] | undefined) => tags?.find((t) => t.Key === 'Name')?.Value ?? null;

export function mapVpc(vpc: Vpc, dns: { support: boolean | null; hostnames: boolean | null }): VpcInfo {
  const cidrs = (vpc.CidrBlockAssociationSet ?? [])
    .filter((a) => !a.CidrBlockState?.State || a.CidrBlockState.State === 'associated')
    .map((a) => a.CidrBlock)
    .filter((c): c is string => Boolean(c));
  return {
    vpcId: vpc.VpcId ?? '',
    name: nameOf(vpc.Tags),
    cidrs: cidrs.length ? cidrs : vpc.CidrBlock ? [vpc.CidrBlock] : [],
    ipv6Cidrs: (vpc.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6CidrBlock).filter((c): c is string => Boolean(c)),
    isDefault: vpc.IsDefault ?? false,
    state: vpc.State ?? 'unknown',
    dnsSupport: dns.support,
    dnsHostnames: dns.hostnames,
    dhcpOptionsId: vpc.DhcpOptionsId ?? null,
    tags: tagsOf(vpc.Tags),
  };
}

/** Target of a route and its kind. An instance route also names its ENI: the instance wins. */
export function routeTarget(r: Route): { target: string; targetType: string } {
  if (r.GatewayId === 'local') return { target: 'local', targetType: 'local' };
  if (r.NatGatewayId) return { target: r.NatGatewayId, targetType: 'nat' };
  if (r.TransitGatewayId) return { target: r.TransitGatewayId, targetType: 'tgw' };
  if (r.VpcPeeringConnectionId) return { target: r.VpcPeeringConnectionId, targetType: 'pcx' };
  if (r.InstanceId) return { target: r.InstanceId, targetType: 'instance' };
  if (r.GatewayId?.startsWith('igw-')) return { target: r.GatewayId, targetType: 'igw' };
  // Gateway endpoints (S3, DynamoDB) appear as GatewayId vpce-….
  if (r.GatewayId?.startsWith('vpce-')) return { target: r.GatewayId, targetType: 'vpce' };
  if (r.NetworkInterfaceId) return { target: r.NetworkInterfaceId, targetType: 'eni' };
  const other = r.GatewayId ?? r.EgressOnlyInternetGatewayId ?? r.CarrierGatewayId ?? r.LocalGatewayId ?? r.CoreNetworkArn ?? 'unknown';
  return { target: other, targetType: 'other' };
}

export function mapRoute(r: Route): RouteRow {
  return {
    destination: r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? 'unknown',
    ...routeTarget(r),
    state: r.State ?? 'unknown',
  };
}

export function mapRouteTable(t: RouteTable): RouteTableInfo {
  return {
    routeTableId: t.RouteTableId ?? '',
    name: nameOf(t.Tags),
    main: (t.Associations ?? []).some((a) => a.Main),
    subnetIds: (t.Associations ?? []).map((a) => a.SubnetId).filter((s): s is string => Boolean(s)),
    routes: (t.Routes ?? []).map(mapRoute),
  };
}

/** A table is public when it sends the default route to an internet gateway (and the route works). */
export function isPublicTable(t: RouteTable): boolean {
  return (t.Routes ?? []).some(
    (r) => (r.DestinationCidrBlock === '0.0.0.0/0' || r.DestinationIpv6CidrBlock === '::/0') && r.GatewayId?.startsWith('igw-') && r.State !== 'blackhole',
  );
}

/** The table that routes a subnet: its explicit association, else the VPC's main table. */
export function tableForSubnet(subnetId: string, tables: RouteTable[]): RouteTable | undefined {
  return tables.find((t) => (t.Associations ?? []).some((a) => a.SubnetId === subnetId)) ?? tables.find((t) => (t.Associations ?? []).some((a) => a.Main));
}

export function mapSubnet(s: Subnet, tables: RouteTable[]): SubnetRow {
  const table = tableForSubnet(s.SubnetId ?? '', tables);
  return {
    subnetId: s.SubnetId ?? '',
    name: nameOf(s.Tags),
    cidr: s.CidrBlock ?? '',
    availabilityZone: s.AvailabilityZone ?? '',
    public: table ? isPublicTable(table) : false,
    availableIps: s.AvailableIpAddressCount ?? 0,
    routeTableId: table?.RouteTableId ?? null,
    mapPublicIpOnLaunch: s.MapPublicIpOnLaunch ?? false,
    tags: tagsOf(s.Tags),
  };
}

const PROTOCOLS: Record<string, string> = { '-1': 'all', '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

/** "443", "1024-65535" or "all"; for ICMP the type (and code). */
export function portRange(p: IpPermission): string {
  const protocol = PROTOCOLS[p.IpProtocol ?? '-1'] ?? p.IpProtocol ?? 'all';
  const from = p.FromPort;
  const to = p.ToPort;
  if (protocol === 'all' || from === undefined || from === -1) return 'all';
  if (protocol === 'icmp' || protocol === 'icmpv6') return to === undefined || to === -1 ? `type ${from}` : `type ${from} code ${to}`;
  if (from === 0 && to === 65535) return 'all';
  return to === undefined || to === from ? String(from) : `${from}-${to}`;
}

/**
 * One row per distinct description inside a permission: AWS keeps a description per peer, so a
 * rule "443 from 0.0.0.0/0 (HTTPS) and from 10.0.0.0/8 (VPN)" becomes two rows.
 */
export function mapRules(permissions: IpPermission[] | undefined): RuleRow[] {
  const rows: RuleRow[] = [];
  for (const p of permissions ?? []) {
    const protocol = PROTOCOLS[p.IpProtocol ?? '-1'] ?? p.IpProtocol ?? 'all';
    const ports = portRange(p);
    const byDescription = new Map<string | null, string[]>();
    const add = (peer: string | undefined, description: string | undefined) => {
      if (!peer) return;
      const key = description || null;
      byDescription.set(key, [...(byDescription.get(key) ?? []), peer]);
    };
    for (const r of p.IpRanges ?? []) add(r.CidrIp, r.Description);
    for (const r of p.Ipv6Ranges ?? []) add(r.CidrIpv6, r.Description);
    for (const g of p.UserIdGroupPairs ?? []) add(g.GroupId ? (g.VpcPeeringConnectionId ? `${g.UserId}/${g.GroupId}` : g.GroupId) : undefined, g.Description);
    for (const l of p.PrefixListIds ?? []) add(l.PrefixListId, l.Description);
    if (!byDescription.size) rows.push({ protocol, ports, peers: [], description: null });
    for (const [description, peers] of byDescription) rows.push({ protocol, ports, peers, description });
  }
  return rows;
}

export function mapSecurityGroup(g: SecurityGroup): SecurityGroupInfo {
  return {
    groupId: g.GroupId ?? '',
    name: g.GroupName ?? '',
    description: g.Description ?? '',
    inbound: mapRules(g.IpPermissions),
    outbound: mapRules(g.IpPermissionsEgress),
  };
}

/** The name inside a target-group ARN (…:targetgroup/<name>/<id>). */
export function targetGroupName(arn: string | undefined): string {
  return arn?.split(':targetgroup/')[1]?.split('/')[0] ?? arn ?? '?';
}

export function describeAction(a: Action): string {
  switch (a.Type) {
    case 'forward': {
      const groups = a.ForwardConfig?.TargetGroups ?? [];
      if (groups.length > 1) return `forward → ${groups.map((g) => `${targetGroupName(g.TargetGroupArn)} (weight ${g.Weight ?? 1})`).join(', ')}`;
      return `forward → ${targetGroupName(a.TargetGroupArn ?? groups[0]?.TargetGroupArn)}`;
    }
    case 'redirect': {
      const r = a.RedirectConfig;
      const to = `${r?.Protocol ?? '#{protocol}'}://${r?.Host ?? '#{host}'}:${r?.Port ?? '#{port}'}${r?.Path ?? '/#{path}'}`;
      return `redirect ${r?.StatusCode === 'HTTP_301' ? '301' : '302'} → ${to}`;
    }
    case 'fixed-response':
      return `fixed-response ${a.FixedResponseConfig?.StatusCode ?? ''}`.trim();
    default:
      return a.Type ?? 'unknown';
  }
}

export function mapListener(l: Listener): ListenerRow {
  const actions = [...(l.DefaultActions ?? [])].sort((x, y) => (x.Order ?? 0) - (y.Order ?? 0));
  return { port: l.Port ?? null, protocol: l.Protocol ?? null, defaultActions: actions.map(describeAction) };
}

export function mapTarget(t: TargetHealthDescription): TargetRow {
  return {
    id: t.Target?.Id ?? '',
    port: t.Target?.Port ?? null,
    state: t.TargetHealth?.State ?? 'unknown',
    reason: t.TargetHealth?.Reason ?? null,
    description: t.TargetHealth?.Description ?? null,
  };
}

export function mapTargetGroup(g: TargetGroup, targets: TargetHealthDescription[]): TargetGroupInfo {
  return {
    name: g.TargetGroupName ?? '',
    arn: g.TargetGroupArn ?? '',
    protocol: g.Protocol ?? null,
    port: g.Port ?? null,
    targetType: g.TargetType ?? null,
    healthCheckPath: g.HealthCheckPath ?? null,
    targets: targets.map(mapTarget),
  };
}

export function mapLoadBalancer(lb: LoadBalancer, listeners: ListenerRow[], targetGroups: TargetGroupInfo[]): LoadBalancerInfo {
  return {
    name: lb.LoadBalancerName ?? '',
    arn: lb.LoadBalancerArn ?? '',
    dnsName: lb.DNSName ?? '',
    type: lb.Type ?? 'unknown',
    scheme: lb.Scheme ?? 'unknown',
    state: lb.State?.Code ?? 'unknown',
    listeners,
    targetGroups,
  };
}
