// The Helm chart, checked by the real tools: helm lint, helm template → kubeconform (Kubernetes
// 1.33 schemas, offline) → kube-score, plus values-schema and Helm-version checks.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ALL_ON_VALUES,
  CHART,
  INSTALL_TIMEOUT_MS,
  K8S_SCHEMAS,
  KUBE_VERSION,
  ensureTools,
  helmTemplate,
  renderChart,
  renderNotes,
  run,
  tempDir,
  tool,
} from './support';

const RENDERS: Record<string, string[]> = { defaults: [], 'all-on': ['-f', ALL_ON_VALUES] };
const KUBE_SCORE_ARGS = [
  'score',
  '--kubernetes-version',
  `v${KUBE_VERSION.split('.').slice(0, 2).join('.')}`,
  '--output-format',
  'ci',
  '--exit-one-on-warning',
  // Optional checks worth having: every container has a seccomp profile, port names are sane.
  '--enable-optional-test',
  'container-seccomp-profile',
  '--enable-optional-test',
  'container-ports-check',
];

let tmp: ReturnType<typeof tempDir>;
const rendered: Record<string, string> = {};

beforeAll(() => {
  ensureTools('helm', 'kubeconform', 'kube-score', 'k8s-schemas');
  tmp = tempDir('chart');
  for (const [name, args] of Object.entries(RENDERS)) {
    rendered[name] = path.join(tmp.dir, `${name}.yaml`);
    writeFileSync(rendered[name], renderChart(args));
  }
}, INSTALL_TIMEOUT_MS);
afterAll(() => tmp?.cleanup());

function kubeconform(file: string) {
  return run(tool('kubeconform'), [
    '-strict',
    '-summary',
    '-output',
    'json',
    '-kubernetes-version',
    KUBE_VERSION,
    '-schema-location',
    `${K8S_SCHEMAS}/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    file,
  ]);
}

const findings = (ciOutput: string) => ciOutput.split('\n').filter((l) => /^\[(WARNING|CRITICAL)\]/.test(l));

describe('helm', () => {
  it('reports Kubernetes 1.33 without --kube-version (the ldflags took effect, not the v1.20 default)', () => {
    const { dir, cleanup } = tempDir('kubeversion');
    try {
      mkdirSync(path.join(dir, 'templates'));
      writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: probe\nversion: 0.1.0\n');
      writeFileSync(
        path.join(dir, 'templates/cm.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe}\ndata: {v: "{{ .Capabilities.KubeVersion.Version }}"}\n',
      );
      const r = run(tool('helm'), ['template', dir]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`v: "v${KUBE_VERSION}"`);
    } finally {
      cleanup();
    }
  });

  it.each(Object.entries(RENDERS))('lint --strict passes with the %s values', (_name, args) => {
    const r = run(tool('helm'), ['lint', '--strict', '--kube-version', KUBE_VERSION, CHART, ...args]);
    expect(`${r.stdout}${r.stderr}`).toContain('0 chart(s) failed');
    expect(r.code).toBe(0);
  });

  it.each([
    ['scalingMonitor.replicaCount=2', "'/scalingMonitor/replicaCount'"],
    ['gateway.auth.mode=open', "'/gateway/auth/mode'"],
    ['nats.replicaCount=2', "'/nats/replicaCount'"],
    ['stress.resources.requests=null', "missing property 'requests'"],
    ['storage.replicas=3', "additional properties 'replicas' not allowed"],
    ['storageClasses.efs.create=true', "'allOf' failed"],
  ])('values.schema.json rejects %s', (set, message) => {
    const r = helmTemplate(['--set', set]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });
});

describe('kubeconform (Kubernetes 1.33 schemas, strict)', () => {
  it.each(Object.keys(RENDERS))('every object of the %s render is valid and none is skipped', (name) => {
    const r = kubeconform(rendered[name]);
    const summary = JSON.parse(r.stdout).summary;
    expect(r.stderr).toBe('');
    expect(summary).toMatchObject({ invalid: 0, errors: 0, skipped: 0 });
    expect(summary.valid).toBeGreaterThan(40);
    expect(r.code).toBe(0);
  });

  it('rejects an object with a field Kubernetes does not know (the check is live)', () => {
    const broken = path.join(tmp.dir, 'broken-schema.yaml');
    writeFileSync(broken, readFileSync(rendered.defaults, 'utf8').replace('revisionHistoryLimit: 5', 'revisionHistoryLimit: 5\n  replicaz: 2'));
    const r = kubeconform(broken);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain("additional properties 'replicaz' not allowed");
  });
});

describe('kube-score', () => {
  it.each(Object.keys(RENDERS))('has no findings on the %s render (exceptions are annotated on their objects)', (name) => {
    const r = run(tool('kube-score'), [...KUBE_SCORE_ARGS, rendered[name]]);
    expect(findings(r.stdout)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('flags a container that loses its read-only root filesystem', () => {
    const broken = path.join(tmp.dir, 'broken-score.yaml');
    writeFileSync(broken, readFileSync(rendered.defaults, 'utf8').replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false'));
    const r = run(tool('kube-score'), [...KUBE_SCORE_ARGS, broken]);
    expect(r.code).not.toBe(0);
    expect(findings(r.stdout).join('\n')).toMatch(/writable root filesystem/);
  });

  it('every kube-score exception in the chart carries its reason', () => {
    const docs = readFileSync(rendered['all-on'], 'utf8');
    const ignores = [...docs.matchAll(/kube-score\/ignore: "([^"]+)"/g)].flatMap((m) => m[1].split(','));
    expect(ignores.length).toBeGreaterThan(0);
    for (const check of new Set(ignores)) expect(docs).toMatch(new RegExp(`lint\\.eks-info/${check}: "[^"]{20,}"`));
  });
});

