import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { AccessRecord, RotatedLog } from '@eks-info/contracts';
import { readJsonLinesTail, scanJsonLines, terminateLastLine } from '../common/json-lines';
import { stampMillis } from '../common/timestamps';

const CURRENT = 'access.log';
const ROTATED = /^access-\d{8}_\d{6}_\d{3}(-\d+)?\.log$/;

/**
 * Rotated logs newest first: by time stamp, then by the number a rotation in the same millisecond
 * adds (none, -1, -2 … -10), which a plain string sort would misorder ("-10" before "-2", and the
 * unnumbered first file after them).
 */
function newestFirst(a: string, b: string): number {
  const key = (name: string): [string, number] => {
    const m = /^access-(.+?)(?:-(\d+))?\.log$/.exec(name)!;
    return [m[1], m[2] ? Number(m[2]) : 0];
  };
  const [sa, na] = key(a);
  const [sb, nb] = key(b);
  return sa === sb ? nb - na : sa < sb ? 1 : -1;
}

/**
 * The access log on this pod's EBS volume: one JSON line per page or API request (the design
 * seed's record). Appends are serialised in this process and written as whole lines; at
 * `maxBytes` the file is renamed to `access-<stamp>.log` and a new one starts; rotated files
 * older than the retention are deleted by `cleanup`. Reads skip a torn last line.
 */
export class AccessLog {
  private size = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private opened?: Promise<void>;

  private removed = 0;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    /** Rotated files kept: at each rotation the oldest beyond this are deleted, whatever their age. */
    readonly maxFiles = Infinity,
  ) {}

  /** Rotated files deleted by the count bound since this process started. */
  get removedSinceStart(): number {
    return this.removed;
  }

  get currentFile(): string {
    return path.join(this.dir, CURRENT);
  }

  /** Creates the directory and terminates a torn last line left by a crash. */
  open(): Promise<void> {
    this.opened ??= (async () => {
      await mkdir(this.dir, { recursive: true });
      this.size = await terminateLastLine(this.currentFile);
    })();
    return this.opened;
  }

  /** Appends records as one write; rotates when the file reaches its size limit. */
  append(records: AccessRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    const run = this.chain.then(async () => {
      await this.open();
      await appendFile(this.currentFile, text);
      this.size += Buffer.byteLength(text);
      if (this.size >= this.maxBytes) await this.rotate();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  get currentBytes(): number {
    return this.size;
  }

  /** Runs after every append queued so far (e.g. before a report reads the log). */
  async settled(): Promise<void> {
    await this.chain;
  }

  async tail(limit: number): Promise<{ items: AccessRecord[]; skipped: number }> {
    await this.settled();
    // About 400 bytes a record; read enough for `limit` lines.
    const parsed = await readJsonLinesTail<AccessRecord>(this.currentFile, Math.max(64 * 1024, limit * 1024));
    return { items: parsed.items.slice(-limit).reverse(), skipped: parsed.skipped };
  }

  async rotated(): Promise<RotatedLog[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => ROTATED.test(n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: RotatedLog[] = [];
    for (const name of names.sort(newestFirst)) {
      const s = await stat(path.join(this.dir, name)).catch(() => undefined);
      if (s) out.push({ name, bytes: s.size, modifiedAt: s.mtime.toISOString() });
    }
    return out;
  }

  /** Deletes rotated logs last written before `now - days`; the current log is never deleted. */
  cleanup(olderThanDays: number, now = Date.now()): Promise<RotatedLog[]> {
    const run = this.chain.then(async () => {
      const cutoff = now - olderThanDays * 86_400_000;
      const deleted: RotatedLog[] = [];
      for (const log of await this.rotated()) {
        if (Date.parse(log.modifiedAt) >= cutoff) continue;
        try {
          await unlink(path.join(this.dir, log.name));
          deleted.push(log);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      return deleted;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Visits the records whose timestamp lies in [start, end): the current log and the rotated
   * logs written since `start` (a file last written before the window holds nothing of it).
   */
  async scan(start: number, end: number, visit: (record: AccessRecord) => void): Promise<number> {
    await this.settled();
    const files = [...(await this.rotated()).filter((r) => Date.parse(r.modifiedAt) >= start).map((r) => path.join(this.dir, r.name)), this.currentFile];
    let skipped = 0;
    for (const file of files) {
      skipped += await scanJsonLines<AccessRecord>(file, (record) => {
        const t = Date.parse(record?.timestamp);
        if (t >= start && t < end) visit(record);
      });
    }
    return skipped;
  }

  private async rotate(): Promise<void> {
    // Two rotations within one millisecond must not overwrite each other (rename replaces).
    const stem = `access-${stampMillis(new Date())}`;
    let target = path.join(this.dir, `${stem}.log`);
    for (
      let n = 1;
      await stat(target).then(
        () => true,
        () => false,
      );
      n++
    )
      target = path.join(this.dir, `${stem}-${n}.log`);
    try {
      await rename(this.currentFile, target);
      this.size = 0;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // The count bound: the newest maxFiles rotated logs stay.
    for (const old of (await this.rotated()).slice(this.maxFiles)) {
      try {
        await unlink(path.join(this.dir, old.name));
        this.removed++;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }
}
