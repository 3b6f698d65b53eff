/** What the fake API server serves: the resource types the dashboard reads, by API group. */
export interface FakeResource {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** Groups that can be switched off to look like a cluster without metrics-server / Karpenter. */
  feature?: Feature;
  /** metrics.k8s.io serves list and get only. */
  watchable: boolean;
}

export type Feature = 'metrics' | 'karpenter';

const r = (group: string, version: string, plural: string, kind: string, namespaced: boolean, extra: Partial<FakeResource> = {}): FakeResource => ({
  group,
  version,
  plural,
  singular: kind.toLowerCase(),
  kind,
  namespaced,
  watchable: true,
  ...extra,
});

export const FAKE_RESOURCES: readonly FakeResource[] = [
  r('', 'v1', 'pods', 'Pod', true),
  r('', 'v1', 'nodes', 'Node', false),
  r('', 'v1', 'services', 'Service', true),
  r('', 'v1', 'events', 'Event', true),
  r('', 'v1', 'configmaps', 'ConfigMap', true),
  r('', 'v1', 'persistentvolumes', 'PersistentVolume', false),
  r('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true),
  r('', 'v1', 'namespaces', 'Namespace', false),
  r('apps', 'v1', 'deployments', 'Deployment', true),
  r('apps', 'v1', 'statefulsets', 'StatefulSet', true),
  r('apps', 'v1', 'replicasets', 'ReplicaSet', true),
  r('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true),
  r('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false),
  r('metrics.k8s.io', 'v1beta1', 'nodes', 'NodeMetrics', false, { feature: 'metrics', watchable: false }),
  r('metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics', true, { feature: 'metrics', watchable: false }),
  r('karpenter.sh', 'v1', 'nodepools', 'NodePool', false, { feature: 'karpenter' }),
  r('karpenter.sh', 'v1', 'nodeclaims', 'NodeClaim', false, { feature: 'karpenter' }),
];

export const apiVersionOf = (res: Pick<FakeResource, 'group' | 'version'>): string => (res.group ? `${res.group}/${res.version}` : res.version);

/** Collection path of a resource, e.g. /api/v1/namespaces/demo/pods or /apis/apps/v1/deployments. */
export function collectionPath(res: FakeResource, namespace?: string): string {
  const base = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  return res.namespaced && namespace ? `${base}/namespaces/${namespace}/${res.plural}` : `${base}/${res.plural}`;
}

/** The resource of an object, from its apiVersion and kind. */
export function resourceOfObject(apiVersion: string | undefined, kind: string | undefined): FakeResource {
  const res = FAKE_RESOURCES.find((x) => apiVersionOf(x) === apiVersion && x.kind === kind);
  if (!res) throw new Error(`the fake API server does not serve ${apiVersion ?? '?'} ${kind ?? '?'}`);
  return res;
}

/** The resource named by a kind ("Pod", "NodeMetrics") or a plural ("pods"; core wins over metrics). */
export function resourceByName(name: string): FakeResource {
  const lower = name.toLowerCase();
  const res =
    FAKE_RESOURCES.find((x) => x.kind.toLowerCase() === lower) ?? FAKE_RESOURCES.find((x) => x.plural === lower || `${x.plural}.${x.group}` === lower);
  if (!res) throw new Error(`unknown resource '${name}'`);
  return res;
}
