import { z } from 'zod';
import { sectionOf } from '../../common/section';
import { Served } from '../../common/served-by';
import { Simulated } from '../simulation';

/**
 * What EC2 is about to do to this node's instance, from IMDS:
 * - `/latest/meta-data/spot/instance-action`: the spot interruption notice, about two minutes
 *   before EC2 stops, hibernates or terminates a spot instance (404 while there is none);
 * - `/latest/meta-data/events/recommendations/rebalance`: the rebalance recommendation, an
 *   earlier signal that the spot instance is at elevated risk of interruption (404 while none).
 */
export const SpotInterruptionNotice = z.object({
  /** terminate, stop or hibernate. */
  action: z.string(),
  /** When EC2 acts (UTC). */
  time: z.string(),
  /** Seconds from `checkedAt` to `time` (0 once it has passed). */
  secondsLeft: z.number().nullable(),
});
export type SpotInterruptionNotice = z.output<typeof SpotInterruptionNotice>;

export const RebalanceRecommendation = z.object({
  /** When EC2 emitted the recommendation (UTC). */
  noticeTime: z.string(),
});
export type RebalanceRecommendation = z.output<typeof RebalanceRecommendation>;

/**
 * - `interruption`: a spot interruption notice is out (red);
 * - `rebalance`: only a rebalance recommendation (yellow);
 * - `none`: a spot instance with neither (green);
 * - `not-spot`: an on-demand instance: neither notice applies.
 */
export const INTERRUPTION_STATES = ['interruption', 'rebalance', 'none', 'not-spot'] as const;
export const InterruptionState = z.enum(INTERRUPTION_STATES);
export type InterruptionState = z.output<typeof InterruptionState>;

export const InterruptionInfo = z.object({
  state: InterruptionState,
  /** The state in one sentence, for the page and for people reading the JSON. */
  summary: z.string(),
  /** IMDS instance-life-cycle: spot, on-demand (or scheduled), null when IMDS does not say. */
  lifecycle: z.string().nullable(),
  spot: SpotInterruptionNotice.nullable(),
  rebalance: RebalanceRecommendation.nullable(),
  /** When IMDS was read for these notices. */
  checkedAt: z.string(),
  /** The notices are read again after this many seconds (they are cached no longer). */
  maxAgeSeconds: z.number(),
});
export type InterruptionInfo = z.output<typeof InterruptionInfo>;

/** `environment.interruption.get`: the interruption section on its own (the home page's live card). */
export const InterruptionView = z.object({
  ...Served.shape,
  interruption: sectionOf(InterruptionInfo),
  /** `npm run demo`: the simulated instance the notices come from. */
  simulated: Simulated.optional(),
});
export type InterruptionView = z.output<typeof InterruptionView>;
