/**
 * Resident memory of every component, in both shapes, after one view of every page and 10 s
 * idle — each component its own process (the production bundle) with the chart's NODE_OPTIONS:
 *   - local conditions: no cluster, no AWS (`KUBE_MODE=off`, IMDS off);
 *   - the in-cluster shape: the Kubernetes client against the fake API server over HTTPS
 *     (`KUBE_MODE=kubeconfig`), the AWS clients against moto (a VPC seeded, `VPC_ID` and
 *     `AWS_REGION` set, an S3 bucket) and IMDSv2 against the EC2 metadata mock;
 * and `npm start` (everything in one process) under local conditions. Like the image, without
 * --enable-source-maps (mapping a stack loads the bundle's source map). The baseline is an empty
 * Node process of the same binary, measured in the same run.
 *
 *   npm run bench -- footprint
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { parse } from 'yaml';
import {
  type Component,
  FakeKubeApiServer,
  type ManagedProcess,
  MetadataMock,
  MotoServer,
  NatsServer,
  buildNetworkScenario,
  componentEntry,
  freePort,
  nodeBin,
  repoRoot,
  scalingScenario,
  startLocalApp,
  startNodeProcess,
} from '@eks-info/testing';
import { machine, rssMiB } from './support';

const IDLE_MS = 10_000;
const PAGES = ['/', '/resources', '/network', '/storage', '/ebs', '/efs', '/s3', '/stress', '/scaling', '/scaling/history'];
const APIS = ['/api/v1/environment', '/api/v1/resources', '/api/v1/network', '/api/v1/storage', '/api/v1/stress', '/api/v1/scaling', '/api/v1/scaling/history'];
const COMPONENTS: Component[] = ['gateway', 'environment', 'storage', 'stress', 'scaling-monitor'];
const VALUES_KEY: Record<Component, string> = {
  gateway: 'gateway',
  environment: 'environment',
  storage: 'storage',
  stress: 'stress',
  'scaling-monitor': 'scalingMonitor',
};
const BUDGET: Record<'local' | 'cluster', Record<Component, number>> = {
  local: { gateway: 100, environment: 130, storage: 130, stress: 100, 'scaling-monitor': 130 },
  cluster: { gateway: 160, environment: 160, storage: 160, stress: 160, 'scaling-monitor': 160 },
};

const values = parse(readFileSync(path.join(repoRoot, 'helm/eks-info/values.yaml'), 'utf8')) as Record<string, { nodeOptions?: string }>;

async function viewEverything(url: string): Promise<void> {
  for (const p of [...PAGES, ...APIS]) await (await fetch(`${url}${p}`)).arrayBuffer();
}

async function emptyNodeRss(): Promise<number> {
  const child = spawn(nodeBin, ['-e', 'setTimeout(() => {}, 60000)']);
  await new Promise((r) => setTimeout(r, 1500));
  const rss = rssMiB(child.pid!);
  child.kill();
  return rss;
}

async function startAll(
  nats: NatsServer,
  dir: string,
  extra: (c: Component) => Record<string, string>,
): Promise<{ url: string; procs: Map<Component, ManagedProcess> }> {
  const procs = new Map<Component, ManagedProcess>();
  for (const c of COMPONENTS.filter((x) => x !== 'gateway')) {
    const port = await freePort();
    procs.set(
      c,
      await startNodeProcess({
        name: c,
        entry: componentEntry(c),
        env: {
          NATS_URL: nats.url,
          MANAGEMENT_PORT: String(port),
          MANAGEMENT_HOST: '127.0.0.1',
          EBS_PATH: path.join(dir, 'ebs'),
          EFS_PATH: path.join(dir, 'efs'),
          HISTORY_PATH: path.join(dir, 'history'),
          REQUIRE_MOUNTS: 'false',
          LOG_LEVEL: 'warn',
          NODE_OPTIONS: values[VALUES_KEY[c]].nodeOptions ?? '',
          ...extra(c),
        },
        readyUrl: `http://127.0.0.1:${port}/ready`,
        timeoutMs: 30_000,
        sourceMaps: false,
      }),
    );
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  procs.set(
    'gateway',
    await startNodeProcess({
      name: 'gateway',
      entry: componentEntry('gateway'),
      env: { NATS_URL: nats.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', NODE_OPTIONS: values.gateway.nodeOptions ?? '' },
      readyUrl: `${url}/ready`,
      sourceMaps: false,
    }),
  );
  return { url, procs };
}

async function measure(nats: NatsServer, extra: (c: Component) => Record<string, string>): Promise<Record<Component, { start: number; idle: number }>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'footprint-'));
  const { url, procs } = await startAll(nats, dir, extra);
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const start = Object.fromEntries(COMPONENTS.map((c) => [c, rssMiB(procs.get(c)!.pid)]));
    await viewEverything(url);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    return Object.fromEntries(COMPONENTS.map((c) => [c, { start: start[c], idle: rssMiB(procs.get(c)!.pid) }])) as Record<
      Component,
      { start: number; idle: number }
    >;
  } finally {
    for (const p of [...procs.values()].reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function footprintBench(): Promise<string> {
  const nats = await NatsServer.start({ maxPayload: '16MB' });
  const baseline = await emptyNodeRss();
  const local = await measure(nats, () => ({ KUBE_MODE: 'off', IMDS_MODE: 'off' }));

  const kube = await FakeKubeApiServer.start({ objects: scalingScenario({ start: new Date() }).baseline, karpenter: false });
  const moto = await MotoServer.start();
  const clients = { ec2: new EC2Client(moto.clientConfig()), elbv2: new ElasticLoadBalancingV2Client(moto.clientConfig()) };
  const vpc = await buildNetworkScenario(clients, { region: moto.region });
  const s3 = new S3Client({ ...moto.clientConfig(), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'footprint', CreateBucketConfiguration: { LocationConstraint: moto.region as 'eu-west-1' } }));
  const imds = await MetadataMock.start({ region: moto.region, vpcId: vpc.vpcId, subnetId: vpc.privateSubnetIds[0] });
  let cluster: Awaited<ReturnType<typeof measure>>;
  try {
    const kubeconfig = kube.writeKubeconfig();
    cluster = await measure(nats, (c) => ({
      KUBE_MODE: 'kubeconfig',
      KUBECONFIG: kubeconfig,
      WATCH_NAMESPACE: 'demo',
      ...moto.env,
      IMDS_MODE: 'on',
      IMDS_ENDPOINT: imds.endpoint,
      ...(c === 'environment' ? { VPC_ID: vpc.vpcId } : {}),
      ...(c === 'storage' ? { S3_BUCKET: 'footprint', POD_NAME: 'storage-0' } : {}),
    }));
  } finally {
    await imds.stop();
    clients.ec2.destroy();
    clients.elbv2.destroy();
    s3.destroy();
    await moto.stop();
    await kube.close();
  }

  const single = await startLocalApp({ LOG_LEVEL: 'warn' });
  let singleRss: { start: number; idle: number };
  try {
    const start = rssMiB(single.process.pid);
    await viewEverything(single.url);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    singleRss = { start, idle: rssMiB(single.process.pid) };
  } finally {
    await single.stop();
    await nats.stop();
  }

  const row = (c: Component) => {
    const l = local[c];
    const k = cluster[c];
    const mark = (v: number, b: number) => `${v} ${v <= b ? '✓' : '✗'}`;
    return `| ${c} | ${l.start} | ${mark(l.idle, BUDGET.local[c])} (≤ ${BUDGET.local[c]}) | ${k.start} | ${mark(k.idle, BUDGET.cluster[c])} (≤ ${BUDGET.cluster[c]}) | \`${values[VALUES_KEY[c]].nodeOptions || '—'}\` |`;
  };
  return [
    `RSS in MiB, ${machine()}. "after views": after one view of every page and JSON twin, then ${IDLE_MS / 1000} s idle. An empty Node process of the same binary: ${baseline} MiB.`,
    '',
    '| Component | local, at start | local, after views | in-cluster shape, at start | in-cluster, after views | NODE_OPTIONS (chart) |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...COMPONENTS.map(row),
    '',
    `\`npm start\` (every component in one process), local conditions: ${singleRss.start} MiB at start, ${singleRss.idle} MiB after views.`,
  ].join('\n');
}

if (require.main === module) {
  footprintBench().then(
    (md) => process.stdout.write(`${md}\n`),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(1);
    },
  );
}
