import { z } from 'zod';
import type { ErrorBody } from '../common/errors';
import { type Parsed, optional, parseWith, quoted, single, wholeNumber } from '../common/schema';
import { SCALING_EVENT_TYPES, ScalingEventType } from './dto/events.dto';
import { NODE_SORTS, NODE_STATES, type NodeFilters, type NodeSort } from './dto/snapshot.dto';
import { ScalingErrors } from './scaling.errors';

/**
 * The scaling queries, shared by the gateway (query strings) and the monitor (the same rules
 * again, since anything on the bus may call it). Bad input is a 400 with the parameter named;
 * nothing is clamped silently.
 */
export type QueryResult<T> = Parsed<T>;

export const HISTORY_HOURS = { min: 1, max: 168, default: 24 } as const;
export const EVENTS_LIMIT = { min: 1, max: 1000, default: 200 } as const;
/** Longest range one events query may span. */
export const EVENTS_MAX_RANGE_HOURS = 168;

const isoTime = single(
  z.string({ error: 'must be an ISO 8601 time such as 2025-11-13T10:30:00Z' }).refine((v) => /^\d{4}-\d{2}-\d{2}T/.test(v) && Number.isFinite(Date.parse(v)), {
    error: (iss) => `must be an ISO 8601 time such as 2025-11-13T10:30:00Z, got ${quoted(iss.input)}`,
  }),
);

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const WORKLOAD = /^[A-Za-z]{1,40}\/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Event types as a list or comma-separated (`types=hpa_scale_up,pod_ready`). */
const eventTypes = z.preprocess(
  (v) =>
    (Array.isArray(v) ? v : [v])
      .flatMap((t) => String(t).split(','))
      .map((t) => t.trim())
      .filter(Boolean),
  z.array(z.enum(ScalingEventType.options, { error: (iss) => `unknown event type ${quoted(iss.input)}` })),
);

/** `hours` of the history: a whole number from 1 to 168 (the longest retention the page charts), default 24. */
export const ScalingHistoryQuery = z.object({
  /** Hours back from now (default 24). */
  hours: optional(single(wholeNumber(HISTORY_HOURS.min, HISTORY_HOURS.max))),
});
export type ScalingHistoryQuery = z.output<typeof ScalingHistoryQuery>;

/**
 * `scaling.events.list`: events in a time range, oldest first (a timeline), with the response-time
 * chains that started in it. The stress page asks for the events since its test started.
 */
export const ScalingEventsQuery = z.object({
  /** ISO time; default: one hour before `until`. */
  since: optional(isoTime),
  /** ISO time; default: now. */
  until: optional(isoTime),
  /** Event types, as a list or comma-separated. */
  types: optional(eventTypes),
  /** Only events about objects in this namespace (node events have none and are kept unless `workload` is set). */
  namespace: optional(single(z.string().max(63).regex(NAME, { error: 'must be a Kubernetes namespace name' }))),
  /** Only events about this workload ("Deployment/stress") or its HPA and pods. */
  workload: optional(single(z.string().regex(WORKLOAD, { error: 'must look like Kind/name, e.g. Deployment/stress' }))),
  /** At most this many events (default 200). */
  limit: optional(single(wholeNumber(EVENTS_LIMIT.min, EVENTS_LIMIT.max))),
});
export type ScalingEventsQuery = z.output<typeof ScalingEventsQuery>;

export const NODES_LIMIT = { min: 1, max: 200, default: 24 } as const;
/** A cluster with at most this many nodes shows every card at once (no paging). */
export const SMALL_CLUSTER_NODES = 50;
/** Most nodes one snapshot lists by name (`nodes` of `/api/v1/scaling`). */
export const SNAPSHOT_NODES_MAX = 5000;

const filterText = (what: string) =>
  single(
    z
      .string()
      .max(253, { error: `must be at most 253 characters (a ${what})` })
      .regex(/^[\x20-\x7e]*$/, { error: 'must be printable ASCII' })
      .transform((v) => v.trim()),
  );

