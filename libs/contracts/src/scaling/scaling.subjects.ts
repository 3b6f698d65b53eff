import { defineEvent, defineRpc } from '../common/rpc';
import { ScalingErrors } from './scaling.errors';
import { ScalingEventsQuery, ScalingHistoryQuery, ScalingNodesQuery, ScalingSnapshotQuery } from './scaling.queries';
import { ScalingEventRecord } from './dto/events.dto';
import { HistoryPoint, ScalingEventsPage, ScalingHistory } from './dto/history.dto';
import { ScalingChanged, ScalingNodes, ScalingSnapshot } from './dto/snapshot.dto';

/** Requests the scaling-monitor answers (one replica: it is a singleton). */
const INVALID = ScalingErrors.INVALID_QUERY;

export const ScalingRpc = {
  /** The /scaling page: nodes (overview, first cards, up to `nodes` listed by name), pending pods, HPAs with their maths, node autoscaler status. */
  snapshot: defineRpc(
    'scaling-monitor',
    'scaling.snapshot.get',
    { request: ScalingSnapshotQuery, response: ScalingSnapshot, invalid: INVALID },
    { coalesce: true },
  ),
  /** One page of node cards, filtered and sorted (the node list of /scaling). */
  nodes: defineRpc('scaling-monitor', 'scaling.nodes.list', { request: ScalingNodesQuery, response: ScalingNodes, invalid: INVALID }, { coalesce: true }),
  /** The /scaling/history page: samples, events and response times of the last `hours`. */
  history: defineRpc(
    'scaling-monitor',
    'scaling.history.get',
    { request: ScalingHistoryQuery, response: ScalingHistory, invalid: INVALID },
    { coalesce: true },
  ),
  /** Events and response-time chains in a time range (e.g. since a stress test started), oldest first. */
  events: defineRpc(
    'scaling-monitor',
    'scaling.events.list',
    { request: ScalingEventsQuery, response: ScalingEventsPage, invalid: INVALID },
    { coalesce: true },
  ),
} as const;

/**
 * What the monitor publishes. No consumer group: every gateway replica receives each one and
 * pushes it to its own browsers (SSE).
 */
export const ScalingEvents = {
  /** The snapshot changed (coalesced: at most one per SNAPSHOT_PUSH_DELAY_MS). */
  changed: defineEvent('scaling.snapshot.changed', ScalingChanged),
  /** A scaling event was recorded in the history. */
  recorded: defineEvent('scaling.event.recorded', ScalingEventRecord),
  /** A sample was recorded in the history. */
  sampled: defineEvent('scaling.sample.recorded', HistoryPoint),
} as const;
