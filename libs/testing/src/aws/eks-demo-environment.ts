import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AttachVolumeCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  CreateVpcCommand,
  type EC2Client,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  RunInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { CreateAccessPointCommand, CreateFileSystemCommand, CreateMountTargetCommand, type EFSClient } from '@aws-sdk/client-efs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  type ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/**
 * The AWS side of `npm run demo`, seeded into moto: the VPC an EKS cluster of three managed
 * nodes lives in, as `eksctl` or the EKS Terraform module lays it out — a public and a private
 * subnet in each of three zones (tagged for the AWS Load Balancer Controller), an internet
 * gateway, a NAT gateway per zone with the private route tables pointing at it, the cluster,
 * node and ALB security groups; the three node instances at the nodes' addresses; the EBS
 * volumes behind the chart's claims, attached to the node their pods run on; the EFS file
 * system with a mount target per zone and the chart's access point; the internet-facing ALB of
 * the gateway Ingress (IP targets: the gateway pods) and the NLB of another team's Service.
 */
export interface EksDemoOptions {
  region: string;
  clusterName: string;
  /** The cluster's nodes: their addresses in the private subnets (10.0.16.0/20, 10.0.32.0/20, 10.0.48.0/20 for zones a, b, c). */
  nodes: Array<{ ip: string; zone: string }>;
  /** Index in `nodes` of the node the storage and scaling-monitor pods run on (their EBS volumes attach there). */
  volumeNode: number;
  /** Pod IPs of the gateway (the ALB's IP targets). */
  gatewayIps: string[];
}

export interface EksDemoEnvironment {
  vpcId: string;
  vpcCidr: string;
  publicSubnetIds: string[];
  privateSubnetIds: string[];
  natGatewayIds: string[];
  clusterSecurityGroupId: string;
  nodeSecurityGroupId: string;
  albSecurityGroupId: string;
  instanceIds: string[];
  ebsVolumeIds: { storage: string; history: string };
  efs: { fileSystemId: string; accessPointId: string };
  loadBalancerDns: string;
  networkLoadBalancerDns: string;
}

function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`EKS demo: ${what} missing from the AWS answer`);
  return value;
}

const VPC_CIDR = '10.0.0.0/16';
const PUBLIC = ['10.0.0.0/22', '10.0.4.0/22', '10.0.8.0/22'];
const PRIVATE = ['10.0.16.0/20', '10.0.32.0/20', '10.0.48.0/20'];

