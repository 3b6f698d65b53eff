import { type ClusterInfo, KubeErrors, type NodeInfo, type Section, failed, ok, unavailable } from '@eks-info/contracts';
import { type ApiDiscovery, type InformerHub, type KubeAccessResult, type ManagedInformer, type ResourceObjects, toKubeError } from '@eks-info/kube';
import type { ClusterSource } from '../environment.tokens';

type NodeObject = ResourceObjects['nodes'];

/** Node labels that carry the cluster name on EKS node groups (eksctl / EKS managed). */
const CLUSTER_NAME_LABELS = ['alpha.eksctl.io/cluster-name', 'eks.amazonaws.com/cluster-name'];

const label = (node: NodeObject | undefined, ...keys: string[]): string | null => {
  for (const key of keys) {
    const value = node?.metadata?.labels?.[key];
    if (value) return value;
  }
  return null;
};

/** Maps a Node object to the home page's node section (EKS and Karpenter labels). */
export function nodeInfo(node: NodeObject): NodeInfo {
  const info = node.status?.nodeInfo;
  return {
    name: node.metadata?.name ?? '',
    instanceType: label(node, 'node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type'),
    zone: label(node, 'topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'),
    region: label(node, 'topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region'),
    capacityType: label(node, 'eks.amazonaws.com/capacityType', 'karpenter.sh/capacity-type')?.toUpperCase().replace('-', '_') ?? null,
    arch: label(node, 'kubernetes.io/arch') ?? info?.architecture ?? null,
    os: label(node, 'kubernetes.io/os') ?? info?.operatingSystem ?? null,
    osImage: info?.osImage ?? null,
    kernel: info?.kernelVersion ?? null,
    kubelet: info?.kubeletVersion ?? null,
    containerRuntime: info?.containerRuntimeVersion ?? null,
    nodegroup: label(node, 'eks.amazonaws.com/nodegroup', 'karpenter.sh/nodepool', 'alpha.eksctl.io/nodegroup-name'),
  };
}

/**
 * The home page's cluster and node sections: the API server's version (cached discovery) and
 * this pod's node from the shared nodes informer — no API call per view.
 */
export class KubeClusterSource implements ClusterSource {
  private nodes?: ManagedInformer<NodeObject>;

  constructor(
    private readonly access: KubeAccessResult,
    hub: InformerHub | undefined,
    private readonly discovery: ApiDiscovery | undefined,
    private readonly clusterNameOverride: string | undefined,
  ) {
    this.nodes = hub?.informer('nodes');
  }

  async cluster(): Promise<Section<ClusterInfo>> {
    if (!this.access.ok) return unavailable(this.access.error);
    const { access } = this.access;
    try {
      const version = await this.discovery!.serverVersion();
      const [name, nameSource] = this.clusterName(access.clusterName);
      return ok({ name, nameSource, version: version.gitVersion, platform: version.platform, apiServer: access.server, auth: access.source });
    } catch (err) {
      return failed(toKubeError(err, { verb: 'get', resource: 'version', server: access.server }));
    }
  }

  async node(name: string | null): Promise<Section<NodeInfo>> {
    if (!this.access.ok) return unavailable(this.access.error);
    if (!name) {
      return unavailable({
        code: KubeErrors.NOT_IN_CLUSTER.code,
        message: 'This process is not a pod, so it has no node of its own.',
        fix: "The Resources page lists the cluster's nodes; in a pod, NODE_NAME comes from the downward API.",
      });
    }
    const informer = this.nodes!;
    if (!informer.synced) await informer.whenSynced(2000);
    if (informer.lastError && !informer.synced) return failed(informer.lastError);
    const node = informer.get(name);
    if (!node)
      return failed({
        code: KubeErrors.NOT_SYNCED.code,
        message: `Node ${name} is not in the nodes cache.`,
        fix: 'It may have just joined; reload in a moment.',
      });
    return ok(nodeInfo(node));
  }

  /** CLUSTER_NAME, else a node label, else the kubeconfig context / cluster ARN. */
  private clusterName(fromKubeconfig: string | null): [string | null, string | null] {
    if (this.clusterNameOverride) return [this.clusterNameOverride, 'CLUSTER_NAME'];
    for (const node of this.nodes?.list() ?? []) {
      const value = label(node, ...CLUSTER_NAME_LABELS);
      if (value) return [value, 'a node label'];
    }
    if (fromKubeconfig) return [fromKubeconfig, 'the kubeconfig context'];
    return [null, null];
  }
}
