/**
 * A pod with neither IRSA nor Pod Identity: every AWS section of /network says so and names the
 * ServiceAccount annotation that is missing, instead of answering as the node's instance role.
 * The clients are the service's own (libs/aws), told they run in Kubernetes, against moto.
 */
import { AwsErrors, type Section } from '@eks-info/contracts';
import { AwsClients, IRSA_ANNOTATION } from '@eks-info/aws';
import { MotoServer } from '@eks-info/testing';
import pino from 'pino';
import { NetworkCollector } from './network.collector';

jest.setTimeout(60_000);

let moto: MotoServer;
let clients: AwsClients;

beforeAll(async () => {
  moto = await MotoServer.start();
  clients = new AwsClients({
    region: moto.region,
    endpoint: moto.endpoint,
    requestTimeoutMs: 3000,
    connectTimeoutMs: 1000,
    maxAttempts: 1,
    env: { KUBERNETES_SERVICE_HOST: '10.100.0.1', SERVICE_ACCOUNT_NAME: 'eks-info-environment', POD_NAMESPACE: 'demo' },
    component: 'environment',
  });
});
afterAll(async () => {
  clients?.destroy();
  await moto?.stop();
});

it('every AWS section names the missing role annotation of the pod ServiceAccount', async () => {
  const collector = new NetworkCollector({
    ec2: clients.ec2,
    elbv2: clients.elbv2,
    cacheTtlMs: 300_000,
    sectionDeadlineMs: 10_000,
    logger: pino({ level: 'silent' }),
  });
  const view = await collector.view({ vpcId: 'vpc-0123456789abcdef0', region: moto.region, vpcSource: 'config' });
  const sections: Record<string, Section<unknown>> = {
    vpc: view.vpc,
    subnets: view.subnets,
    securityGroups: view.securityGroups,
    routeTables: view.routeTables,
    loadBalancers: view.loadBalancers,
  };
  for (const [name, section] of Object.entries(sections)) {
    expect({ name, status: section.status }).toEqual({ name, status: 'error' });
    if (section.status !== 'error') continue;
    expect({ name, code: section.code, message: section.message }).toEqual({
      name,
      code: AwsErrors.NO_CREDENTIALS.code,
      message: expect.stringContaining(`demo/eks-info-environment has no IAM role (no ${IRSA_ANNOTATION} annotation, no Pod Identity association)`),
    });
    expect(section.fix).toContain("the chart's environment.serviceAccount.roleArn");
  }
});