export async function seedEksDemo(
  clients: { ec2: EC2Client; elbv2: ElasticLoadBalancingV2Client; efs: EFSClient },
  o: EksDemoOptions,
): Promise<EksDemoEnvironment> {
  const { ec2, elbv2, efs } = clients;
  const name = o.clusterName;
  const clusterTag = { Key: `kubernetes.io/cluster/${name}`, Value: 'shared' };
  const tags = async (id: string, list: Tag[]) => void (await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: list })));
  const zones = o.nodes.map((n) => n.zone);

  const vpcId = must((await ec2.send(new CreateVpcCommand({ CidrBlock: VPC_CIDR }))).Vpc?.VpcId, 'VpcId');
  await tags(vpcId, [{ Key: 'Name', Value: `eksctl-${name}-cluster/VPC` }, clusterTag, { Key: 'alpha.eksctl.io/cluster-name', Value: name }]);
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: true } }));
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));

  const subnet = async (cidr: string, az: string, kind: 'Public' | 'Private') => {
    const id = must((await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az }))).Subnet?.SubnetId, 'SubnetId');
    const zone = az.slice(-1).toUpperCase();
    await tags(id, [
      { Key: 'Name', Value: `eksctl-${name}-cluster/Subnet${kind}${az.replace(/-/g, '').toUpperCase().slice(-3, -1)}${zone}` },
      clusterTag,
      kind === 'Public' ? { Key: 'kubernetes.io/role/elb', Value: '1' } : { Key: 'kubernetes.io/role/internal-elb', Value: '1' },
    ]);
    if (kind === 'Public') await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: id, MapPublicIpOnLaunch: { Value: true } }));
    return id;
  };
  const publicSubnetIds: string[] = [];
  const privateSubnetIds: string[] = [];
  for (const [i, az] of zones.entries()) publicSubnetIds.push(await subnet(PUBLIC[i], az, 'Public'));
  for (const [i, az] of zones.entries()) privateSubnetIds.push(await subnet(PRIVATE[i], az, 'Private'));

  const igw = must((await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId, 'InternetGatewayId');
  await tags(igw, [{ Key: 'Name', Value: `eksctl-${name}-cluster/InternetGateway` }]);
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpcId }));
  const publicRt = must((await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId, 'RouteTableId');
  await tags(publicRt, [{ Key: 'Name', Value: `eksctl-${name}-cluster/PublicRouteTable` }]);
  await ec2.send(new CreateRouteCommand({ RouteTableId: publicRt, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
  for (const id of publicSubnetIds) await ec2.send(new AssociateRouteTableCommand({ RouteTableId: publicRt, SubnetId: id }));

  // One NAT gateway per zone, so a zone outage leaves the other zones' egress alone.
  const natGatewayIds: string[] = [];
  for (const [i, az] of zones.entries()) {
    const eip = must((await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId, 'AllocationId');
    const nat = must(
      (await ec2.send(new CreateNatGatewayCommand({ SubnetId: publicSubnetIds[i], AllocationId: eip }))).NatGateway?.NatGatewayId,
      'NatGatewayId',
    );
    await tags(nat, [{ Key: 'Name', Value: `eksctl-${name}-cluster/NATGateway${az.slice(-1).toUpperCase()}` }]);
    natGatewayIds.push(nat);
    const rt = must((await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId, 'RouteTableId');
    await tags(rt, [{ Key: 'Name', Value: `eksctl-${name}-cluster/PrivateRouteTable${az.slice(-1).toUpperCase()}` }]);
    await ec2.send(new CreateRouteCommand({ RouteTableId: rt, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat }));
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: rt, SubnetId: privateSubnetIds[i] }));
  }

  const group = async (groupName: string, description: string, extraTags: Tag[] = []) => {
    const id = must((await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: groupName, Description: description }))).GroupId, 'GroupId');
    await tags(id, [{ Key: 'Name', Value: groupName }, ...extraTags]);
    return id;
  };
  const clusterSg = await group(
    `eks-cluster-sg-${name}`,
    'EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.',
    [{ Key: `kubernetes.io/cluster/${name}`, Value: 'owned' }],
  );
  const nodeSg = await group(`eksctl-${name}-nodegroup-default`, 'Communication between all nodes in the cluster');
  const albSg = await group(`k8s-${RELEASE_SHORT}-gateway`, '[k8s] Managed SecurityGroup for LoadBalancer');
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: clusterSg,
      IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: clusterSg, Description: 'control plane and managed nodes' }] }],
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: nodeSg,
      IpPermissions: [
        {
          IpProtocol: '-1',
          UserIdGroupPairs: [
            { GroupId: nodeSg, Description: 'node to node' },
            { GroupId: clusterSg, Description: 'from the control plane' },
          ],
        },
        { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, UserIdGroupPairs: [{ GroupId: albSg, Description: 'gateway pods from the ALB' }] },
        { IpProtocol: 'tcp', FromPort: 30000, ToPort: 32767, IpRanges: [{ CidrIp: VPC_CIDR, Description: 'NodePorts from the NLB' }] },
      ],
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: albSg,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'HTTP' }] },
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'HTTPS' }] },
      ],
    }),
  );

  const instanceIds: string[] = [];
  for (const [i, node] of o.nodes.entries()) {
    const id = must(
      (
        await ec2.send(
          new RunInstancesCommand({
            ImageId: 'ami-0a1b2c3d4e5f67890',
            InstanceType: 'm7g.large',
            MinCount: 1,
            MaxCount: 1,
            SubnetId: privateSubnetIds[i],
            PrivateIpAddress: node.ip,
            SecurityGroupIds: [clusterSg, nodeSg],
            MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
            TagSpecifications: [
              {
                ResourceType: 'instance',
                Tags: [
                  { Key: 'Name', Value: `${name}-default-Node` },
                  { Key: 'eks:cluster-name', Value: name },
                  { Key: 'eks:nodegroup-name', Value: 'default' },
                  { Key: `kubernetes.io/cluster/${name}`, Value: 'owned' },
                ],
              },
            ],
          }),
        )
      ).Instances?.[0]?.InstanceId,
      'InstanceId',
    );
    instanceIds.push(id);
  }

  const volume = async (sizeGiB: number, claim: string, device: string) => {
    const id = must(
      (
        await ec2.send(
          new CreateVolumeCommand({
            AvailabilityZone: zones[o.volumeNode],
            Size: sizeGiB,
            VolumeType: 'gp3',
            Iops: 3000,
            Throughput: 125,
            Encrypted: true,
            TagSpecifications: [
              {
                ResourceType: 'volume',
                Tags: [
                  { Key: 'kubernetes.io/created-for/pvc/name', Value: claim },
                  { Key: 'kubernetes.io/created-for/pvc/namespace', Value: 'demo' },
                  { Key: 'ebs.csi.aws.com/cluster', Value: 'true' },
                  { Key: `kubernetes.io/cluster/${name}`, Value: 'owned' },
                ],
              },
            ],
          }),
        )
      ).VolumeId,
      'VolumeId',
    );
    await ec2.send(new AttachVolumeCommand({ VolumeId: id, InstanceId: instanceIds[o.volumeNode], Device: device }));
    return id;
  };
  const ebsVolumeIds = {
    storage: await volume(10, 'data-eks-info-storage-0', '/dev/xvdaa'),
    history: await volume(5, 'eks-info-scaling-monitor', '/dev/xvdab'),
  };

  const fileSystemId = must(
    (
      await efs.send(
        new CreateFileSystemCommand({
          CreationToken: `${name}-eks-info`,
          Encrypted: true,
          PerformanceMode: 'generalPurpose',
          ThroughputMode: 'elastic',
          Tags: [{ Key: 'Name', Value: `${name}-eks-info` }],
        }),
      )
    ).FileSystemId,
    'FileSystemId',
  );
  for (const id of privateSubnetIds) await efs.send(new CreateMountTargetCommand({ FileSystemId: fileSystemId, SubnetId: id, SecurityGroups: [nodeSg] }));
  const accessPointId = must(
    (
      await efs.send(
        new CreateAccessPointCommand({
          FileSystemId: fileSystemId,
          ClientToken: `${name}-eks-info-shared`,
          PosixUser: { Uid: 10001, Gid: 10001 },
          RootDirectory: { Path: '/eks-info', CreationInfo: { OwnerUid: 10001, OwnerGid: 10001, Permissions: '0750' } },
          Tags: [{ Key: 'Name', Value: 'eks-info-shared' }],
        }),
      )
    ).AccessPointId,
    'AccessPointId',
  );

  // The gateway Ingress: the AWS Load Balancer Controller's ALB with IP targets (the gateway pods).
  const alb = must(
    (
      await elbv2.send(
        new CreateLoadBalancerCommand({
          Name: `k8s-demo-eksinfo-${RELEASE_SHORT}`,
          Type: 'application',
          Scheme: 'internet-facing',
          Subnets: publicSubnetIds,
          SecurityGroups: [albSg],
          Tags: [
            { Key: 'elbv2.k8s.aws/cluster', Value: name },
            { Key: 'ingress.k8s.aws/stack', Value: 'demo/eks-info-gateway' },
          ],
        }),
      )
    ).LoadBalancers?.[0],
    'LoadBalancer',
  );
  const tg = must(
    (
      await elbv2.send(
        new CreateTargetGroupCommand({
          Name: 'k8s-demo-eksinfog-0a1b2c3d4e',
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: vpcId,
          TargetType: 'ip',
          HealthCheckPath: '/health',
          Matcher: { HttpCode: '200' },
        }),
      )
    ).TargetGroups?.[0]?.TargetGroupArn,
    'TargetGroupArn',
  );
  await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: o.gatewayIps.map((Id) => ({ Id, Port: 8080 })) }));
  await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: must(alb.LoadBalancerArn, 'ALB arn'),
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }],
    }),
  );

  // Another team's Service of type LoadBalancer: an NLB to a NodePort on every node.
  const nlb = must(
    (await elbv2.send(new CreateLoadBalancerCommand({ Name: 'k8s-shop-web-5f6e7d8c9b', Type: 'network', Scheme: 'internet-facing', Subnets: publicSubnetIds })))
      .LoadBalancers?.[0],
    'NLB',
  );
  const nodePorts = must(
    (await elbv2.send(new CreateTargetGroupCommand({ Name: 'k8s-shop-web-31380', Protocol: 'TCP', Port: 31380, VpcId: vpcId, TargetType: 'instance' })))
      .TargetGroups?.[0]?.TargetGroupArn,
    'NLB target group',
  );
  await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: nodePorts, Targets: instanceIds.map((Id) => ({ Id, Port: 31380 })) }));
  await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: must(nlb.LoadBalancerArn, 'NLB arn'),
      Protocol: 'TCP',
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: nodePorts }],
    }),
  );

  return {
    vpcId,
    vpcCidr: VPC_CIDR,
    publicSubnetIds,
    privateSubnetIds,
    natGatewayIds,
    clusterSecurityGroupId: clusterSg,
    nodeSecurityGroupId: nodeSg,
    albSecurityGroupId: albSg,
    instanceIds,
    ebsVolumeIds,
    efs: { fileSystemId, accessPointId },
    loadBalancerDns: must(alb.DNSName, 'ALB DNSName'),
    networkLoadBalancerDns: must(nlb.DNSName, 'NLB DNSName'),
  };
}

const RELEASE_SHORT = 'eksinfo';
