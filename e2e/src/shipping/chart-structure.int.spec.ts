// What the rendered chart must be, read from the objects themselves (yaml): volumes, hardening,
// RBAC, the stress HPA, NetworkPolicies, tokens, the stable auth secret. Each invariant also
// runs on a deliberately broken render to show that it fires.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  byKind,
  containerProblems,
  describeGrant,
  describeRequest,
  grantCoverageProblems,
  grantsOf,
  named,
  type ObservedRequest,
  networkPolicyProblems,
  rbacProblems,
  rwoClaimsInMultiReplicaDeployments,
  tokenProblems,
  workloads,
} from './chart-invariants';
import { ALL_ON_VALUES, CHART, INSTALL_TIMEOUT_MS, ensureTools, helmTemplate, parseDocs, renderChart, type K8sObject } from './support';
import { START, END, readmeWithTable, undocumentedKeys, valuesTable } from './values-table';

const NS = 'eks-info';
const appImage = (image: string) => /(^|\/)eks-info:/.test(image);
const clone = <T>(x: T): T => structuredClone(x);
const renders: Record<string, K8sObject[]> = {};

beforeAll(() => {
  ensureTools('helm');
  renders.defaults = parseDocs(renderChart());
  renders['all-on'] = parseDocs(renderChart(['-f', ALL_ON_VALUES]));
}, INSTALL_TIMEOUT_MS);

const each = () => (Object.keys(renders).length ? Object.keys(renders) : ['defaults', 'all-on']);

