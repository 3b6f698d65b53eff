import {
  type HeatStripRow,
  type HistoryPoint,
  type HpaView,
  type KarpenterView,
  type NodeClaimView,
  type NodeOverview,
  type NodePoolView,
  type NodeResource,
  type NodesPage,
  type NodesView,
  type NormalizedNodesQuery,
  type OverviewResource,
  type OverviewRow,
  type PendingPod,
  type PendingView,
  type PodUsageRow,
  type ScalingHealth,
  type ScalingNode,
  type ScalingSummary,
  SMALL_CLUSTER_NODES,
  normalizeNodesQuery,
  podUsageRow,
} from '@eks-info/contracts';
import { type PodMetricsState, podUsageProblem } from '@eks-info/kube';
import type { ClusterState, NodeRecord, PodRecord } from './cluster-state';
import { hpaView } from './hpa-maths';
import { isoTime, metaKey } from './kube-objects';
import { withNote } from './node-drain';

/**
 * Read-only views of the cluster state: what a snapshot, a history sample and the SSE summary
 * show. Each is one pass over the nodes (or the HPAs, the Pending pods), never over every pod.
 */

const APP_PODS_PER_NODE = 8;
const percent = (used: number, of: number) => (of > 0 ? Math.round((used / of) * 1000) / 10 : 0);

export function summary(state: ClusterState): ScalingSummary {
  let nodesReady = 0;
  let cpuAllocatable = 0;
  let memoryAllocatable = 0;
  let cpuUsed: number | null = state.usage?.available ? 0 : null;
  let memoryUsed: number | null = cpuUsed;
  const byCapacity: Record<string, number> = {};
  for (const n of state.nodes.values()) {
    if (n.ready) nodesReady++;
    cpuAllocatable += n.cpuAllocatable;
    memoryAllocatable += n.memoryAllocatable;
    const type = n.capacityType ?? 'unknown';
    byCapacity[type] = (byCapacity[type] ?? 0) + 1;
    const u = state.usage?.node(n.name);
    if (cpuUsed !== null && u) {
      cpuUsed += u.cpuMillis;
      memoryUsed! += u.memoryBytes;
    }
  }
  let cpuRequested = 0;
  let memoryRequested = 0;
  for (const [node, s] of state.sums) {
    if (!state.nodes.has(node)) continue;
    cpuRequested += s.cpu;
    memoryRequested += s.memory;
  }
  return {
    nodes: state.nodes.size,
    nodesReady,
    nodesByCapacityType: byCapacity,
    pods: state.pods.size - state.terminatingCount,
    terminating: state.terminatingCount,
    pending: state.pendingPods.size,
    hpas: state.hpas.size,
    cpuAllocatableMillis: Math.round(cpuAllocatable),
    cpuRequestedMillis: Math.round(cpuRequested),
    cpuUsedMillis: cpuUsed === null ? null : Math.round(cpuUsed),
    memoryAllocatableBytes: memoryAllocatable,
    memoryRequestedBytes: memoryRequested,
    memoryUsedBytes: memoryUsed,
  };
}

/** The nodes listed by name: at most `limit` (default and cap: the monitor's SNAPSHOT_MAX_NODES). */
export function nodesView(state: ClusterState, limit: number = state.options.maxNodes): NodesView {
  const names = [...state.nodes.keys()].sort();
  const shown = names.slice(0, Math.min(limit, state.options.maxNodes));
  return {
    nodes: shown.map((name) => scalingNode(state, state.nodes.get(name)!)),
    total: names.length,
    metricsAvailable: state.usage?.available ?? false,
    metricsMessage: state.usage ? state.usage.message : 'metrics.k8s.io is not polled',
    metricsAt: state.usage?.at?.toISOString() ?? null,
  };
}

