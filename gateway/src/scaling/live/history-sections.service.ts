import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ScalingRpc, type ScalingHistory } from '@eks-info/contracts';
import { MessageBus } from '@eks-info/platform';
import type { EventStream } from '../../http/event-stream';
import { LiveSections, type LiveRendering } from '../../views/live-sections';
import { ViewRenderer } from '../../views/view-renderer';
import { type HistoryLiveModel, historyModel } from '../scaling.presenter';
import { ScalingStreamHub } from './scaling-stream.hub';

/** The live sections of /scaling/history (the charts are drawn in the browser): SSE event name (and slot) → partial. */
export const HISTORY_SECTIONS = {
  'history-response-times': 'scaling/live/history-response-times',
  'history-events': 'scaling/live/history-events',
  'history-storage': 'scaling/live/history-storage',
} as const;

/** Ranges whose last rendering is kept for pages when no browser watches them. */
const KEPT_RANGES = 16;

/**
 * Renders the sections of /scaling/history per range (`hours`) on this gateway. While browsers
 * watch a range, each new event or sample the monitor announces makes it fetch that range's
 * history once and render it once (at most every second), and the changed sections go to every
 * browser showing that range.
 */
@Injectable()
export class HistorySectionsService implements OnModuleDestroy {
  static readonly MIN_INTERVAL_MS = 1000;
  private readonly ranges = new Map<number, LiveSections<HistoryLiveModel>>();
  private stopWatching?: () => void;

  constructor(
    private readonly hub: ScalingStreamHub,
    private readonly bus: MessageBus,
    private readonly views: ViewRenderer,
  ) {}

  onModuleDestroy(): void {
    this.stopWatching?.();
    for (const sections of this.ranges.values()) sections.close();
    this.ranges.clear();
  }

  /** The sections for a page showing `view`: a rendering of this range younger than a second, else `view` rendered and made current. */
  forPage(hours: number, view: ScalingHistory): LiveRendering {
    const sections = this.range(hours);
    const latest = sections.latest;
    if (latest && Date.now() - latest.rendering.at < HistorySectionsService.MIN_INTERVAL_MS) return latest.rendering;
    return sections.publish(historyModel(hours, view));
  }

  /** Connects a browser showing range `hours` at version `known`; a rendering older than a second is refreshed first. */
  connect(hours: number, stream: EventStream, known: string | undefined): void {
    const sections = this.range(hours);
    sections.connect(stream, known);
    const latest = sections.latest;
    if (!latest || Date.now() - latest.rendering.at >= HistorySectionsService.MIN_INTERVAL_MS) sections.invalidate();
  }

  private range(hours: number): LiveSections<HistoryLiveModel> {
    let sections = this.ranges.get(hours);
    if (!sections) {
      sections = new LiveSections(this.views, {
        name: 'scaling-history',
        sections: HISTORY_SECTIONS,
        minIntervalMs: HistorySectionsService.MIN_INTERVAL_MS,
        build: async () => historyModel(hours, await this.bus.request(ScalingRpc.history, { hours })),
        onWatch: () => this.follow(),
      });
      this.ranges.set(hours, sections);
      for (const [h, s] of this.ranges) {
        if (this.ranges.size <= KEPT_RANGES) break;
        if (h !== hours && !s.size) {
          s.close();
          this.ranges.delete(h);
        }
      }
    }
    return sections;
  }

  /** Follows the monitor's announcements while any range is watched. */
  private follow(): void {
    const watched = [...this.ranges.values()].some((s) => s.size > 0);
    if (watched && !this.stopWatching) {
      this.stopWatching = this.hub.watchHistory(() => {
        for (const sections of this.ranges.values()) if (sections.size) sections.invalidate();
      });
    } else if (!watched && this.stopWatching) {
      this.stopWatching();
      this.stopWatching = undefined;
    }
  }
}
