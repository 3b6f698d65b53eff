/**
 * The gateway and the storage service inside real cgroups with the chart's own CPU and memory
 * limits and Node flags, under sustained load: never OOM-killed, never out of memory in the
 * cgroup, every request answered. (Throughput inside the limits is a benchmark figure, printed by
 * `npm run bench`; here only survival and correctness are asserted.)
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import {
  CgroupSandbox,
  ManagedProcess,
  NatsServer,
  componentEntry,
  distPath,
  freePort,
  guardRequireArgs,
  imageRuntimeEnv,
  isolatedEnv,
  nodeBin,
  repoRoot,
  startNodeProcess,
  waitFor,
} from '@eks-info/testing';

jest.setTimeout(120_000);

/** Kubernetes quantities as the chart writes them: 500m, 1000m, 256Mi, 1Gi. */
function cores(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q);
}
function bytes(q: string): number {
  const units: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`unexpected quantity ${q}`);
  return Number(m[1]) * (m[2] ? units[m[2]] : 1);
}

interface ChartLimits {
  cpuCores: number;
  memoryBytes: number;
  nodeOptions: string;
}

const values = parse(readFileSync(path.join(repoRoot, 'helm/eks-info/values.yaml'), 'utf8')) as Record<
  string,
  { resources: { limits: { cpu: string; memory: string } }; nodeOptions?: string }
>;
const chartLimits = (component: 'gateway' | 'storage'): ChartLimits => ({
  cpuCores: cores(values[component].resources.limits.cpu),
  memoryBytes: bytes(values[component].resources.limits.memory),
  nodeOptions: values[component].nodeOptions ?? '',
});

/** A bounded closed loop of requests: `concurrency` at a time for `seconds`; counts the answers by status. */
async function load(concurrency: number, seconds: number, next: (i: number) => Promise<number>): Promise<Record<number, number>> {
  const until = Date.now() + seconds * 1000;
  const statuses: Record<number, number> = {};
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const status = await next(i++).catch(() => 0);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

function sandboxFor(name: string, limits: ChartLimits): CgroupSandbox {
  const made = CgroupSandbox.create(`eks-info-limits-${name}-${process.pid}`, { cpuCores: limits.cpuCores, memoryLimitBytes: limits.memoryBytes });
  if (!made.ok) throw new Error(`a cgroup with the chart's limits is needed for this test (run as root, or with a delegated cgroup): ${made.reason}`);
  return made.sandbox;
}

/** Starts a component's production bundle inside the sandbox, with the chart's NODE_OPTIONS and the image's allocator setting. */
async function startLimited(sandbox: CgroupSandbox, component: 'gateway' | 'storage', limits: ChartLimits, env: Record<string, string>, readyUrl: string) {
  const wrapped = sandbox.wrap(nodeBin, [...guardRequireArgs(), distPath(componentEntry(component))]); // as the image runs it
  const proc = new ManagedProcess({
    name: component,
    command: wrapped.command,
    args: wrapped.args,
    env: isolatedEnv({ ...imageRuntimeEnv(), ...env, NODE_OPTIONS: limits.nodeOptions, LOG_LEVEL: 'warn' }),
    cwd: repoRoot,
  });
  await waitFor(
    async () => {
      if (!proc.running) throw new Error(`${component} exited:\n${proc.tail()}`);
      return (await fetch(readyUrl).catch(() => undefined))?.status === 200;
    },
    { timeoutMs: 30_000, what: `${component} ready` },
  );
  return proc;
}

/** The cgroup's own account of memory trouble: OOM kills, and hits of the limit. */
function memoryTrouble(sandbox: CgroupSandbox): { oomKills: number; limitHits: number; peakBytes: number } {
  const events = sandbox.read('memory.events'); // v2
  if (events) {
    const field = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(events)?.[1] ?? 0);
    return { oomKills: field('oom_kill'), limitHits: field('max'), peakBytes: Number(sandbox.read('memory.peak') ?? 0) };
  }
  return {
    oomKills: Number(/^oom_kill (\d+)$/m.exec(sandbox.read('memory.oom_control') ?? '')?.[1] ?? 0),
    limitHits: Number(sandbox.read('memory.failcnt') ?? 0),
    peakBytes: Number(sandbox.read('memory.max_usage_in_bytes') ?? 0),
  };
}

