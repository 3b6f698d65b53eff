import { Injectable } from '@nestjs/common';
import {
  CommonErrors,
  type ErrorBody,
  KubeErrors,
  ScalingRpc,
  type Section,
  type StressHpaView,
  type StressLivePod,
  type StressOverview,
  StressRpc,
  type StressTimeline,
  type StressView,
  TransportErrors,
  failed,
  ok,
  unavailable,
} from '@eks-info/contracts';
import { MessageBus, RpcError } from '@eks-info/platform';
import { SILENCE_MS, StressLiveService } from './live/stress-live.service';

/** The timeline must not hold up the page: the scaling monitor gets this long. */
const TIMELINE_TIMEOUT_MS = 2000;
/** Without a test on a live pod, the timeline shows this much of the recent past. */
const DEFAULT_WINDOW_MS = 30 * 60_000;
const TIMELINE_LIMIT = 100;
const NOT_HERE = new Set([TransportErrors.UNAVAILABLE.code, KubeErrors.NOT_IN_CLUSTER.code]);

/**
 * The stress view for the page and GET /api/v1/stress: pods, tests and loads from the live
 * heartbeats; bounds and the HPA from the stress service; the scaling timeline since the latest
 * test from the scaling monitor. Each part degrades on its own.
 */
@Injectable()
export class StressViewService {
  constructor(
    private readonly bus: MessageBus,
    private readonly live: StressLiveService,
  ) {}

  async view(): Promise<StressView> {
    const pods = this.live.list();
    const overview = await this.overview();
    if (overview.status === 'ok') this.live.setCpuTarget(overview.data.cpuTargetPercent, overview.data.cpuTargetSource);
    const hpa: Section<StressHpaView> = overview.status === 'ok' ? overview.data.hpa : overview;
    return {
      pods,
      tests: pods.flatMap((p) => (p.heartbeat.test ? [p.heartbeat.test] : [])),
      recent: pods.flatMap((p) => (p.heartbeat.lastTest ? [p.heartbeat.lastTest] : [])).sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? '')),
      loads: pods.flatMap((p) => (p.heartbeat.load ? [p.heartbeat.load] : [])),
      summary: this.live.summary(),
      hpa,
      bounds: overview.status === 'ok' ? overview.data.bounds : null,
      timeline: await this.timeline(pods, hpa),
      silenceMs: SILENCE_MS,
      generatedAt: new Date().toISOString(),
      servedBy: overview.status === 'ok' ? overview.data.servedBy : null,
    };
  }

  private async overview(): Promise<Section<StressOverview>> {
    try {
      return ok(await this.bus.request(StressRpc.overview, {}));
    } catch (err) {
      return failed(errorBody(err, 'The stress service could not be asked.'));
    }
  }

  /** Scaling events since the latest test (or load) started, for the stress workload when the HPA names it. */
  private async timeline(pods: StressLivePod[], hpa: Section<StressHpaView>): Promise<Section<StressTimeline>> {
    const starts = pods.flatMap((p) => [p.heartbeat.test, p.heartbeat.lastTest, p.heartbeat.load].flatMap((t) => (t ? [{ at: t.startedAt, id: t.id }] : [])));
    const latest = starts.sort((a, b) => b.at.localeCompare(a.at))[0];
    const since = latest?.at ?? new Date(Date.now() - DEFAULT_WINDOW_MS).toISOString();
    const target = hpa.status === 'ok' ? hpa.data.target : null;
    const workload = target ? `${target.kind}/${target.name}` : null;
    try {
      const page = await this.bus.request(
        ScalingRpc.events,
        { since, limit: TIMELINE_LIMIT, ...(workload ? { workload } : {}) },
        { timeoutMs: TIMELINE_TIMEOUT_MS },
      );
      return ok({
        since,
        sinceWhat: latest ? `since ${latest.id} started` : 'the last 30 minutes (no recent test on a live pod)',
        workload,
        events: page.events,
        chains: page.chains,
        stats: page.stats,
        truncated: page.truncated,
      });
    } catch (err) {
      const body = errorBody(err, 'The scaling monitor could not be asked.');
      // No scaling monitor deployed, or no cluster to watch, is a fact about this install, not a failure.
      return NOT_HERE.has(body.code) ? unavailable({ ...body, message: `The scaling timeline comes from the scaling monitor: ${body.message}` }) : failed(body);
    }
  }
}

function errorBody(err: unknown, fallback: string): ErrorBody {
  return err instanceof RpcError ? err.body : { code: CommonErrors.INTERNAL.code, message: fallback };
}
