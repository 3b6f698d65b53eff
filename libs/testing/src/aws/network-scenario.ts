import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateManagedPrefixListCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  type EC2Client,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';

export interface NetworkScenarioOptions {
  region: string;
  /** Prefix of names and tags, so several scenarios can share one moto server. */
  name?: string;
  /** A /16; subnets are carved as x.y.0.0/24, x.y.1.0/24 (public) and x.y.10.0/24, x.y.11.0/24 (private). */
  cidr?: string;
}

/** The ids of what {@link buildNetworkScenario} created. */
export interface NetworkScenario {
  region: string;
  name: string;
  vpcId: string;
  vpcCidr: string;
  azs: [string, string];
  publicSubnetIds: [string, string];
  privateSubnetIds: [string, string];
  subnetCidrs: Record<string, string>;
  internetGatewayId: string;
  natGatewayId: string;
  publicRouteTableId: string;
  privateRouteTableId: string;
  prefixListId: string;
  albSecurityGroupId: string;
  appSecurityGroupId: string;
  instanceIds: { running: string; stopped: string };
  loadBalancerArn: string;
  loadBalancerName: string;
  loadBalancerDns: string;
  targetGroupArn: string;
  targetGroupName: string;
}

function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`scenario: ${what} missing from the AWS answer`);
  return value;
}

/**
 * A typical EKS VPC: public subnets (route 0.0.0.0/0 → internet gateway) and private subnets
 * (0.0.0.0/0 → NAT gateway) in two AZs; an ALB security group open on 443 to the world and on 80
 * to a prefix list; an app security group open to the ALB's group and to the VPC on 1024-65535;
 * an internet-facing ALB with an HTTP listener forwarding to a target group with two instances,
 * one running (healthy) and one stopped (unused).
 */