describe("inside the chart's CPU and memory limits", () => {
  let nats: NatsServer;
  const stopAtEnd: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    nats = await NatsServer.start({ maxPayload: '16MB' });
    stopAtEnd.push(() => nats.stop());
  });
  afterAll(async () => {
    for (const stop of stopAtEnd.reverse()) await stop();
  });

  it('the gateway serves a sustained mix of pages and API reads without an OOM kill or a failed request', async () => {
    const limits = chartLimits('gateway');
    const envPort = await freePort();
    const environment = await startNodeProcess({
      name: 'environment',
      entry: componentEntry('environment'),
      env: { NATS_URL: nats.url, MANAGEMENT_PORT: String(envPort), MANAGEMENT_HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      readyUrl: `http://127.0.0.1:${envPort}/ready`,
    });
    stopAtEnd.push(() => environment.stop());
    const sandbox = sandboxFor('gateway', limits);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const gateway = await startLimited(
      sandbox,
      'gateway',
      limits,
      { NATS_URL: nats.url, PORT: String(port), HOST: '127.0.0.1', READ_RATE_LIMIT_PER_MINUTE: '0' },
      `${url}/ready`,
    );
    try {
      const paths = ['/', '/api/v1/environment', '/resources', '/network', '/stress', '/scaling', '/storage'];
      const statuses = await load(40, 12, async (i) => (await fetch(`${url}${paths[i % paths.length]}`)).status);
      const total = Object.values(statuses).reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(1000);
      // Sections whose service is not running here degrade; the pages themselves always answer.
      expect(Object.keys(statuses).filter((s) => Number(s) === 0 || (Number(s) >= 500 && Number(s) !== 503))).toEqual([]);
      expect(gateway.running).toBe(true);
      const trouble = memoryTrouble(sandbox);
      expect(trouble.oomKills).toBe(0);
      expect(trouble.limitHits).toBe(0);
      expect(trouble.peakBytes).toBeLessThan(limits.memoryBytes);
      console.log(
        `gateway in ${limits.cpuCores} CPU / ${limits.memoryBytes / 2 ** 20} MiB: ${total} requests in 12 s, peak ${Math.round(trouble.peakBytes / 2 ** 20)} MiB`,
      );
    } finally {
      await gateway.stop();
      sandbox.remove();
    }
  });

  it('the storage service takes writes and access batches without an OOM kill or a lost write', async () => {
    const limits = chartLimits('storage');
    const data = mkdtempSync(path.join(os.tmpdir(), 'eks-info-limits-'));
    stopAtEnd.push(async () => rmSync(data, { recursive: true, force: true }));
    const sandbox = sandboxFor('storage', limits);
    const mgmt = await freePort();
    const storage = await startLimited(
      sandbox,
      'storage',
      limits,
      {
        NATS_URL: nats.url,
        MANAGEMENT_PORT: String(mgmt),
        MANAGEMENT_HOST: '127.0.0.1',
        EBS_PATH: path.join(data, 'ebs'),
        EFS_PATH: path.join(data, 'efs'),
        REQUIRE_MOUNTS: 'false',
        // No rotation of old files during this run: every acknowledged write must still be there.
        EFS_MAX_FILES: '1000000',
      },
      `http://127.0.0.1:${mgmt}/ready`,
    );
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const gateway = await startNodeProcess({
      name: 'gateway',
      entry: componentEntry('gateway'),
      env: {
        NATS_URL: nats.url,
        PORT: String(port),
        HOST: '127.0.0.1',
        READ_RATE_LIMIT_PER_MINUTE: '0',
        MUTATION_RATE_LIMIT_PER_MINUTE: '1000000',
        LOG_LEVEL: 'warn',
      },
      readyUrl: `${url}/ready`,
    });
    try {
      const written: string[] = [];
      const statuses = await load(20, 12, async (i) => {
        if (i % 4 === 0) {
          const content = `entry ${i}`;
          const res = await fetch(`${url}/api/v1/storage/efs/files`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', origin: url },
            body: JSON.stringify({ content }),
          });
          if (res.status === 201) written.push(((await res.json()) as { file: { filename: string } }).file.filename);
          return res.status;
        }
        // Every read is also an access record for the storage service to append.
        return (await fetch(`${url}/api/v1/storage/ebs?limit=5`)).status;
      });
      expect(Object.keys(statuses).map(Number).sort()).toEqual([200, 201]);
      expect(storage.running).toBe(true);
      const trouble = memoryTrouble(sandbox);
      expect(trouble.oomKills).toBe(0);
      expect(trouble.limitHits).toBe(0);
      // Every acknowledged write is there.
      const listed = (await (await fetch(`${url}/api/v1/storage/efs?limit=1`)).json()) as { files: { data: { total: number } } };
      expect(listed.files.data.total).toBeGreaterThanOrEqual(written.length);
      console.log(
        `storage in ${limits.cpuCores} CPU / ${limits.memoryBytes / 2 ** 20} MiB: ${written.length} writes and ${statuses[200]} reads in 12 s, peak ${Math.round(trouble.peakBytes / 2 ** 20)} MiB`,
      );
    } finally {
      await gateway.stop();
      await storage.stop();
      sandbox.remove();
    }
  });
});
