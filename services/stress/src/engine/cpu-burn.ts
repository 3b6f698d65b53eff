import { Worker } from 'node:worker_threads';
import { workerFile } from './worker-file';

/**
 * The threads of one CPU test. Each worker runs a duty cycle (busy `intensity` % of each
 * 100 ms period) in its own thread, so the event loop keeps answering health probes; stopping
 * sets a shared flag and wakes sleeping workers, then terminates them.
 */
export class CpuBurn {
  private readonly control = new SharedArrayBuffer(8);
  private readonly flags = new Int32Array(this.control);
  private readonly workers: Worker[] = [];
  private stopped = false;

  constructor(
    readonly workerCount: number,
    intensity: number,
    private readonly options: { nice: number; periodMs?: number; onError?: (err: Error) => void },
  ) {
    Atomics.store(this.flags, 1, intensity);
  }

  start(): void {
    for (let i = 0; i < this.workerCount; i++) {
      const worker = new Worker(workerFile('engine/cpu-burner.worker'), {
        workerData: { control: this.control, periodMs: this.options.periodMs ?? 100, nice: this.options.nice },
        name: `cpu-burner-${i}`,
      });
      worker.on('error', (err) => this.options.onError?.(err));
      worker.unref();
      this.workers.push(worker);
    }
  }

  get intensity(): number {
    return Atomics.load(this.flags, 1);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    Atomics.store(this.flags, 0, 1);
    Atomics.notify(this.flags, 0);
    await Promise.all(this.workers.map((w) => w.terminate().catch(() => undefined)));
    this.workers.length = 0;
  }
}
