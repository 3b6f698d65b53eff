// A load thread of a CPU test: busy for `intensity` % of every period, asleep for the rest.
// Kept to Node built-ins and erasable TypeScript, so it runs compiled (dist) and as .ts (tests).
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { workerData } from 'node:worker_threads';

interface BurnerData {
  /** [0] stop flag, [1] intensity % — shared with the main thread, which can change or stop it. */
  control: SharedArrayBuffer;
  periodMs: number;
  nice: number;
}

const { control, periodMs, nice } = workerData as BurnerData;
const flags = new Int32Array(control);

if (nice > 0) {
  try {
    os.setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), nice);
  } catch {
    // not Linux or no /proc: run at normal priority
  }
}

// The arithmetic only keeps the loop from being optimised away; its result is never used.
let sink = 0;
while (Atomics.load(flags, 0) === 0) {
  const start = performance.now();
  const busyMs = (periodMs * Atomics.load(flags, 1)) / 100;
  while (performance.now() - start < busyMs) {
    for (let i = 0; i < 200; i++) sink = (sink + Math.sqrt(i + sink)) % 1e9;
  }
  const idleMs = periodMs - (performance.now() - start);
  // Sleeps without using CPU; a stop (flag set + notify) wakes it at once.
  if (idleMs > 0.5) Atomics.wait(flags, 0, 0, idleMs);
}