describe('install notes', () => {
  const notes = renderNotes;

  it('tell how to read the generated password and how to reach the dashboard without an Ingress', () => {
    const text = notes([]);
    expect(text).toContain("kubectl get secret demo-eks-info-auth -n eks-info -o jsonpath='{.data.auth-password}' | base64 -d");
    expect(text).toContain('kubectl port-forward -n eks-info svc/demo-eks-info-gateway 8080:80');
    expect(text).toContain('helm test demo -n eks-info');
  });

  it('refuse an internet-facing Ingress without a certificate while basic auth is on, unless allowed; then warn', () => {
    const ingress = ['--set', 'gateway.ingress.enabled=true', '--set', 'gateway.ingress.scheme=internet-facing'];
    const refused = helmTemplate(ingress);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('would send the basic-auth password over plain HTTP');
    // Each way out renders: a certificate (value or annotation), an internal ALB, another auth mode, or the explicit opt-in.
    for (const fix of [
      ['--set', 'gateway.ingress.certificateArn=arn:aws:acm:eu-west-1:123456789012:certificate/x'],
      ['--set-string', 'gateway.ingress.annotations.alb\\.ingress\\.kubernetes\\.io/certificate-arn=arn:aws:acm:eu-west-1:123456789012:certificate/x'],
      ['--set', 'gateway.ingress.scheme=internal'],
      ['--set', 'gateway.auth.mode=none'],
      ['--set', 'gateway.ingress.allowInsecureHttp=true'],
    ])
      expect({ fix, code: helmTemplate([...ingress, ...fix]).code }).toEqual({ fix, code: 0 });
    expect(notes([...ingress, '--set', 'gateway.ingress.allowInsecureHttp=true'])).toContain('WARNING: this Ingress is internet-facing without a certificate');
    expect(notes([...ingress, '--set', 'gateway.ingress.scheme=internal'])).not.toContain('internet-facing without a certificate');
  });

  it('point at the ALB address when the Ingress is on, and warn when auth is off', () => {
    expect(notes(['-f', ALL_ON_VALUES])).toContain(
      "kubectl get ingress demo-eks-info-gateway -n eks-info -o jsonpath='{.status.loadBalancer.ingress[0].hostname}",
    );
    expect(notes(['--set', 'gateway.auth.mode=none'])).toContain('WARNING: authentication is off');
  });
});
