import type {
  CoreV1Event,
  V1ConfigMap,
  V1Deployment,
  V1Namespace,
  V1Node,
  V1ObjectMeta,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1ReplicaSet,
  V1Service,
  V1StatefulSet,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';

/**
 * An object as the API server sends it (JSON): client-node's model types with timestamps as
 * strings. Informer caches hold objects in this form only — see ManagedInformer for why.
 */
export type Wire<T> = T extends Date ? string : T extends Array<infer U> ? Array<Wire<U>> : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

/** Any object in wire form (custom resources, metrics). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: Wire<V1ObjectMeta>;
  [key: string]: unknown;
}

export interface ResourceType {
  group: string;
  version: string;
  /** Plural name as in the URL ("pods", "nodepools"). */
  plural: string;
  kind: string;
  namespaced: boolean;
}

const core = (plural: string, kind: string, namespaced: boolean): ResourceType => ({ group: '', version: 'v1', plural, kind, namespaced });
const apps = (plural: string, kind: string): ResourceType => ({ group: 'apps', version: 'v1', plural, kind, namespaced: true });

/** The built-in kinds the services watch. Custom resources are passed as a ResourceType. */
export const RESOURCES = {
  pods: core('pods', 'Pod', true),
  nodes: core('nodes', 'Node', false),
  services: core('services', 'Service', true),
  events: core('events', 'Event', true),
  configmaps: core('configmaps', 'ConfigMap', true),
  namespaces: core('namespaces', 'Namespace', false),
  persistentvolumes: core('persistentvolumes', 'PersistentVolume', false),
  persistentvolumeclaims: core('persistentvolumeclaims', 'PersistentVolumeClaim', true),
  deployments: apps('deployments', 'Deployment'),
  statefulsets: apps('statefulsets', 'StatefulSet'),
  replicasets: apps('replicasets', 'ReplicaSet'),
  horizontalpodautoscalers: { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true },
} as const satisfies Record<string, ResourceType>;

/** Object type of each built-in kind, in wire form. */
export interface ResourceObjects {
  pods: Wire<V1Pod>;
  nodes: Wire<V1Node>;
  services: Wire<V1Service>;
  events: Wire<CoreV1Event>;
  configmaps: Wire<V1ConfigMap>;
  namespaces: Wire<V1Namespace>;
  persistentvolumes: Wire<V1PersistentVolume>;
  persistentvolumeclaims: Wire<V1PersistentVolumeClaim>;
  deployments: Wire<V1Deployment>;
  statefulsets: Wire<V1StatefulSet>;
  replicasets: Wire<V1ReplicaSet>;
  horizontalpodautoscalers: Wire<V2HorizontalPodAutoscaler>;
}

export type BuiltinResource = keyof typeof RESOURCES;

/** Karpenter's custom resources (karpenter.sh/v1), for clusters that run it (incl. EKS Auto Mode). */
export const KARPENTER = {
  nodepools: { group: 'karpenter.sh', version: 'v1', plural: 'nodepools', kind: 'NodePool', namespaced: false },
  nodeclaims: { group: 'karpenter.sh', version: 'v1', plural: 'nodeclaims', kind: 'NodeClaim', namespaced: false },
} as const satisfies Record<string, ResourceType>;

export const groupVersionOf = (r: Pick<ResourceType, 'group' | 'version'>): string => (r.group ? `${r.group}/${r.version}` : r.version);

/** Collection URL path, namespaced when the kind is and a namespace is given. */
export function resourcePath(r: ResourceType, namespace?: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  return r.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${r.plural}` : `${base}/${r.plural}`;
}
