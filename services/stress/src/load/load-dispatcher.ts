import type { SustainedLoadStatus, WorkUnit } from '@eks-info/contracts';

interface ActiveLoad {
  id: string;
  millicores: number;
  durationSeconds: number;
  unitMs: number;
  unitsPerSecond: number;
  startedAt: number;
  endsAt: number;
  finishedAt: number | null;
  published: number;
  state: SustainedLoadStatus['state'];
  timer?: NodeJS.Timeout;
}

export interface LoadDispatcherOptions {
  unitMs: number;
  pod: string;
  node: string;
  publish: (unit: WorkUnit) => void;
  /** Publishing cadence; units due since the last tick go out together. */
  tickMs?: number;
}

/**
 * Turns "N millicores for D seconds" into work units published at N ÷ unitMs per second on the
 * stress queue group. The pod that accepted the load dispatches it; every pod (itself included)
 * takes units, so the load spreads over however many replicas exist at each moment.
 */
export class LoadDispatcher {
  private active: ActiveLoad | null = null;
  private last: ActiveLoad | null = null;

  constructor(private readonly options: LoadDispatcherOptions) {}

  get current(): ActiveLoad | null {
    return this.active;
  }

  known(id: string): ActiveLoad | null {
    if (this.active?.id === id) return this.active;
    return this.last?.id === id ? this.last : null;
  }

  start(id: string, millicores: number, durationSeconds: number): SustainedLoadStatus {
    const now = Date.now();
    const unitMs = this.options.unitMs;
    const load: ActiveLoad = {
      id,
      millicores,
      durationSeconds,
      unitMs,
      unitsPerSecond: millicores / unitMs,
      startedAt: now,
      endsAt: now + durationSeconds * 1000,
      finishedAt: null,
      published: 0,
      state: 'running',
    };
    this.active = load;
    const tick = () => {
      const t = Math.min(Date.now(), load.endsAt);
      const due = Math.floor(((t - load.startedAt) / 1000) * load.unitsPerSecond);
      while (load.published < due) {
        load.published++;
        this.options.publish({ loadId: load.id, seq: load.published, cpuMs: unitMs, issuedAt: Date.now() });
      }
      if (Date.now() >= load.endsAt) this.finish(load, 'completed');
    };
    load.timer = setInterval(tick, this.options.tickMs ?? 50);
    load.timer.unref();
    tick();
    return this.status(load)!;
  }

  stop(id: string): SustainedLoadStatus | null {
    const load = this.active?.id === id ? this.active : null;
    if (!load) return null;
    this.finish(load, 'stopped');
    return this.status(load);
  }

  stopAll(): void {
    if (this.active) this.finish(this.active, 'stopped');
  }

  status(load: ActiveLoad | null = this.active): SustainedLoadStatus | null {
    if (!load) return null;
    const end = load.finishedAt ?? Date.now();
    return {
      id: load.id,
      millicores: load.millicores,
      durationSeconds: load.durationSeconds,
      unitMs: load.unitMs,
      unitsPerSecond: Math.round(load.unitsPerSecond * 100) / 100,
      state: load.state,
      startedAt: new Date(load.startedAt).toISOString(),
      endsAt: new Date(load.endsAt).toISOString(),
      finishedAt: load.finishedAt ? new Date(load.finishedAt).toISOString() : null,
      progress: Math.min(1, Math.max(0, (end - load.startedAt) / (load.endsAt - load.startedAt))),
      published: load.published,
      dispatcher: { pod: this.options.pod, node: this.options.node },
    };
  }

  /** The last load that ended here: how (completed or stopped) and when. */
  lastStatus(): SustainedLoadStatus | null {
    return this.status(this.last);
  }

  private finish(load: ActiveLoad, state: 'completed' | 'stopped'): void {
    clearInterval(load.timer);
    if (load.state !== 'running') return;
    load.state = state;
    load.finishedAt = Date.now();
    if (this.active === load) this.active = null;
    this.last = load;
  }
}
