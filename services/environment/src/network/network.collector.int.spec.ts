import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsErrors, type Section } from '@eks-info/contracts';
import { MotoServer, type NetworkScenario, buildNetworkScenario, countSdkCalls, slowHttpProxy, waitFor } from '@eks-info/testing';
import { NetworkCollector, type NetworkCollectorOptions, type NetworkTarget, resolveNetworkTarget } from './network.collector';

function data<T>(section: Section<T>): T {
  if (section.status !== 'ok') throw new Error(`section is ${section.status}: ${section.message}`);
  return section.data;
}

describe('NetworkCollector against moto', () => {
  let moto: MotoServer;
  let scenario: NetworkScenario;
  let other: NetworkScenario;
  const clients: Array<{ destroy(): void }> = [];

  const sdk = (endpoint?: string) => {
    const config = { ...moto.clientConfig(), ...(endpoint ? { endpoint } : {}) };
    const ec2 = new EC2Client(config);
    const elbv2 = new ElasticLoadBalancingV2Client(config);
    clients.push(ec2, elbv2);
    return { ec2, elbv2 };
  };
  const collector = (options: Partial<NetworkCollectorOptions> = {}) =>
    new NetworkCollector({ ...sdk(), cacheTtlMs: 300_000, sectionDeadlineMs: 10_000, ...options });
  const target = (): NetworkTarget => ({ vpcId: scenario.vpcId, region: moto.region, vpcSource: 'imds' });

  beforeAll(async () => {
    moto = await MotoServer.start();
    const setup = sdk();
    scenario = await buildNetworkScenario(setup, { region: moto.region, name: 'demo', cidr: '10.20.0.0/16' });
    // A second VPC with its own ALB: nothing of it may appear in the first VPC's view.
    other = await buildNetworkScenario(setup, { region: moto.region, name: 'other', cidr: '10.30.0.0/16' });
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await moto?.stop();
  });

  it('maps the VPC, subnets, security groups, route tables and load balancers of the scenario', async () => {
    const view = await collector().view(target());
    expect(view).toMatchObject({ region: 'eu-west-1', vpcId: scenario.vpcId, vpcSource: 'imds', cacheTtlSeconds: 300 });
    expect(new Date(view.fetchedAt!).getTime()).toBeLessThanOrEqual(Date.now());

    expect(data(view.vpc)).toMatchObject({
      vpcId: scenario.vpcId,
      name: 'demo-vpc',
      cidrs: ['10.20.0.0/16'],
      isDefault: false,
      dnsSupport: true,
      dnsHostnames: true,
      tags: { Name: 'demo-vpc', team: 'platform' },
    });

    const subnets = data(view.subnets);
    const byId = Object.fromEntries(subnets.map((s) => [s.subnetId, s]));
    expect(subnets).toHaveLength(4);
    const mainTable = data(view.routeTables).find((t) => t.main)!;
    for (const id of scenario.publicSubnetIds)
      expect(byId[id]).toMatchObject({ public: true, routeTableId: scenario.publicRouteTableId, mapPublicIpOnLaunch: true });
    expect(byId[scenario.privateSubnetIds[0]]).toMatchObject({ public: false, routeTableId: scenario.privateRouteTableId, name: 'demo-private-a' });
    // No explicit association: the main table decides, and it has no internet route.
    expect(byId[scenario.privateSubnetIds[1]]).toMatchObject({ public: false, routeTableId: mainTable.routeTableId, availabilityZone: 'eu-west-1b' });
    expect(byId[scenario.publicSubnetIds[0]]).toMatchObject({ cidr: '10.20.0.0/24', availabilityZone: 'eu-west-1a', name: 'demo-public-a' });

    const tables = Object.fromEntries(data(view.routeTables).map((t) => [t.routeTableId, t]));
    expect(tables[scenario.publicRouteTableId]).toMatchObject({
      name: 'demo-public',
      main: false,
      subnetIds: expect.arrayContaining(scenario.publicSubnetIds),
      routes: expect.arrayContaining([
        { destination: '10.20.0.0/16', target: 'local', targetType: 'local', state: 'active' },
        { destination: '0.0.0.0/0', target: scenario.internetGatewayId, targetType: 'igw', state: 'active' },
      ]),
    });
    expect(tables[scenario.privateRouteTableId].routes).toContainEqual({
      destination: '0.0.0.0/0',
      target: scenario.natGatewayId,
      targetType: 'nat',
      state: 'active',
    });
    expect(tables[scenario.privateRouteTableId].subnetIds).toEqual([scenario.privateSubnetIds[0]]);
    expect(mainTable.subnetIds).toEqual([]);

    const groups = Object.fromEntries(data(view.securityGroups).map((g) => [g.groupId, g]));
    expect(
      Object.values(groups)
        .map((g) => g.name)
        .sort(),
    ).toEqual(['default', 'demo-alb', 'demo-app']);
    expect(groups[scenario.albSecurityGroupId].inbound).toEqual([
      { protocol: 'tcp', ports: '443', peers: ['0.0.0.0/0', '::/0'], description: 'HTTPS' },
      { protocol: 'tcp', ports: '80', peers: [scenario.prefixListId], description: null },
    ]);
    expect(groups[scenario.albSecurityGroupId].outbound).toEqual(
      expect.arrayContaining([
        { protocol: 'all', ports: 'all', peers: ['0.0.0.0/0'], description: null },
        { protocol: 'tcp', ports: '8080', peers: [scenario.appSecurityGroupId], description: null },
      ]),
    );
    expect(groups[scenario.appSecurityGroupId].inbound).toEqual([
      { protocol: 'tcp', ports: '8080', peers: [scenario.albSecurityGroupId], description: 'from the ALB' },
      { protocol: 'tcp', ports: '1024-65535', peers: ['10.20.0.0/16'], description: null },
      { protocol: 'udp', ports: '53', peers: ['10.20.0.0/16'], description: 'DNS' },
    ]);

    const lbs = data(view.loadBalancers);
    expect(lbs.map((lb) => lb.name)).toEqual(['demo-alb']); // not other-alb
    const [lb] = lbs;
    expect(lb).toMatchObject({ arn: scenario.loadBalancerArn, dnsName: scenario.loadBalancerDns, type: 'application', scheme: 'internet-facing' });
    expect(['active', 'provisioning']).toContain(lb.state);
    expect(lb.listeners.sort((a, b) => (a.port ?? 0) - (b.port ?? 0))).toEqual([
      { port: 80, protocol: 'HTTP', defaultActions: ['forward → demo-web'] },
      { port: 8081, protocol: 'HTTP', defaultActions: ['fixed-response 404'] },
    ]);
    expect(lb.targetGroups).toHaveLength(1);
    const [tg] = lb.targetGroups;
    expect(tg).toMatchObject({
      name: 'demo-web',
      arn: scenario.targetGroupArn,
      protocol: 'HTTP',
      port: 8080,
      targetType: 'instance',
      healthCheckPath: '/health',
    });
    expect(tg.targets.sort((a, b) => a.state.localeCompare(b.state))).toEqual([
      { id: scenario.instanceIds.running, port: 8080, state: 'healthy', reason: null, description: null },
      { id: scenario.instanceIds.stopped, port: 8080, state: 'unused', reason: 'Target.InvalidState', description: expect.stringContaining('stopped') },
    ]);
    expect(other.vpcId).not.toBe(scenario.vpcId);
  });

  it('single-flight and cache: 20 concurrent views make one call per describe; refresh() makes them call again', async () => {
    const { ec2, elbv2 } = sdk();
    const ec2Calls = countSdkCalls(ec2);
    const elbCalls = countSdkCalls(elbv2);
    const network = new NetworkCollector({ ec2, elbv2, cacheTtlMs: 300_000, sectionDeadlineMs: 10_000 });

    const views = await Promise.all(Array.from({ length: 20 }, () => network.view(target())));
    for (const v of views) expect(v).toEqual(views[0]);
    const once = {
      DescribeVpcsCommand: 1,
      DescribeVpcAttributeCommand: 2, // DNS support and DNS hostnames
      DescribeSubnetsCommand: 1,
      DescribeRouteTablesCommand: 1, // shared by the subnets and route-table sections
      DescribeSecurityGroupsCommand: 1,
    };
    const onceElb = { DescribeLoadBalancersCommand: 1, DescribeListenersCommand: 1, DescribeTargetGroupsCommand: 1, DescribeTargetHealthCommand: 1 };
    expect(Object.fromEntries(ec2Calls)).toEqual(once);
    expect(Object.fromEntries(elbCalls)).toEqual(onceElb);

    await network.view(target());
    expect(Object.fromEntries(ec2Calls)).toEqual(once); // within the TTL: no call at all
    expect(Object.fromEntries(elbCalls)).toEqual(onceElb);

    expect(network.refresh()).toBe(10);
    await network.view(target());
    expect(ec2Calls.get('DescribeVpcsCommand')).toBe(2);
    expect(ec2Calls.get('DescribeRouteTablesCommand')).toBe(2);
    expect(elbCalls.get('DescribeLoadBalancersCommand')).toBe(2);
    expect(elbCalls.get('DescribeTargetHealthCommand')).toBe(2);
  });

  it('a slow AWS answer turns into AWS.TIMEOUT after the section deadline, and fills the cache when it arrives', async () => {
    const proxy = await slowHttpProxy(moto.endpoint, 1200);
    try {
      const ec2 = sdk().ec2;
      const elbv2 = sdk(proxy.endpoint).elbv2;
      const elbCalls = countSdkCalls(elbv2);
      const network = new NetworkCollector({ ec2, elbv2, cacheTtlMs: 300_000, sectionDeadlineMs: 300 });

      const started = Date.now();
      const first = await network.view(target());
      const took = Date.now() - started;
      expect(first.loadBalancers).toMatchObject({ status: 'error', code: AwsErrors.TIMEOUT.code });
      expect(first.loadBalancers.status === 'error' && first.loadBalancers.message).toContain('within 300 ms');
      expect(took).toBeLessThan(1000);
      expect(first.vpc.status).toBe('ok'); // only the slow part is affected

      // The describe calls carry on behind the deadline. Later views join them (single-flight)
      // and, once they are done, read the result from the cache: DescribeLoadBalancers stays at 1.
      await waitFor(async () => (await network.view(target())).loadBalancers.status === 'ok', { timeoutMs: 15_000, intervalMs: 250, what: 'the late answer' });
      const second = await network.view(target());
      expect(data(second.loadBalancers).map((lb) => lb.name)).toEqual(['demo-alb']);
      expect(elbCalls.get('DescribeLoadBalancersCommand')).toBe(1);
      expect(elbCalls.get('DescribeTargetHealthCommand')).toBe(1);
    } finally {
      await proxy.close();
    }
  }, 20_000);

  it('without a VPC id every section is unavailable with the reason', async () => {
    const view = await collector().view({ vpcId: null, region: null, vpcSource: null });
    for (const section of [view.vpc, view.subnets, view.securityGroups, view.routeTables, view.loadBalancers]) {
      expect(section).toMatchObject({
        status: 'unavailable',
        code: AwsErrors.NOT_CONFIGURED.code,
        message: 'No VPC: not running on EC2 and VPC_ID is not set',
      });
    }
    expect(view.fetchedAt).toBeNull();
  });

  it("an unknown VPC id fails the VPC section with AWS's code", async () => {
    const view = await collector().view({ vpcId: 'vpc-0123456789abcdef0', region: moto.region, vpcSource: 'config' });
    expect(view.vpc).toMatchObject({ status: 'error', code: AwsErrors.ERROR.code });
    expect(view.vpc.status === 'error' && view.vpc.message).toContain('InvalidVpcID.NotFound');
    expect(data(view.subnets)).toEqual([]);
  });
});

describe('resolveNetworkTarget', () => {
  const imds = (vpcId: string | null, region: string | null) => ({ vpcId: async () => vpcId, region: async () => region });

  it('prefers VPC_ID and AWS_REGION, else IMDS, else nothing', async () => {
    expect(await resolveNetworkTarget({ vpcIdOverride: 'vpc-1', regionOverride: 'eu-west-1', imds: imds('vpc-2', 'us-east-1') })).toEqual({
      vpcId: 'vpc-1',
      region: 'eu-west-1',
      vpcSource: 'config',
    });
    expect(await resolveNetworkTarget({ imds: imds('vpc-2', 'us-east-1') })).toEqual({ vpcId: 'vpc-2', region: 'us-east-1', vpcSource: 'imds' });
    expect(await resolveNetworkTarget({ imds: imds(null, null) })).toEqual({ vpcId: null, region: null, vpcSource: null });
  });
});
