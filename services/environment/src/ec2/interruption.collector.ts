import {
  EnvironmentErrors,
  ImdsErrors,
  type InterruptionInfo,
  type RebalanceRecommendation,
  type Section,
  type SpotInterruptionNotice,
  failed,
  ok,
  unavailable,
} from '@eks-info/contracts';
import { type ImdsClient, ImdsError, ImdsPaths } from '@eks-info/aws';

export interface InterruptionCollectorOptions {
  imds: ImdsClient;
  now?: () => number;
}

/** A notice IMDS served but that does not read as its documented JSON. */
class UnreadableNotice extends Error {}

/**
 * This node's spot interruption notice and rebalance recommendation, from IMDS. Both paths answer
 * 404 while there is nothing to say: that is the normal "no notice" value, not an error. The
 * notices are read through `ImdsClient.getFresh`, so they are at most a few seconds old (a real
 * interruption notice comes two minutes before EC2 acts). On an on-demand instance neither
 * applies, and they are not read at all.
 */
export class InterruptionCollector {
  private readonly now: () => number;
  private offSection?: Section<never>;

  constructor(private readonly options: InterruptionCollectorOptions) {
    this.now = options.now ?? Date.now;
  }

  async interruption(): Promise<Section<InterruptionInfo>> {
    const { imds } = this.options;
    const off = imds.off;
    if (off) return (this.offSection ??= this.imdsSection(off));
    const maxAgeSeconds = Math.round(imds.freshTtlMs / 100) / 10;
    try {
      const lifecycle = await imds.get(ImdsPaths.instanceLifeCycle);
      if (lifecycle !== null && lifecycle !== 'spot') {
        return ok({
          state: 'not-spot',
          summary: `${lifecycle === 'on-demand' ? 'An on-demand instance' : `A ${lifecycle} instance, not spot`}: spot interruption notices and rebalance recommendations do not apply to it.`,
          lifecycle,
          spot: null,
          rebalance: null,
          checkedAt: new Date(this.now()).toISOString(),
          maxAgeSeconds,
        });
      }
      const [action, rebalanceText] = await Promise.all([imds.getFresh(ImdsPaths.spotInstanceAction), imds.getFresh(ImdsPaths.rebalanceRecommendation)]);
      const checked = this.now();
      const spot = action === null ? null : spotNotice(action, checked);
      const rebalance = rebalanceText === null ? null : rebalanceRecommendation(rebalanceText);
      return ok({
        state: spot ? 'interruption' : rebalance ? 'rebalance' : 'none',
        summary: summary(spot, rebalance),
        lifecycle,
        spot,
        rebalance,
        checkedAt: new Date(checked).toISOString(),
        maxAgeSeconds,
      });
    } catch (err) {
      return this.imdsSection(err);
    }
  }

  private imdsSection(err: unknown): Section<never> {
    if (err instanceof ImdsError) {
      if (err.code === ImdsErrors.DISABLED.code) {
        const message =
          err.offReason === 'outside-kubernetes'
            ? 'No interruption notices to read: not running on EC2 (IMDS off outside Kubernetes)'
            : `No interruption notices to read: ${err.body.message}`;
        return unavailable({ ...err.body, message });
      }
      return failed(err.body);
    }
    if (err instanceof UnreadableNotice) {
      return failed({
        code: EnvironmentErrors.COLLECTOR_FAILED.code,
        message: err.message,
        fix: 'IMDS served something other than the documented JSON: check what answers on the IMDS endpoint (IMDS_ENDPOINT).',
      });
    }
    return failed({
      code: EnvironmentErrors.COLLECTOR_FAILED.code,
      message: 'reading the interruption notices failed',
      details: (err as Error)?.message ?? String(err),
    });
  }
}

function parse(text: string, path: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new UnreadableNotice(`IMDS served an unreadable ${path}: ${text.slice(0, 80)}`);
}

function spotNotice(text: string, now: number): SpotInterruptionNotice {
  const json = parse(text, ImdsPaths.spotInstanceAction);
  if (typeof json.action !== 'string' || typeof json.time !== 'string') {
    throw new UnreadableNotice(`IMDS served an unreadable ${ImdsPaths.spotInstanceAction}: ${text.slice(0, 80)}`);
  }
  const at = Date.parse(json.time);
  return { action: json.action, time: json.time, secondsLeft: Number.isFinite(at) ? Math.max(0, Math.round((at - now) / 1000)) : null };
}

function rebalanceRecommendation(text: string): RebalanceRecommendation {
  const json = parse(text, ImdsPaths.rebalanceRecommendation);
  if (typeof json.noticeTime !== 'string') {
    throw new UnreadableNotice(`IMDS served an unreadable ${ImdsPaths.rebalanceRecommendation}: ${text.slice(0, 80)}`);
  }
  return { noticeTime: json.noticeTime };
}

function summary(spot: SpotInterruptionNotice | null, rebalance: RebalanceRecommendation | null): string {
  if (spot) {
    const left = spot.secondsLeft === null ? '' : spot.secondsLeft > 0 ? ` (in ${spot.secondsLeft} s)` : ' (that time has passed)';
    return `Spot interruption notice: EC2 will ${spot.action} this instance at ${spot.time}${left}. Pods on this node should be drained now.`;
  }
  if (rebalance) {
    return `Rebalance recommendation since ${rebalance.noticeTime}: this spot instance is at elevated risk of interruption; no interruption notice yet.`;
  }
  return 'No spot interruption notice and no rebalance recommendation for this spot instance.';
}
