import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { EnvironmentRpc, type InterruptionInfo, type Section, type Simulated, failed } from '@eks-info/contracts';
import { LiveSections } from '../../views/live-sections';
import { PageService } from '../../views/page.service';
import { ViewRenderer } from '../../views/view-renderer';

/** The live sections of the home page: SSE event name (and slot) → partial. */
export const HOME_SECTIONS = { 'home-interruption': 'environment/live/interruption' } as const;

export interface HomeLiveModel {
  interruption: Section<InterruptionInfo>;
  simulated?: Simulated;
}

/**
 * The home page's interruption card, kept fresh while someone looks: a spot interruption notice
 * gives two minutes, so the card is fetched again every few seconds (the environment service
 * reads IMDS at most that often) and pushed to every browser on this gateway when it changes.
 * Nothing is fetched while no browser watches.
 */
@Injectable()
export class HomeSectionsService implements OnModuleDestroy {
  static readonly POLL_MS = 5000;
  readonly sections: LiveSections<HomeLiveModel>;
  private ticker?: NodeJS.Timeout;

  constructor(pages: PageService, renderer: ViewRenderer) {
    this.sections = new LiveSections(renderer, {
      name: 'home',
      sections: HOME_SECTIONS,
      minIntervalMs: 1000,
      build: async () => {
        const reply = await pages.call(EnvironmentRpc.interruption, {});
        if (reply.ok) return { interruption: reply.data.interruption, simulated: reply.data.simulated };
        const { status: _status, ...error } = reply.error;
        return { interruption: failed({ ...error, message: `The environment service did not answer: ${error.message}` }) };
      },
      onWatch: (watching) => {
        clearInterval(this.ticker);
        this.ticker = undefined;
        if (!watching) return;
        this.ticker = setInterval(() => this.sections.invalidate(), HomeSectionsService.POLL_MS);
        this.ticker.unref();
        this.sections.invalidate();
      },
    });
  }

  onModuleDestroy(): void {
    clearInterval(this.ticker);
    this.sections.close();
  }
}