/**
 * The node list (`/scaling?…`, `/scaling/nodes?…`, `/api/v1/scaling/nodes?…`): narrowed by node
 * group, zone, capacity type, state and part of the name; sorted; one page at a time.
 */
export const ScalingNodesQuery = z.object({
  /** EKS node group or Karpenter node pool; "-" for nodes in neither. */
  group: optional(filterText('node group name')),
  /** Availability zone; "-" for nodes without a zone label. */
  zone: optional(filterText('zone name')),
  /** on-demand, spot or unknown. */
  capacityType: optional(single(z.enum(['on-demand', 'spot', 'unknown'], { error: (iss) => `must be on-demand, spot or unknown, got ${quoted(iss.input)}` }))),
  /** ready, not-ready, cordoned, draining (a drainer's taint or a cordon), deleting, or attention (NotReady, cordoned, draining or deleting). */
  state: optional(single(z.enum(NODE_STATES, { error: (iss) => `must be one of ${NODE_STATES.join(', ')}, got ${quoted(iss.input)}` }))),
  /** Part of the node name, any case. */
  name: optional(filterText('node name')),
  /** attention (default: NotReady, deleting, cordoned, then the most requested), name, cpu, memory, cpu-used, memory-used, pods, newest. */
  sort: optional(single(z.enum(NODE_SORTS, { error: (iss) => `must be one of ${NODE_SORTS.join(', ')}, got ${quoted(iss.input)}` }))),
  /** Page, from 1 (default 1). */
  page: optional(single(wholeNumber(1, 100_000))),
  /** Nodes per page, 1 to 200 (default 24). */
  limit: optional(single(wholeNumber(NODES_LIMIT.min, NODES_LIMIT.max))),
});
export type ScalingNodesQuery = z.output<typeof ScalingNodesQuery>;

/** `scaling.snapshot.get` and `/api/v1/scaling`. */
export const ScalingSnapshotQuery = z.object({
  /** How many nodes `nodes` lists by name (0 to 5000; default SNAPSHOT_MAX_NODES, which also caps it). */
  nodes: optional(single(wholeNumber(0, SNAPSHOT_NODES_MAX))),
});
export type ScalingSnapshotQuery = z.output<typeof ScalingSnapshotQuery>;

const FIXES: Record<string, string> = {
  group: 'Use a node group or Karpenter pool name from the overview, or "-" for nodes in neither.',
  zone: 'Use a zone from the overview, e.g. eu-west-1a, or "-".',
  capacityType: 'Use on-demand, spot or unknown.',
  state: `Use any of: ${NODE_STATES.join(', ')}.`,
  name: 'Use part of a node name.',
  sort: `Use any of: ${NODE_SORTS.join(', ')}.`,
  page: 'Use a page number from 1.',
  nodes: 'Use e.g. nodes=0 for the overview without the node list.',
  hours: `Use e.g. ?hours=${HISTORY_HOURS.default}.`,
  since: 'Pass since as an ISO time.',
  until: 'Pass until as an ISO time.',
  types: `Use any of: ${SCALING_EVENT_TYPES.join(', ')}.`,
  namespace: 'Use lower-case letters, digits and -.',
  workload: 'Pass the workload as Kind/name.',
  limit: `Use e.g. limit=${EVENTS_LIMIT.default} (events) or limit=${NODES_LIMIT.default} (nodes).`,
};

/** A parse with the fix for the first bad parameter. */
function parseQuery<T>(schema: z.ZodType<T>, raw: unknown): QueryResult<T> {
  const parsed = parseWith(schema, raw ?? {}, ScalingErrors.INVALID_QUERY);
  if (parsed.ok) return parsed;
  const field = parsed.error.fields?.[0]?.field.split('.')[0] ?? '';
  return { ok: false, error: { ...parsed.error, fix: FIXES[field] ?? parsed.error.fix } };
}

