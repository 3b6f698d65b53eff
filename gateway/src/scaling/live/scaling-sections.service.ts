import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type ErrorBody, type ScalingSnapshot, isNewerSnapshot } from '@eks-info/contracts';
import { LiveSections, type LiveRendering } from '../../views/live-sections';
import { ViewRenderer } from '../../views/view-renderer';
import { type ScalingLiveModel, scalingModel } from '../scaling.presenter';
import { ScalingStreamHub, type SnapshotUpdate } from './scaling-stream.hub';

/** The live sections of /scaling: SSE event name (and slot) → partial. */
export const SCALING_SECTIONS = {
  'scaling-meta': 'scaling/live/meta',
  'scaling-summary': 'scaling/live/summary',
  'scaling-cost': 'scaling/live/cost',
  'scaling-overview': 'scaling/live/overview',
  'scaling-heat': 'scaling/live/heat',
  'scaling-hpas': 'scaling/live/hpas',
  'scaling-pending': 'scaling/live/pending',
  'scaling-nodes': 'scaling/live/nodes',
  'scaling-ca': 'scaling/live/cluster-autoscaler',
  'scaling-karpenter': 'scaling/live/karpenter',
  'scaling-node-events': 'scaling/live/node-events',
} as const;

/**
 * Renders the sections of /scaling once per snapshot version for this gateway: the page shows
 * the rendering of the newest snapshot it knows, and while browsers watch, the hub's snapshots
 * (fetched once per announced change) are rendered at most every 500 ms and the changed sections
 * pushed to all of them.
 */
@Injectable()
export class ScalingSectionsService implements OnModuleDestroy {
  static readonly MIN_INTERVAL_MS = 500;
  readonly sections: LiveSections<ScalingLiveModel>;
  /** News from the hub since the last render: a snapshot, and whether fetching failed (undefined: no news). */
  private pendingSnapshot?: ScalingSnapshot;
  private pendingProblem?: ErrorBody | null;
  private stopWatching?: () => void;

  constructor(hub: ScalingStreamHub, views: ViewRenderer) {
    this.sections = new LiveSections(views, {
      name: 'scaling',
      sections: SCALING_SECTIONS,
      minIntervalMs: ScalingSectionsService.MIN_INTERVAL_MS,
      build: () => this.next(),
      onWatch: (watching) => {
        this.stopWatching?.();
        this.stopWatching = watching ? hub.watchSnapshots((update) => this.offer(update)) : undefined;
      },
    });
  }

  onModuleDestroy(): void {
    this.stopWatching?.();
    this.sections.close();
  }

  /**
   * The sections for a page showing `snapshot`: the current rendering when it is at least as new
   * (no rendering on the request path), or when it is younger than MIN_INTERVAL_MS (a cluster
   * that changes many times a second would otherwise be rendered for page views as often: the
   * newer snapshot is rendered at the next throttled render and pushed to the page's stream);
   * else this snapshot rendered once and made current.
   */
  forPage(snapshot: ScalingSnapshot): LiveRendering {
    const latest = this.sections.latest;
    if (latest && !latest.model.problem) {
      if (!isNewerSnapshot(snapshot, latest.model.snapshot)) return latest.rendering;
      if (Date.now() - latest.rendering.at < ScalingSectionsService.MIN_INTERVAL_MS) {
        this.offer({ snapshot, problem: null });
        return latest.rendering;
      }
    }
    return this.sections.publish(scalingModel(snapshot));
  }

  private offer(update: SnapshotUpdate): void {
    if (update.snapshot) {
      if (!this.pendingSnapshot || isNewerSnapshot(update.snapshot, this.pendingSnapshot)) this.pendingSnapshot = update.snapshot;
      this.pendingProblem = null;
    } else {
      this.pendingProblem = update.problem;
    }
    this.sections.invalidate();
  }

  /** The model to render at the next throttled render, or undefined when nothing changed. */
  private next(): ScalingLiveModel | undefined {
    const [snapshot, problem] = [this.pendingSnapshot, this.pendingProblem];
    this.pendingSnapshot = this.pendingProblem = undefined;
    const current = this.sections.latest?.model;
    const base = snapshot && (!current || isNewerSnapshot(snapshot, current.snapshot)) ? snapshot : current?.snapshot;
    if (!base) return undefined;
    const nextProblem = problem === undefined ? (current?.problem ?? null) : problem;
    if (current && base === current.snapshot && sameProblem(current.problem, nextProblem)) return undefined;
    return scalingModel(base, nextProblem);
  }
}

function sameProblem(a: ErrorBody | null, b: ErrorBody | null): boolean {
  return a?.code === b?.code && a?.message === b?.message;
}
