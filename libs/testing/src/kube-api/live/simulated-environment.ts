/**
 * Everything `npm run demo` simulates, in one process the demo starts and stops:
 *
 *   node dist/libs/testing/src/kube-api/live/simulated-environment.js --dir <dir> --ebs-path <p> --efs-path <p>
 *        [--scale 0.25] [--register-seconds 50] [--ready-seconds 30] [--scale-down-seconds 600]
 *        [--rebalance-seconds N] [--spot-interruption-seconds N]
 *
 * - nats-server, the bus the dashboard and the stress pods share (required: the stress pods are
 *   separate processes);
 * - moto with an EKS VPC seeded into it (subnets in three zones, NAT gateways, security groups,
 *   the node instances, an ALB with its target group, the EBS volumes and the EFS file system
 *   behind the chart's claims), when moto is installed;
 * - the EC2 metadata mock as the instance the environment pod's node is, when it is installed;
 *   on request it simulates a rebalance recommendation and a spot interruption notice for that
 *   instance, N real seconds after start, and at the notice a simulated AWS Node Termination
 *   Handler cordons and taints the node (aws-node-termination-handler/spot-itn) with its event;
 * - the fake Kubernetes API server with the demo cluster, and the simulated control plane acting
 *   on it: the stress HPA driven by the stress pods' measured CPU, pods Pending, a node joining.
 *
 * When all is up it prints one JSON line on stdout ({@link SimulatedEnvironmentInfo}); its log
 * goes to stderr. It stops everything it started on SIGTERM/SIGINT, and when the demo that
 * started it is gone.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { EFSClient } from '@aws-sdk/client-efs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type EksDemoEnvironment, seedEksDemo } from '../../aws/eks-demo-environment';
import { MetadataMock } from '../../aws/metadata-mock';
import { MOTO_ACCOUNT_ID, MOTO_CREDENTIALS, MotoServer } from '../../aws/moto-server';
import { PricingStandIn } from '../../aws/pricing-stand-in';
import { NatsServer } from '../../nats/nats-server';
import { hasTool } from '../../process/paths';
import { StressWorkerRuntime } from '../../stress/stress-workers';
import * as kubeFixtures from '../fixtures';
import { FakeKubeApiServer } from '../server';
import { kubeTime } from '../store';
import { type DemoCluster, demoCluster, demoNodes } from './demo-cluster';
import { LiveCluster } from './live-cluster';

export interface SimulatedEnvironmentInfo {
  kubeconfig: string;
  namespace: string;
  clusterName: string;
  region: string;
  natsUrl: string;
  hpaName: string;
  timeScale: number;
  /** The dashboard's own pods: the downward-API variables of each. */
  pods: DemoCluster['pods'];
  /** moto: what the AWS SDK needs to reach it; null when moto is not installed. */
  aws: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; vpcId: string; loadBalancerDns: string } | null;
  imds: { endpoint: string; instanceId: string } | null;
  /** The Price List stand-in (on-demand prices; spot prices come from moto); null without moto. */
  pricing: { endpoint: string } | null;
  /** What could not be simulated and why, one line each. */
  missing: string[];
}

const REGION = 'eu-west-1';
const CLUSTER = 'demo-cluster';
const NAMESPACE = 'demo';
/** The demo nodes' instance type and the on-demand price the Price List stand-in lists for it (simulated). */
const DEMO_INSTANCE_TYPE = 'm7g.large';
const DEMO_ON_DEMAND_USD = '0.0892000000';
const IMAGE = `${MOTO_ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/eks-info:0.1.0`;

