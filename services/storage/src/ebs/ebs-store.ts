import { appendFile, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { EbsEntry, Incarnation, StoreBound } from '@eks-info/contracts';
import { readJsonLinesTail, terminateLastLine } from '../common/json-lines';
import { AccessLog } from './access-log';

/** Entries and start-up records read from the end of their files: enough for a page. */
const TAIL_BYTES = 4 * 1024 * 1024;

export interface EbsBounds {
  /** Largest size of entries.jsonl (default: unbounded; the service passes EBS_ENTRIES_MAX_BYTES). */
  entriesMaxBytes?: number;
  /** Rotated access logs kept (default: unbounded; the service passes ACCESS_LOG_MAX_FILES). */
  accessLogMaxFiles?: number;
}

/** The policy of the entries file, in words (the page shows it). */
export const ENTRIES_POLICY =
  'An entry that would take the file past its size drops the oldest entries first, down to three quarters of it (rewritten by temp file and rename).';

/**
 * This pod's EBS volume: entries users write, one start-up record per start of a pod on the
 * volume (the list survives restarts, which is the point of a per-pod volume), and the access
 * log. Only one pod mounts a volume (ReadWriteOnce), so appends need no cross-process locking.
 */
export class EbsStore {
  readonly accessLog: AccessLog;
  readonly entriesMaxBytes: number;
  private chain: Promise<unknown> = Promise.resolve();
  /** Size of entries.jsonl as this process last knew it (null until measured). */
  private entriesBytes: number | null = null;
  private entriesRemoved = 0;

  constructor(
    readonly root: string,
    accessLogMaxBytes: number,
    bounds: EbsBounds = {},
  ) {
    this.entriesMaxBytes = bounds.entriesMaxBytes ?? Infinity;
    this.accessLog = new AccessLog(path.join(root, 'access-log'), accessLogMaxBytes, bounds.accessLogMaxFiles);
  }

  get entriesFile(): string {
    return path.join(this.root, 'entries.jsonl');
  }

  get incarnationsFile(): string {
    return path.join(this.root, 'incarnations.jsonl');
  }

  /** Records this start: number n = starts recorded on this volume before + 1. */
  async recordStart(pod: string, node: string, now = new Date()): Promise<Incarnation> {
    await mkdir(this.root, { recursive: true });
    await terminateLastLine(this.incarnationsFile);
    await terminateLastLine(this.entriesFile);
    const previous = await readJsonLinesTail<Incarnation>(this.incarnationsFile, TAIL_BYTES);
    const last = previous.items.at(-1);
    const incarnation: Incarnation = {
      number: (typeof last?.number === 'number' ? last.number : previous.items.length) + 1,
      timestamp: now.toISOString(),
      pod,
      node,
      pid: process.pid,
    };
    await appendFile(this.incarnationsFile, JSON.stringify(incarnation) + '\n');
    await this.accessLog.open();
    return incarnation;
  }

  async incarnations(limit: number): Promise<{ items: Incarnation[]; total: number }> {
    const parsed = await readJsonLinesTail<Incarnation>(this.incarnationsFile, TAIL_BYTES);
    const last = parsed.items.at(-1);
    return { items: parsed.items.slice(-limit).reverse(), total: typeof last?.number === 'number' ? last.number : parsed.items.length };
  }

  /**
   * Appends an entry. When it would take the file past `entriesMaxBytes`, the oldest entries
   * go first: the newest that fit in three quarters of the bound (with the new one) are kept.
   */
  write(entry: EbsEntry): Promise<EbsEntry> {
    const run = this.chain.then(async () => {
      const line = JSON.stringify(entry) + '\n';
      const size = Buffer.byteLength(line);
      this.entriesBytes ??= await stat(this.entriesFile).then(
        (st) => st.size,
        () => 0,
      );
      if (this.entriesBytes + size > this.entriesMaxBytes) await this.trimEntries(Math.floor((this.entriesMaxBytes * 3) / 4) - size);
      await appendFile(this.entriesFile, line);
      this.entriesBytes += size;
      return entry;
    });
    this.chain = run.catch(() => {
      this.entriesBytes = null; // measure again after a failure
    });
    return run;
  }

  /** The bound of the entries file and where it stands (`items`: the entries counted by the caller). */
  async entriesBound(items: number | null): Promise<StoreBound> {
    await this.chain;
    const bytes =
      this.entriesBytes ??
      (await stat(this.entriesFile).then(
        (st) => st.size,
        () => 0,
      ));
    return { maxItems: null, maxBytes: this.entriesMaxBytes, items, bytes, removedSinceStart: this.entriesRemoved, policy: ENTRIES_POLICY };
  }

  /** Keeps the newest whole lines within `keepBytes` (temp file, fsync, rename, fsync of the directory). */
  private async trimEntries(keepBytes: number): Promise<void> {
    const text = await readFile(this.entriesFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    const lines = text.split('\n').filter((l) => l.length > 0);
    let kept = 0;
    let bytes = 0;
    for (let i = lines.length - 1; i >= 0; i--) {
      const size = Buffer.byteLength(lines[i]) + 1;
      if (bytes + size > keepBytes) break;
      bytes += size;
      kept++;
    }
    const content = lines.slice(lines.length - kept).join('\n') + (kept ? '\n' : '');
    const temp = `${this.entriesFile}.trimming`;
    await rm(temp, { force: true, recursive: true });
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, this.entriesFile);
    const dir = await open(this.root, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.entriesRemoved += lines.length - kept;
    this.entriesBytes = Buffer.byteLength(content);
  }

  async entries(limit: number): Promise<{ items: EbsEntry[]; total: number; skipped: number; partial: boolean }> {
    await this.chain;
    const parsed = await readJsonLinesTail<EbsEntry>(this.entriesFile, TAIL_BYTES);
    return { items: parsed.items.slice(-limit).reverse(), total: parsed.items.length, skipped: parsed.skipped, partial: parsed.partial };
  }
}
