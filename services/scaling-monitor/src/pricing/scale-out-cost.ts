import {
  type AddedNodeCost,
  AwsErrors,
  type ResponseTimeChain,
  type ScaleOutCost,
  type ScalingEventRecord,
  type Section,
  type WindowCost,
  failed,
  ok,
  unavailable,
} from '@eks-info/contracts';
import type { ClusterState } from '../collector/cluster-state';
import { type PriceBook, round } from './price-book';

/** One node's life as the history recorded it: added (creation time) and, once gone, removed. */
export interface NodeLife {
  name: string;
  uid: string | null;
  instanceType: string | null;
  capacityType: string | null;
  zone: string | null;
  createdAt: number;
  removedAt: number | null;
}

const HOUR_MS = 3_600_000;

/** Node lives by node name (a name can come back after its node is gone: oldest first). */
export function nodeLives(events: readonly ScalingEventRecord[]): Map<string, NodeLife[]> {
  const byUid = new Map<string, NodeLife>();
  const byName = new Map<string, NodeLife[]>();
  for (const e of events) {
    if (e.event_type !== 'node_added' && e.event_type !== 'node_removed') continue;
    const key = e.object.uid ?? e.object.name;
    let life = byUid.get(key);
    if (!life) {
      const created = Date.parse(e.details.created_at ?? (e.event_type === 'node_added' ? e.timestamp : ''));
      if (!Number.isFinite(created)) continue;
      life = {
        name: e.object.name,
        uid: e.object.uid,
        instanceType: e.details.instance_type ?? null,
        capacityType: e.details.capacity_type ?? null,
        zone: e.details.zone ?? null,
        createdAt: created,
        removedAt: null,
      };
      byUid.set(key, life);
      byName.set(life.name, [...(byName.get(life.name) ?? []), life]);
    }
    if (e.event_type === 'node_removed') life.removedAt = Date.parse(e.timestamp);
  }
  for (const list of byName.values()) list.sort((a, b) => a.createdAt - b.createdAt);
  return byName;
}

/** What one added node cost while it lived (so far, while it runs). */
export function addedNodeCost(life: NodeLife, book: PriceBook, state: ClusterState, now: number): AddedNodeCost {
  const current = state.nodes.get(life.name);
  const running = life.removedAt === null && current !== undefined && (life.uid === null || current.uid === life.uid);
  const end = life.removedAt ?? (running ? now : null);
  const hours = end === null ? null : Math.max(0, end - life.createdAt) / HOUR_MS;
  const price = book.lookup(life);
  const problems = [price.usdPerHour === null ? price.problem : null, end === null ? 'removed while the monitor was not watching: its end is unknown' : null];
  return {
    name: life.name,
    instanceType: life.instanceType,
    capacityType: life.capacityType,
    zone: life.zone,
    createdAt: new Date(life.createdAt).toISOString(),
    removedAt: life.removedAt === null ? null : new Date(life.removedAt).toISOString(),
    hours: hours === null ? null : round(hours),
    usdPerHour: price.usdPerHour,
    usd: price.usdPerHour !== null && hours !== null ? round(price.usdPerHour * hours) : null,
    problem: problems.filter(Boolean).join('; ') || null,
  };
}

/** The nodes a scale-out added, their extra $/h and what they cost while they lasted. */
export function scaleOutCost(lives: NodeLife[], book: PriceBook, state: ClusterState, now: number): ScaleOutCost {
  const nodes = lives.map((l) => addedNodeCost(l, book, state, now));
  let perHour = 0;
  let usd = 0;
  let unpriced = 0;
  for (const n of nodes) {
    if (n.usdPerHour !== null) perHour += n.usdPerHour;
    if (n.usd !== null) usd += n.usd;
    else unpriced++;
  }
  return {
    nodes,
    addedUsdPerHour: round(perHour),
    usd: round(usd),
    unpricedNodes: unpriced,
    running: nodes.some((n) => n.removedAt === null && n.hours !== null),
    ...(book.simulated ? { simulated: book.simulated } : {}),
  };
}

/** What the history knows about scale-outs: node lives, and where the pods of each workload were scheduled. */
export interface ScaleOutIndex {
  lives: Map<string, NodeLife[]>;
  /** "namespace|Deployment/stress" → its pods' creation times and the nodes they were scheduled on. */
  placements: Map<string, Array<{ createdAt: number; node: string }>>;
}