const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      'ebs-path': { type: 'string' },
      'efs-path': { type: 'string' },
      scale: { type: 'string', default: '0.25' },
      'register-seconds': { type: 'string', default: '50' },
      'ready-seconds': { type: 'string', default: '30' },
      'scale-down-seconds': { type: 'string', default: '600' },
      'rebalance-seconds': { type: 'string' },
      'spot-interruption-seconds': { type: 'string' },
      'log-level': { type: 'string', default: 'warn' },
    },
  });
  const number = (name: string, value: string | undefined, min: number, max: number) => {
    const n = Number(value);
    if (!(n >= min && n <= max)) throw new Error(`--${name} must be a number from ${min} to ${max}, got ${value}`);
    return n;
  };
  const timeScale = number('scale', values.scale, 0.01, 10);
  const registerSeconds = number('register-seconds', values['register-seconds'], 0, 3600);
  const readySeconds = number('ready-seconds', values['ready-seconds'], 0, 3600);
  const scaleDownSeconds = number('scale-down-seconds', values['scale-down-seconds'], 0, 86_400);
  const optional = (name: 'rebalance-seconds' | 'spot-interruption-seconds') => (values[name] ? number(name, values[name], 0, 86_400) : undefined);
  const rebalanceSeconds = optional('rebalance-seconds');
  const spotInterruptionSeconds = optional('spot-interruption-seconds');
  // As on EC2, the notice names a time two minutes after it is given (the mock would move it on with every read).
  const startedAt = Date.now();
  const after = (seconds: number | undefined) => (seconds === undefined ? undefined : new Date(startedAt + seconds * 1000));
  const rebalanceAt = after(rebalanceSeconds);
  const noticeAt = after(spotInterruptionSeconds);
  const noticeTime = noticeAt && kubeTime(new Date(noticeAt.getTime() + 120_000));
  if (!values.dir || !values['ebs-path'] || !values['efs-path']) throw new Error('--dir, --ebs-path and --efs-path are required');

  const stops: Array<() => Promise<unknown>> = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const deadline = setTimeout(() => process.exit(1), 15_000);
    deadline.unref();
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    process.exit(code);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void stopAll(0));
  // The demo that started this process is gone (killed outright): leave with it.
  const startedBy = process.ppid;
  setInterval(() => {
    if (process.ppid !== startedBy) void stopAll(0);
  }, 1000).unref();

  const missing: string[] = [];
  if (!hasTool('nats-server')) throw new Error('nats-server is not installed (scripts/tools/install.sh nats): the stress pods need the bus');
  const nats = await NatsServer.start({ maxPayload: '16MB' });
  stops.push(() => nats.stop());
  log(`nats-server on ${nats.url}`);

  // ---- AWS: moto with the EKS VPC -----------------------------------------------------------
  let aws: EksDemoEnvironment | undefined;
  let moto: MotoServer | undefined;
  const nodesWithoutIds = demoNodes(REGION);
  const gatewayIps = ['10.0.16.160', '10.0.32.161'];
  if (!hasTool('moto_server')) {
    missing.push('AWS (Network page, EC2 routes, EBS/EFS details): moto is not installed (scripts/tools/install.sh moto)');
  } else {
    try {
      moto = await MotoServer.start({ region: REGION });
      stops.push(() => moto!.stop());
      const config = moto.clientConfig();
      const clients = { ec2: new EC2Client(config), elbv2: new ElasticLoadBalancingV2Client(config), efs: new EFSClient(config) };
      aws = await seedEksDemo(clients, { region: REGION, clusterName: CLUSTER, nodes: nodesWithoutIds, volumeNode: 2, gatewayIps });
      for (const c of Object.values(clients)) c.destroy();
      log(`moto on ${moto.endpoint}: VPC ${aws.vpcId}, ALB ${aws.loadBalancerDns}`);
    } catch (err) {
      missing.push(`AWS: moto did not start or could not be seeded: ${(err as Error).message}`);
      aws = undefined;
    }
  }
  const nodes = demoNodes(REGION, aws?.instanceIds);

  // ---- prices: the Price List stand-in (on-demand), moto (spot) -------------------------------
  let pricing: PricingStandIn | undefined;
  if (aws) {
    // Simulated prices for the demo's instance type, labelled as such on every page that shows them.
    pricing = await PricingStandIn.start({ prices: [{ instanceType: DEMO_INSTANCE_TYPE, regionCode: REGION, usd: DEMO_ON_DEMAND_USD }] });
    stops.push(() => pricing!.stop());
    log(`Price List stand-in on ${pricing.endpoint}: ${DEMO_INSTANCE_TYPE} at $${Number(DEMO_ON_DEMAND_USD)}/h (simulated)`);
  } else {
    missing.push('Node prices: left out with AWS (spot prices come from moto)');
  }

  // ---- the cluster ----------------------------------------------------------------------------
  const demo = demoCluster({
    namespace: NAMESPACE,
    region: REGION,
    nodes,
    ebsPath: values['ebs-path'],
    efsPath: values['efs-path'],
    ebsVolumeIds: aws?.ebsVolumeIds,
    efs: aws?.efs,
    image: IMAGE,
    now: new Date(),
    timeScale,
  });
  // The ALB's targets are the gateway pods (moto was seeded before the cluster was built).
  if (demo.pods.gateway.POD_IP !== gatewayIps[0]) throw new Error(`the ALB targets ${gatewayIps[0]} but the gateway pod is ${demo.pods.gateway.POD_IP}`);

  // ---- IMDS: the environment pod's node -------------------------------------------------------
  let imds: MetadataMock | undefined;
  const home = nodes.find((n) => n.name === demo.pods.environment.NODE_NAME)!;
  const homeIndex = nodes.indexOf(home);
  const instanceId = home.instanceId ?? `i-0${Buffer.from(home.name).toString('hex').slice(0, 16)}`;
  if (!hasTool('ec2-metadata-mock')) {
    missing.push('EC2 instance metadata (home page EC2 and Network cards): the EC2 metadata mock is not installed (scripts/tools/install.sh aemm)');
  } else if (!aws) {
    // The instance's VPC, subnet and security groups live in moto: without it the mock would serve its own made-up ones.
    missing.push("EC2 instance metadata: left out with AWS (the instance's VPC, subnet and security groups live in moto)");
  } else {
    try {
      imds = await MetadataMock.start({
        instanceId,
        instanceType: 'm7g.large',
        region: REGION,
        availabilityZone: home.zone,
        accountId: MOTO_ACCOUNT_ID,
        amiId: 'ami-0a1b2c3d4e5f67890',
        architecture: 'arm64',
        privateIp: home.ip,
        publicIp: null,
        lifecycle: home.capacityType === 'SPOT' ? 'spot' : 'on-demand',
        vpcId: aws.vpcId,
        vpcCidrs: [aws.vpcCidr],
        subnetId: aws.privateSubnetIds[homeIndex],
        subnetCidr: ['10.0.16.0/20', '10.0.32.0/20', '10.0.48.0/20'][homeIndex],
        securityGroupIds: [aws.clusterSecurityGroupId, aws.nodeSecurityGroupId],
        ...(rebalanceAt ? { rebalanceRecommendation: { at: rebalanceAt } } : {}),
        ...(noticeAt ? { spotInterruption: { at: noticeAt, time: noticeTime } } : {}),
      });
      stops.push(() => imds!.stop());
      log(`EC2 metadata mock on ${imds.endpoint} as ${instanceId} (${home.name})`);
      if (rebalanceSeconds !== undefined) log(`simulated rebalance recommendation for ${home.name} in ${rebalanceSeconds} s`);
      if (spotInterruptionSeconds !== undefined) log(`simulated spot interruption notice for ${home.name} in ${spotInterruptionSeconds} s`);
    } catch (err) {
      missing.push(`EC2 instance metadata: the metadata mock did not start: ${(err as Error).message}`);
    }
  }

  const server = await FakeKubeApiServer.start({
    objects: demo.objects,
    namespace: NAMESPACE,
    clusterName: CLUSTER,
    region: REGION,
    accountId: MOTO_ACCOUNT_ID,
    karpenter: false,
    bookmarkIntervalMs: 60_000,
  });
  stops.push(() => server.close());
  if (imds && noticeAt && noticeTime) {
    const timer = setTimeout(() => simulateTerminationHandler(server, home.name, noticeTime), Math.max(0, noticeAt.getTime() - Date.now()));
    timer.unref();
    stops.push(async () => clearTimeout(timer));
  }
  const kubeconfig = server.writeKubeconfig(path.resolve(values.dir, 'kubeconfig'));
  log(`fake Kubernetes API server on ${server.url} with ${demo.objects.length} objects`);

  const runtime = await StressWorkerRuntime.connect({
    natsUrl: nats.url,
    kubeconfig,
    namespace: NAMESPACE,
    hpaName: demo.hpaName,
    env: { SIMULATED_SOURCES: 'kubernetes', LOG_LEVEL: values['log-level']! },
    log,
  });
  stops.push(() => runtime.close());
  const cluster = new LiveCluster({
    server,
    namespace: NAMESPACE,
    hpaName: demo.hpaName,
    runtime,
    timeScale,
    baseUsage: demo.baseUsage,
    nodeGroup: { ...demo.nodeGroup, registerSeconds, readySeconds, scaleDownUnneededSeconds: scaleDownSeconds },
    log,
  });
  // Stopped first (stops run in reverse): the stress pods end before the bus they use.
  stops.push(() => cluster.stop());
  cluster.start();

  const info: SimulatedEnvironmentInfo = {
    kubeconfig,
    namespace: NAMESPACE,
    clusterName: CLUSTER,
    region: REGION,
    natsUrl: nats.url,
    hpaName: demo.hpaName,
    timeScale,
    pods: demo.pods,
    aws:
      moto && aws
        ? {
            endpoint: moto.endpoint,
            region: REGION,
            accessKeyId: MOTO_CREDENTIALS.accessKeyId,
            secretAccessKey: MOTO_CREDENTIALS.secretAccessKey,
            vpcId: aws.vpcId,
            loadBalancerDns: aws.loadBalancerDns,
          }
        : null,
    imds: imds ? { endpoint: imds.endpoint, instanceId } : null,
    pricing: pricing ? { endpoint: pricing.endpoint } : null,
    missing,
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  for (const m of missing) log(`not simulated: ${m}`);
}

