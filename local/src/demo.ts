import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { startLocal } from './main';

/**
 * `npm run demo`: the dashboard as `npm start` runs it, pointed at a simulated EKS cluster on
 * this machine, with every page filled and every simulated section labelled "simulated":
 *
 * - a fake Kubernetes API server (real HTTPS list/watch, a generated CA in its kubeconfig) holding
 *   the cluster: three nodes, system pods, this chart's release with its Services, claims bound
 *   to EBS and EFS volumes, warnings, and the stress Deployment with its HPA;
 * - a simulated control plane acting on it (HPA, ReplicaSet controller, scheduler, kubelet,
 *   Cluster Autoscaler): starting a test or a sustained load on /stress scales the stress pods
 *   out from their measured CPU, a pod goes Pending, a node joins, and it all scales back in;
 * - the stress pods as real stress processes on a local nats-server, so a sustained load spreads
 *   over them;
 * - moto with an EKS VPC (subnets in three zones, NAT, security groups, an ALB) for /network and
 *   the volumes' details, and the EC2 metadata mock as this pod's node, over IMDSv2;
 * - node prices from a local stand-in of the AWS Price List Query API and moto's spot price
 *   history, labelled "simulated prices".
 * Each service of this process plays its own pod of the chart (downward-API variables).
 *
 *   npm run demo [-- --scale 0.25] [-- --fresh] [-- --scripted [--once]]
 *
 *   --scale     real seconds per cluster second (DEMO_SCALE; default 0.25: the HPA syncs every
 *               3.75 s, its 5-minute scale-down window lasts 75 s, a node takes 20 s to be Ready)
 *   --fresh     forget the demo's history first
 *   --scripted  play the scripted scale-up story instead (DEMO_MODE=scripted; the fallback when
 *               nats-server is missing): SCENARIO_SCALE, --once to play it once and hold the end
 *   DEMO_DATA_DIR   where the kubeconfig, the history and the volumes go (default .data/demo)
 *   DEMO_NODE_REGISTER_SECONDS, DEMO_NODE_READY_SECONDS, DEMO_SCALE_DOWN_SECONDS   cluster seconds
 *               from a scale-up to the node registering (50), to it turning Ready (30), and an
 *               added node stays empty before it is removed (600)
 *   DEMO_REBALANCE_SECONDS, DEMO_SPOT_INTERRUPTION_SECONDS   real seconds after start at which the
 *               metadata mock simulates a rebalance recommendation and a spot interruption notice
 *               for this pod's node (unset: neither); at the notice a simulated Node Termination
 *               Handler cordons and taints the node, and /scaling shows it draining
 */
const DIST = path.resolve(__dirname, '../..');
const ROOT = path.resolve(DIST, '..');
const FAKE_API_CLI = path.join(DIST, 'libs/testing/src/kube-api/cli.js');
const SCENARIO = path.join(DIST, 'libs/testing/src/kube-api/scenarios/demo.js');
const SIMULATION = path.join(DIST, 'libs/testing/src/kube-api/live/simulated-environment.js');

/** What the simulated environment reports once it is up (SimulatedEnvironmentInfo in the test harness). */
interface SimulationInfo {
  kubeconfig: string;
  namespace: string;
  natsUrl: string;
  hpaName: string;
  timeScale: number;
  pods: Record<'gateway' | 'environment' | 'storage' | 'scaling-monitor', Record<string, string>>;
  aws: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string; vpcId: string; loadBalancerDns: string } | null;
  imds: { endpoint: string; instanceId: string } | null;
  pricing: { endpoint: string } | null;
  missing: string[];
}

