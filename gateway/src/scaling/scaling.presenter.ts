import {
  DEFAULT_NODE_SORT,
  type ErrorBody,
  NODES_LIMIT,
  NODE_SORTS,
  NODE_STATES,
  type NodeOverview,
  type NodeSort,
  type NodesPage,
  type NormalizedNodesQuery,
  type ResponseTimeChain,
  type ResponseTimeStats,
  type ScalingEventRecord,
  type ScalingEventType,
  type ScalingHistory,
  type ScalingNodesQuery,
  type ScalingSnapshot,
  SMALL_CLUSTER_NODES,
  nodesQueryString,
} from '@eks-info/contracts';

/** How event types read on the pages. */
export const EVENT_LABELS: Record<ScalingEventType, string> = {
  hpa_scale_up: 'HPA scale-up',
  hpa_scale_down: 'HPA scale-down',
  pod_created: 'Pod created',
  pod_scheduled: 'Pod scheduled',
  pod_ready: 'Pod Ready',
  pod_deleted: 'Pod deleted',
  pod_pending: 'Pod Pending',
  node_added: 'Node added',
  node_ready: 'Node Ready',
  node_draining: 'Node draining',
  node_removed: 'Node removed',
  autoscaler_scale_up: 'Node scale-up',
  autoscaler_scale_down: 'Node scale-down',
};

/** Green for growth, yellow for shrinking and waiting. */
const EVENT_TONE: Record<ScalingEventType, 'ok' | 'warn' | 'muted'> = {
  hpa_scale_up: 'ok',
  hpa_scale_down: 'warn',
  pod_created: 'muted',
  pod_scheduled: 'muted',
  pod_ready: 'ok',
  pod_deleted: 'warn',
  pod_pending: 'warn',
  node_added: 'ok',
  node_ready: 'ok',
  node_draining: 'warn',
  node_removed: 'warn',
  autoscaler_scale_up: 'ok',
  autoscaler_scale_down: 'warn',
};

/** "45 s", "1 min 41 s", "2 h 5 min". */
export function formatSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  if (s < 60) return `${Math.round(s * 10) / 10} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return rest ? `${m} min ${rest} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

export function eventRow(e: ScalingEventRecord) {
  return {
    ...e,
    label: EVENT_LABELS[e.event_type] ?? e.event_type,
    tone: EVENT_TONE[e.event_type] ?? 'muted',
    objectText: `${e.object.kind} ${e.object.namespace ? `${e.object.namespace}/` : ''}${e.object.name}`,
    observed: e.time_source === 'observed',
  };
}

export function statsRow(s: ResponseTimeStats) {
  return {
    ...s,
    average: formatSeconds(s.average_seconds),
    p90: formatSeconds(s.p90_seconds),
    min: formatSeconds(s.min_seconds),
    max: formatSeconds(s.max_seconds),
  };
}

const CHAIN_TONE: Record<ResponseTimeChain['status'], string> = { completed: 'ok', in_progress: 'warn', superseded: 'muted', abandoned: 'muted' };

export function chainRow(c: ResponseTimeChain) {
  return { ...c, duration: formatSeconds(c.duration_seconds), tone: CHAIN_TONE[c.status], statusText: c.status.replace('_', ' ') };
}

/** What the live sections of /scaling render from (`scaling/live/*`). */
export interface ScalingLiveModel {
  snapshot: ScalingSnapshot;
  nodeEventRows: Array<ReturnType<typeof eventRow>>;
  /** The first node cards (the default list), with their pager. */
  cards: NodeCardsModel | null;
  /** The overview's rows and strips, each with the link that lists its nodes. */
  overview: OverviewModel | null;
  /** Why the newest snapshot could not be fetched (the sections then show the last one). */
  problem: ErrorBody | null;
}

export function scalingModel(snapshot: ScalingSnapshot, problem: ErrorBody | null = null): ScalingLiveModel {
  return {
    snapshot,
    nodeEventRows: snapshot.nodeEvents.status === 'ok' ? snapshot.nodeEvents.data.map(eventRow) : [],
    cards: snapshot.nodeCards.status === 'ok' ? nodeCardsModel(snapshot.nodeCards.data) : null,
    overview: snapshot.overview.status === 'ok' ? overviewModel(snapshot.overview.data) : null,
    problem,
  };
}

