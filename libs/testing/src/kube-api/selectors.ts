import type { KubeObject } from './store';

/**
 * Label and field selectors as far as informers use them: equality (`a=b`, `a==b`), inequality
 * (`a!=b`) and, for labels, existence (`a`, `!a`). Set-based label selectors are not supported.
 */
export function matchesLabels(selector: string | undefined, labels: Record<string, string> | undefined): boolean {
  return terms(selector).every((t) => {
    const m = /^(!?)([^!=]+?)\s*(?:(!=|==|=)\s*(.*))?$/.exec(t);
    if (!m) throw new Error(`unsupported label selector term '${t}'`);
    const [, not, key, op, value] = m;
    const actual = labels?.[key];
    if (!op) return not ? actual === undefined : actual !== undefined;
    return op === '!=' ? actual !== value : actual === value;
  });
}

/**
 * Field selectors a real API server accepts, per resource (beyond metadata.name and
 * metadata.namespace, which every kind has); any other field is a 400 "field label not supported".
 * From each kind's registry strategy (GetAttrs / AddFieldLabelConversionFunc) in Kubernetes v1.34.
 */
const SUPPORTED_FIELDS: Record<string, readonly string[]> = {
  pods: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
  ],
  nodes: ['spec.unschedulable'],
  events: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  namespaces: ['status.phase'],
  replicasets: ['status.replicas'],
};

/** The first field of a selector the resource (plural, core or apps group) does not support, or undefined. */
export function unsupportedField(selector: string | undefined, plural: string, group: string): string | undefined {
  const extra = group === '' || group === 'apps' ? (SUPPORTED_FIELDS[plural] ?? []) : [];
  for (const t of terms(selector)) {
    const field = /^([^!=]+?)\s*(!=|==|=)/.exec(t)?.[1] ?? t;
    if (field !== 'metadata.name' && field !== 'metadata.namespace' && !extra.includes(field)) return field;
  }
  return undefined;
}

export function matchesFields(selector: string | undefined, obj: KubeObject): boolean {
  return terms(selector).every((t) => {
    const m = /^([^!=]+?)\s*(!=|==|=)\s*(.*)$/.exec(t);
    if (!m) throw new Error(`unsupported field selector term '${t}'`);
    const [, path, op, value] = m;
    let actual: unknown = obj;
    for (const key of path.split('.')) actual = actual && typeof actual === 'object' ? (actual as Record<string, unknown>)[key] : undefined;
    const text = actual === undefined || actual === null ? '' : String(actual);
    return op === '!=' ? text !== value : text === value;
  });
}

function terms(selector: string | undefined): string[] {
  return (selector ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}
