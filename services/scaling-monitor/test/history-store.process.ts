// Test helper process for the history store (services/scaling-monitor/src/history/history.store.int.spec.ts).
//   node history-store.process.js hold <dir>          open, print "held", append an event every 50 ms until killed
//   node history-store.process.js compact-loop <dir>  seed the history, print "compacting", compact and append in a loop until killed
//   node history-store.process.js enospc <dir>        on a small file system: fill it, see writes and a compaction fail, free it, recover;
//                                                     prints one JSON line with what it saw
import { closeSync, ftruncateSync, openSync, readFileSync, readdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { HISTORY_FILE, HistoryStore } from '../src/history/history.store';
import { historyEvent, historyPoint } from './history-fixtures';

// Lines of a few hundred bytes, so the small file system fills in a few dozen.
const event = (id: string, at = Date.now()) => historyEvent(id, at, 'a trigger long enough to make each line a few hundred bytes '.repeat(3));
const sample = (at: number) => historyPoint(at);

function hold(dir: string): void {
  const store = new HistoryStore({ dir, retentionDays: 7, leaseMs: 600 });
  store.open();
  if (!store.isOpen) throw new Error(`not the writer: ${store.error?.message}`);
  let n = 0;
  store.appendEvents([event(`held-${n++}`)]);
  process.stdout.write('held\n');
  setInterval(() => store.appendEvents([event(`held-${n++}`)]), 50);
}

function compactLoop(dir: string): void {
  const store = new HistoryStore({ dir, retentionDays: 7 });
  store.open();
  const now = Date.now();
  // Enough for each rewrite to take a while (a few MB), so kills land inside one.
  if (store.info().records < 5000) {
    for (let i = 0; i < 5000; i++) store.appendSample(sample(now - (5000 - i) * 15_000));
    store.appendEvents(Array.from({ length: 2000 }, (_, i) => event(`seed-${i}`, now - i)));
  }
  process.stdout.write('compacting\n');
  let n = 0;
  for (;;) {
    store.compact();
    store.appendEvents([event(`loop-${process.pid}-${n++}`)]);
  }
}

/** Fills the file system, then sees what the store does when it is full and once it is not. */
function enospc(dir: string): void {
  const store = new HistoryStore({ dir, retentionDays: 7, recoveryIntervalMs: 0 });
  store.open();
  const file = path.join(dir, HISTORY_FILE);
  // A filler takes all but a little of the space, so the history file fills it quickly.
  const filler = path.join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(4096, 0x61);
  let fillerBytes = 0;
  try {
    for (let i = 0; i < 100_000; i++) fillerBytes += writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  closeSync(fd);
  // Give the history 12 KiB back.
  const keep = Math.max(0, fillerBytes - 12 * 1024);
  const kept = openSync(filler, 'r+');
  ftruncateSync(kept, keep);
  closeSync(kept);

  const started = Date.now();
  let appended = 0;
  let failedAt: number | null = null;
  for (let i = 0; i < 10_000 && failedAt === null; i++) {
    store.appendEvents([event(`e-${i}`, started + i)]);
    appended++;
    if (store.error) failedAt = i;
  }
  const errorCode = (store.error as NodeJS.ErrnoException | null)?.code ?? null;
  const keptInMemory = failedAt !== null && store.has(`e-${failedAt}`);
  // A compaction needs room for a second copy: it fails, the old file and descriptor stay.
  const sizeBefore = statSync(file).size;
  const compaction = store.compact();
  const leftovers = readdirSync(dir).filter((n) => n.includes('.compacting'));
  const sizeAfter = statSync(file).size;
  const stillOpen = store.isOpen;
  // Space again: the next write rewrites everything from memory.
  unlinkSync(filler);
  store.appendEvents([event('after-free', started + 100_000)]);
  const errorAfterFree = store.error?.message ?? null;
  store.close();
  const reopened = new HistoryStore({ dir, retentionDays: 7 });
  const loaded = reopened.open();
  const ids = new Set(reopened.events().map((e) => e.event_id));
  reopened.close();
  const everyAppended = Array.from({ length: appended }, (_, i) => `e-${i}`).every((id) => ids.has(id)) && ids.has('after-free');
  const lines = readFileSync(file, 'utf8').trim().split('\n').length;
  process.stdout.write(
    JSON.stringify({
      fillerBytes,
      appended,
      failedAt,
      errorCode,
      keptInMemory,
      compactionError: compaction.error ?? null,
      leftovers,
      sizeBefore,
      sizeAfter,
      stillOpen,
      errorAfterFree,
      loaded,
      everyAppended,
      lines,
    }) + '\n',
  );
}

const [mode, dir] = process.argv.slice(2);
if (mode === 'hold') hold(dir);
else if (mode === 'compact-loop') compactLoop(dir);
else if (mode === 'enospc') enospc(dir);
else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
