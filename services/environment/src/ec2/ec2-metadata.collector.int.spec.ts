import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ImdsClient } from '@eks-info/aws';
import { ImdsErrors, type Section } from '@eks-info/contracts';
import { MetadataMock, MotoServer, type NetworkScenario, buildNetworkScenario, countSdkCalls, freePort, slowHttpProxy, waitFor } from '@eks-info/testing';
import { Ec2MetadataCollector } from './ec2-metadata.collector';

function data<T>(section: Section<T>): T {
  if (section.status !== 'ok') throw new Error(`section is ${section.status}: ${section.message}`);
  return section.data;
}

describe('Ec2MetadataCollector against ec2-metadata-mock and moto', () => {
  let moto: MotoServer;
  let scenario: NetworkScenario;
  let spot: MetadataMock; // in the explicitly routed private subnet, spot, with a public IP
  let onDemand: MetadataMock; // in the private subnet that uses the main table, no public IP
  const clients: Array<{ destroy(): void }> = [];

  const ec2Client = (endpoint?: string) => {
    const c = new EC2Client({ ...moto.clientConfig(), ...(endpoint ? { endpoint } : {}) });
    clients.push(c);
    return c;
  };
  const collector = (mock: MetadataMock, ec2 = ec2Client()) =>
    new Ec2MetadataCollector({
      imds: new ImdsClient({ enabled: true, endpoint: mock.endpoint, timeoutMs: 2000 }),
      ec2,
      cacheTtlMs: 300_000,
      routesDeadlineMs: 5000,
    });

  beforeAll(async () => {
    moto = await MotoServer.start();
    const elbv2 = new ElasticLoadBalancingV2Client(moto.clientConfig());
    clients.push(elbv2);
    scenario = await buildNetworkScenario({ ec2: ec2Client(), elbv2 }, { region: moto.region });
    const common = {
      region: 'eu-west-1',
      accountId: '444455556666',
      vpcId: scenario.vpcId,
      vpcCidrs: [scenario.vpcCidr],
      securityGroupIds: [scenario.appSecurityGroupId],
    };
    [spot, onDemand] = await Promise.all([
      MetadataMock.start({
        ...common,
        instanceId: 'i-0spot00000000000a',
        instanceType: 'm7g.large',
        availabilityZone: 'eu-west-1a',
        amiId: 'ami-0eks0000000000001',
        architecture: 'arm64',
        lifecycle: 'spot',
        privateIp: '10.20.10.25',
        publicIp: '203.0.113.10',
        mac: '02:00:00:00:00:0a',
        subnetId: scenario.privateSubnetIds[0],
        subnetCidr: scenario.subnetCidrs[scenario.privateSubnetIds[0]],
      }),
      MetadataMock.start({
        ...common,
        instanceId: 'i-0ondemand0000000b',
        instanceType: 'c7i.xlarge',
        availabilityZone: 'eu-west-1b',
        architecture: 'x86_64',
        lifecycle: 'on-demand',
        privateIp: '10.20.11.7',
        publicIp: null,
        subnetId: scenario.privateSubnetIds[1],
        subnetCidr: scenario.subnetCidrs[scenario.privateSubnetIds[1]],
      }),
    ]);
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await Promise.all([spot?.stop(), onDemand?.stop(), moto?.stop()]);
  });

  it('maps the instance: ids, placement, IPs, spot lifecycle, AMI, architecture, account', async () => {
    expect(data(await collector(spot).ec2())).toEqual({
      instanceId: 'i-0spot00000000000a',
      instanceType: 'm7g.large',
      availabilityZone: 'eu-west-1a',
      region: 'eu-west-1',
      privateIp: '10.20.10.25',
      publicIp: '203.0.113.10',
      lifecycle: 'spot',
      amiId: 'ami-0eks0000000000001',
      architecture: 'arm64',
      accountId: '444455556666',
    });
    expect(data(await collector(onDemand).ec2())).toMatchObject({
      instanceId: 'i-0ondemand0000000b',
      lifecycle: 'on-demand',
      publicIp: null,
      architecture: 'x86_64',
    });
  });

  it("maps the network from IMDS and adds the subnet's routes from EC2", async () => {
    const c = collector(spot);
    expect(data(await c.network())).toEqual({
      vpcId: scenario.vpcId,
      subnetId: scenario.privateSubnetIds[0],
      securityGroupIds: [scenario.appSecurityGroupId],
      vpcCidrs: ['10.20.0.0/16'],
      subnetCidr: '10.20.10.0/24',
      mac: '02:00:00:00:00:0a',
      localIpv4: '10.20.10.25',
      routes: ['10.20.0.0/16 → local', `0.0.0.0/0 → ${scenario.natGatewayId}`],
    });
    expect(await c.vpcId()).toBe(scenario.vpcId);
    expect(await c.region()).toBe('eu-west-1');
  });

  it('a subnet without its own route table gets the main table; lookups are cached and single-flight', async () => {
    const ec2 = ec2Client();
    const calls = countSdkCalls(ec2);
    const c = collector(onDemand, ec2);
    const results = await Promise.all(Array.from({ length: 10 }, () => c.network()));
    for (const r of results) expect(data(r).routes).toEqual(['10.20.0.0/16 → local']);
    // One lookup by association (none found), one for the main table; shared by all ten.
    expect(calls.get('DescribeRouteTablesCommand')).toBe(2);
    await c.network();
    expect(calls.get('DescribeRouteTablesCommand')).toBe(2);
  });

  it('slow EC2: answers with IMDS data and a note at the routes deadline; the late answer fills the cache', async () => {
    const proxy = await slowHttpProxy(moto.endpoint, 800);
    try {
      const ec2 = ec2Client(proxy.endpoint);
      const calls = countSdkCalls(ec2);
      const c = new Ec2MetadataCollector({
        imds: new ImdsClient({ enabled: true, endpoint: spot.endpoint, timeoutMs: 2000 }),
        ec2,
        cacheTtlMs: 300_000,
        routesDeadlineMs: 200,
      });
      const started = Date.now();
      const first = await c.network();
      expect(Date.now() - started).toBeLessThan(700);
      expect(first.status === 'ok' && first.note).toBe('Routes not shown yet: AWS did not answer within 200 ms (reload in a moment)');
      expect(data(first)).toMatchObject({ subnetId: scenario.privateSubnetIds[0], routes: [] });

      await waitFor(async () => data(await c.network()).routes.length > 0, { timeoutMs: 10_000, intervalMs: 200, what: 'the late route answer' });
      expect(calls.get('DescribeRouteTablesCommand')).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('when EC2 fails, the IMDS part is still shown, with a note about the routes', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const section = await collector(spot, ec2Client(closed)).network();
    expect(section.status).toBe('ok');
    expect(section.status === 'ok' && section.note).toBe('Routes not shown: cannot reach the AWS endpoint for ec2:DescribeRouteTables (ECONNREFUSED)');
    expect(data(section)).toMatchObject({ vpcId: scenario.vpcId, subnetId: scenario.privateSubnetIds[0], routes: [] });
  });
});

describe('Ec2MetadataCollector without a reachable IMDS', () => {
  it('IMDS off outside Kubernetes: both sections unavailable, "Not running on EC2"', async () => {
    const imds = new ImdsClient({ enabled: false, offReason: 'outside-kubernetes', endpoint: 'http://127.0.0.1:9', timeoutMs: 500 });
    const c = new Ec2MetadataCollector({ imds, cacheTtlMs: 1000, routesDeadlineMs: 1000 });
    for (const section of [await c.ec2(), await c.network()]) {
      expect(section).toMatchObject({
        status: 'unavailable',
        code: ImdsErrors.DISABLED.code,
        message: 'Not running on EC2 (IMDS off outside Kubernetes)',
        fix: 'Set IMDS_MODE=on to enable it',
      });
    }
    expect(await c.vpcId()).toBeNull();
    expect(await c.region()).toBeNull();
  });

  it('IMDS unreachable: both sections are errors carrying the hop-limit fix', async () => {
    const imds = new ImdsClient({ enabled: true, endpoint: `http://127.0.0.1:${await freePort()}`, timeoutMs: 500 });
    const c = new Ec2MetadataCollector({ imds, cacheTtlMs: 1000, routesDeadlineMs: 1000 });
    for (const section of [await c.ec2(), await c.network()]) {
      expect(section).toMatchObject({ status: 'error', code: ImdsErrors.UNREACHABLE.code });
      expect(section.status === 'error' && section.fix).toContain('HttpPutResponseHopLimit');
    }
  });
});
