/**
 * The fuzz suite: the hostile corpus (fuzz-corpus.ts) against the distributed stack — a real
 * nats-server, moto's S3 over HTTP, and the gateway and every service in its own process — sent
 * byte for byte over sockets. Every input gets an answer, and never a 5xx; a refused request
 * (4xx) writes nothing to the volumes or the bucket; reads write nothing at all; and no input
 * starts a stress test. The summary line says how many inputs were tried and what came back.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import {
  type Component,
  FakeKubeApiServer,
  type ManagedProcess,
  MotoServer,
  NatsServer,
  componentEntry,
  freePort,
  largeCluster,
  startNodeProcess,
  waitFor,
} from '@eks-info/testing';
import { type FuzzInput, fuzzCorpus } from './fuzz-corpus';
import { send } from './wire';

jest.setTimeout(600_000);

const BUCKET = 'eks-info-fuzz';
/** Where the storage service puts its statistics reports (S3_PREFIX's default + reports/). */
const REPORTS_PREFIX = 'eks-info/reports/';

interface Outcome {
  label: string;
  status: number;
  ms: number;
}

describe('the fuzz corpus against the distributed stack', () => {
  let root: string;
  let nats: NatsServer;
  let moto: MotoServer;
  let s3: S3Client;
  let kube: FakeKubeApiServer;
  let port: number;
  const procs: ManagedProcess[] = [];

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'fuzz-'));
    for (const dir of ['ebs', 'efs', 'history']) mkdirSync(path.join(root, dir));
    [nats, moto, kube] = await Promise.all([
      NatsServer.start({ maxPayload: '16MB' }),
      MotoServer.start(),
      // Every dependency is up, so a 5xx can only come from the input.
      FakeKubeApiServer.start({ objects: largeCluster({ nodes: 3, pods: 12, pending: 1 }), karpenter: false }),
    ]);
    s3 = new S3Client({ ...moto.clientConfig(), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: moto.region as 'eu-west-1' } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
    const common = {
      NATS_URL: nats.url,
      KUBE_MODE: 'kubeconfig',
      KUBECONFIG: kube.writeKubeconfig(),
      WATCH_NAMESPACE: 'demo',
      IMDS_MODE: 'off',
      SHUTDOWN_GRACE_MS: '0',
      LOG_LEVEL: 'warn',
    };
    const services: Array<[Component, Record<string, string>]> = [
      ['environment', { ...moto.env }],
      [
        'storage',
        {
          ...moto.env,
          EBS_PATH: path.join(root, 'ebs'),
          EFS_PATH: path.join(root, 'efs'),
          REQUIRE_MOUNTS: 'false',
          S3_BUCKET: BUCKET,
          // The longest interval: a scheduled report (and its lock) lands only at 00:00:10 UTC.
          REPORT_INTERVAL_SECONDS: '86400',
        },
      ],
      ['stress', {}],
      ['scaling-monitor', { HISTORY_PATH: path.join(root, 'history') }],
    ];
    await Promise.all(
      services.map(async ([name, env]) => {
        const management = await freePort();
        procs.push(
          await startNodeProcess({
            name,
            entry: componentEntry(name),
            env: { ...common, ...env, MANAGEMENT_PORT: String(management), MANAGEMENT_HOST: '127.0.0.1', POD_NAME: `${name}-0` },
            readyUrl: `http://127.0.0.1:${management}/ready`,
          }),
        );
      }),
    );
    port = await freePort();
    procs.push(
      await startNodeProcess({
        name: 'gateway',
        entry: componentEntry('gateway'),
        env: {
          ...common,
          PORT: String(port),
          HOST: '127.0.0.1',
          POD_NAME: 'gateway-0',
          MUTATION_RATE_LIMIT_PER_MINUTE: '1000000',
          READ_RATE_LIMIT_PER_MINUTE: '0',
          RPC_TIMEOUT_MS: '10000',
        },
        readyUrl: `http://127.0.0.1:${port}/ready`,
      }),
    );
    // Every service answers through the gateway before the corpus starts.
    for (const target of ['/api/v1/environment', '/api/v1/storage/ebs?limit=1', '/api/v1/stress', '/api/v1/scaling'])
      await waitFor(async () => (await send(port, { method: 'GET', target })).status === 200, { timeoutMs: 20_000, what: `${target} through the gateway` });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    s3?.destroy();
    await Promise.all([nats?.stop(), moto?.stop(), kube?.close()]);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /**
   * What requests could have written: every file on the two volumes and every version of every
   * object in the bucket. Left out are the writes that happen by design without a request: the
   * access log (it records every request) and the scheduled statistics report with its lock
   * (a run that crosses the report's boundary saw it blamed on the next refused input).
   */
  let stateMs = 0;
  async function state(): Promise<string> {
    const started = performance.now();
    const files: string[] = [];
    const walk = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        const rel = path.relative(root, full);
        if (rel === path.join('ebs', 'access-log') || rel === path.join('efs', '.eks-info', 'report-locks')) continue;
        if (entry.isDirectory()) walk(full);
        else files.push(`${rel} ${statSync(full).size} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
      }
    };
    walk(path.join(root, 'ebs'));
    walk(path.join(root, 'efs'));
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET }));
    const objects = [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]
      .filter((v) => !v.Key?.startsWith(REPORTS_PREFIX))
      .map((v) => `${v.Key} ${v.VersionId}`);
    stateMs += performance.now() - started;
    return [...files.sort(), ...objects.sort()].join('\n');
  }

  async function settled(): Promise<string> {
    let last = await state();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const now = await state();
      if (now === last) return now;
      last = now;
    }
    return last;
  }

  it('answers every input, never with a 5xx, and a refused request writes nothing', async () => {
    // A page's CSRF token and cookie, so that forms get past CSRF to validation.
    const page = await send(port, { method: 'GET', target: '/s3' });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body.toString('utf8'))?.[1];
    const cookie = /^set-cookie: ([^;\r\n]+)/im.exec(page.head)?.[1];
    expect(token && cookie).toBeTruthy();
    const corpus = fuzzCorpus({ csrf: { token: token!, cookie: cookie! } });
    const reads = corpus.filter((i) => !i.mutates);
    const writes = corpus.filter((i) => i.mutates);

    const outcomes: Outcome[] = [];
    const attempt = async (input: FuzzInput) => {
      const started = performance.now();
      const answer = await send(port, input.request);
      outcomes.push({ label: input.label, status: answer.status, ms: performance.now() - started });
      return answer.status;
    };

    // Reads write nothing at all.
    const beforeReads = await state();
    for (const input of reads) await attempt(input);
    expect(await state()).toBe(beforeReads);

    // Writes one by one: a refusal changes nothing; what an accepted write changed is the new baseline.
    const writtenByRefused: string[] = [];
    let accepted = 0;
    let baseline = await state();
    for (const input of writes) {
      const status = await attempt(input);
      if (status >= 400 || status === 0) {
        const now = await state();
        if (now !== baseline) {
          writtenByRefused.push(`${input.label} → ${status}`);
          baseline = now;
        }
      } else {
        accepted++;
        // Work after the answer (an idempotency marker's completion, upload pruning) lands
        // first: the new baseline is a state that holds still for 50 ms.
        baseline = await settled();
      }
    }

    const serverErrors = outcomes.filter((o) => o.status >= 500).map((o) => `${o.label} → ${o.status}`);
    const unanswered = outcomes.filter((o) => o.status === 0).map((o) => o.label);
    const refused = outcomes.filter((o) => o.status >= 400 && o.status < 500).length;
    const slowest = [...outcomes].sort((a, b) => b.ms - a.ms).slice(0, 3);
    process.stdout.write(
      `slowest: ${slowest.map((o) => `${o.label} ${Math.round(o.ms)} ms`).join('; ')}; checking state took ${Math.round(stateMs / 1000)} s\n` +
        `fuzz: ${outcomes.length} inputs tried against the distributed stack (${reads.length} reads, ${writes.length} writes): ` +
        `${serverErrors.length} answered 5xx, ${unanswered.length} unanswered, ${refused} refused with a 4xx, ${accepted} writes accepted; ` +
        `written by a refused request: ${writtenByRefused.length ? writtenByRefused.join('; ') : 'nothing'}\n`,
    );
    expect(outcomes.length).toBe(corpus.length);
    expect(corpus.length).toBeGreaterThan(2_000); // the corpus really ran
    expect(serverErrors).toEqual([]);
    expect(unanswered).toEqual([]);
    expect(writtenByRefused).toEqual([]);

    // No input started a stress test (their durations were never valid).
    const stress = (await (await fetch(`http://127.0.0.1:${port}/api/v1/stress`)).json()) as { tests: unknown[]; recent: unknown[]; loads: unknown[] };
    expect({ tests: stress.tests, recent: stress.recent, loads: stress.loads }).toEqual({ tests: [], recent: [], loads: [] });
    // Every service is still up and answering.
    for (const target of ['/api/v1/environment', '/api/v1/storage/ebs?limit=1', '/api/v1/stress', '/api/v1/scaling'])
      expect({ target, status: (await send(port, { method: 'GET', target })).status }).toEqual({ target, status: 200 });
    expect(procs.filter((p) => !p.running).map((p) => p.tail())).toEqual([]);
  });
});
