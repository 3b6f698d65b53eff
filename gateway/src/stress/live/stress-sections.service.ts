import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ScalingEvents, type StressView } from '@eks-info/contracts';
import { MessageBus } from '@eks-info/platform';
import { LiveSections, type LiveRendering } from '../../views/live-sections';
import { ViewRenderer } from '../../views/view-renderer';
import { StressViewService } from '../stress-view.service';
import { type StressLiveModel, stressModel } from '../stress.presenter';
import { StressLiveService } from './stress-live.service';

/** The live sections of /stress: SSE event name (and slot) → partial. */
export const STRESS_SECTIONS = {
  'stress-spare': 'stress/live/spare',
  'stress-pods': 'stress/live/pods',
  'stress-charts': 'stress/live/charts',
  'stress-replicas': 'stress/live/replicas',
  'stress-hpa': 'stress/live/hpa',
  'stress-tests': 'stress/live/tests',
  'stress-timeline': 'stress/live/timeline',
} as const;

/**
 * Renders the sections of /stress for this gateway at most once a second: every stress pod sends
 * a heartbeat a second, and however many pods and browsers there are, one rendering a second is
 * shared by all browsers (each gets only the sections that changed). The HPA and the timeline
 * come from the stress service and the scaling monitor, fetched again every few seconds while
 * someone watches, and at once when the monitor records a scaling event.
 */
@Injectable()
export class StressSectionsService implements OnModuleDestroy {
  static readonly MIN_INTERVAL_MS = 1000;
  /** How old the HPA and timeline of a live rendering may be. */
  static readonly EXTRAS_MAX_AGE_MS = 5000;
  readonly sections: LiveSections<StressLiveModel>;
  private stopWatching: Array<() => void> = [];

  constructor(
    private readonly live: StressLiveService,
    private readonly views: StressViewService,
    bus: MessageBus,
    renderer: ViewRenderer,
  ) {
    this.sections = new LiveSections(renderer, {
      name: 'stress',
      sections: STRESS_SECTIONS,
      minIntervalMs: StressSectionsService.MIN_INTERVAL_MS,
      build: async () => {
        const view = await this.views.liveView(StressSectionsService.EXTRAS_MAX_AGE_MS, () => this.sections.invalidate());
        return stressModel(view, this.live.history());
      },
      onWatch: (watching) => {
        for (const stop of this.stopWatching.splice(0)) stop();
        if (!watching) return;
        const ticker = setInterval(() => this.sections.invalidate(), StressSectionsService.EXTRAS_MAX_AGE_MS);
        ticker.unref();
        this.stopWatching.push(
          this.live.onEvent(() => this.sections.invalidate()),
          bus.subscribe(ScalingEvents.recorded, () => {
            this.views.markStale();
            this.sections.invalidate();
          }),
          () => clearInterval(ticker),
        );
        this.sections.invalidate();
      },
    });
  }

  onModuleDestroy(): void {
    for (const stop of this.stopWatching.splice(0)) stop();
    this.sections.close();
  }

  /** The sections for a page showing `view`: a rendering younger than a second, else `view` rendered once and made current. */
  forPage(view: StressView): LiveRendering {
    const latest = this.sections.latest;
    if (latest && Date.now() - latest.rendering.at < StressSectionsService.MIN_INTERVAL_MS) return latest.rendering;
    return this.sections.publish(stressModel(view, this.live.history()));
  }
}