type WithLink<T> = T & { link: NodesLink };

export interface OverviewModel {
  byGroup: Array<WithLink<NodeOverview['byGroup'][number]>>;
  byZone: Array<WithLink<NodeOverview['byZone'][number]>>;
  byCapacityType: Array<WithLink<NodeOverview['byCapacityType'][number]>>;
  strip: Array<WithLink<NodeOverview['strip'][number]>>;
}

/** Links from the overview to the node cards it sums up: a row (or a strip) lists its nodes. */
export function overviewModel(o: NodeOverview): OverviewModel {
  const linked = <T extends { label: string }>(rows: T[], param: string, key: (r: T) => string) =>
    rows.map((r) => ({ ...r, link: nodesLink(r.label, new URLSearchParams({ [param]: key(r) }).toString()) }));
  return {
    byGroup: linked(o.byGroup, 'group', (r) => r.key),
    byZone: linked(o.byZone, 'zone', (r) => r.key),
    byCapacityType: linked(o.byCapacityType, 'capacityType', (r) => r.key),
    // A strip's cells are its nodes in name order: the list it links to is in the same order.
    strip: linked(o.strip, 'group', (r) => r.group).map((r) => ({
      ...r,
      link: nodesLink(r.label, new URLSearchParams({ group: r.group, sort: 'name' }).toString()),
    })),
  };
}

// ---- node cards and their filters ---------------------------------------------------------------

export const SORT_LABELS: Record<NodeSort, string> = {
  attention: 'needing attention first',
  name: 'name',
  cpu: 'CPU requested',
  memory: 'memory requested',
  'cpu-used': 'CPU used',
  'memory-used': 'memory used',
  pods: 'pods',
  newest: 'newest first',
};

const STATE_LABELS: Record<(typeof NODE_STATES)[number], string> = {
  ready: 'Ready',
  'not-ready': 'NotReady',
  cordoned: 'cordoned',
  draining: 'being drained',
  deleting: 'being deleted',
  attention: 'NotReady, cordoned, draining or deleting',
};

/** A link of the node list: the page's address (without JavaScript) and the fragment htmx swaps in. */
export interface NodesLink {
  label: string;
  page: string;
  fragment: string;
}

export function nodesLink(label: string, qs: string): NodesLink {
  return { label, page: `/scaling${qs ? `?${qs}` : ''}#scaling-node-list`, fragment: `/scaling/nodes${qs ? `?${qs}` : ''}` };
}

/** The query a page of cards answers (to link to its neighbours). */
export const queryOf = (page: NodesPage): NormalizedNodesQuery => ({ filters: page.filters, sort: page.sort, page: page.page, limit: page.limit });

/** A page of node cards as the templates show it: which cards of how many, and the pager. */
export interface NodeCardsModel {
  page: NodesPage;
  from: number;
  to: number;
  sortLabel: string;
  /** Filters in force, in words. */
  filtered: string | null;
  pager: NodesLink[];
  /** The page's address for this list (the browser shows it after a swap). */
  address: string;
  /** The fragment of this list (refreshed at each live change while it is shown). */
  fragment: string;
}

export function nodeCardsModel(page: NodesPage): NodeCardsModel {
  const q = queryOf(page);
  const at = (n: number) => nodesQueryString(q, { page: n });
  const pager: NodesLink[] = [];
  if (page.page > 1) pager.push(nodesLink('« first', at(1)), nodesLink('‹ previous', at(page.page - 1)));
  if (page.page < page.pages) pager.push(nodesLink('next ›', at(page.page + 1)), nodesLink('last »', at(page.pages)));
  const f = page.filters;
  const words = [
    f.group !== null && `group ${f.group === '-' ? '(none)' : f.group}`,
    f.zone !== null && `zone ${f.zone === '-' ? '(none)' : f.zone}`,
    f.capacityType !== null && f.capacityType,
    f.state !== null && STATE_LABELS[f.state],
    f.name !== null && `name contains “${f.name}”`,
  ].filter(Boolean);
  const here = nodesLink('', at(page.page));
  return {
    page,
    from: page.matched ? (page.page - 1) * page.limit + 1 : 0,
    to: Math.min(page.page * page.limit, page.matched),
    sortLabel: SORT_LABELS[page.sort],
    filtered: words.length ? words.join(', ') : null,
    pager,
    address: here.page,
    fragment: here.fragment,
  };
}