describe.each(each())('the %s render', (name) => {
  const docs = () => renders[name];

  it('mounts no ReadWriteOnce claim in a Deployment that can run more than one pod', () => {
    expect(rwoClaimsInMultiReplicaDeployments(docs())).toEqual([]);
  });

  it('gives every container requests, limits, /health + /ready probes and the hardened securityContext', () => {
    expect(containerProblems(docs(), appImage)).toEqual([]);
  });

  // Which grants are right is proved on a real API server from what the services call (the
  // cluster tier: e2e/src/cluster/services.cluster.spec.ts); here, the shape of the RBAC.
  it('grants read-only access, without wildcards, to the components that call the API, each role bound once to its own ServiceAccount', () => {
    expect(rbacProblems(docs(), NS)).toEqual([]);
  });

  it('mounts a service-account token only where the Kubernetes API is used', () => {
    expect(tokenProblems(docs())).toEqual([]);
  });

  it('has default-deny NetworkPolicies, DNS for all, NATS only for the app and an open port only on the gateway', () => {
    expect(networkPolicyProblems(docs())).toEqual([]);
  });

  it('runs storage as a StatefulSet: an EBS (gp3, RWO) claim template per pod plus the one shared EFS (RWX) claim', () => {
    const sts = named(docs(), 'StatefulSet', '-storage')!;
    expect(sts).toBeDefined();
    expect(byKind(docs(), 'Deployment').map((d) => d.metadata.name)).not.toContain(sts.metadata.name);
    const [tpl, ...others] = sts.spec.volumeClaimTemplates;
    expect(others).toEqual([]);
    expect(tpl.spec).toMatchObject({ accessModes: ['ReadWriteOnce'], storageClassName: 'gp3' });
    const container = sts.spec.template.spec.containers[0];
    expect(container.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'ebs', mountPath: '/data/ebs' },
        { name: 'efs', mountPath: '/data/efs' },
      ]),
    );
    const efsVolume = sts.spec.template.spec.volumes.find((v: K8sObject) => v.name === 'efs');
    const claim = byKind(docs(), 'PersistentVolumeClaim').find((c) => c.metadata.name === efsVolume.persistentVolumeClaim.claimName)!;
    expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
    expect(sts.spec.replicas).toBeGreaterThan(1);
  });

  it('runs the scaling-monitor as one replica with Recreate on its own ReadWriteOncePod claim', () => {
    const d = named(docs(), 'Deployment', '-scaling-monitor')!;
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy.type).toBe('Recreate');
    const claimName = d.spec.template.spec.volumes.find((v: K8sObject) => v.name === 'history').persistentVolumeClaim.claimName;
    // One pod only, even two on one node (ReadWriteOnce would allow that): the history has one writer.
    expect(byKind(docs(), 'PersistentVolumeClaim').find((c) => c.metadata.name === claimName)?.spec.accessModes).toEqual(['ReadWriteOncePod']);
    expect(byKind(docs(), 'HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name)).not.toContain(d.metadata.name);
  });

  it("scales stress with its own HPA: CPU 70 %, memory 80 %, 3–10 replicas and the design seed's behaviour", () => {
    const hpa = named(docs(), 'HorizontalPodAutoscaler', '-stress')!;
    const deployment = named(docs(), 'Deployment', '-stress')!;
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBe(3);
    expect(hpa.spec.maxReplicas).toBe(10);
    const targets = Object.fromEntries(hpa.spec.metrics.map((m: K8sObject) => [m.resource.name, m.resource.target]));
    expect(targets).toEqual({ cpu: { type: 'Utilization', averageUtilization: 70 }, memory: { type: 'Utilization', averageUtilization: 80 } });
    expect(hpa.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 30, policies: [{ type: 'Percent', value: 50, periodSeconds: 30 }] },
      scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] },
    });
    // The HPA owns the replica count, and utilisation is relative to requests.
    expect(deployment.spec.replicas).toBeUndefined();
    expect(deployment.spec.template.spec.containers[0].resources.requests).toMatchObject({ cpu: expect.anything(), memory: expect.anything() });
  });

  it('passes every component its configuration, the downward-API identity and a NATS URL', () => {
    const w = workloads(docs()).filter((x) => x.kind !== 'Pod' && appImage(x.spec.template.spec.containers[0].image));
    expect(w.map((x) => x.metadata.labels['app.kubernetes.io/component']).sort()).toEqual(['environment', 'gateway', 'scaling-monitor', 'storage', 'stress']);
    for (const x of w) {
      const c = x.spec.template.spec.containers[0];
      const env = Object.fromEntries(c.env.map((e: K8sObject) => [e.name, e.valueFrom?.fieldRef?.fieldPath ?? e.value ?? e.valueFrom]));
      expect(env).toMatchObject({ POD_NAME: 'metadata.name', POD_NAMESPACE: 'metadata.namespace', POD_IP: 'status.podIP', NODE_NAME: 'spec.nodeName' });
      const cm = byKind(docs(), 'ConfigMap').find((m) => m.metadata.name === c.envFrom[0].configMapRef.name)!;
      // all-on has nats.tls on: every client dials TLS.
      expect(cm.data.NATS_URL).toMatch(name === 'all-on' ? /^tls:\/\// : /^nats:\/\//);
      expect(x.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
      expect(c.args).toEqual([expect.stringMatching(/^dist\/app\/[a-z-]+\/main\.js$/)]);
    }
  });

  it('requires authentication on the gateway by default, with the password from the Secret', () => {
    const gw = named(docs(), 'Deployment', '-gateway')!;
    const cm = byKind(docs(), 'ConfigMap').find((m) => m.metadata.name === gw.metadata.name)!;
    expect(cm.data.AUTH_MODE).toBe('basic');
    const password = gw.spec.template.spec.containers[0].env.find((e: K8sObject) => e.name === 'AUTH_PASSWORD');
    const secret = byKind(docs(), 'Secret').find((s) => s.metadata.name === password.valueFrom.secretKeyRef.name)!;
    expect(Buffer.from(secret.data[password.valueFrom.secretKeyRef.key], 'base64').toString().length).toBeGreaterThanOrEqual(12);
    expect(JSON.stringify(cm.data)).not.toMatch(/PASSWORD|TOKEN/);
  });
});

