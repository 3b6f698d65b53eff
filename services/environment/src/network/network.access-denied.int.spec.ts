import { Writable } from 'node:stream';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsErrors, type Section } from '@eks-info/contracts';
import { createLogger } from '@eks-info/platform';
import { MotoServer, type NetworkScenario, buildNetworkScenario } from '@eks-info/testing';
import { NetworkCollector } from './network.collector';

/** Everything /network needs; each test's user lacks some of it. */
const ALL_ACTIONS = [
  'ec2:DescribeVpcs',
  'ec2:DescribeVpcAttribute',
  'ec2:DescribeSubnets',
  'ec2:DescribeRouteTables',
  'ec2:DescribeSecurityGroups',
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
];

function data<T>(section: Section<T>): T {
  if (section.status !== 'ok') throw new Error(`section is ${section.status}: ${section.message}`);
  return section.data;
}

/** A pino logger whose JSON lines land in an array. */
function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ service: 'environment', pod: 'test', destination }), lines };
}

describe('NetworkCollector with IAM enforced by moto', () => {
  let moto: MotoServer;
  let scenario: NetworkScenario;
  const users: Record<string, { accessKeyId: string; secretAccessKey: string }> = {};
  const clients: Array<{ destroy(): void }> = [];

  const collectorFor = (user: string) => {
    const config = moto.clientConfig(users[user]);
    const ec2 = new EC2Client(config);
    const elbv2 = new ElasticLoadBalancingV2Client(config);
    clients.push(ec2, elbv2);
    const log = captureLogger();
    return { network: new NetworkCollector({ ec2, elbv2, cacheTtlMs: 300_000, sectionDeadlineMs: 10_000, logger: log.logger }), lines: log.lines };
  };
  const viewAs = (user: string) => {
    const c = collectorFor(user);
    return { ...c, view: () => c.network.view({ vpcId: scenario.vpcId, region: moto.region, vpcSource: 'config' }) };
  };

  beforeAll(async () => {
    moto = await MotoServer.start();
    const setup = { ec2: new EC2Client(moto.clientConfig()), elbv2: new ElasticLoadBalancingV2Client(moto.clientConfig()) };
    clients.push(setup.ec2, setup.elbv2);
    scenario = await buildNetworkScenario(setup, { region: moto.region });
    users.full = await moto.createIamUser('full', ALL_ACTIONS);
    users.noRoutes = await moto.createIamUser(
      'no-routes',
      ALL_ACTIONS.filter((a) => a !== 'ec2:DescribeRouteTables'),
    );
    users.noHealth = await moto.createIamUser(
      'no-health',
      ALL_ACTIONS.filter((a) => !a.endsWith(':DescribeTargetHealth') && !a.endsWith(':DescribeVpcAttribute')),
    );
    await moto.enforceIam();
  });
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await moto?.stop();
  });

  it('a user with every permission sees every section (IAM is really enforced: the dummy key is refused)', async () => {
    const { view } = viewAs('full');
    const v = await view();
    for (const section of [v.vpc, v.subnets, v.securityGroups, v.routeTables, v.loadBalancers]) expect(section.status).toBe('ok');

    // moto's dummy key belongs to no IAM user, so it is refused once IAM is enforced.
    const outsider = { ec2: new EC2Client(moto.clientConfig()), elbv2: new ElasticLoadBalancingV2Client(moto.clientConfig()) };
    clients.push(outsider.ec2, outsider.elbv2);
    const denied = await new NetworkCollector({ ...outsider, cacheTtlMs: 1000, sectionDeadlineMs: 10_000 }).view({
      vpcId: scenario.vpcId,
      region: moto.region,
      vpcSource: 'config',
    });
    expect(denied.vpc).toMatchObject({ status: 'error', code: AwsErrors.ERROR.code });
    expect(denied.vpc.status === 'error' && denied.vpc.message).toContain('AuthFailure');
  });

  it('without ec2:DescribeRouteTables only the route tables and the subnets (public/private needs the routes) fail', async () => {
    const { view, lines } = viewAs('noRoutes');
    const views = await Promise.all(Array.from({ length: 5 }, () => view()));
    const v = views[0];
    for (const section of [v.routeTables, v.subnets]) {
      expect(section).toMatchObject({
        status: 'error',
        code: AwsErrors.ACCESS_DENIED.code,
        message: `missing permission ec2:DescribeRouteTables on ${scenario.vpcId}`,
      });
      expect(section.status === 'error' && section.fix).toContain('IRSA');
      expect(section.status === 'error' && section.details).toContain('AccessDenied');
    }
    expect(data(v.vpc).dnsHostnames).toBe(true);
    expect(data(v.securityGroups).length).toBe(3);
    expect(data(v.loadBalancers)[0].targetGroups[0].targets).toHaveLength(2);

    // Logged in detail, once for all five views.
    const denials = lines.filter((l) => l.action === 'ec2:DescribeRouteTables');
    expect(denials).toHaveLength(1);
    expect(denials[0]).toMatchObject({
      level: 'warn',
      aws_code: 'AccessDenied',
      http_status: 403,
      resource: scenario.vpcId,
      msg: `missing permission ec2:DescribeRouteTables on ${scenario.vpcId}`,
    });
    expect(denials[0].request_id).toEqual(expect.any(String));
  });

  it('without DescribeTargetHealth and DescribeVpcAttribute the sections stay up with a note naming the permission', async () => {
    const { view } = viewAs('noHealth');
    const v = await view();
    expect(v.loadBalancers.status).toBe('ok');
    expect(v.loadBalancers.status === 'ok' && v.loadBalancers.note).toBe(
      'Target health not shown: missing permission elasticloadbalancing:DescribeTargetHealth on demo-web',
    );
    const [lb] = data(v.loadBalancers);
    expect(lb.listeners).toHaveLength(2);
    expect(lb.targetGroups[0]).toMatchObject({ name: 'demo-web', targets: [] });

    expect(v.vpc.status === 'ok' && v.vpc.note).toBe(`DNS settings not shown: missing permission ec2:DescribeVpcAttribute on ${scenario.vpcId}`);
    expect(data(v.vpc)).toMatchObject({ dnsSupport: null, dnsHostnames: null, cidrs: ['10.20.0.0/16'] });
    expect(data(v.subnets).filter((s) => s.public)).toHaveLength(2);
    expect(v.routeTables.status).toBe('ok');
  });
});
