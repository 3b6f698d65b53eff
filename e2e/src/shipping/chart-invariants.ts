// Properties every render of the chart must have. Each check is a pure function from the
// rendered objects to a list of problems, so the tests can also feed it a broken render and
// watch it fire.
import type { K8sObject } from './support';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Pod']);
const APP_COMPONENTS = ['gateway', 'environment', 'storage', 'stress', 'scaling-monitor'];

export const byKind = (docs: K8sObject[], kind: string) => docs.filter((d) => d.kind === kind);
export const named = (docs: K8sObject[], kind: string, suffix: string) => docs.find((d) => d.kind === kind && String(d.metadata?.name).endsWith(suffix));
const component = (d: K8sObject) => d.metadata?.labels?.['app.kubernetes.io/component'] as string | undefined;
const podSpec = (d: K8sObject): K8sObject | undefined => (d.kind === 'Pod' ? d.spec : d.spec?.template?.spec);
const podLabels = (d: K8sObject): Record<string, string> => (d.kind === 'Pod' ? d.metadata?.labels : d.spec?.template?.metadata?.labels) ?? {};
const isHelmTest = (d: K8sObject) => d.kind === 'Pod' && String(d.metadata?.annotations?.['helm.sh/hook'] ?? '').includes('test');

export function workloads(docs: K8sObject[]): K8sObject[] {
  return docs.filter((d) => WORKLOAD_KINDS.has(d.kind));
}

