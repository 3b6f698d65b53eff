// A thread that burns sustained-load work units: exactly `cpuMs` of its own CPU time per unit
// (thread CPU time, not wall time, so a throttled container still does the full unit).
// Kept to Node built-ins and erasable TypeScript, so it runs compiled (dist) and as .ts (tests).
import { readlinkSync } from 'node:fs';
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';

const { nice } = workerData as { nice: number };
if (nice > 0) {
  try {
    os.setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), nice);
  } catch {
    // not Linux or no /proc: run at normal priority
  }
}

// The arithmetic only keeps the loop from being optimised away; its result is never used.
let sink = 0;
parentPort!.on('message', (unit: { cpuMs: number }) => {
  const start = process.threadCpuUsage();
  const budget = unit.cpuMs * 1000;
  for (;;) {
    for (let i = 0; i < 2000; i++) sink = (sink + Math.sqrt(i + sink)) % 1e9;
    const used = process.threadCpuUsage(start);
    if (used.user + used.system >= budget) break;
  }
  parentPort!.postMessage('done');
});