export async function buildNetworkScenario(
  clients: { ec2: EC2Client; elbv2: ElasticLoadBalancingV2Client },
  options: NetworkScenarioOptions,
): Promise<NetworkScenario> {
  const { ec2, elbv2 } = clients;
  const name = options.name ?? 'demo';
  const vpcCidr = options.cidr ?? '10.20.0.0/16';
  const prefix = vpcCidr.split('.').slice(0, 2).join('.');
  const azs: [string, string] = [`${options.region}a`, `${options.region}b`];
  const tag = (value: string) => [{ Key: 'Name', Value: value }];

  const vpc = must((await ec2.send(new CreateVpcCommand({ CidrBlock: vpcCidr }))).Vpc, 'Vpc');
  const vpcId = must(vpc.VpcId, 'VpcId');
  await ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [...tag(`${name}-vpc`), { Key: 'team', Value: 'platform' }] }));
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: true } }));

  const subnetCidrs: Record<string, string> = {};
  const subnet = async (cidr: string, az: string, label: string) => {
    const s = must((await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az }))).Subnet, 'Subnet');
    const id = must(s.SubnetId, 'SubnetId');
    await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: tag(`${name}-${label}`) }));
    subnetCidrs[id] = cidr;
    return id;
  };
  const publicSubnetIds: [string, string] = [await subnet(`${prefix}.0.0/24`, azs[0], 'public-a'), await subnet(`${prefix}.1.0/24`, azs[1], 'public-b')];
  const privateSubnetIds: [string, string] = [await subnet(`${prefix}.10.0/24`, azs[0], 'private-a'), await subnet(`${prefix}.11.0/24`, azs[1], 'private-b')];
  for (const id of publicSubnetIds) await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: id, MapPublicIpOnLaunch: { Value: true } }));

  const igw = must((await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId, 'InternetGatewayId');
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const publicRt = must((await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId, 'RouteTableId');
  await ec2.send(new CreateTagsCommand({ Resources: [publicRt], Tags: tag(`${name}-public`) }));
  await ec2.send(new CreateRouteCommand({ RouteTableId: publicRt, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
  for (const id of publicSubnetIds) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: publicRt, SubnetId: id }));

  const allocation = must((await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId, 'AllocationId');
  const nat = must(
    (await ec2.send(new CreateNatGatewayCommand({ SubnetId: publicSubnetIds[0], AllocationId: allocation }))).NatGateway?.NatGatewayId,
    'NatGatewayId',
  );
  const privateRt = must((await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId, 'RouteTableId');
  await ec2.send(new CreateTagsCommand({ Resources: [privateRt], Tags: tag(`${name}-private`) }));
  await ec2.send(new CreateRouteCommand({ RouteTableId: privateRt, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat }));
  // The first private subnet is associated explicitly; the second falls back to the main table.
  await ec2.send(new AssociateRouteTableCommand({ RouteTableId: privateRt, SubnetId: privateSubnetIds[0] }));

  const prefixListId = must(
    (
      await ec2.send(
        new CreateManagedPrefixListCommand({ PrefixListName: `${name}-office`, AddressFamily: 'IPv4', MaxEntries: 5, Entries: [{ Cidr: '198.51.100.0/24' }] }),
      )
    ).PrefixList?.PrefixListId,
    'PrefixListId',
  );
  const albSg = must(
    (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: `${name}-alb`, Description: 'ALB: HTTPS from anywhere' }))).GroupId,
    'GroupId',
  );
  const appSg = must((await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: `${name}-app`, Description: 'App nodes' }))).GroupId, 'GroupId');
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: albSg,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'HTTPS' }],
          Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'HTTPS' }],
        },
        { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, PrefixListIds: [{ PrefixListId: prefixListId }] },
      ],
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: appSg,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: albSg, Description: 'from the ALB' }] },
        { IpProtocol: 'tcp', FromPort: 1024, ToPort: 65535, IpRanges: [{ CidrIp: vpcCidr }] },
        { IpProtocol: 'udp', FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: vpcCidr, Description: 'DNS' }] },
      ],
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupEgressCommand({
      GroupId: albSg,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: appSg }] }],
    }),
  );

  const instances = must(
    (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: 'ami-0123456789abcdef0',
          InstanceType: 't4g.small',
          MinCount: 2,
          MaxCount: 2,
          SubnetId: privateSubnetIds[0],
          SecurityGroupIds: [appSg],
        }),
      )
    ).Instances,
    'Instances',
  ).map((i) => must(i.InstanceId, 'InstanceId'));

  const lbName = `${name}-alb`;
  const lb = must(
    (
      await elbv2.send(
        new CreateLoadBalancerCommand({ Name: lbName, Type: 'application', Scheme: 'internet-facing', Subnets: publicSubnetIds, SecurityGroups: [albSg] }),
      )
    ).LoadBalancers?.[0],
    'LoadBalancer',
  );
  const tgName = `${name}-web`;
  const tg = must(
    (
      await elbv2.send(
        new CreateTargetGroupCommand({ Name: tgName, Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'instance', HealthCheckPath: '/health' }),
      )
    ).TargetGroups?.[0],
    'TargetGroup',
  );
  const tgArn = must(tg.TargetGroupArn, 'TargetGroupArn');
  const lbArn = must(lb.LoadBalancerArn, 'LoadBalancerArn');
  await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: instances.map((Id) => ({ Id, Port: 8080 })) }));
  // Targets must be running to register; stopping one afterwards makes its health "unused".
  await ec2.send(new StopInstancesCommand({ InstanceIds: [instances[1]] }));
  await elbv2.send(
    new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }),
  );
  await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: lbArn,
      Protocol: 'HTTP',
      Port: 8081,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } }],
    }),
  );

  return {
    region: options.region,
    name,
    vpcId,
    vpcCidr,
    azs,
    publicSubnetIds,
    privateSubnetIds,
    subnetCidrs,
    internetGatewayId: igw,
    natGatewayId: nat,
    publicRouteTableId: publicRt,
    privateRouteTableId: privateRt,
    prefixListId,
    albSecurityGroupId: albSg,
    appSecurityGroupId: appSg,
    instanceIds: { running: instances[0], stopped: instances[1] },
    loadBalancerArn: lbArn,
    loadBalancerName: lbName,
    loadBalancerDns: must(lb.DNSName, 'DNSName'),
    targetGroupArn: tgArn,
    targetGroupName: tgName,
  };
}
