import { z } from 'zod';
import type { ErrorBody } from '../common/errors';
import { type Parsed, optional, parseWith, quoted, single, wholeNumber } from '../common/schema';
import { SCALING_EVENT_TYPES, ScalingEventType } from './dto/events.dto';
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

const FIXES: Record<string, string> = {
  hours: `Use e.g. ?hours=${HISTORY_HOURS.default}.`,
  since: 'Pass since as an ISO time.',
  until: 'Pass until as an ISO time.',
  types: `Use any of: ${SCALING_EVENT_TYPES.join(', ')}.`,
  namespace: 'Use lower-case letters, digits and -.',
  workload: 'Pass the workload as Kind/name.',
  limit: `Use e.g. limit=${EVENTS_LIMIT.default}.`,
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
