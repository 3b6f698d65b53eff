import type { ErrorBody } from '../common/errors';
import { SCALING_EVENT_TYPES, type ScalingEventType, type ScalingEventsQuery } from './dto/events.dto';
import type { ScalingHistoryQuery } from './dto/history.dto';
import { ScalingErrors } from './scaling.errors';

/**
 * Validation of the scaling queries, shared by the gateway (query strings) and the monitor (the
 * same rules again, since anything on the bus may call it). Bad input is a 400 with the
 * parameter named; nothing is clamped silently.
 */
export type QueryResult<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

export const HISTORY_HOURS = { min: 1, max: 168, default: 24 } as const;
export const EVENTS_LIMIT = { min: 1, max: 1000, default: 200 } as const;
/** Longest range one events query may span. */
export const EVENTS_MAX_RANGE_HOURS = 168;

const invalid = (message: string, fix: string): { ok: false; error: ErrorBody } => ({
  ok: false,
  error: { code: ScalingErrors.INVALID_QUERY.code, message, fix },
});

function integer(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isInteger(raw) ? raw : undefined;
  if (typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw)) return Number(raw);
  return undefined;
}

const single = (raw: unknown): unknown => (Array.isArray(raw) ? raw[raw.length - 1] : raw);

/** `hours` of the history: a whole number from 1 to 168 (the longest retention the page charts), default 24. */
export function parseHistoryQuery(raw: { hours?: unknown } | undefined): QueryResult<Required<ScalingHistoryQuery>> {
  const value = single(raw?.hours);
  if (value === undefined || value === null || value === '') return { ok: true, value: { hours: HISTORY_HOURS.default } };
  const hours = integer(value);
  if (hours === undefined || hours < HISTORY_HOURS.min || hours > HISTORY_HOURS.max) {
    return invalid(
      `hours must be a whole number from ${HISTORY_HOURS.min} to ${HISTORY_HOURS.max}, got ${JSON.stringify(value).slice(0, 40)}`,
      `Use e.g. ?hours=${HISTORY_HOURS.default}.`,
    );
  }
  return { ok: true, value: { hours } };
}

export interface NormalizedEventsQuery {
  since: string;
  until: string;
  types: ScalingEventType[] | null;
  namespace: string | null;
  workload: string | null;
  limit: number;
}

function time(name: string, raw: unknown): QueryResult<number | undefined> {
  const value = single(raw);
  if (value === undefined || value === null || value === '') return { ok: true, value: undefined };
  const ms = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms))
    return invalid(`${name} must be an ISO 8601 time such as 2025-11-13T10:30:00Z, got ${JSON.stringify(value).slice(0, 40)}`, `Pass ${name} as an ISO time.`);
  return { ok: true, value: ms };
}

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const WORKLOAD = /^[A-Za-z]{1,40}\/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/**
 * The events query: `since`/`until` ISO times (default: the last hour), `types` (comma-separated
 * or a list), `namespace`, `workload` ("Deployment/stress"), `limit` 1–1000 (default 200).
 */
export function parseEventsQuery(raw: Record<string, unknown> | ScalingEventsQuery | undefined, now: number = Date.now()): QueryResult<NormalizedEventsQuery> {
  const q = (raw ?? {}) as Record<string, unknown>;
  const since = time('since', q.since);
  if (!since.ok) return since;
  const until = time('until', q.until);
  if (!until.ok) return until;
  const to = until.value ?? now;
  const from = since.value ?? to - 3_600_000;
  if (from > to) return invalid('since must not be after until', 'Swap the two times.');
  if (to - from > EVENTS_MAX_RANGE_HOURS * 3_600_000)
    return invalid(`the range may span at most ${EVENTS_MAX_RANGE_HOURS} hours`, 'Ask for a shorter range, page by page.');

  let types: ScalingEventType[] | null = null;
  const rawTypes = q.types;
  if (rawTypes !== undefined && rawTypes !== null && rawTypes !== '') {
    const list = (Array.isArray(rawTypes) ? rawTypes : [rawTypes])
      .flatMap((t) => String(t).split(','))
      .map((t) => t.trim())
      .filter(Boolean);
    const unknown = list.filter((t) => !SCALING_EVENT_TYPES.includes(t as ScalingEventType));
    if (unknown.length) return invalid(`unknown event type ${JSON.stringify(unknown[0]).slice(0, 40)}`, `Use any of: ${SCALING_EVENT_TYPES.join(', ')}.`);
    types = list as ScalingEventType[];
  }

  const namespace = single(q.namespace);
  if (namespace !== undefined && namespace !== null && namespace !== '' && (typeof namespace !== 'string' || !NAME.test(namespace) || namespace.length > 63)) {
    return invalid('namespace must be a Kubernetes namespace name', 'Use lower-case letters, digits and -.');
  }
  const workload = single(q.workload);
  if (workload !== undefined && workload !== null && workload !== '' && (typeof workload !== 'string' || !WORKLOAD.test(workload))) {
    return invalid('workload must look like Kind/name, e.g. Deployment/stress', 'Pass the workload as Kind/name.');
  }

  const rawLimit = single(q.limit);
  let limit: number = EVENTS_LIMIT.default;
  if (rawLimit !== undefined && rawLimit !== null && rawLimit !== '') {
    const n = integer(rawLimit);
    if (n === undefined || n < EVENTS_LIMIT.min || n > EVENTS_LIMIT.max)
      return invalid(`limit must be a whole number from ${EVENTS_LIMIT.min} to ${EVENTS_LIMIT.max}`, `Use e.g. limit=${EVENTS_LIMIT.default}.`);
    limit = n;
  }
  return {
    ok: true,
    value: {
      since: new Date(from).toISOString(),
      until: new Date(to).toISOString(),
      types,
      namespace: typeof namespace === 'string' && namespace ? namespace : null,
      workload: typeof workload === 'string' && workload ? workload : null,
      limit,
    },
  };
}
