import { defineEvent, defineRpc } from '../common/rpc';
import type { StressHeartbeat } from './dto/heartbeat.dto';
import type { SustainedLoadRequest, SustainedLoadReply, WorkUnit } from './dto/load.dto';
import type { StressOverview } from './dto/overview.dto';
import type { PodStartOutcome, PodStopOutcome, StartTestReply, StartTestRequest, StressStopRequest } from './dto/test.dto';

export const StressRpc = {
  /** `one`: the queue group hands the command to one pod; a busy pod answers STRESS.CONFLICT. */
  start: defineRpc<StartTestRequest, StartTestReply>('stress', 'stress.test.start'),
  /** `all`: every pod receives it and answers accepted or refused (a refusal is data, so a gather keeps it). */
  startAll: defineRpc<StartTestRequest, PodStartOutcome>('stress', 'stress.test.start-all', { delivery: 'all' }),
  /** Stop by id, broadcast: the pods running the test (or dispatching the load) stop it and say so. */
  stop: defineRpc<StressStopRequest, PodStopOutcome>('stress', 'stress.test.stop', { delivery: 'all' }),
  /** Sustained load: the pod that takes it dispatches work units for its duration. */
  startLoad: defineRpc<SustainedLoadRequest, SustainedLoadReply>('stress', 'stress.load.start'),
  /** Bounds, and the stress HPA from the service's informer. */
  overview: defineRpc<Record<string, never>, StressOverview>('stress', 'stress.overview.get', { coalesce: true }),
} as const;

export const StressEvents = {
  /** Every stress pod, every second; every gateway replica subscribes (no queue group). */
  heartbeat: defineEvent<StressHeartbeat>('stress.heartbeat'),
  /** Sustained-load work, on the stress queue group: each unit goes to one pod. */
  workUnit: defineEvent<WorkUnit>('stress.load.unit', { consumer: 'stress' }),
} as const;