/** Starts a child that prints one line on stdout once it is up; its stderr is shown prefixed. */
function startChild(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ child: ChildProcess; line: string }> {
  // The same Node flags as this process (source maps, and a preloaded guard when a test started us).
  const child = spawn(process.execPath, [...process.execArgv, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  readline.createInterface({ input: child.stderr! }).on('line', (line) => process.stderr.write(`[simulated cluster] ${line}\n`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the simulated cluster did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    readline.createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ child, line: line.trim() });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the simulated cluster exited (${signal ?? code})`));
    });
  });
}

/** Ends the child with us, by its own PID, however we exit. */
function tieToThisProcess(child: ChildProcess): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stopping = true));
  process.once('exit', () => child.kill('SIGTERM'));
  child.once('exit', (code, signal) => {
    if (!stopping)
      process.stderr.write(`\n  The simulated cluster stopped (${signal ?? code}); the dashboard keeps running and shows why its sections fail.\n`);
  });
}

/** Replaces AWS credentials and profiles of this machine: the demo talks to moto only, never to AWS. */
function isolateFromAws(): void {
  for (const name of [
    'AWS_PROFILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_ROLE_ARN',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_ENDPOINT_URL',
  ])
    delete process.env[name];
  Object.assign(process.env, { AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_CONFIG_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' });
}

async function live(o: { dataDir: string; historyDir: string; scale: string }): Promise<void> {
  const ebs = path.join(o.dataDir, 'ebs');
  const efs = path.join(o.dataDir, 'efs');
  const env = process.env;
  const { child, line } = await startChild(
    [
      SIMULATION,
      '--dir',
      o.dataDir,
      '--ebs-path',
      ebs,
      '--efs-path',
      efs,
      '--scale',
      o.scale,
      '--register-seconds',
      env.DEMO_NODE_REGISTER_SECONDS ?? '50',
      '--ready-seconds',
      env.DEMO_NODE_READY_SECONDS ?? '30',
      '--scale-down-seconds',
      env.DEMO_SCALE_DOWN_SECONDS ?? '600',
      '--log-level',
      env.LOG_LEVEL === 'debug' ? 'info' : 'warn',
      ...(env.DEMO_REBALANCE_SECONDS ? ['--rebalance-seconds', env.DEMO_REBALANCE_SECONDS] : []),
      ...(env.DEMO_SPOT_INTERRUPTION_SECONDS ? ['--spot-interruption-seconds', env.DEMO_SPOT_INTERRUPTION_SECONDS] : []),
    ],
    { ...env, AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_CONFIG_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' },
    60_000,
  );
  tieToThisProcess(child);
  const info = JSON.parse(line) as SimulationInfo;
  isolateFromAws();
  const simulated = ['kubernetes', ...(info.imds ? ['imds'] : []), ...(info.aws ? ['aws'] : [])];
  const overrides: Record<string, string> = {
    NATS_URL: info.natsUrl,
    KUBE_MODE: 'kubeconfig',
    KUBECONFIG: info.kubeconfig,
    WATCH_NAMESPACE: info.namespace,
    SIMULATED_SOURCES: simulated.join(','),
    EBS_PATH: ebs,
    EFS_PATH: efs,
    S3_LOCAL_DIR: path.join(o.dataDir, 's3'),
    // This process is the environment pod: the home page shows its downward-API variables.
    ...info.pods.environment,
    ...(info.imds ? { IMDS_MODE: 'on', IMDS_ENDPOINT: info.imds.endpoint } : { IMDS_MODE: 'off' }),
    ...(info.aws
      ? {
          AWS_REGION: info.aws.region,
          AWS_ACCESS_KEY_ID: info.aws.accessKeyId,
          AWS_SECRET_ACCESS_KEY: info.aws.secretAccessKey,
          // Per service, so the local S3 of the storage demo stays where `npm start` has it.
          AWS_ENDPOINT_URL_EC2: info.aws.endpoint,
          AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2: info.aws.endpoint,
          AWS_ENDPOINT_URL_EFS: info.aws.endpoint,
          AWS_ENDPOINT_URL_STS: info.aws.endpoint,
          // With the metadata mock the VPC is the instance's, read from IMDS as in a pod.
          ...(info.imds ? {} : { VPC_ID: info.aws.vpcId }),
        }
      : {}),
    // Node prices: on-demand from the Price List stand-in, spot from moto (AWS_ENDPOINT_URL_EC2), labelled "simulated prices".
    ...(info.aws && info.pricing ? { AWS_ENDPOINT_URL_PRICING: info.pricing.endpoint, SIMULATED_PRICES: 'true' } : {}),
  };
  // The AWS SDK reads its endpoints and credentials from the process environment itself.
  Object.assign(process.env, overrides);
  const { pods } = info;
  await startLocal({
    // The demo's own history, and samples often enough to see the story in the charts.
    defaults: { HISTORY_PATH: o.historyDir, SAMPLE_INTERVAL_SECONDS: '5', KUBE_METRICS_POLL_SECONDS: '5' },
    overrides,
    services: { gateway: pods.gateway, storage: pods.storage, 'scaling-monitor': pods['scaling-monitor'], environment: pods.environment },
    // The stress pods are the simulated cluster's: separate processes on the same NATS.
    without: ['stress'],
    mode: `demo: a simulated EKS cluster (${info.timeScale} real s per cluster s) — start a load on /stress and watch /scaling`,
  });
  if (info.missing.length) process.stderr.write(`  Left out (the rest runs):\n${info.missing.map((m) => `  - ${m}\n`).join('')}\n`);
}

async function scripted(o: { dataDir: string; historyDir: string; once: boolean; scale?: string }): Promise<void> {
  const scenarioEnv: NodeJS.ProcessEnv = {
    ...process.env,
    SCENARIO_SCALE: o.scale ?? process.env.SCENARIO_SCALE ?? '0.25',
    SCENARIO_LOOP: o.once ? 'false' : (process.env.SCENARIO_LOOP ?? 'true'),
  };
  const { child, line } = await startChild(
    [FAKE_API_CLI, '--kubeconfig', path.join(o.dataDir, 'kubeconfig'), '--scenario', SCENARIO, '--no-karpenter', '--namespace', 'demo'],
    scenarioEnv,
    15_000,
  );
  tieToThisProcess(child);
  // No AWS in this story: nothing reaches AWS with this machine's credentials.
  isolateFromAws();
  await startLocal({
    defaults: { HISTORY_PATH: o.historyDir, SAMPLE_INTERVAL_SECONDS: '5', KUBE_METRICS_POLL_SECONDS: '10' },
    // The story's HPA on /stress too; the stress pod of this process is not one of the story's.
    overrides: { KUBE_MODE: 'kubeconfig', KUBECONFIG: line, WATCH_NAMESPACE: 'demo', STRESS_HPA_NAME: 'stress', SIMULATED_SOURCES: 'kubernetes' },
    mode: 'demo: a simulated cluster plays a scripted scale-up and scale-down (open /scaling)',
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    // `bash scripts/run.sh demo -- --once` passes the separator through.
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: {
      once: { type: 'boolean', default: false },
      fresh: { type: 'boolean', default: false },
      scripted: { type: 'boolean', default: false },
      scale: { type: 'string' },
    },
  });
  const dataDir = path.resolve(process.env.DEMO_DATA_DIR || path.join(process.env.DATA_DIR || '.data', 'demo'));
  const historyDir = path.join(dataDir, 'history');
  if (values.fresh) rmSync(historyDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const natsInstalled = existsSync(path.join(ROOT, '.tools/bin/nats-server'));
  if (values.scripted || process.env.DEMO_MODE === 'scripted' || !natsInstalled) {
    if (!natsInstalled && !values.scripted && process.env.DEMO_MODE !== 'scripted')
      process.stderr.write(
        '\n  nats-server is not installed (scripts/tools/install.sh nats): the stress pods need it, so the demo plays its scripted story instead.\n',
      );
    return scripted({ dataDir, historyDir, once: values.once, scale: values.scale });
  }
  return live({ dataDir, historyDir, scale: values.scale ?? process.env.DEMO_SCALE ?? '0.25' });
}

main().catch((err: Error) => {
  process.stderr.write(`The demo failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
