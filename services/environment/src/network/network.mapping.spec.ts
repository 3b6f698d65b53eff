import type { RouteTable } from '@aws-sdk/client-ec2';
import { describeAction, isPublicTable, mapRules, mapSubnet, portRange, routeTarget, tableForSubnet } from './network.mapping';

describe('network mapping', () => {
  it.each([
    [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }, '443'],
    [{ IpProtocol: 'tcp', FromPort: 1024, ToPort: 65535 }, '1024-65535'],
    [{ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535 }, 'all'],
    [{ IpProtocol: '-1' }, 'all'],
    [{ IpProtocol: 'icmp', FromPort: -1, ToPort: -1 }, 'all'],
    [{ IpProtocol: 'icmp', FromPort: 8, ToPort: -1 }, 'type 8'],
    [{ IpProtocol: '17', FromPort: 53, ToPort: 53 }, '53'],
  ])('ports of %j are %s', (permission, expected) => {
    expect(portRange(permission)).toBe(expected);
  });

  it('groups peers of a rule by description and names protocols', () => {
    const rows = mapRules([
      {
        IpProtocol: '6',
        FromPort: 443,
        ToPort: 443,
        IpRanges: [
          { CidrIp: '0.0.0.0/0', Description: 'web' },
          { CidrIp: '10.0.0.0/8', Description: 'vpn' },
        ],
        Ipv6Ranges: [{ CidrIpv6: '::/0', Description: 'web' }],
        UserIdGroupPairs: [{ GroupId: 'sg-1' }],
        PrefixListIds: [{ PrefixListId: 'pl-1' }],
      },
      { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ]);
    expect(rows).toEqual([
      { protocol: 'tcp', ports: '443', peers: ['0.0.0.0/0', '::/0'], description: 'web' },
      { protocol: 'tcp', ports: '443', peers: ['10.0.0.0/8'], description: 'vpn' },
      { protocol: 'tcp', ports: '443', peers: ['sg-1', 'pl-1'], description: null },
      { protocol: 'all', ports: 'all', peers: ['0.0.0.0/0'], description: null },
    ]);
  });

  it.each([
    [{ GatewayId: 'local' }, 'local'],
    [{ GatewayId: 'igw-1' }, 'igw'],
    [{ NatGatewayId: 'nat-1' }, 'nat'],
    [{ TransitGatewayId: 'tgw-1' }, 'tgw'],
    [{ VpcPeeringConnectionId: 'pcx-1' }, 'pcx'],
    [{ GatewayId: 'vpce-1' }, 'vpce'],
    [{ NetworkInterfaceId: 'eni-1' }, 'eni'],
    [{ InstanceId: 'i-1', NetworkInterfaceId: 'eni-1' }, 'instance'],
    [{ GatewayId: 'vgw-1' }, 'other'],
  ])('route target %j is of type %s', (route, type) => {
    expect(routeTarget(route).targetType).toBe(type);
  });

  it('public means 0.0.0.0/0 to an igw-*, not a NAT and not a blackhole; unassociated subnets use the main table', () => {
    const main: RouteTable = {
      RouteTableId: 'rtb-main',
      Associations: [{ Main: true }],
      Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1' }],
    };
    const pub: RouteTable = {
      RouteTableId: 'rtb-pub',
      Associations: [{ SubnetId: 'subnet-pub' }],
      Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'active' }],
    };
    const dead: RouteTable = {
      RouteTableId: 'rtb-dead',
      Associations: [{ SubnetId: 'subnet-dead' }],
      Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'blackhole' }],
    };
    const tables = [main, pub, dead];
    expect(isPublicTable(pub)).toBe(true);
    expect(isPublicTable(main)).toBe(false);
    expect(isPublicTable(dead)).toBe(false);
    expect(tableForSubnet('subnet-other', tables)?.RouteTableId).toBe('rtb-main');
    expect(mapSubnet({ SubnetId: 'subnet-pub', CidrBlock: '10.0.0.0/24' }, tables)).toMatchObject({ public: true, routeTableId: 'rtb-pub' });
    expect(mapSubnet({ SubnetId: 'subnet-other', CidrBlock: '10.0.1.0/24' }, tables)).toMatchObject({ public: false, routeTableId: 'rtb-main' });
  });

  it('describes listener actions', () => {
    const arn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/abc';
    expect(describeAction({ Type: 'forward', TargetGroupArn: arn })).toBe('forward → web');
    expect(
      describeAction({
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: arn, Weight: 80 },
            { TargetGroupArn: arn.replace('/web/', '/canary/'), Weight: 20 },
          ],
        },
      }),
    ).toBe('forward → web (weight 80), canary (weight 20)');
    expect(describeAction({ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } })).toBe(
      'redirect 301 → HTTPS://#{host}:443/#{path}',
    );
    expect(describeAction({ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } })).toBe('fixed-response 404');
  });
});
