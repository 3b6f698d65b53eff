import type { ClusterAutoscalerView, NodeGroupStatus } from '@eks-info/contracts';
import YAML from 'yaml';
import { isoTime } from './kube-objects';

/** The annotation Cluster Autoscaler stamps on its status ConfigMap at every write. */
const LAST_UPDATED = 'cluster-autoscaler.kubernetes.io/last-updated';

interface YamlCounts {
  registered?: { total?: number; ready?: number; notStarted?: number };
}

interface YamlGroup {
  name?: string;
  health?: { status?: string; nodeCounts?: YamlCounts; cloudProviderTarget?: number; minSize?: number; maxSize?: number };
  scaleUp?: { status?: string; backoffInfo?: { errorCode?: string; errorMessage?: string } };
  scaleDown?: { status?: string; candidates?: number };
}

interface YamlStatus {
  time?: string;
  autoscalerStatus?: string;
  message?: string;
  clusterWide?: YamlGroup;
  nodeGroups?: YamlGroup[];
}

const text = (status: string | undefined, extra?: string) => (status ? `${status}${extra ? ` (${extra})` : ''}` : 'unknown');

function scaleUpText(g: YamlGroup | undefined): string {
  const backoff = g?.scaleUp?.backoffInfo;
  return text(g?.scaleUp?.status, backoff?.errorCode ? `${backoff.errorCode}: ${backoff.errorMessage ?? ''}`.trim() : undefined);
}

function scaleDownText(g: YamlGroup | undefined): string {
  const candidates = g?.scaleDown?.candidates;
  return text(g?.scaleDown?.status, candidates !== undefined ? `candidates=${candidates}` : undefined);
}

function healthText(g: YamlGroup | undefined): string {
  const r = g?.health?.nodeCounts?.registered;
  return text(g?.health?.status, r ? `ready=${r.ready ?? 0} registered=${r.total ?? 0}${r.notStarted ? ` notStarted=${r.notStarted}` : ''}` : undefined);
}

/** Cluster Autoscaler ≥ 1.30 writes its status as YAML. */
function fromYaml(doc: YamlStatus): Omit<ClusterAutoscalerView, 'updatedAt'> {
  const groups: NodeGroupStatus[] = (doc.nodeGroups ?? []).map((g) => ({
    name: g.name ?? '?',
    health: g.health?.status ?? 'unknown',
    ready: g.health?.nodeCounts?.registered?.ready ?? null,
    registered: g.health?.nodeCounts?.registered?.total ?? null,
    target: g.health?.cloudProviderTarget ?? null,
    minSize: g.health?.minSize ?? null,
    maxSize: g.health?.maxSize ?? null,
    scaleUp: scaleUpText(g),
    scaleDown: scaleDownText(g),
  }));
  return {
    health: doc.autoscalerStatus && doc.autoscalerStatus !== 'Running' ? `${doc.autoscalerStatus}: ${doc.message ?? ''}`.trim() : healthText(doc.clusterWide),
    scaleUp: scaleUpText(doc.clusterWide),
    scaleDown: scaleDownText(doc.clusterWide),
    nodeGroups: groups,
    raw: null,
  };
}

/** Older versions write indented text: "Health: Healthy (ready=3 …)" under "Cluster-wide:" and per "Name:" block. */
function fromText(status: string): Omit<ClusterAutoscalerView, 'updatedAt'> {
  const field = (block: string, key: string) => new RegExp(`^\\s*${key}:\\s*(.+)$`, 'm').exec(block)?.[1].trim() ?? 'unknown';
  const [clusterWide = '', groupsText = ''] = status.split(/^NodeGroups:\s*$/m);
  const groups = groupsText
    .split(/^\s*Name:\s*/m)
    .slice(1)
    .map((block): NodeGroupStatus => {
      const health = field(block, 'Health');
      const num = (key: string) => {
        const m = new RegExp(`${key}=(\\d+)`).exec(health);
        return m ? Number(m[1]) : null;
      };
      return {
        name: block.split('\n')[0].trim(),
        health: health.split(/\s/)[0],
        ready: num('ready'),
        registered: num('registered'),
        target: num('cloudProviderTarget'),
        minSize: num('minSize'),
        maxSize: num('maxSize'),
        scaleUp: field(block, 'ScaleUp'),
        scaleDown: field(block, 'ScaleDown'),
      };
    });
  const understood = /Health:/.test(clusterWide);
  return {
    health: field(clusterWide, 'Health'),
    scaleUp: field(clusterWide, 'ScaleUp'),
    scaleDown: field(clusterWide, 'ScaleDown'),
    nodeGroups: groups,
    raw: understood ? null : status.slice(0, 4000),
  };
}

/** The `cluster-autoscaler-status` ConfigMap summarised for the page, in either of the formats Cluster Autoscaler writes. */
export function clusterAutoscalerView(configMap: {
  data?: Record<string, string>;
  metadata?: { annotations?: Record<string, string> };
}): ClusterAutoscalerView {
  const status = configMap.data?.status ?? '';
  const annotated = isoTime(configMap.metadata?.annotations?.[LAST_UPDATED]?.replace(/ \+0000 UTC$/, 'Z').replace(' ', 'T'));
  let parsed: unknown;
  try {
    parsed = YAML.parse(status);
  } catch {
    parsed = undefined;
  }
  if (parsed && typeof parsed === 'object' && ('clusterWide' in parsed || 'autoscalerStatus' in parsed)) {
    const doc = parsed as YamlStatus;
    const time = doc.time
      ? isoTime(
          String(doc.time)
            .replace(/ \+0000 UTC$/, 'Z')
            .replace(' ', 'T'),
        )
      : null;
    return { updatedAt: time ?? annotated, ...fromYaml(doc) };
  }
  return { updatedAt: annotated, ...fromText(status) };
}
