import { Worker } from 'node:worker_threads';
import type { StressUnitActivity, WorkUnit } from '@eks-info/contracts';
import { counter } from '@eks-info/platform';
import { workerFile } from '../engine/worker-file';

interface Slot {
  worker: Worker;
  busy: boolean;
}

interface Queued {
  unit: WorkUnit;
  receivedAt: number;
}

export interface WorkUnitPoolOptions {
  /** Threads (the pod's CPU limit, rounded up). */
  threads: () => number;
  nice: number;
  /** A unit still queued after this long is dropped: the pod is saturated and the load moves on. */
  maxWaitMs?: number;
  /** Threads exit after this long without work. */
  idleMs?: number;
}

/**
 * Runs the sustained-load work units this pod takes from the queue group. Units wait in a short
 * queue for a free thread; a unit older than a second is dropped rather than run late, so a
 * saturated pod neither piles up work nor keeps burning after the load has stopped.
 */
export class WorkUnitPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private readonly cancelled = new Map<string, number>();
  private executedTotal = 0;
  private droppedTotal = 0;
  private executedSinceSample = 0;
  private lastSampleAt = performance.now();
  private idleTimer?: NodeJS.Timeout;
  private closed = false;
  private readonly units = counter(
    'stress_work_units_total',
    'Sustained-load work units this pod took, by outcome (executed, or dropped after waiting too long)',
    ['outcome'],
  );

  constructor(private readonly options: WorkUnitPoolOptions) {}

  submit(unit: WorkUnit): void {
    if (this.closed || this.cancelled.has(unit.loadId)) return;
    this.queue.push({ unit, receivedAt: Date.now() });
    this.pump();
  }

  /** Drops queued units of a stopped load and ignores its late arrivals for a minute. */
  cancel(loadId: string): number {
    this.cancelled.set(loadId, Date.now());
    for (const [id, at] of this.cancelled) if (Date.now() - at > 60_000) this.cancelled.delete(id);
    const before = this.queue.length;
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].unit.loadId === loadId) this.queue.splice(i, 1);
    return before - this.queue.length;
  }

  /** Activity since the previous sample (units per second) plus totals. */
  sample(): StressUnitActivity {
    const now = performance.now();
    const seconds = Math.max(0.001, (now - this.lastSampleAt) / 1000);
    const perSecond = Math.round((this.executedSinceSample / seconds) * 10) / 10;
    this.executedSinceSample = 0;
    this.lastSampleAt = now;
    return { executedPerSecond: perSecond, queued: this.queue.length, droppedTotal: this.droppedTotal, executedTotal: this.executedTotal };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    clearTimeout(this.idleTimer);
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate().catch(() => undefined)));
  }

  private pump(): void {
    const maxWait = this.options.maxWaitMs ?? 1000;
    while (this.queue.length) {
      const oldest = this.queue[0];
      if (Date.now() - oldest.receivedAt > maxWait) {
        this.queue.shift();
        this.droppedTotal++;
        this.units.inc({ outcome: 'dropped' });
        continue;
      }
      const slot = this.freeSlot();
      if (!slot) return;
      this.queue.shift();
      slot.busy = true;
      slot.worker.postMessage({ cpuMs: oldest.unit.cpuMs });
    }
    this.armIdleTimer();
  }

  private freeSlot(): Slot | undefined {
    const free = this.slots.find((s) => !s.busy);
    if (free) return free;
    if (this.slots.length >= Math.max(1, this.options.threads())) return undefined;
    const slot: Slot = {
      worker: new Worker(workerFile('load/work-unit.worker'), { workerData: { nice: this.options.nice }, name: 'work-unit' }),
      busy: false,
    };
    slot.worker.unref();
    slot.worker.on('message', () => {
      slot.busy = false;
      this.executedTotal++;
      this.units.inc({ outcome: 'executed' });
      this.executedSinceSample++;
      this.pump();
    });
    slot.worker.on('error', () => this.retire(slot));
    slot.worker.on('exit', () => this.retire(slot));
    this.slots.push(slot);
    return slot;
  }

  private retire(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    if (this.closed || this.queue.length || this.slots.some((s) => s.busy)) return;
    this.idleTimer = setTimeout(() => {
      if (this.queue.length || this.slots.some((s) => s.busy)) return;
      for (const s of this.slots.splice(0)) void s.worker.terminate();
    }, this.options.idleMs ?? 15_000);
    this.idleTimer.unref();
  }
}