describe('specific options', () => {
  it('puts the ALB annotations on the Ingress (class, scheme, target-type ip, health check, TLS, CIDRs, group)', () => {
    const ing = named(renders['all-on'], 'Ingress', '-gateway')!;
    expect(ing.spec.ingressClassName).toBe('alb');
    expect(ing.metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/healthcheck-path': '/ready',
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/inbound-cidrs': '10.0.0.0/8,192.168.0.0/16',
      'alb.ingress.kubernetes.io/group.name': 'demo',
      'alb.ingress.kubernetes.io/certificate-arn': expect.stringMatching(/^arn:aws:acm:/),
    });
    expect(named(renders.defaults, 'Ingress', '-gateway')).toBeUndefined();
  });

  it('forms a 3-server NATS cluster with routes to every pod, JetStream on its own volumes', () => {
    const sts = named(renders['all-on'], 'StatefulSet', '-nats')!;
    expect(sts.spec.replicas).toBe(3);
    expect(sts.spec.volumeClaimTemplates[0].spec.accessModes).toEqual(['ReadWriteOnce']);
    const conf: string = named(renders['all-on'], 'ConfigMap', '-nats')!.data['nats.conf'];
    for (const i of [0, 1, 2]) expect(conf).toContain(`nats://demo-eks-info-nats-${i}.demo-eks-info-nats-headless.eks-info.svc:6222`);
    expect(conf).toMatch(/jetstream \{/);
    expect(conf).toMatch(/user: "storage"\s+password: \$NATS_PASSWORD_STORAGE/);
    expect(named(renders.defaults, 'ConfigMap', '-nats')!.data['nats.conf']).not.toMatch(/cluster \{|jetstream/);
  });

  it('annotates ServiceAccounts with their IRSA role only in irsa mode', () => {
    const sa = named(renders['all-on'], 'ServiceAccount', '-storage')!;
    expect(sa.metadata.annotations['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::123456789012:role/eks-info-storage');
    const podIdentity = parseDocs(renderChart(['-f', ALL_ON_VALUES, '--set', 'aws.identity=pod-identity']));
    expect(named(podIdentity, 'ServiceAccount', '-storage')!.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBeUndefined();
  });

  it('gives the scaling-monitor its IRSA role and the region for node prices', () => {
    const docs = parseDocs(
      renderChart(['--set', 'aws.region=eu-west-1', '--set', 'scalingMonitor.serviceAccount.roleArn=arn:aws:iam::123456789012:role/eks-info-scaling-monitor']),
    );
    expect(named(docs, 'ServiceAccount', '-scaling-monitor')!.metadata.annotations['eks.amazonaws.com/role-arn']).toBe(
      'arn:aws:iam::123456789012:role/eks-info-scaling-monitor',
    );
    expect(named(docs, 'ConfigMap', '-scaling-monitor')!.data.AWS_REGION).toBe('eu-west-1');
    // Without a region the monitor takes it from its nodes' zone labels: nothing is set.
    expect(named(renders.defaults, 'ConfigMap', '-scaling-monitor')!.data.AWS_REGION).toBeUndefined();
  });

  it('uses an external NATS without deploying one, each component with its password from nats.existingSecret', () => {
    const docs = parseDocs(
      renderChart(['--set', 'nats.enabled=false', '--set', 'nats.externalUrl=nats://nats.example:4222', '--set', 'nats.existingSecret=ext-nats']),
    );
    expect(workloads(docs).map((w) => w.metadata.labels['app.kubernetes.io/component'])).not.toContain('nats');
    expect(named(docs, 'ConfigMap', '-gateway')!.data.NATS_URL).toBe('nats://nats.example:4222');
    const env = named(docs, 'Deployment', '-gateway')!.spec.template.spec.containers[0].env;
    expect(env.find((e: K8sObject) => e.name === 'NATS_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'ext-nats', key: 'gateway-password' });
    expect(networkPolicyProblems(docs)).toEqual([]);
    // Without the Secret the chart cannot know what the external server expects: it says so.
    const r = helmTemplate(['--set', 'nats.enabled=false', '--set', 'nats.externalUrl=nats://nats.example:4222']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('nats.existingSecret is required with an external NATS');
  });

  it('refuses stress without requests (the HPA could not compute utilisation)', () => {
    const r = helmTemplate(['--set-json', 'stress.resources={"requests":{"cpu":"","memory":"1Gi"},"limits":{"cpu":"1","memory":"1Gi"}}']);
    expect(r.code).not.toBe(0);
  });
});

describe('the auth secret', () => {
  const template = readFileSync(path.join(CHART, 'templates/common/secrets.yaml'), 'utf8');
  const helpers = readFileSync(path.join(CHART, 'templates/_helpers.tpl'), 'utf8');

  it('keeps the generated password across upgrades by looking up the Secret it would create', () => {
    // `helm template` cannot run lookup; check the template wiring instead.
    expect(template).toMatch(/include "eks-info\.renderedSecretValue" \(dict "ctx" \. "secret" \$name "key" "auth-password"/);
    // The same value in the Secret and in the gateway's checksum (memoized for the render), from the lookup below.
    expect(helpers).toMatch(/\$_ := set \$cache \$k \(include "eks-info\.stableSecretValue" \.\)/);
    expect(helpers).toMatch(/lookup "v1" "Secret" \.ctx\.Release\.Namespace \.secret/);
    expect(helpers).toMatch(/index \$existing\.data \.key \| b64dec/);
  });

  it('uses a given password instead of generating one', () => {
    const docs = parseDocs(renderChart(['--set', 'gateway.auth.password=chosen-password']));
    const secret = named(docs, 'Secret', '-auth')!;
    expect(Buffer.from(secret.data['auth-password'], 'base64').toString()).toBe('chosen-password');
  });
});

describe('the invariants fire on broken renders', () => {
  const base = () => clone(renders.defaults);

  it('a scaling-monitor with 3 replicas (or an HPA) sharing its RWO claim', () => {
    const docs = base();
    const sm = named(docs, 'Deployment', '-scaling-monitor')!;
    sm.spec.replicas = 3;
    expect(rwoClaimsInMultiReplicaDeployments(docs)).toEqual([expect.stringContaining('mounts ReadWriteOnce claim demo-eks-info-scaling-monitor-history')]);
    sm.spec.replicas = 1;
    docs.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'x' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: sm.metadata.name }, maxReplicas: 4 },
    });
    expect(rwoClaimsInMultiReplicaDeployments(docs)).toHaveLength(1);
  });

  it('a container without limits, probes or the hardened context', () => {
    const docs = base();
    const c = named(docs, 'Deployment', '-gateway')!.spec.template.spec.containers[0];
    delete c.resources.limits.memory;
    c.readinessProbe.httpGet.path = '/health';
    c.securityContext.capabilities.drop = [];
    delete c.securityContext.seccompProfile;
    expect(containerProblems(docs, appImage)).toEqual([
      expect.stringContaining('no memory limits'),
      expect.stringContaining('capabilities do not drop ALL'),
      expect.stringContaining('seccompProfile is not RuntimeDefault'),
      expect.stringContaining('readiness probe is not GET /ready'),
    ]);
  });

  it('a Role with a write verb, a component without any role, a role for the gateway and a second binding', () => {
    const docs = base();
    named(docs, 'Role', '-environment')!.rules[0].verbs.push('update');
    for (let i = docs.length - 1; i >= 0; i--)
      if (['Role', 'RoleBinding'].includes(docs[i].kind) && docs[i].metadata.name.endsWith('-stress')) docs.splice(i, 1);
    docs.push({ kind: 'Role', metadata: { name: 'gw', namespace: NS, labels: { 'app.kubernetes.io/component': 'gateway' } }, rules: [] });
    const storageRole = named(docs, 'Role', '-storage')!;
    docs.push({
      ...clone(docs.find((d) => d.kind === 'RoleBinding' && d.roleRef?.name === storageRole.metadata.name)!),
      metadata: { name: 'again', namespace: NS },
    });
    const problems = rbacProblems(docs, NS);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^environment Role: write verbs .*\|pods\|update/),
        'stress: calls the Kubernetes API, but no role is bound to its ServiceAccount',
        expect.stringContaining('gateway Role: gateway calls no Kubernetes API'),
        'storage Role: 2 bindings instead of 1',
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  it('a token on the gateway, and NATS open to every pod', () => {
    const docs = base();
    named(docs, 'Deployment', '-gateway')!.spec.template.spec.automountServiceAccountToken = true;
    expect(tokenProblems(docs)).toEqual([expect.stringContaining('demo-eks-info-gateway: automountServiceAccountToken=true')]);
    const nats = byKind(docs, 'NetworkPolicy').find((p) => p.metadata.name === 'demo-eks-info-nats')!;
    nats.spec.ingress[0].from = [];
    expect(networkPolicyProblems(docs)).toEqual(expect.arrayContaining(['nats: client port open to any source']));
    docs.splice(
      docs.findIndex((d) => d.metadata?.name === 'demo-eks-info-default-deny'),
      1,
    );
    expect(networkPolicyProblems(docs).filter((p) => p.includes('no default-deny'))).toHaveLength(workloads(docs).length);
  });
});

describe('grant coverage: every grant used by a request of its account, no request refused or unexplained', () => {
  const grants = () => grantsOf(renders.defaults);
  const request = (g: ReturnType<typeof grantsOf>[number], over: Partial<ObservedRequest> = {}): ObservedRequest => ({
    account: g.account,
    verb: g.verb,
    group: g.group,
    resource: g.resource,
    namespace: g.namespace ?? 'somewhere',
    name: g.name,
    code: 200,
    uri: '/',
    at: '2025-01-01T00:00:00Z',
    ...over,
  });

  it('expands each rule per ServiceAccount, verb, resource, namespace and name', () => {
    const g = grants();
    const stress = g.filter((x) => x.account === `${NS}/demo-eks-info-stress`);
    expect(stress.map((x) => [x.verb, x.resource, x.namespace, x.name]).sort()).toEqual([
      ['list', 'horizontalpodautoscalers', NS, 'demo-eks-info-stress'],
      ['watch', 'horizontalpodautoscalers', NS, 'demo-eks-info-stress'],
    ]);
    expect(g.some((x) => x.account.endsWith('-gateway'))).toBe(false);
  });

  it('passes when every grant was used and nothing was refused', () => {
    expect(
      grantCoverageProblems(
        grants(),
        grants().map((g) => request(g)),
      ),
    ).toEqual([]);
  });

  it('names a grant no request used, a refused request and a request no grant explains', () => {
    const g = grants();
    const [unused, ...rest] = g;
    const refused = request(rest[0], { code: 403, at: '2025-01-01T00:00:01Z' });
    const write = request(rest[0], { verb: 'delete' });
    // Another object than the rule's resourceNames allow is not explained by it.
    const otherName = request(
      g.find((x) => x.name)!,
      { name: 'someone-else' },
    );
    const requests = [...rest.map((x) => request(x)), refused, write, otherName];
    expect(grantCoverageProblems(g, requests).sort()).toEqual(
      [
        `unused grant: ${describeGrant(unused)}`,
        `forbidden request: ${describeRequest(refused)}`,
        `allowed by no grant of the release: ${describeRequest(write)}`,
        `allowed by no grant of the release: ${describeRequest(otherName)}`,
      ].sort(),
    );
    // A refusal the caller expects (a rule removed on purpose) is not a problem.
    expect(grantCoverageProblems(g, requests, (r) => r.code === 403).filter((p) => p.startsWith('forbidden'))).toEqual([]);
  });
});

describe('the chart README', () => {
  const values = readFileSync(path.join(CHART, 'values.yaml'), 'utf8');
  const readme = readFileSync(path.join(CHART, 'README.md'), 'utf8');

  it('documents every value with a bitnami-style @param line', () => {
    expect(undocumentedKeys(values)).toEqual([]);
  });

  it('has the values table generated from values.yaml (node e2e/src/shipping/values-table.ts --write)', () => {
    expect(readme).toContain(START);
    expect(readme).toContain(END);
    expect(readmeWithTable(readme, valuesTable(values))).toBe(readme);
  });
});
