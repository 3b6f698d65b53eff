// scripts/build.sh and scripts/deploy.sh, run for real with recording stand-ins for docker,
// aws, terraform, helm and kubectl on PATH (nothing here may reach AWS or a registry).
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, run, tempDir } from './support';

const BUILD = path.join(ROOT, 'scripts/build.sh');
const DEPLOY = path.join(ROOT, 'scripts/deploy.sh');

let tmp: ReturnType<typeof tempDir>;
let bin: string;
let calls: string;

/** A stand-in that appends "name args…" to the calls file and prints a canned answer. */
function stub(name: string, body = '') {
  const file = path.join(bin, name);
  writeFileSync(file, `#!/usr/bin/env bash\necho "${name} $*" >> "${calls}"\n${body}\nexit 0\n`);
  chmodSync(file, 0o755);
}

beforeAll(() => {
  tmp = tempDir('scripts');
  bin = path.join(tmp.dir, 'bin');
  mkdirSync(bin);
  calls = path.join(tmp.dir, 'calls.log');
  stub(
    'docker',
    'if [ "$1 $2" = "buildx version" ]; then echo "buildx v0.0.0"; fi\nif [ "$1 $2" = "buildx inspect" ]; then echo "Platforms: linux/amd64, linux/arm64"; fi\nif [ "$1" = login ]; then cat >/dev/null; fi',
  );
  stub(
    'aws',
    'case "$1 $2" in "ecr get-login-password") echo token ;; "ecr describe-repositories") echo "registry.test/eks-info" ;; "sts get-caller-identity") echo "arn:aws:sts::000000000000:assumed-role/test" ;; esac',
  );
  stub(
    'terraform',
    'if [ "$2" = output ]; then case "$4" in cluster_name) echo -n demo ;; region) echo -n eu-west-1 ;; namespace) echo -n eks-info ;; release_name) echo -n eks-info ;; chart_values_yaml) printf "clusterName: demo\\n" ;; esac; fi',
  );
  stub('helm');
  stub('kubectl');
});
afterAll(() => tmp?.cleanup());

function script(file: string, args: string[]) {
  writeFileSync(calls, '');
  const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: tmp.dir };
  const r = run('bash', [file, ...args], { env, cwd: tmp.dir });
  return { ...r, calls: readFileSync(calls, 'utf8').trim().split('\n').filter(Boolean) };
}

describe('scripts/build.sh', () => {
  it('has --help and rejects unknown options with a clear message', () => {
    const help = script(BUILD, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: scripts/build.sh');
    expect(help.stdout).toContain('linux/arm64,linux/amd64');
    const bad = script(BUILD, ['--frobnicate']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("unknown option '--frobnicate'");
  });

  it('builds both architectures with buildx and pushes to the ECR repository it looks up', () => {
    const r = script(BUILD, ['--region', 'eu-west-1', '--tag', 'v1.2.3']);
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.calls).toContain(
      'aws ecr describe-repositories --region eu-west-1 --repository-names eks-info --query repositories[0].repositoryUri --output text',
    );
    expect(r.calls).toContain('docker login --username AWS --password-stdin registry.test');
    const build = r.calls.find((c) => c.startsWith('docker buildx build'))!;
    expect(build).toContain('--platform linux/arm64,linux/amd64');
    expect(build).toContain('-t registry.test/eks-info:v1.2.3');
    expect(build).toContain('--push');
    expect(build.endsWith(ROOT)).toBe(true);
    expect(r.stdout.trim()).toBe('registry.test/eks-info:v1.2.3');
  });

  it('needs a region when only a repository name is given, and refuses a bad tag', () => {
    const noRegion = script(BUILD, ['--tag', 'v1']);
    expect(noRegion.code).not.toBe(0);
    expect(noRegion.stderr).toContain('no region: pass --region or set AWS_REGION');
    const badTag = script(BUILD, ['--region', 'eu-west-1', '--tag', 'bad tag!']);
    expect(badTag.code).not.toBe(0);
    expect(badTag.stderr).toContain("'bad tag!' is not a valid image tag");
  });

  it('--load builds a local image for compose without touching ECR', () => {
    const r = script(BUILD, ['--load', '--tag', 'dev']);
    expect(r.code).toBe(0);
    expect(r.calls.some((c) => c.startsWith('aws'))).toBe(false);
    expect(r.calls.find((c) => c.startsWith('docker buildx build'))).toContain('--load -t eks-info:local');
  });
});

describe('scripts/deploy.sh', () => {
  it('has --help', () => {
    const r = script(DEPLOY, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: scripts/deploy.sh');
  });

  it('applies Terraform, then installs the chart with its outputs, then runs helm test', () => {
    const r = script(DEPLOY, ['--auto-approve', '--image-tag', 'abc123']);
    expect(r.stderr).not.toContain('error:');
    expect(r.code).toBe(0);
    const order = (prefix: string) => r.calls.findIndex((c) => c.startsWith(prefix));
    expect(r.calls).toContain(`terraform -chdir=${ROOT}/terraform apply -input=false -auto-approve -var image_tag=abc123 -var deploy_app=false`);
    expect(r.calls).toContain('aws eks update-kubeconfig --name demo --region eu-west-1 --alias demo');
    const install = r.calls.find((c) => c.startsWith('helm upgrade --install'))!;
    expect(install).toMatch(
      new RegExp(
        `^helm upgrade --install eks-info ${ROOT}/helm/eks-info --namespace eks-info --create-namespace -f \\S+ --wait --timeout 10m --set-string image.tag=abc123$`,
      ),
    );
    expect(order('terraform -chdir')).toBeLessThan(order('helm upgrade'));
    expect(order('helm upgrade')).toBeLessThan(order('helm test'));
  });

  it('stops with a clear message when a tool is missing', () => {
    const r = run('bash', [DEPLOY], { env: { PATH: '/usr/bin:/bin', HOME: tmp.dir } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error: (terraform \(or tofu\)|helm|kubectl|aws) is required/);
  });
});