export function pendingView(state: ClusterState): PendingView {
  const since = (p: PodRecord) => (p.pending?.since ? Date.parse(p.pending.since) : 0);
  const all = [...state.pendingPods.values()].sort((a, b) => since(a) - since(b) || a.name.localeCompare(b.name));
  const pods: PendingPod[] = all.slice(0, state.options.maxPending ?? 200).map((p) => ({
    namespace: p.namespace,
    name: p.name,
    workload: p.workload,
    since: p.pending!.since,
    reason: p.pending!.reason,
    message: p.pending!.message,
    cpuRequestMillis: p.cpuMillis,
    memoryRequestBytes: p.memoryBytes,
    autoscaler: state.autoscalerNotes.get(metaKey(p.namespace, p.name))?.text ?? null,
  }));
  return { pods, total: all.length };
}

export function hpaViews(state: ClusterState): HpaView[] {
  return [...state.hpas.values()]
    .map((h) => {
      const [kind, name] = h.target.split('/');
      const deployment = kind === 'Deployment' ? state.deployments.get(metaKey(h.namespace, name)) : undefined;
      return hpaView(h.object, { lastHighAt: h.lastHighAt, targetReady: deployment ? (deployment.status?.readyReplicas ?? 0) : null });
    })
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

export function karpenterView(state: ClusterState): KarpenterView {
  const pools: NodePoolView[] = [...state.nodePools.values()].map((p) => {
    const spec = (p.spec ?? {}) as {
      template?: { spec?: { requirements?: Array<{ key: string; values?: string[] }> } };
      limits?: { cpu?: string };
      disruption?: { consolidationPolicy?: string; consolidateAfter?: string };
    };
    const status = (p.status ?? {}) as { resources?: { nodes?: string }; conditions?: Array<{ type: string; status: string }> };
    const requirement = (key: string) => spec.template?.spec?.requirements?.find((r) => r.key === key)?.values ?? [];
    return {
      name: p.metadata?.name ?? '',
      nodes: status.resources?.nodes !== undefined ? Number(status.resources.nodes) : null,
      cpuLimit: spec.limits?.cpu ?? null,
      capacityTypes: requirement('karpenter.sh/capacity-type'),
      arch: requirement('kubernetes.io/arch'),
      consolidation: spec.disruption?.consolidationPolicy
        ? `${spec.disruption.consolidationPolicy}${spec.disruption.consolidateAfter ? ` after ${spec.disruption.consolidateAfter}` : ''}`
        : null,
      ready: (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    };
  });
  const claims: NodeClaimView[] = [...state.nodeClaims.values()].map((c) => {
    const labels = c.metadata?.labels ?? {};
    const status = (c.status ?? {}) as { nodeName?: string; conditions?: Array<{ type: string; status: string }> };
    const done = (type: string) => (status.conditions ?? []).some((x) => x.type === type && x.status === 'True');
    const state = done('Ready') ? 'Ready' : done('Initialized') ? 'Initialized' : done('Registered') ? 'Registered' : done('Launched') ? 'Launched' : 'Pending';
    return {
      name: c.metadata?.name ?? '',
      nodePool: labels['karpenter.sh/nodepool'] ?? null,
      instanceType: labels['node.kubernetes.io/instance-type'] ?? null,
      zone: labels['topology.kubernetes.io/zone'] ?? null,
      capacityType: labels['karpenter.sh/capacity-type'] ?? null,
      nodeName: status.nodeName ?? null,
      state,
      createdAt: isoTime(c.metadata?.creationTimestamp),
    };
  });
  const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
  return { nodePools: pools.sort(byName), nodeClaims: claims.sort(byName) };
}

/** One history sample: counts now and usage from the last metrics poll. */
export function historySample(state: ClusterState, at: Date): HistoryPoint {
  const s = summary(state);
  const workloads: Record<string, number> = {};
  for (const p of state.appPods.values()) {
    if (p.deletingAt) continue; // Terminating: not running any more
    const w = p.workload ?? `Pod/${p.name}`;
    workloads[w] = (workloads[w] ?? 0) + 1;
  }
  const hpas: Record<string, [number, number]> = {};
  for (const h of state.hpas.values()) hpas[h.namespace === state.namespace ? h.name : `${h.namespace}/${h.name}`] = [h.current, h.desired];
  return {
    t: at.toISOString(),
    nodes: s.nodes,
    nodesReady: s.nodesReady,
    nodesByCapacityType: s.nodesByCapacityType,
    pods: s.pods,
    terminating: s.terminating,
    pending: s.pending,
    workloads,
    hpas,
    cpuAllocatableMillis: s.cpuAllocatableMillis,
    cpuRequestedMillis: s.cpuRequestedMillis,
    cpuUsedMillis: s.cpuUsedMillis,
    memoryAllocatableBytes: s.memoryAllocatableBytes,
    memoryRequestedBytes: s.memoryRequestedBytes,
    memoryUsedBytes: s.memoryUsedBytes,
  };
}

/** `withPods`: a node card, with the listed app pods' usage rows (the node list by name leaves them out). */
function scalingNode(state: ClusterState, n: NodeRecord, withPods = false): ScalingNode {
  const s = state.sums.get(n.name) ?? { cpu: 0, memory: 0, pods: 0, appPods: new Map<string, PodRecord>() };
  const u = state.usage?.node(n.name);
  const resource = (capacity: number, allocatable: number, requested: number, used: number | null): NodeResource => ({
    capacity: Math.round(capacity),
    allocatable: Math.round(allocatable),
    requested: Math.round(requested),
    used: used === null ? null : Math.round(used),
    requestedPercent: percent(requested, allocatable),
    usedPercent: used === null ? null : percent(used, allocatable),
  });
  const appPods = [...s.appPods.keys()].sort();
  const drain = n.drain && withNote(n.drain, state.drainNotes.get(n.name));
  const status = n.deletingAt
    ? 'Deleting'
    : `${n.ready ? 'Ready' : 'NotReady'}${drain && drain.by !== 'cordon' ? ' (draining)' : n.unschedulable ? ' (cordoned)' : ''}`;
  const health: ScalingHealth = !n.ready ? 'error' : n.unschedulable || n.deletingAt || drain ? 'warn' : 'ok';
  return {
    name: n.name,
    ready: n.ready,
    status,
    health,
    instanceType: n.instanceType,
    zone: n.zone,
    capacityType: n.capacityType,
    arch: n.arch,
    provisioner: n.provisioner,
    createdAt: n.createdAt,
    cpu: resource(n.cpuCapacity, n.cpuAllocatable, s.cpu, u ? u.cpuMillis : null),
    memory: resource(n.memoryCapacity, n.memoryAllocatable, s.memory, u ? u.memoryBytes : null),
    pods: { count: s.pods, max: n.maxPods },
    appPods: appPods.slice(0, APP_PODS_PER_NODE),
    appPodsMore: Math.max(0, appPods.length - APP_PODS_PER_NODE),
    ...(withPods ? { podUsage: podUsageRows(state, appPods.slice(0, APP_PODS_PER_NODE), s.appPods) } : {}),
    drain,
  };
}

const NOT_POLLED: PodMetricsState = { available: false, message: 'pod usage is not polled', error: null, at: null };

/** The usage rows of a card's app pods (by their listed labels), against their requests and limits. */
function podUsageRows(state: ClusterState, labels: string[], records: Map<string, PodRecord>): PodUsageRow[] {
  const available = state.usage?.pods?.available ?? false;
  return labels.map((label) => {
    const p = records.get(label)!;
    const usage = available ? state.usage!.pod(p.namespace, p.name) : undefined;
    return podUsageRow({
      namespace: p.namespace,
      name: p.name,
      node: p.node,
      cpuRequestMillis: p.cpuMillis,
      cpuLimitMillis: p.limits?.cpuMillis ?? null,
      memoryRequestBytes: p.memoryBytes,
      memoryLimitBytes: p.limits?.memoryBytes ?? null,
      usage: usage ?? null,
      simulated: usage ? state.usage!.podSimulated?.(p.namespace, p.name) : undefined,
      terminating: p.deletingAt !== null,
    });
  });
}

// ---- the node overview, the heat strip and the node list ---------------------------------------

/** What the overview and the node list read of a node: its record, the requests on it and its usage. */
interface NodeFacts {
  n: NodeRecord;
  cpuRequested: number;
  memoryRequested: number;
  pods: number;
  cpuUsed: number | null;
  memoryUsed: number | null;
}

function factsOf(state: ClusterState, n: NodeRecord): NodeFacts {
  const s = state.sums.get(n.name);
  const u = state.usage?.available ? state.usage.node(n.name) : undefined;
  return {
    n,
    cpuRequested: s?.cpu ?? 0,
    memoryRequested: s?.memory ?? 0,
    pods: s?.pods ?? 0,
    cpuUsed: u ? u.cpuMillis : null,
    memoryUsed: u ? u.memoryBytes : null,
  };
}

/** Requested share of allocatable (0 when nothing is allocatable), the larger of CPU and memory. */
const fraction = (part: number, of: number) => (of > 0 ? part / of : 0);
const requestedShare = (f: NodeFacts) => Math.max(fraction(f.cpuRequested, f.n.cpuAllocatable), fraction(f.memoryRequested, f.n.memoryAllocatable));
/** 0: NotReady, 1: being deleted, 2: cordoned or drained, 3: fine. */
const attentionRank = (n: NodeRecord) => (!n.ready ? 0 : n.deletingAt ? 1 : n.unschedulable || n.drain ? 2 : 3);

/** The filter values of a node: "-" where a node has none. */
export const groupKey = (n: NodeRecord) => n.group ?? '-';
export const zoneKey = (n: NodeRecord) => n.zone ?? '-';
export const capacityKey = (n: NodeRecord) => n.capacityType ?? 'unknown';

interface RowSums {
  key: string;
  label: string;
  nodes: number;
  ready: number;
  cordoned: number;
  deleting: number;
  pods: number;
  cpu: { allocatable: number; requested: number; used: number; usedOf: number; measured: number };
  memory: { allocatable: number; requested: number; used: number; usedOf: number; measured: number };
}

function addTo(rows: Map<string, RowSums>, key: string, label: string, f: NodeFacts): void {
  let r = rows.get(key);
  if (!r) {
    const resource = () => ({ allocatable: 0, requested: 0, used: 0, usedOf: 0, measured: 0 });
    rows.set(key, (r = { key, label, nodes: 0, ready: 0, cordoned: 0, deleting: 0, pods: 0, cpu: resource(), memory: resource() }));
  }
  const n = f.n;
  r.nodes++;
  if (n.ready) r.ready++;
  if (n.unschedulable) r.cordoned++;
  if (n.deletingAt) r.deleting++;
  r.pods += f.pods;
  r.cpu.allocatable += n.cpuAllocatable;
  r.cpu.requested += f.cpuRequested;
  r.memory.allocatable += n.memoryAllocatable;
  r.memory.requested += f.memoryRequested;
  // Usage counts against the allocatable of the nodes that report some (a node just joined may not yet).
  if (f.cpuUsed !== null) {
    r.cpu.used += f.cpuUsed;
    r.cpu.usedOf += n.cpuAllocatable;
    r.cpu.measured++;
  }
  if (f.memoryUsed !== null) {
    r.memory.used += f.memoryUsed;
    r.memory.usedOf += n.memoryAllocatable;
    r.memory.measured++;
  }
}

function overviewResource(r: RowSums['cpu']): OverviewResource {
  const used = r.measured ? Math.round(r.used) : null;
  return {
    allocatable: Math.round(r.allocatable),
    requested: Math.round(r.requested),
    used,
    requestedPercent: percent(r.requested, r.allocatable),
    usedPercent: used === null ? null : percent(r.used, r.usedOf),
  };
}

function overviewRows(rows: Map<string, RowSums>): OverviewRow[] {
  // By key, nodes without one ("-") last.
  return [...rows.values()]
    .sort((a, b) => Number(a.key === '-') - Number(b.key === '-') || a.key.localeCompare(b.key))
    .map((r) => ({
      key: r.key,
      label: r.label,
      nodes: r.nodes,
      ready: r.ready,
      notReady: r.nodes - r.ready,
      cordoned: r.cordoned,
      deleting: r.deleting,
      pods: r.pods,
      cpu: overviewResource(r.cpu),
      memory: overviewResource(r.memory),
    }));
}

/** One heat strip level: "0"–"9" per started 10 % of allocatable, "X" from 100 %, "-" unknown. */
export function heatLevel(value: number | null, of: number): string {
  if (value === null || of <= 0) return '-';
  const tenth = Math.floor((value / of) * 10);
  return tenth >= 10 ? 'X' : String(Math.max(0, tenth));
}

const stateChar = (n: NodeRecord) => (!n.ready ? 'n' : n.deletingAt ? 'd' : n.unschedulable || n.drain ? 'c' : '.');

/**
 * Every node summed up per node group, zone and capacity type (counts, CPU and memory requested
 * vs allocatable vs used), and per node group a heat strip with one character per node. One pass
 * over the nodes.
 */
export function nodeOverview(state: ClusterState): NodeOverview {
  const byGroup = new Map<string, RowSums>();
  const byZone = new Map<string, RowSums>();
  const byCapacity = new Map<string, RowSums>();
  const strips = new Map<string, { label: string; facts: NodeFacts[] }>();
  let ready = 0;
  let cordoned = 0;
  let deleting = 0;
  const draining: Record<string, number> = {};
  for (const n of state.nodes.values()) {
    const f = factsOf(state, n);
    if (n.ready) ready++;
    if (n.unschedulable) cordoned++;
    if (n.deletingAt) deleting++;
    if (n.drain) {
      const by = withNote(n.drain, state.drainNotes.get(n.name)).by;
      draining[by] = (draining[by] ?? 0) + 1;
    }
    const group = groupKey(n);
    const groupLabel = n.provisioner ?? 'no node group or pool';
    addTo(byGroup, group, groupLabel, f);
    addTo(byZone, zoneKey(n), n.zone ?? 'no zone label', f);
    addTo(byCapacity, capacityKey(n), n.capacityType ?? 'unknown', f);
    let strip = strips.get(group);
    if (!strip) strips.set(group, (strip = { label: groupLabel, facts: [] }));
    strip.facts.push(f);
  }
  const strip: HeatStripRow[] = [...strips.entries()]
    .sort(([a], [b]) => Number(a === '-') - Number(b === '-') || a.localeCompare(b))
    .map(([group, { label, facts }]) => {
      facts.sort((a, b) => (a.n.name < b.n.name ? -1 : a.n.name > b.n.name ? 1 : 0));
      let cpuRequested = '';
      let memoryRequested = '';
      let cpuUsed = '';
      let memoryUsed = '';
      let states = '';
      for (const f of facts) {
        cpuRequested += heatLevel(f.cpuRequested, f.n.cpuAllocatable);
        memoryRequested += heatLevel(f.memoryRequested, f.n.memoryAllocatable);
        cpuUsed += heatLevel(f.cpuUsed, f.n.cpuAllocatable);
        memoryUsed += heatLevel(f.memoryUsed, f.n.memoryAllocatable);
        states += stateChar(f.n);
      }
      return { group, label, nodes: facts.length, cpuRequested, memoryRequested, cpuUsed, memoryUsed, states };
    });
  return {
    nodes: state.nodes.size,
    ready,
    notReady: state.nodes.size - ready,
    cordoned,
    deleting,
    draining,
    byGroup: overviewRows(byGroup),
    byZone: overviewRows(byZone),
    byCapacityType: overviewRows(byCapacity),
    strip,
    metricsAvailable: state.usage?.available ?? false,
  };
}

function matches(n: NodeRecord, q: NormalizedNodesQuery['filters'], name: string | null): boolean {
  if (q.group !== null && groupKey(n) !== q.group) return false;
  if (q.zone !== null && zoneKey(n) !== q.zone) return false;
  if (q.capacityType !== null && capacityKey(n) !== q.capacityType) return false;
  if (name !== null && !n.name.toLowerCase().includes(name)) return false;
  switch (q.state) {
    case 'ready':
      return n.ready;
    case 'not-ready':
      return !n.ready;
    case 'cordoned':
      return n.unschedulable;
    case 'draining':
      return n.drain !== null;
    case 'deleting':
      return n.deletingAt !== null;
    case 'attention':
      return attentionRank(n) < 3;
    default:
      return true;
  }
}

const byName = (a: NodeFacts, b: NodeFacts) => (a.n.name < b.n.name ? -1 : a.n.name > b.n.name ? 1 : 0);
/** Larger first; unknown (null) last. */
const larger = (a: number | null, b: number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : b - a);
const usedShare = (used: number | null, of: number) => (used === null ? null : fraction(used, of));

const ORDERS: Record<NormalizedNodesQuery['sort'], (a: NodeFacts, b: NodeFacts) => number> = {
  attention: (a, b) => attentionRank(a.n) - attentionRank(b.n) || requestedShare(b) - requestedShare(a) || byName(a, b),
  name: byName,
  cpu: (a, b) => fraction(b.cpuRequested, b.n.cpuAllocatable) - fraction(a.cpuRequested, a.n.cpuAllocatable) || byName(a, b),
  memory: (a, b) => fraction(b.memoryRequested, b.n.memoryAllocatable) - fraction(a.memoryRequested, a.n.memoryAllocatable) || byName(a, b),
  'cpu-used': (a, b) => larger(usedShare(a.cpuUsed, a.n.cpuAllocatable), usedShare(b.cpuUsed, b.n.cpuAllocatable)) || byName(a, b),
  'memory-used': (a, b) => larger(usedShare(a.memoryUsed, a.n.memoryAllocatable), usedShare(b.memoryUsed, b.n.memoryAllocatable)) || byName(a, b),
  pods: (a, b) => b.pods - a.pods || byName(a, b),
  newest: (a, b) => (b.n.createdAt ?? '').localeCompare(a.n.createdAt ?? '') || byName(a, b),
};

/**
 * One page of node cards: the nodes that match the filters, in the asked order. A page past the
 * last one shows the last one (nodes come and go between two clicks); the answer says which.
 */
export function nodesPage(state: ClusterState, q: NormalizedNodesQuery): NodesPage {
  const name = q.filters.name?.toLowerCase() ?? null;
  const matched: NodeFacts[] = [];
  for (const n of state.nodes.values()) if (matches(n, q.filters, name)) matched.push(factsOf(state, n));
  matched.sort(ORDERS[q.sort]);
  const pages = Math.max(1, Math.ceil(matched.length / q.limit));
  const page = Math.min(q.page, pages);
  return {
    nodes: matched.slice((page - 1) * q.limit, page * q.limit).map((f) => scalingNode(state, f.n, true)),
    matched: matched.length,
    total: state.nodes.size,
    page,
    pages,
    limit: q.limit,
    sort: q.sort,
    filters: q.filters,
    metricsAvailable: state.usage?.available ?? false,
    podUsageProblem: podUsageProblem(state.usage?.pods ?? NOT_POLLED),
  };
}

/**
 * The cards the page shows before anyone filters: on a small cluster every node by name (a few
 * dozen cards read fine and stay put as they change), else the first page with the nodes that
 * need attention first.
 */
export function defaultNodeCards(state: ClusterState): NodesPage {
  const total = state.nodes.size;
  if (total <= SMALL_CLUSTER_NODES) return nodesPage(state, { ...normalizeNodesQuery({}), sort: 'name', limit: Math.max(1, total) });
  return nodesPage(state, normalizeNodesQuery({}));
}