/** Deployments that may run more than one pod: replicas > 1, or scaled by an HPA. */
function multiReplicaDeployments(docs: K8sObject[]): K8sObject[] {
  const hpaTargets = new Set(
    byKind(docs, 'HorizontalPodAutoscaler')
      .filter((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && (h.spec?.maxReplicas ?? 1) > 1)
      .map((h) => h.spec.scaleTargetRef.name),
  );
  return byKind(docs, 'Deployment').filter((d) => (d.spec?.replicas ?? 1) > 1 || hpaTargets.has(d.metadata?.name));
}

/**
 * A ReadWriteOnce claim attaches to one node: a Deployment whose replicas share it cannot spread
 * over nodes (Multi-Attach error). Unknown claims count as a problem: nobody can vouch for them.
 */
export function rwoClaimsInMultiReplicaDeployments(docs: K8sObject[]): string[] {
  const claims = new Map(byKind(docs, 'PersistentVolumeClaim').map((c) => [c.metadata.name, c.spec?.accessModes ?? []]));
  const problems: string[] = [];
  for (const d of multiReplicaDeployments(docs)) {
    for (const v of podSpec(d)?.volumes ?? []) {
      const claim = v.persistentVolumeClaim?.claimName;
      if (!claim) continue;
      const modes: string[] | undefined = claims.get(claim);
      if (!modes) problems.push(`${d.metadata.name}: multi-replica Deployment mounts claim ${claim}, which the chart does not define`);
      else if (modes.some((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod'))
        problems.push(`${d.metadata.name}: multi-replica Deployment mounts ReadWriteOnce claim ${claim}`);
    }
  }
  return problems;
}

const quantitySet = (q: unknown) => q !== undefined && q !== null && String(q).trim() !== '';

/**
 * Every container of every workload: CPU and memory requests and limits, and the hardened
 * security context (the container's own, not inherited, so a pod-level change cannot drop it).
 * App containers (the one image) probe /health for liveness and /ready for readiness; other
 * long-running containers must have both probes too. Helm test pods run to completion: no probes.
 */
export function containerProblems(docs: K8sObject[], appImage: (image: string) => boolean): string[] {
  const problems: string[] = [];
  for (const w of workloads(docs)) {
    const spec = podSpec(w);
    const containers: K8sObject[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
    if (containers.length === 0) problems.push(`${w.kind}/${w.metadata?.name}: no containers`);
    for (const c of containers) {
      const where = `${w.kind}/${w.metadata?.name} container ${c.name}`;
      for (const kind of ['requests', 'limits'])
        for (const res of ['cpu', 'memory']) if (!quantitySet(c.resources?.[kind]?.[res])) problems.push(`${where}: no ${res} ${kind}`);
      const sc = c.securityContext ?? {};
      if (sc.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
      if (!(Number(sc.runAsUser) > 0)) problems.push(`${where}: no numeric non-root runAsUser`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
      if (sc.privileged === true) problems.push(`${where}: privileged`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities do not drop ALL`);
      if ((sc.capabilities?.add ?? []).length) problems.push(`${where}: adds capabilities ${sc.capabilities.add}`);
      if (sc.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${where}: seccompProfile is not RuntimeDefault`);
      if (isHelmTest(w)) continue;
      if (appImage(String(c.image))) {
        if (c.livenessProbe?.httpGet?.path !== '/health') problems.push(`${where}: liveness probe is not GET /health`);
        if (c.readinessProbe?.httpGet?.path !== '/ready') problems.push(`${where}: readiness probe is not GET /ready`);
      } else {
        if (!c.livenessProbe) problems.push(`${where}: no liveness probe`);
        if (!c.readinessProbe) problems.push(`${where}: no readiness probe`);
      }
    }
  }
  return problems;
}

/** A rule as "apiGroup|resource|verb" strings (resourceNames appended), for exact comparisons. */
export function ruleSet(rules: K8sObject[]): string[] {
  const out: string[] = [];
  for (const r of rules ?? [])
    for (const g of r.apiGroups ?? [''])
      for (const res of r.resources ?? [])
        for (const v of r.verbs ?? []) out.push(`${g}|${res}|${v}${r.resourceNames ? `|${[...r.resourceNames].sort().join(',')}` : ''}`);
  return [...new Set(out)].sort();
}

/** Components that call the Kubernetes API (they mount a token); the others (gateway, NATS) must not be granted anything. */
const API_COMPONENTS = new Set(['environment', 'storage', 'stress', 'scaling-monitor']);

/**
 * Structure of the release's RBAC, without restating what it grants (which grants are right is
 * proved on the real API server: see `grantCoverageProblems`): no wildcards, no write verbs,
 * every role bound exactly once and only to its own component's ServiceAccount, a role for
 * every component that calls the API, and none for a component that does not (gateway, nats).
 */
export function rbacProblems(docs: K8sObject[], releaseNamespace: string): string[] {
  const problems: string[] = [];
  const withRoles = new Set<string>();
  for (const r of docs.filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole')) {
    const comp = component(r) ?? '?';
    const ns = r.metadata?.namespace;
    const key = `${comp} ${r.kind}${r.kind === 'Role' && ns && ns !== releaseNamespace ? ` @${ns}` : ''}`;
    const rules = ruleSet(r.rules);
    if (rules.some((x) => x.includes('*'))) problems.push(`${key}: wildcard in ${r.metadata.name}`);
    const writes = rules.filter((x) => !/\|(get|list|watch)(\||$)/.test(x));
    if (writes.length) problems.push(`${key}: write verbs ${writes.join(', ')}`);
    if (!API_COMPONENTS.has(comp)) {
      problems.push(`${key}: ${comp} calls no Kubernetes API, so it gets no role (${r.metadata.name})`);
      continue;
    }
    withRoles.add(comp);
    const bindingKind = r.kind === 'Role' ? 'RoleBinding' : 'ClusterRoleBinding';
    const bindings = docs.filter(
      (b) => b.kind === bindingKind && b.roleRef?.name === r.metadata.name && (r.kind === 'ClusterRole' || b.metadata?.namespace === ns),
    );
    if (bindings.length !== 1) problems.push(`${key}: ${bindings.length} bindings instead of 1`);
    for (const b of bindings) {
      const sa = docs.find((d) => d.kind === 'ServiceAccount' && component(d) === comp);
      for (const s of b.subjects ?? []) {
        if (s.kind !== 'ServiceAccount' || s.name !== sa?.metadata?.name || s.namespace !== releaseNamespace)
          problems.push(`${key}: bound to ${s.kind} ${s.namespace}/${s.name}, not to the ${comp} ServiceAccount`);
      }
    }
  }
  for (const comp of API_COMPONENTS) {
    if (workloads(docs).some((w) => component(w) === comp) && !withRoles.has(comp))
      problems.push(`${comp}: calls the Kubernetes API, but no role is bound to its ServiceAccount`);
  }
  return problems;
}

/**
 * One permission a role gives a ServiceAccount: a verb on a resource ("pods", "pods/log") of an
 * API group, in one namespace (a Role, or a ClusterRole bound by a RoleBinding) or cluster-wide
 * (namespace null), for one object name when the rule has resourceNames.
 */
export interface Grant {
  /** "namespace/name" of the ServiceAccount. */
  account: string;
  /** "Role ns/name" or "ClusterRole name". */
  role: string;
  group: string;
  resource: string;
  verb: string;
  namespace: string | null;
  name: string | null;
}

/** One API request a ServiceAccount made, as the API server's audit log records it. */
export interface ObservedRequest {
  account: string;
  /** "get", "list", "watch"…; for a non-resource request (/version, /apis) the HTTP method in lower case. */
  verb: string;
  /** Null for a non-resource request. */
  group: string | null;
  resource: string | null;
  namespace: string | null;
  name: string | null;
  code: number;
  uri: string;
  /** When the API server received it (ISO). */
  at: string;
}

/** Every single permission the release's Roles and ClusterRoles give each ServiceAccount they are bound to. */
export function grantsOf(docs: K8sObject[]): Grant[] {
  const grants: Grant[] = [];
  const roles = docs.filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole');
  for (const b of docs.filter((d) => d.kind === 'RoleBinding' || d.kind === 'ClusterRoleBinding')) {
    const bindingNs: string | null = b.kind === 'RoleBinding' ? (b.metadata?.namespace ?? null) : null;
    const role = roles.find(
      (r) => r.kind === b.roleRef?.kind && r.metadata?.name === b.roleRef?.name && (r.kind === 'ClusterRole' || r.metadata?.namespace === bindingNs),
    );
    if (!role) continue;
    const roleName = role.kind === 'Role' ? `Role ${role.metadata.namespace}/${role.metadata.name}` : `ClusterRole ${role.metadata.name}`;
    for (const s of b.subjects ?? []) {
      if (s.kind !== 'ServiceAccount') continue;
      for (const rule of role.rules ?? [])
        for (const group of rule.apiGroups ?? [''])
          for (const resource of rule.resources ?? [])
            for (const verb of rule.verbs ?? [])
              for (const name of rule.resourceNames?.length ? rule.resourceNames : [null])
                grants.push({ account: `${s.namespace}/${s.name}`, role: roleName, group, resource, verb, namespace: bindingNs, name });
    }
  }
  return grants;
}

const allows = (g: Grant, r: ObservedRequest) =>
  g.account === r.account &&
  g.group === r.group &&
  g.resource === r.resource &&
  g.verb === r.verb &&
  (g.namespace === null || g.namespace === r.namespace) &&
  (g.name === null || g.name === r.name);

export const describeGrant = (g: Grant) =>
  `${g.account} may ${g.verb} ${g.group ? `${g.resource}.${g.group}` : g.resource}${g.name ? ` named ${g.name}` : ''} ${g.namespace ? `in ${g.namespace}` : 'cluster-wide'} (${g.role})`;

export const describeRequest = (r: ObservedRequest) =>
  `${r.account}: ${r.verb} ${r.resource === null ? r.uri : `${r.group ? `${r.resource}.${r.group}` : r.resource}${r.name ? ` ${r.name}` : ''} ${r.namespace ? `in ${r.namespace}` : 'cluster-wide'}`} → ${r.code} at ${r.at}`;

/**
 * Least privilege, proved by what the services did: every grant of the release is used by some
 * successful request of its ServiceAccount, no request of those accounts was forbidden (except
 * those `expectedForbidden` accepts: a test that removed a rule on purpose), and every successful
 * request on a resource is explained by a grant of the release (nothing rides on another role).
 */
export function grantCoverageProblems(
  grants: Grant[],
  requests: ObservedRequest[],
  expectedForbidden: (r: ObservedRequest) => boolean = () => false,
): string[] {
  const problems: string[] = [];
  const accounts = new Set(grants.map((g) => g.account));
  const mine = requests.filter((r) => accounts.has(r.account));
  const succeeded = mine.filter((r) => r.code >= 200 && r.code < 400);
  for (const g of grants) if (!succeeded.some((r) => allows(g, r))) problems.push(`unused grant: ${describeGrant(g)}`);
  for (const r of mine) if (r.code === 403 && !expectedForbidden(r)) problems.push(`forbidden request: ${describeRequest(r)}`);
  const unexplained = new Map<string, ObservedRequest>();
  for (const r of succeeded) {
    if (r.resource === null || grants.some((g) => allows(g, r))) continue;
    unexplained.set(`${r.account}|${r.verb}|${r.group}|${r.resource}|${r.namespace}|${r.name}`, r);
  }
  for (const r of unexplained.values()) problems.push(`allowed by no grant of the release: ${describeRequest(r)}`);
  return problems;
}

/** Pods that never call the Kubernetes API get no token; the others get one. */
export function tokenProblems(docs: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(docs)) {
    const comp = component(w) ?? '?';
    const automount = podSpec(w)?.automountServiceAccountToken;
    if (API_COMPONENTS.has(comp) ? automount !== true : automount !== false)
      problems.push(`${w.kind}/${w.metadata.name}: automountServiceAccountToken=${automount}`);
  }
  for (const sa of byKind(docs, 'ServiceAccount'))
    if (sa.automountServiceAccountToken !== false) problems.push(`ServiceAccount ${sa.metadata.name} mounts tokens by default`);
  return problems;
}

const selects = (selector: K8sObject | undefined, labels: Record<string, string>): boolean => {
  if (!selector) return false;
  const ml = selector.matchLabels ?? {};
  if (!Object.entries(ml).every(([k, v]) => labels[k] === v)) return false;
  return (selector.matchExpressions ?? []).every((e: K8sObject) => {
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        return e.values.includes(value);
      case 'NotIn':
        return !e.values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        return false;
    }
  });
};

/**
 * Default deny for every pod, both directions; the gateway is the only pod open to ingress from
 * anywhere; NATS's client port only from the app's pods; DNS egress for all.
 */
export function networkPolicyProblems(docs: K8sObject[]): string[] {
  const problems: string[] = [];
  const policies = byKind(docs, 'NetworkPolicy');
  const pods = workloads(docs).map((w) => ({ name: `${w.kind}/${w.metadata.name}`, labels: podLabels(w), comp: component(w) }));
  const denyAll = policies.filter((p) => !p.spec?.ingress && !p.spec?.egress && ['Ingress', 'Egress'].every((t) => (p.spec?.policyTypes ?? []).includes(t)));
  for (const pod of pods) {
    if (!denyAll.some((p) => selects(p.spec.podSelector, pod.labels))) problems.push(`${pod.name}: no default-deny policy selects it`);
    const mine = policies.filter((p) => selects(p.spec.podSelector, pod.labels));
    const dns = mine.some((p) =>
      (p.spec.egress ?? []).some((e: K8sObject) => (e.ports ?? []).some((pt: K8sObject) => pt.port === 53 && pt.protocol === 'UDP')),
    );
    if (!dns) problems.push(`${pod.name}: no DNS egress`);
    const openIngress = mine.flatMap((p) => p.spec.ingress ?? []).filter((rule: K8sObject) => !rule.from || rule.from.length === 0);
    if (openIngress.length && pod.comp !== 'gateway') problems.push(`${pod.name}: ingress open to any source`);
  }
  const nats = policies.find((p) => p.spec?.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'nats');
  if (pods.some((p) => p.comp === 'nats')) {
    if (!nats) problems.push('nats: no policy of its own');
    else {
      const clientRules = (nats.spec.ingress ?? []).filter((r: K8sObject) => (r.ports ?? []).some((p: K8sObject) => p.port === 'client' || p.port === 4222));
      if (clientRules.length !== 1) problems.push('nats: expected exactly one ingress rule for the client port');
      for (const r of clientRules) {
        for (const peer of r.from ?? []) {
          if (peer.ipBlock || peer.namespaceSelector) problems.push('nats: client port open beyond the release');
        }
        const allowed = pods.filter((p) => (r.from ?? []).some((peer: K8sObject) => selects(peer.podSelector, p.labels))).map((p) => p.comp);
        const expected = APP_COMPONENTS.filter((c) => pods.some((p) => p.comp === c));
        if ([...new Set(allowed)].sort().join() !== expected.sort().join())
          problems.push(`nats: client port reachable from [${[...new Set(allowed)].sort()}] instead of [${expected}]`);
        if (!r.from?.length) problems.push('nats: client port open to any source');
      }
    }
  }
  return problems;
}
