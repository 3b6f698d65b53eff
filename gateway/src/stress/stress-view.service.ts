import { Injectable } from '@nestjs/common';
import {
  ScalingRpc,
  type Section,
  type StressHpaView,
  type StressLivePod,
  type StressOverview,
  StressRpc,
  type StressTimeline,
  type StressView,
  failed,
  ok,
} from '@eks-info/contracts';
import { MessageBus } from '@eks-info/platform';
import { errorBody, sectionFromError } from '../views/section-from-error';
import { SILENCE_MS, StressLiveService } from './live/stress-live.service';

/** The timeline must not hold up the page: the scaling monitor gets this long. */
const TIMELINE_TIMEOUT_MS = 2000;
/** Without a test on a live pod, the timeline shows this much of the recent past. */
const DEFAULT_WINDOW_MS = 30 * 60_000;
const TIMELINE_LIMIT = 100;

/** What the view asks the stress service and the scaling monitor for (the rest comes from the heartbeats). */
interface Extras {
  /** When they were fetched (epoch ms). */
  at: number;
  /** The start of the timeline they were fetched for (the latest test or load), null for the default window. */
  since: string | null;
  overview: Section<StressOverview>;
  hpa: Section<StressHpaView>;
  timeline: Section<StressTimeline>;
}

/**
 * The stress view for the page and GET /api/v1/stress: pods, tests and loads from the live
 * heartbeats; bounds and the HPA from the stress service; the scaling timeline since the latest
 * test from the scaling monitor. Each part degrades on its own. Concurrent views share one fetch
 * of the service parts, and the live sections reuse the last one for a few seconds.
 */
@Injectable()
export class StressViewService {
  private extras?: Extras;
  private fetching?: Promise<Extras>;
  private stale = false;

  constructor(
    private readonly bus: MessageBus,
    private readonly live: StressLiveService,
  ) {}

  /** The view with the service parts fetched now. */
  async view(): Promise<StressView> {
    const extras = await this.fetchExtras();
    return this.compose(this.live.list(), extras);
  }

  /**
   * The view for the live sections: the heartbeats now, with the service parts fetched at most
   * `maxAgeMs` ago. Older ones (or ones for another test, or marked stale) are used once more
   * while a fetch runs in the background; `refreshed` is called when it is done.
   */
  async liveView(maxAgeMs: number, refreshed: () => void): Promise<StressView> {
    const pods = this.live.list();
    const extras = this.extras;
    if (!extras) return this.compose(this.live.list(), await this.fetchExtras());
    const current = !this.stale && Date.now() - extras.at < maxAgeMs && extras.since === (latestStart(pods)?.at ?? null);
    if (!current && !this.fetching) void this.fetchExtras().then(refreshed, () => undefined);
    return this.compose(pods, extras);
  }

  /** The stress HPA as the stress service reads it now (the reports take it with their own window of events). */
  async hpa(): Promise<Section<StressHpaView>> {
    const overview = await this.overview();
    return overview.status === 'ok' ? overview.data.hpa : overview;
  }

  /** Something the service parts show changed (a scaling event): the next live view fetches them again. */
  markStale(): void {
    this.stale = true;
  }

  private fetchExtras(): Promise<Extras> {
    this.fetching ??= (async () => {
      this.stale = false;
      const pods = this.live.list();
      const overview = await this.overview();
      if (overview.status === 'ok') this.live.setCpuTarget(overview.data.cpuTargetPercent, overview.data.cpuTargetSource);
      const hpa: Section<StressHpaView> = overview.status === 'ok' ? overview.data.hpa : overview;
      const timeline = await this.timeline(pods, hpa);
      this.extras = { at: Date.now(), since: latestStart(pods)?.at ?? null, overview, hpa, timeline };
      return this.extras;
    })().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching;
  }

  private compose(pods: StressLivePod[], { overview, hpa, timeline }: Extras): StressView {
    return {
      pods,
      tests: pods.flatMap((p) => (p.heartbeat.test ? [p.heartbeat.test] : [])),
      recent: pods.flatMap((p) => (p.heartbeat.lastTest ? [p.heartbeat.lastTest] : [])).sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? '')),
      loads: pods.flatMap((p) => (p.heartbeat.load ? [p.heartbeat.load] : [])),
      summary: this.live.summary(),
      hpa,
      bounds: overview.status === 'ok' ? overview.data.bounds : null,
      timeline,
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
    const latest = latestStart(pods);
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
        ...(page.cost ? { cost: page.cost } : {}),
      });
    } catch (err) {
      return sectionFromError(err, 'The scaling monitor could not be asked.', 'The scaling timeline comes from the scaling monitor');
    }
  }
}

/** The latest test or load started on a live pod (running or finished): the timeline starts there. */
function latestStart(pods: StressLivePod[]): { at: string; id: string } | undefined {
  const starts = pods.flatMap((p) => [p.heartbeat.test, p.heartbeat.lastTest, p.heartbeat.load].flatMap((t) => (t ? [{ at: t.startedAt, id: t.id }] : [])));
  return starts.sort((a, b) => b.at.localeCompare(a.at))[0];
}
