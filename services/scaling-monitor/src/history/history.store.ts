import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
  existsSync,
  fsyncSync,
} from 'node:fs';
import path from 'node:path';
import type { HistoryPoint, HistoryStorageInfo, ScalingEventRecord } from '@eks-info/contracts';
import type { Logger } from '@eks-info/platform';
import pino from 'pino';
import { downsample } from './samples';

export const HISTORY_FILE = 'scaling-history.jsonl';

/** One line of the file: an event or a sample. */
type Line = { k: 'e'; v: ScalingEventRecord } | { k: 's'; v: HistoryPoint };

export interface HistoryStoreOptions {
  dir: string;
  retentionDays: number;
  /** Samples younger than this keep full resolution at compaction; older ones are merged. */
  fullResolutionMs?: number;
  /** Bucket of the merged older samples. */
  coarseBucketMs?: number;
  logger?: Logger;
  now?: () => number;
}

export interface LoadResult {
  events: number;
  samples: number;
  skippedLines: number;
}

const ts = (iso: string) => Date.parse(iso);

/** Index of the first element whose time is ≥ `t` in a time-ordered array. */
function lowerBound<T>(items: readonly T[], t: number, time: (x: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (time(items[mid]) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The scaling history on the monitor's own volume: one JSON-lines file, appended to as events
 * and samples arrive (each write reaches the kernel before the call returns, so a killed process
 * loses nothing it wrote), compacted by rewriting to a temporary file and renaming it over the
 * old one (old records dropped after the retention, older samples merged to 5-minute points).
 * A torn last line — a crash in the middle of a write — is skipped and cut off at start-up.
 * Everything within the retention is also held in memory, ordered by time, for queries.
 */
export class HistoryStore {
  private fd: number | null = null;
  private readonly file: string;
  private readonly logger: Logger;
  private readonly now: () => number;
  private eventList: ScalingEventRecord[] = [];
  private sampleList: HistoryPoint[] = [];
  private readonly ids = new Set<string>();
  private bytes = 0;
  private records = 0;
  private skipped = 0;
  private lastCompaction: number | null = null;
  private writeError: Error | null = null;
  private dirty = false;

  constructor(private readonly options: HistoryStoreOptions) {
    this.file = path.join(options.dir, HISTORY_FILE);
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.now = options.now ?? Date.now;
  }

  get path(): string {
    return this.file;
  }

  get isOpen(): boolean {
    return this.fd !== null;
  }

  /** The last write error, cleared by the next successful write. */
  get error(): Error | null {
    return this.writeError;
  }

  /** Reads what is there (creating the directory and file when needed) and opens the file for appending. */
  open(): LoadResult {
    mkdirSync(this.options.dir, { recursive: true });
    let text = existsSync(this.file) ? readFileSync(this.file, 'utf8') : '';
    const lastNewline = text.lastIndexOf('\n');
    const torn = text.length > 0 && lastNewline !== text.length - 1;
    if (torn) text = text.slice(0, lastNewline + 1);
    const events: ScalingEventRecord[] = [];
    const samples: HistoryPoint[] = [];
    let skipped = torn ? 1 : 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      let parsed: Line;
      try {
        parsed = JSON.parse(line) as Line;
      } catch {
        skipped++;
        continue;
      }
      if (parsed.k === 'e' && parsed.v?.event_id) events.push(parsed.v);
      else if (parsed.k === 's' && parsed.v?.t) samples.push(parsed.v);
      else skipped++;
    }
    this.fd = openSync(this.file, 'a+');
    // Cut a torn tail off so the next record starts on a line of its own.
    if (torn) ftruncateSync(this.fd, Buffer.byteLength(text));
    this.bytes = fstatSync(this.fd).size;
    this.skipped = skipped;
    this.eventList = [];
    this.ids.clear();
    for (const e of events) this.insertEvent(e);
    this.sampleList = samples.sort((a, b) => ts(a.t) - ts(b.t));
    this.records = events.length + samples.length;
    if (skipped) this.logger.warn({ file: this.file, skipped }, 'history: skipped unreadable lines (a torn last line after a crash)');
    return { events: events.length, samples: samples.length, skippedLines: skipped };
  }

  has(eventId: string): boolean {
    return this.ids.has(eventId);
  }

  /** Appends the events not recorded yet; returns those. */
  appendEvents(events: ScalingEventRecord[]): ScalingEventRecord[] {
    const fresh: ScalingEventRecord[] = [];
    for (const e of events) {
      if (this.ids.has(e.event_id)) continue;
      this.insertEvent(e);
      fresh.push(e);
    }
    if (fresh.length) this.write(fresh.map((v) => JSON.stringify({ k: 'e', v } satisfies Line) + '\n').join(''));
    return fresh;
  }

  appendSample(point: HistoryPoint): void {
    const at = ts(point.t);
    const last = this.sampleList[this.sampleList.length - 1];
    if (!last || ts(last.t) <= at) this.sampleList.push(point);
    else
      this.sampleList.splice(
        lowerBound(this.sampleList, at, (p) => ts(p.t)),
        0,
        point,
      );
    this.write(JSON.stringify({ k: 's', v: point } satisfies Line) + '\n');
  }

  /** Events with from ≤ timestamp ≤ to, oldest first. */
  events(from = -Infinity, to = Infinity): ScalingEventRecord[] {
    const start = lowerBound(this.eventList, from, (e) => ts(e.timestamp));
    const end = lowerBound(this.eventList, to + 1, (e) => ts(e.timestamp));
    return this.eventList.slice(start, end);
  }

  allEvents(): readonly ScalingEventRecord[] {
    return this.eventList;
  }

  samples(from = -Infinity, to = Infinity): HistoryPoint[] {
    const start = lowerBound(this.sampleList, from, (p) => ts(p.t));
    const end = lowerBound(this.sampleList, to + 1, (p) => ts(p.t));
    return this.sampleList.slice(start, end);
  }

  /** Time of the newest record: how far the history reaches (the monitor was alive until about then). */
  lastRecordAt(): number | null {
    const lastSample = this.sampleList[this.sampleList.length - 1];
    const lastEvent = this.eventList[this.eventList.length - 1];
    const times = [lastSample && ts(lastSample.t), lastEvent && ts(lastEvent.timestamp)].filter(
      (t): t is number => typeof t === 'number' && Number.isFinite(t),
    );
    return times.length ? Math.max(...times) : null;
  }

  /**
   * Rewrites the file with what is within the retention, older samples merged: temporary file,
   * fsync, rename — a crash at any point leaves either the old or the new file whole.
   */
  compact(): { before: number; after: number } {
    if (this.fd === null) throw new Error('history store is not open');
    const now = this.now();
    const cutoff = now - this.options.retentionDays * 86_400_000;
    const fullFrom = now - (this.options.fullResolutionMs ?? 86_400_000);
    const before = this.records;
    this.eventList = this.eventList.filter((e) => ts(e.timestamp) >= cutoff);
    this.ids.clear();
    for (const e of this.eventList) this.ids.add(e.event_id);
    const kept = this.sampleList.filter((p) => ts(p.t) >= cutoff);
    const older = kept.filter((p) => ts(p.t) < fullFrom);
    const recent = kept.filter((p) => ts(p.t) >= fullFrom);
    this.sampleList = [...downsample(older, this.options.coarseBucketMs ?? 300_000), ...recent];
    const content =
      this.eventList.map((v) => JSON.stringify({ k: 'e', v } satisfies Line) + '\n').join('') +
      this.sampleList.map((v) => JSON.stringify({ k: 's', v } satisfies Line) + '\n').join('');
    const temp = `${this.file}.compacting`;
    writeFileSync(temp, content);
    const tfd = openSync(temp, 'r');
    fsyncSync(tfd);
    closeSync(tfd);
    closeSync(this.fd);
    renameSync(temp, this.file);
    this.fd = openSync(this.file, 'a+');
    this.bytes = Buffer.byteLength(content);
    this.records = this.eventList.length + this.sampleList.length;
    this.skipped = 0;
    this.lastCompaction = now;
    this.dirty = false;
    return { before, after: this.records };
  }

  /** Flushes written data to the disk (the kernel has it already; this survives a node crash too). */
  sync(): void {
    if (this.fd === null || !this.dirty) return;
    try {
      fdatasyncSync(this.fd);
      this.dirty = false;
    } catch (err) {
      this.writeError = err as Error;
    }
  }

  close(): void {
    if (this.fd === null) return;
    this.sync();
    closeSync(this.fd);
    this.fd = null;
  }

  info(): HistoryStorageInfo {
    const oldest = [this.eventList[0]?.timestamp, this.sampleList[0]?.t].filter((t): t is string => Boolean(t)).sort()[0] ?? null;
    return {
      path: this.options.dir,
      records: this.records,
      bytes: this.bytes,
      oldest,
      retentionDays: this.options.retentionDays,
      lastCompactionAt: this.lastCompaction === null ? null : new Date(this.lastCompaction).toISOString(),
      skippedLines: this.skipped,
    };
  }

  private insertEvent(e: ScalingEventRecord): void {
    this.ids.add(e.event_id);
    const at = ts(e.timestamp);
    const last = this.eventList[this.eventList.length - 1];
    if (!last || ts(last.timestamp) <= at) this.eventList.push(e);
    // Catch-up events (found after a restart) may be older than the newest: keep the list ordered.
    else
      this.eventList.splice(
        lowerBound(this.eventList, at + 1, (x) => ts(x.timestamp)),
        0,
        e,
      );
  }

  private write(chunk: string): void {
    const n = chunk.split('\n').length - 1;
    this.records += n;
    if (this.fd === null) return;
    try {
      const buffer = Buffer.from(chunk);
      let offset = 0;
      while (offset < buffer.length) offset += writeSync(this.fd, buffer, offset);
      this.bytes += buffer.length;
      this.dirty = true;
      if (this.writeError) this.logger.info({ file: this.file }, 'history: writing works again');
      this.writeError = null;
    } catch (err) {
      if (!this.writeError) this.logger.error({ file: this.file, err: (err as Error).message }, 'history: write failed; keeping records in memory');
      this.writeError = err as Error;
    }
  }
}