const invalid = (message: string, fix: string): { ok: false; error: ErrorBody } => ({
  ok: false,
  error: { code: ScalingErrors.INVALID_QUERY.code, message, fix },
});

export function parseHistoryQuery(raw: unknown): QueryResult<Required<ScalingHistoryQuery>> {
  const parsed = parseQuery(ScalingHistoryQuery, raw);
  return parsed.ok ? { ok: true, value: { hours: parsed.value.hours ?? HISTORY_HOURS.default } } : parsed;
}

export interface NormalizedEventsQuery {
  since: string;
  until: string;
  types: ScalingEventType[] | null;
  namespace: string | null;
  workload: string | null;
  limit: number;
}

/**
 * The events query with its defaults (the last hour, 200 events) and the range rules: `since`
 * not after `until`, at most EVENTS_MAX_RANGE_HOURS apart.
 */
export function parseEventsQuery(raw: unknown, now: number = Date.now()): QueryResult<NormalizedEventsQuery> {
  const parsed = parseQuery(ScalingEventsQuery, raw);
  if (!parsed.ok) return parsed;
  const q = parsed.value;
  const to = q.until !== undefined ? Date.parse(q.until) : now;
  const from = q.since !== undefined ? Date.parse(q.since) : to - 3_600_000;
  if (from > to) return invalid('since must not be after until', 'Swap the two times.');
  if (to - from > EVENTS_MAX_RANGE_HOURS * 3_600_000)
    return invalid(`the range may span at most ${EVENTS_MAX_RANGE_HOURS} hours`, 'Ask for a shorter range, page by page.');
  return {
    ok: true,
    value: {
      since: new Date(from).toISOString(),
      until: new Date(to).toISOString(),
      types: q.types?.length ? q.types : null,
      namespace: q.namespace ?? null,
      workload: q.workload ?? null,
      limit: q.limit ?? EVENTS_LIMIT.default,
    },
  };
}

/** A node list query with its defaults: every filter off, attention first, page 1, 24 a page. */
export interface NormalizedNodesQuery {
  filters: NodeFilters;
  sort: NodeSort;
  page: number;
  limit: number;
}

export const DEFAULT_NODE_SORT: NodeSort = 'attention';

export function normalizeNodesQuery(q: ScalingNodesQuery): NormalizedNodesQuery {
  return {
    filters: {
      group: q.group || null,
      zone: q.zone || null,
      capacityType: q.capacityType ?? null,
      state: q.state ?? null,
      name: q.name || null,
    },
    sort: q.sort ?? DEFAULT_NODE_SORT,
    page: q.page ?? 1,
    limit: q.limit ?? NODES_LIMIT.default,
  };
}

/** The node list query with its defaults, or the 400 that names the bad parameter. */
export function parseNodesQuery(raw: unknown): QueryResult<NormalizedNodesQuery> {
  const parsed = parseQuery(ScalingNodesQuery, raw);
  return parsed.ok ? { ok: true, value: normalizeNodesQuery(parsed.value) } : parsed;
}

/** The query string of a node list (defaults left out), for links and for the page's address. */
export function nodesQueryString(q: NormalizedNodesQuery, overrides: Partial<Pick<NormalizedNodesQuery, 'page' | 'sort'>> = {}): string {
  const page = overrides.page ?? q.page;
  const sort = overrides.sort ?? q.sort;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q.filters)) if (v !== null) params.set(k, v);
  if (sort !== DEFAULT_NODE_SORT) params.set('sort', sort);
  if (page !== 1) params.set('page', String(page));
  if (q.limit !== NODES_LIMIT.default) params.set('limit', String(q.limit));
  return params.toString();
}

/** True when the query asks for the default list (no filter, attention first, first page, default size). */
export function isDefaultNodesQuery(q: NormalizedNodesQuery): boolean {
  return nodesQueryString(q) === '';
}

export function parseSnapshotQuery(raw: unknown): QueryResult<ScalingSnapshotQuery> {
  return parseQuery(ScalingSnapshotQuery, raw);
}
