/**
 * What the production build ships (dist/app, the only thing the image copies): one bundle per
 * component with exactly the code it runs — no test, bench, harness or end-to-end code in it —
 * and self-contained: copied where no node_modules can be found, every component starts, talks
 * over a real nats-server and serves its pages, and the compose bucket tool works against moto.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Component, ManagedProcess, MotoServer, NatsServer, freePort, guardRequireArgs, isolatedEnv, nodeBin, repoRoot, waitFor } from '@eks-info/testing';

jest.setTimeout(120_000);

const APP = path.join(repoRoot, 'dist/app');
const COMPONENTS: Component[] = ['gateway', 'environment', 'storage', 'stress', 'scaling-monitor'];

function files(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full, base) : [path.relative(base, full)];
  });
}

/** The source files a bundle was built from (its source map lists them). */
function bundledSources(component: string): string[] {
  const map = JSON.parse(readFileSync(path.join(APP, component, 'app.js.map'), 'utf8')) as { sources: string[] };
  return map.sources.map((s) => path.relative(repoRoot, path.resolve(APP, component, s)));
}

const TEST_CODE = [/\.spec\.[jt]s$/, /(^|\/)e2e\//, /(^|\/)bench\//, /^libs\/testing\//, /(^|\/)test\//, /\.e2e\.[jt]s$/];

describe('the production build', () => {
  it('holds one bundle per component and nothing test-shaped', () => {
    for (const c of COMPONENTS) for (const f of ['main.js', 'app.js', 'app.js.cache']) expect([c, f, existsSync(path.join(APP, c, f))]).toEqual([c, f, true]);
    const shipped = files(APP);
    expect(shipped.filter((f) => TEST_CODE.some((re) => re.test(f)))).toEqual([]);
  });

  it.each(COMPONENTS)('bundles no test, bench or harness code into %s, and no other component', (component) => {
    const own = bundledSources(component).filter((s) => !s.includes('node_modules/'));
    expect(own.length).toBeGreaterThan(10);
    expect(own.filter((s) => TEST_CODE.some((re) => re.test(s)))).toEqual([]);
    const others = COMPONENTS.filter((c) => c !== component).map((c) => (c === 'gateway' ? 'gateway/src/' : `services/${c}/src/`));
    expect(own.filter((s) => others.some((o) => s.startsWith(o)))).toEqual([]);
  });

  it('leaves the Kubernetes and AWS clients out of the gateway, which never touches them', () => {
    const deps = bundledSources('gateway').filter((s) => s.includes('node_modules/'));
    expect(deps.filter((s) => /@aws-sdk|@kubernetes\/client-node/.test(s))).toEqual([]);
  });
});

describe('the bundles without node_modules', () => {
  let root: string;
  let nats: NatsServer;
  const procs: ManagedProcess[] = [];

  beforeAll(async () => {
    // A copy outside the repository: no node_modules up the tree, as in the image.
    root = mkdtempSync(path.join(os.tmpdir(), 'eks-info-image-'));
    cpSync(APP, path.join(root, 'dist/app'), { recursive: true });
    nats = await NatsServer.start();
  });

  afterAll(async () => {
    for (const p of procs) await p.stop();
    await nats?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const start = async (name: string, entry: string, env: Record<string, string>, readyUrl?: string) => {
    const proc = new ManagedProcess({
      name,
      command: nodeBin,
      args: [...guardRequireArgs(), '--enable-source-maps', path.join(root, entry)],
      env: isolatedEnv({ NODE_PATH: '', NATS_URL: nats.url, LOG_LEVEL: 'warn', ...env }),
      cwd: root,
    });
    procs.push(proc);
    if (readyUrl) {
      await waitFor(
        async () => {
          if (!proc.running) throw new Error(`${name} exited:\n${proc.tail()}`);
          return (await fetch(readyUrl).catch(() => undefined))?.status === 200;
        },
        { timeoutMs: 30_000, what: `${name} ready` },
      );
    }
    return proc;
  };

  it('starts every component, which serve the pages together over NATS', async () => {
    const data = path.join(root, 'data');
    for (const [i, c] of ['environment', 'storage', 'stress', 'scaling-monitor'].entries()) {
      const port = await freePort();
      await start(
        c,
        `dist/app/${c}/main.js`,
        {
          MANAGEMENT_PORT: String(port),
          MANAGEMENT_HOST: '127.0.0.1',
          EBS_PATH: path.join(data, `ebs-${i}`),
          EFS_PATH: path.join(data, 'efs'),
          HISTORY_PATH: path.join(data, 'history'),
          REQUIRE_MOUNTS: 'false',
        },
        `http://127.0.0.1:${port}/ready`,
      );
    }
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    await start('gateway', 'dist/app/gateway/main.js', { PORT: String(port), HOST: '127.0.0.1' }, `${url}/ready`);
    for (const page of ['/', '/storage', '/ebs', '/efs', '/stress', '/scaling', '/scaling/history', '/resources']) {
      const res = await fetch(`${url}${page}`);
      expect([page, res.status]).toEqual([page, 200]);
    }
    for (const asset of ['/static/css/app.css', '/static/js/app.js', '/static/vendor/chartjs/chart.umd.min.js']) {
      expect([asset, (await fetch(`${url}${asset}`)).status]).toEqual([asset, 200]);
    }
    const written = await fetch(`${url}/api/v1/storage/efs/files`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ content: 'from the bundles' }),
    });
    expect(written.status).toBe(201);
    // The stress pod's worker threads run from the bundle's folder.
    const cpu = await fetch(`${url}/api/v1/stress/cpu`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: url },
      body: JSON.stringify({ durationSeconds: 5, intensity: 10, workers: 1 }),
    });
    expect(cpu.status).toBe(201);
    const { testId } = (await cpu.json()) as { testId: string };
    const test = (await (await fetch(`${url}/api/v1/stress/tests/${testId}`)).json()) as { tests: Array<{ state: string; error?: string }> };
    expect(test.tests[0]).toMatchObject({ state: 'running' });
    expect(test.tests[0].error).toBeUndefined();
  });

  it('starts from the code cache the build wrote', async () => {
    const run = (env: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const child = spawn(nodeBin, ['--enable-source-maps', path.join(root, 'dist/app/stress/main.js')], {
          env: isolatedEnv({ ...env, NATS_URL: 'nats://127.0.0.1:1', LOG_LEVEL: 'silent' }),
        });
        let out = '';
        child.stderr.on('data', (d) => (out += d));
        child.on('close', () => resolve(out));
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      });
    // A bad variable: the process reports it and exits before connecting anywhere.
    const report = await run({ EKS_INFO_CODE_CACHE_REPORT: '1', MANAGEMENT_PORT: 'not-a-port' });
    expect(report).toContain('code cache used');
  });

  it('maps stack traces of a launched bundle to its TypeScript sources', async () => {
    // The launcher compiles the bundle itself, so Node's loader does not map its frames: it does.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'launcher-'));
    try {
      writeFileSync(
        path.join(dir, 'thrower.ts'),
        'export function main(): void {\n  explode();\n}\nfunction explode(): never {\n  throw new Error("from the bundle");\n}\n',
      );
      const esbuild = (await import('esbuild')) as typeof import('esbuild');
      await esbuild.build({
        entryPoints: [path.join(dir, 'thrower.ts')],
        outfile: path.join(dir, 'app.js'),
        bundle: true,
        platform: 'node',
        format: 'cjs',
        sourcemap: 'linked',
      });
      const launcher = spawnSync(nodeBin, ['--input-type=module', '-e', "import('./scripts/bundle.mjs').then((m) => process.stdout.write(m.LAUNCHER))"], {
        cwd: repoRoot,
        encoding: 'utf8',
      });
      writeFileSync(path.join(dir, 'main.js'), launcher.stdout);
      const mapped = spawnSync(nodeBin, ['--enable-source-maps', path.join(dir, 'main.js')], { encoding: 'utf8' });
      expect(mapped.stderr).toContain(`at explode (${path.join(dir, 'thrower.ts')}:5:9)`);
      const plain = spawnSync(nodeBin, [path.join(dir, 'main.js')], { encoding: 'utf8' });
      expect(plain.stderr).toContain(`${path.join(dir, 'app.js')}:`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("creates compose's bucket with the bundled tool", async () => {
    const moto = await MotoServer.start();
    try {
      const tool = await start('create-bucket', 'dist/app/tools/create-bucket/main.js', {
        ...moto.env,
        AWS_ENDPOINT_URL_S3: moto.endpoint,
        S3_BUCKET: 'compose-bucket',
      });
      await waitFor(() => !tool.running, { timeoutMs: 20_000, what: 'create-bucket to exit' });
      expect(tool.tail()).toContain('bucket compose-bucket created');
      const listed = await fetch(`${moto.endpoint}/compose-bucket`, { method: 'HEAD' });
      expect(listed.status).toBe(200);
    } finally {
      await moto.stop();
    }
  });
});
