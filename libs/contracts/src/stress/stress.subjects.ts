import { defineEvent, defineRpc } from '../common/rpc';
import { NoParams } from '../environment/environment.subjects';
import { StressErrors } from './stress.errors';
import { StressHeartbeat } from './dto/heartbeat.dto';
import { SustainedLoadRequest, SustainedLoadReply, WorkUnit } from './dto/load.dto';
import { StressOverview } from './dto/overview.dto';
import { PodStartOutcome, PodStopOutcome, StartTestReply, StartTestRequest, StressStopRequest } from './dto/test.dto';

const INVALID = StressErrors.INVALID;

export const StressRpc = {
  /** `one`: the queue group hands the command to one pod; a busy pod answers STRESS.CONFLICT. */
  start: defineRpc('stress', 'stress.test.start', { request: StartTestRequest, response: StartTestReply, invalid: INVALID }),
  /** `all`: every pod receives it and answers accepted or refused (a refusal is data, so a gather keeps it). */
  startAll: defineRpc('stress', 'stress.test.start-all', { request: StartTestRequest, response: PodStartOutcome, invalid: INVALID }, { delivery: 'all' }),
  /** Stop by id, broadcast: the pods running the test (or dispatching the load) stop it and say so. */
  stop: defineRpc('stress', 'stress.test.stop', { request: StressStopRequest, response: PodStopOutcome, invalid: INVALID }, { delivery: 'all' }),
  /** Sustained load: the pod that takes it dispatches work units for its duration. */
  startLoad: defineRpc('stress', 'stress.load.start', { request: SustainedLoadRequest, response: SustainedLoadReply, invalid: INVALID }),
  /** Bounds, and the stress HPA from the service's informer. */
  overview: defineRpc('stress', 'stress.overview.get', { request: NoParams, response: StressOverview, invalid: INVALID }, { coalesce: true }),
} as const;

export const StressEvents = {
  /** Every stress pod, every second; every gateway replica subscribes (no queue group). */
  heartbeat: defineEvent('stress.heartbeat', StressHeartbeat),
  /** Sustained-load work, on the stress queue group: each unit goes to one pod. */
  workUnit: defineEvent('stress.load.unit', WorkUnit, { consumer: 'stress' }),
} as const;