/**
 * What the AWS Node Termination Handler does on a spot interruption notice, simulated: it taints
 * the node aws-node-termination-handler/spot-itn (its SpotInterruptionTaint), cordons it, and
 * writes a SpotInterruption event about it. The pods stay: this simulation evicts nothing.
 */
function simulateTerminationHandler(server: FakeKubeApiServer, node: string, noticeTime: string): void {
  const now = server.now();
  if (!server.get(`nodes/${node}`)) return;
  // Its event first (it says why), then the taint and the cordon.
  server.upsert(
    kubeFixtures.event({
      namespace: 'default',
      reason: 'SpotInterruption',
      message: `Spot ITN received (simulated). Instance will be interrupted at ${noticeTime}`,
      involvedObject: { kind: 'Node', name: node },
      source: 'aws-node-termination-handler',
      lastTimestamp: now,
    }),
  );
  server.patch(`nodes/${node}`, (o) => {
    const spec = ((o as { spec?: Record<string, unknown> }).spec ??= {}) as { unschedulable?: boolean; taints?: Array<Record<string, string>> };
    spec.unschedulable = true;
    spec.taints = [
      ...(spec.taints ?? []),
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: kubeTime(now) },
      { key: 'aws-node-termination-handler/spot-itn', value: 'spot-itn-simulated', effect: 'NoSchedule' },
    ];
  });
  log(`simulated Node Termination Handler: cordoned and tainted ${node} for the spot interruption notice`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`the simulated environment failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