interface Choice {
  value: string;
  label: string;
  selected: boolean;
}

/** The filter form above the node cards: its choices (from the overview) and what is selected. */
export interface NodeFilterForm {
  groups: Choice[];
  zones: Choice[];
  capacityTypes: Choice[];
  states: Choice[];
  sorts: Choice[];
  name: string;
  /** Small clusters list every node at once: the form keeps asking for all of them. */
  limit: number | null;
  /** The order of the list before anyone chose one (name on a small cluster). */
  defaultSort: NodeSort;
}

export function nodeFilterForm(overview: NodeOverview | null, q: NormalizedNodesQuery, shown: NodesPage | null): NodeFilterForm {
  const rows = (list: NodeOverview['byGroup'] | undefined, current: string | null) => {
    const choices = (list ?? []).map((r) => ({ value: r.key, label: `${r.label} (${r.nodes})`, selected: r.key === current }));
    // A filter for something that is not there (any more) still shows as chosen.
    if (current !== null && !choices.some((c) => c.selected)) choices.push({ value: current, label: `${current} (0)`, selected: true });
    return [{ value: '', label: 'any', selected: current === null }, ...choices];
  };
  const sort = shown?.sort ?? q.sort;
  const small = overview !== null && overview.nodes <= SMALL_CLUSTER_NODES;
  return {
    groups: rows(overview?.byGroup, q.filters.group),
    zones: rows(overview?.byZone, q.filters.zone),
    capacityTypes: rows(overview?.byCapacityType, q.filters.capacityType),
    states: [
      { value: '', label: 'any', selected: q.filters.state === null },
      ...NODE_STATES.map((s) => ({ value: s, label: STATE_LABELS[s], selected: q.filters.state === s })),
    ],
    sorts: NODE_SORTS.map((s) => ({ value: s, label: SORT_LABELS[s], selected: s === sort })),
    name: q.filters.name ?? '',
    limit: small ? SMALL_CLUSTER_NODES : null,
    defaultSort: small ? 'name' : DEFAULT_NODE_SORT,
  };
}

/** What the live sections of /scaling/history render from (`scaling/live/history-*`). */
export interface HistoryLiveModel {
  hours: number;
  view: ScalingHistory;
  events: Array<ReturnType<typeof eventRow>>;
  byType: Array<{ type: string; count: number }>;
  stats: Array<ReturnType<typeof statsRow>>;
  chains: Array<ReturnType<typeof chainRow>>;
}

export function historyModel(hours: number, view: ScalingHistory): HistoryLiveModel {
  return {
    hours,
    view,
    events: view.events.status === 'ok' ? view.events.data.events.map(eventRow) : [],
    byType: view.events.status === 'ok' ? Object.entries(view.events.data.byType).map(([type, count]) => ({ type, count })) : [],
    stats: view.responseTimes.status === 'ok' ? view.responseTimes.data.stats.map(statsRow) : [],
    chains: view.responseTimes.status === 'ok' ? view.responseTimes.data.chains.map(chainRow) : [],
  };
}

/** The node list query as the monitor's request takes it: what is not set is left out. */
export function nodesRequest(q: NormalizedNodesQuery): ScalingNodesQuery {
  const { group, zone, capacityType, state, name } = q.filters;
  return {
    ...(group !== null && { group }),
    ...(zone !== null && { zone }),
    ...(capacityType !== null && { capacityType: capacityType as ScalingNodesQuery['capacityType'] }),
    ...(state !== null && { state }),
    ...(name !== null && { name }),
    ...(q.sort !== DEFAULT_NODE_SORT && { sort: q.sort }),
    ...(q.page !== 1 && { page: q.page }),
    ...(q.limit !== NODES_LIMIT.default && { limit: q.limit }),
  };
}
