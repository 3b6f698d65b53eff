// docker-compose.yml, validated and normalised by compose-go's own CLI (the library Docker
// Compose is built on; no Docker engine needed), then checked for the shape the issue asks for.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { INSTALL_TIMEOUT_MS, ROOT, ensureTools, run, tempDir, tool } from './support';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Compose = Record<string, any>;
const APP_SERVICES = ['gateway', 'environment', 'storage-1', 'storage-2', 'stress', 'scaling-monitor'];

// Only PATH and HOME: variables of the machine must not change what the file means.
const cleanEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' };
function composeGo(dir: string) {
  return run(tool('compose-go'), ['--format', 'json', 'docker-compose.yml'], { cwd: dir, env: cleanEnv });
}

let project: Compose;
beforeAll(() => {
  ensureTools('compose');
  const r = composeGo(ROOT);
  if (r.code !== 0) throw new Error(`compose-go rejected docker-compose.yml:\n${r.stderr}`);
  project = JSON.parse(r.stdout);
}, INSTALL_TIMEOUT_MS);

const svc = (name: string) => project.services[name];

describe('docker-compose.yml', () => {
  it('is valid for compose-go and has every component, NATS, MinIO and the bucket job', () => {
    expect(Object.keys(project.services).sort()).toEqual([...APP_SERVICES, 'minio', 'minio-init', 'nats'].sort());
  });

  it('runs NATS with JetStream on, from its mounted configuration', () => {
    const nats = svc('nats');
    expect(nats.command).toEqual(['--config', '/etc/nats/nats.conf']);
    const conf = nats.volumes.find((v: Compose) => v.target === '/etc/nats/nats.conf');
    expect(conf).toMatchObject({ type: 'bind', read_only: true });
    const text = readFileSync(conf.source, 'utf8');
    expect(text).toMatch(/^jetstream \{/m);
    expect(text).toMatch(/max_payload: 16MB/);
    expect(nats.volumes.some((v: Compose) => v.target === '/data' && v.type === 'volume')).toBe(true);
  });

  it('creates the MinIO bucket before the storage services start', () => {
    expect(svc('minio-init').depends_on.minio.condition).toBe('service_healthy');
    expect(svc('minio-init').command).toEqual(['dist/app/tools/create-bucket/main.js']);
    for (const s of ['storage-1', 'storage-2']) expect(svc(s).depends_on['minio-init'].condition).toBe('service_completed_successfully');
  });

  it('gives two storage services one shared efs volume and an ebs volume each', () => {
    const mounts = (s: string) => Object.fromEntries(svc(s).volumes.map((v: Compose) => [v.target, v.source]));
    expect(mounts('storage-1')['/data/efs']).toBe('efs');
    expect(mounts('storage-2')['/data/efs']).toBe('efs');
    expect(mounts('storage-1')['/data/ebs']).not.toBe(mounts('storage-2')['/data/ebs']);
    for (const name of ['efs', 'ebs-1', 'ebs-2']) expect(project.volumes).toHaveProperty(name);
    expect(svc('storage-1').environment).toMatchObject({ EBS_PATH: '/data/ebs', EFS_PATH: '/data/efs', AWS_ENDPOINT_URL_S3: 'http://minio:9000' });
  });

  it('publishes the gateway on 8080 (loopback only) and starts it after healthy services', () => {
    expect(svc('gateway').ports).toEqual([expect.objectContaining({ target: 8080, published: '8080', host_ip: '127.0.0.1' })]);
    for (const dep of ['nats', 'environment', 'storage-1', 'storage-2', 'stress', 'scaling-monitor'])
      expect(svc('gateway').depends_on[dep].condition).toBe('service_healthy');
    expect(svc('gateway').build.context).toBe(ROOT);
  });

  it('health-checks every long-running service and hardens the app containers like the chart', () => {
    for (const name of [...APP_SERVICES, 'nats', 'minio']) expect(svc(name).healthcheck?.test?.length).toBeGreaterThan(1);
    for (const name of APP_SERVICES) {
      const s = svc(name);
      expect(s.healthcheck.test).toEqual(['CMD', 'node', 'docker/healthcheck.mjs']);
      expect(s).toMatchObject({ user: '10001:10001', read_only: true, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] });
      expect(s.tmpfs).toEqual([expect.stringMatching(/^\/tmp/)]);
      expect(s.depends_on.nats.condition).toBe('service_healthy');
      expect(s.environment).toMatchObject({ NATS_URL: 'nats://nats:4222', AWS_EC2_METADATA_DISABLED: 'true', IMDS_MODE: 'off', KUBE_MODE: 'off' });
    }
  });

  it('refers only to services and volumes it declares', () => {
    // compose-go's CLI validates against the Compose schema (LoadModel) but does not cross-check
    // references (that is LoadProject's job in Docker Compose itself), so the test does.
    expect(referenceProblems(project)).toEqual([]);
  });

  describe('is rejected when broken', () => {
    function variant(edit: (text: string) => string) {
      const { dir, cleanup } = tempDir('compose');
      try {
        mkdirSync(path.join(dir, 'docker'));
        copyFileSync(path.join(ROOT, 'docker/nats.conf'), path.join(dir, 'docker/nats.conf'));
        writeFileSync(path.join(dir, 'docker-compose.yml'), edit(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')));
        return composeGo(dir);
      } finally {
        cleanup();
      }
    }

    it('by compose-go, for a depends_on condition the spec does not have', () => {
      const r = variant((t) => t.replace('condition: service_completed_successfully', 'condition: service_done'));
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("condition value must be one of 'service_started', 'service_healthy', 'service_completed_successfully'");
    });

    it('by the reference check, for an undeclared volume and a renamed service', () => {
      const r = variant((t) => t.replace('- ebs-2:/data/ebs', '- ebs-3:/data/ebs').replace(/^ {2}stress:$/m, '  stressor:'));
      expect(r.code).toBe(0);
      expect(referenceProblems(JSON.parse(r.stdout))).toEqual([
        'gateway depends on stress, which is not a service',
        'storage-2 mounts volume ebs-3, which is not declared',
      ]);
    });
  });
});

function referenceProblems(p: Compose): string[] {
  const problems: string[] = [];
  for (const [name, s] of Object.entries<Compose>(p.services)) {
    for (const dep of Object.keys(s.depends_on ?? {})) if (!p.services[dep]) problems.push(`${name} depends on ${dep}, which is not a service`);
    for (const v of s.volumes ?? [])
      if (v.type === 'volume' && v.source && !(p.volumes ?? {})[v.source]) problems.push(`${name} mounts volume ${v.source}, which is not declared`);
  }
  return problems.sort();
}