export function scaleOutIndex(events: readonly ScalingEventRecord[]): ScaleOutIndex {
  const placements = new Map<string, Array<{ createdAt: number; node: string }>>();
  for (const e of events) {
    if (e.event_type !== 'pod_scheduled' || !e.details.workload || !e.details.node) continue;
    const createdAt = Date.parse(e.details.created_at ?? '');
    if (!Number.isFinite(createdAt)) continue;
    const key = `${e.object.namespace}|${e.details.workload}`;
    placements.set(key, [...(placements.get(key) ?? []), { createdAt, node: e.details.node }]);
  }
  return { lives: nodeLives(events), placements };
}

/** Kubernetes timestamps have whole seconds: an object created in the second of a decision belongs to it. */
const second = (t: number) => Math.floor(t / 1000) * 1000;

/** The life of `name` that had begun by `at` (a name can come back later). */
function lifeAt(lives: Map<string, NodeLife[]>, name: string, at: number): NodeLife | undefined {
  return (lives.get(name) ?? []).filter((l) => l.createdAt <= at).pop();
}

/**
 * The nodes a scale-up chain added: a node chain's own node (created → Ready; Pending → its new
 * node Ready: "on <node>"); for an HPA scale-up, the nodes created after its decision that its
 * new pods (created from the decision to the chain's end) were scheduled on.
 */
function addedNodes(chain: ResponseTimeChain, index: ScaleOutIndex, now: number): NodeLife[] {
  const start = Date.parse(chain.started_at);
  const end = chain.ended_at ? Date.parse(chain.ended_at) : now;
  if (chain.type === 'node_created_to_ready' || chain.type === 'pending_to_node_ready') {
    const name = chain.type === 'node_created_to_ready' ? chain.subject : /^on (\S+)$/.exec(chain.detail)?.[1];
    const life = name ? lifeAt(index.lives, name, Math.max(start, end) + 1000) : undefined;
    return life ? [life] : [];
  }
  if (chain.type !== 'hpa_to_pods_ready' || !chain.workload) return [];
  const out = new Map<string, NodeLife>();
  for (const p of index.placements.get(`${chain.namespace}|${chain.workload}`) ?? []) {
    if (p.createdAt < second(start) || p.createdAt > end) continue;
    const life = lifeAt(index.lives, p.node, end + 1000);
    if (life && life.createdAt >= second(start)) out.set(`${life.name}|${life.createdAt}`, life);
  }
  return [...out.values()].sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
}

/** The chain with the cost of the nodes it added; a chain that added none passes unchanged. */
export function withChainCost(chain: ResponseTimeChain, index: ScaleOutIndex, book: PriceBook, state: ClusterState, now: number): ResponseTimeChain {
  const nodes = addedNodes(chain, index, now);
  return nodes.length ? { ...chain, cost: scaleOutCost(nodes, book, state, now) } : chain;
}

/** The cluster's $/h now and the nodes added in [from, to] with what they cost (for a stress test's window). */
export function windowCost(from: number, to: number, lives: Map<string, NodeLife[]>, book: PriceBook, state: ClusterState, now: number): WindowCost {
  const added: NodeLife[] = [];
  for (const list of lives.values()) for (const l of list) if (l.createdAt >= from && l.createdAt <= to) added.push(l);
  added.sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
  const cluster = book.clusterFigures();
  return {
    ...scaleOutCost(added, book, state, now),
    clusterUsdPerHour: cluster.pricedNodes > 0 ? cluster.totalUsdPerHour : null,
    problems: cluster.problems,
  };
}

/** The window's cost as a section: a failure naming the IAM action when no price at all could be looked up. */
export function windowCostSection(cost: WindowCost): Section<WindowCost> {
  const priced = cost.clusterUsdPerHour !== null || cost.nodes.some((n) => n.usdPerHour !== null);
  if (priced || !cost.problems.length) return ok(cost);
  const { action: _action, nodes: _nodes, ...body } = cost.problems[0];
  return cost.problems.every((p) => p.code === AwsErrors.NOT_CONFIGURED.code) ? unavailable(body) : failed(body);
}
