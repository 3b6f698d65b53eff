import { defineEvent, defineRpc } from '../common/rpc';
import type { NoParams } from '../environment/environment.subjects';
import type { ScalingEventRecord, ScalingEventsQuery } from './dto/events.dto';
import type { HistoryPoint, ScalingEventsPage, ScalingHistory, ScalingHistoryQuery } from './dto/history.dto';
import type { ScalingChanged, ScalingSnapshot } from './dto/snapshot.dto';

/** Requests the scaling-monitor answers (one replica: it is a singleton). */
export const ScalingRpc = {
  /** The /scaling page: nodes, pending pods, HPAs with their maths, node autoscaler status. */
  snapshot: defineRpc<NoParams, ScalingSnapshot>('scaling-monitor', 'scaling.snapshot.get', { coalesce: true }),
  /** The /scaling/history page: samples, events and response times of the last `hours`. */
  history: defineRpc<ScalingHistoryQuery, ScalingHistory>('scaling-monitor', 'scaling.history.get', { coalesce: true }),
  /** Events and response-time chains in a time range (e.g. since a stress test started), oldest first. */
  events: defineRpc<ScalingEventsQuery, ScalingEventsPage>('scaling-monitor', 'scaling.events.list', { coalesce: true }),
} as const;

/**
 * What the monitor publishes. No consumer group: every gateway replica receives each one and
 * pushes it to its own browsers (SSE).
 */
export const ScalingEvents = {
  /** The snapshot changed (coalesced: at most one per SNAPSHOT_PUSH_DELAY_MS). */
  changed: defineEvent<ScalingChanged>('scaling.snapshot.changed'),
  /** A scaling event was recorded in the history. */
  recorded: defineEvent<ScalingEventRecord>('scaling.event.recorded'),
  /** A sample was recorded in the history. */
  sampled: defineEvent<HistoryPoint>('scaling.sample.recorded'),
} as const;
