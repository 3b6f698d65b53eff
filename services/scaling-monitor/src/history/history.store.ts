import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { HistoryPoint, HistoryStorageInfo, ScalingEventRecord } from '@eks-info/contracts';
import type { Logger } from '@eks-info/platform';
import pino from 'pino';
import { downsample } from './samples';

export const HISTORY_FILE = 'scaling-history.jsonl';
/** The writer's lease on the directory (see {@link HistoryStore}). */
export const HISTORY_LOCK = 'scaling-history.lock';
const TEMP_SUFFIX = '.compacting';

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
  /**
   * How long a writer's lease on the directory lasts without being renewed (renewed every third
   * of it). Another process takes the history over only once the lease has run out, or at once
   * when the holder is a dead process on this host. Default 30 s.
   */
  leaseMs?: number;
  /** After a failed write, how often rewriting the file from memory is tried again. Default 10 s. */
  recoveryIntervalMs?: number;
}

export interface LoadResult {
  events: number;
  samples: number;
  skippedLines: number;
}

/** What a compaction did; `error` when the rewrite failed and the old file stayed in use. */
export interface CompactionResult {
  before: number;
  after: number;
  error?: string;
}

/** The content of the lock file: who holds the lease. */
interface LeaseOwner {
  token: string;
  host: string;
  pid: number;
  acquiredAt: string;
}

/** Another process holds the writer's lease on the history directory. */
export class HistoryLockedError extends Error {
  readonly code = 'ELOCKED';
  constructor(
    readonly owner: LeaseOwner | null,
    leaseMs: number,
  ) {
    super(
      `another writer holds the history (${owner ? `${owner.host} pid ${owner.pid} since ${owner.acquiredAt}` : 'lock file unreadable'}); ` +
        `waiting for it to stop or for its lease to lapse (${Math.round(leaseMs / 1000)} s without renewal)`,
    );
  }
}

/** Leases this process holds, so a second store in the same process never takes one as stale. */
const heldHere = new Set<string>();

const ts = (iso: string) => Date.parse(iso);
const errno = (err: unknown) => (err as NodeJS.ErrnoException)?.code;

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

function writeAll(fd: number, buffer: Buffer): void {
  let offset = 0;
  while (offset < buffer.length) offset += writeSync(fd, buffer, offset);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errno(err) === 'EPERM';
  }
}

/**
 * The scaling history on the monitor's own volume: one JSON-lines file, appended to as events
 * and samples arrive (each write reaches the kernel before the call returns, so a killed process
 * loses nothing it wrote), compacted by rewriting to a temporary file and renaming it over the
 * old one (old records dropped after the retention, older samples merged to 5-minute points).
 * A torn last line — a crash in the middle of a write — is skipped and cut off at start-up.
 * Everything within the retention is also held in memory, ordered by time, for queries.
 *
 * Durability and failures:
 * - a compaction that fails (ENOSPC, EIO, a failed rename) leaves the old file and its open
 *   descriptor in use and is retried at the next one; the temporary file is removed, and a
 *   leftover one (a crash mid-compaction, even a directory of that name) is cleared first;
 * - file creation and renames are followed by an fsync of the directory, so they survive a
 *   node crash too;
 * - a failed append keeps the records in memory and reports the error; a later write rewrites
 *   the file from memory (at most every `recoveryIntervalMs`), so the error clears by itself
 *   once the disk works again;
 * - one writer only: a lease file (`scaling-history.lock`: owner, renewed every leaseMs/3) is
 *   taken before writing. A second process finds it held, keeps serving what the file holds
 *   and records in memory, reports the wait as its error, and takes over when the holder
 *   stops (or its lease lapses), merging what the holder wrote meanwhile. A holder that finds
 *   its lease taken stops writing. The chart's ReadWriteOncePod claim keeps a second pod from
 *   mounting the volume at all; the lease also covers two processes on one node or volume.
 */
export class HistoryStore {
  private fd: number | null = null;
  private readonly file: string;
  private readonly lockFile: string;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly recoveryIntervalMs: number;
  private eventList: ScalingEventRecord[] = [];
  private sampleList: HistoryPoint[] = [];
  private readonly ids = new Set<string>();
  private bytes = 0;
  private records = 0;
  private skipped = 0;
  private lastCompaction: number | null = null;
  private writeError: Error | null = null;
  private lastRecoveryAt = 0;
  private dirty = false;
  private lease: LeaseOwner | null = null;
  private leaseTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: HistoryStoreOptions) {
    this.file = path.join(options.dir, HISTORY_FILE);
    this.lockFile = path.join(options.dir, HISTORY_LOCK);
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.now = options.now ?? Date.now;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.recoveryIntervalMs = options.recoveryIntervalMs ?? 10_000;
  }

  get path(): string {
    return this.file;
  }

  /** True while this store holds the lease and has the file open for appending. */
  get isOpen(): boolean {
    return this.fd !== null;
  }

  /** The last write error (or the wait for another writer's lease), cleared once writing works. */
  get error(): Error | null {
    return this.writeError;
  }

  /**
   * Reads what is there (creating the directory and file when needed) and, when it gets the
   * writer's lease, opens the file for appending. Without the lease the store serves what it
   * read and waits for it (see the class comment); `error` says so. Throws when the directory
   * cannot be used at all (not a directory, not readable).
   */
  open(): LoadResult {
    this.closed = false;
    mkdirSync(this.options.dir, { recursive: true });
    const acquired = this.tryAcquire();
    if (acquired) this.clearLeftovers();
    const loaded = this.load();
    if (acquired) {
      this.openForAppend(loaded.tornBytes);
      this.startLease();
    } else {
      this.waitForLease();
    }
    if (loaded.skipped) this.logger.warn({ file: this.file, skipped: loaded.skipped }, 'history: skipped unreadable lines (a torn last line after a crash)');
    return { events: loaded.events, samples: loaded.samples, skippedLines: loaded.skipped };
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
    this.insertSample(point);
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
   * Drops what is older than the retention and merges older samples, in memory, then rewrites
   * the file from memory: temporary file, fsync, rename, fsync of the directory — a crash at
   * any point leaves either the old or the new file whole. Never throws for a failed rewrite:
   * the old file and its descriptor stay in use, `error` in the result says why, and the next
   * compaction tries again. Without the lease it does nothing.
   */
  compact(): CompactionResult {
    const now = this.now();
    const before = this.records;
    if (!this.lease) return { before, after: before, ...(this.writeError ? { error: this.writeError.message } : {}) };
    const cutoff = now - this.options.retentionDays * 86_400_000;
    const fullFrom = now - (this.options.fullResolutionMs ?? 86_400_000);
    this.eventList = this.eventList.filter((e) => ts(e.timestamp) >= cutoff);
    this.ids.clear();
    for (const e of this.eventList) this.ids.add(e.event_id);
    const kept = this.sampleList.filter((p) => ts(p.t) >= cutoff);
    const older = kept.filter((p) => ts(p.t) < fullFrom);
    const recent = kept.filter((p) => ts(p.t) >= fullFrom);
    this.sampleList = [...downsample(older, this.options.coarseBucketMs ?? 300_000), ...recent];
    try {
      this.rewrite();
    } catch (err) {
      this.logger.error({ file: this.file, err: (err as Error).message }, 'history: compaction failed; the old file stays in use and is compacted again later');
      return { before, after: this.records, error: (err as Error).message };
    }
    this.lastCompaction = now;
    return { before, after: this.records };
  }

  /** Flushes written data to the disk (the kernel has it already; this survives a node crash too). */
  sync(): void {
    if (this.fd === null || !this.dirty) return;
    try {
      fdatasyncSync(this.fd);
      this.dirty = false;
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /** Syncs, closes the file and gives the lease up. */
  close(): void {
    this.closed = true;
    clearTimeout(this.leaseTimer);
    clearInterval(this.leaseTimer);
    this.leaseTimer = undefined;
    if (this.fd !== null) {
      this.sync();
      try {
        closeSync(this.fd);
      } catch {
        // Already gone (a pulled volume): nothing left to close.
      }
      this.fd = null;
    }
    this.releaseLease();
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

  // ---- file ----------------------------------------------------------------------------------

  /** Parses the file into memory (merging with what is there already); the torn tail's length is returned to be cut. */
  private load(): { events: number; samples: number; skipped: number; tornBytes: number | null } {
    let text = existsSync(this.file) ? readFileSync(this.file, 'utf8') : '';
    const lastNewline = text.lastIndexOf('\n');
    const torn = text.length > 0 && lastNewline !== text.length - 1;
    if (torn) text = text.slice(0, lastNewline + 1);
    let events = 0;
    let samples = 0;
    let skipped = torn ? 1 : 0;
    const knownSamples = new Set(this.sampleList.map((p) => p.t));
    for (const line of text.split('\n')) {
      if (!line) continue;
      let parsed: Line;
      try {
        parsed = JSON.parse(line) as Line;
      } catch {
        skipped++;
        continue;
      }
      if (parsed.k === 'e' && parsed.v?.event_id) {
        events++;
        if (!this.ids.has(parsed.v.event_id)) this.insertEvent(parsed.v);
      } else if (parsed.k === 's' && parsed.v?.t) {
        samples++;
        if (!knownSamples.has(parsed.v.t)) {
          knownSamples.add(parsed.v.t);
          this.insertSample(parsed.v);
        }
      } else skipped++;
    }
    this.records = this.eventList.length + this.sampleList.length;
    this.skipped = skipped;
    return { events, samples, skipped, tornBytes: torn ? Buffer.byteLength(text) : null };
  }

  private openForAppend(tornBytes: number | null): void {
    const created = !existsSync(this.file);
    this.fd = openSync(this.file, 'a+');
    // Cut a torn tail off so the next record starts on a line of its own.
    if (tornBytes !== null) ftruncateSync(this.fd, tornBytes);
    this.bytes = fstatSync(this.fd).size;
    if (created) this.syncDir();
  }

  /**
   * Writes everything in memory to a temporary file and renames it over the file; only then is
   * the new file opened and the old descriptor closed. Throws (with the old file and descriptor
   * untouched) when any step before the rename fails.
   */
  private rewrite(): void {
    const content =
      this.eventList.map((v) => JSON.stringify({ k: 'e', v } satisfies Line) + '\n').join('') +
      this.sampleList.map((v) => JSON.stringify({ k: 's', v } satisfies Line) + '\n').join('');
    const temp = this.file + TEMP_SUFFIX;
    // A leftover of a crash (or anything else by that name) would make the exclusive open fail.
    rmSync(temp, { force: true, recursive: true });
    let tfd: number | null = null;
    try {
      tfd = openSync(temp, 'wx', 0o644);
      writeAll(tfd, Buffer.from(content));
      fsyncSync(tfd);
      closeSync(tfd);
      tfd = null;
      renameSync(temp, this.file);
    } catch (err) {
      if (tfd !== null) closeSync(tfd);
      rmSync(temp, { force: true });
      throw err;
    }
    // The rename is done: the old descriptor points at the replaced file from now on.
    const old = this.fd;
    this.fd = null;
    try {
      this.syncDir();
      this.fd = openSync(this.file, 'a+');
    } catch (err) {
      this.fail(err as Error);
    } finally {
      // After an outside close (EBADF) the number may already be reused, even by the new descriptor.
      if (old !== null && old !== this.fd) {
        try {
          closeSync(old);
        } catch {
          // Already gone (the failure being recovered from).
        }
      }
    }
    this.bytes = Buffer.byteLength(content);
    this.records = this.eventList.length + this.sampleList.length;
    this.skipped = 0;
    this.dirty = false;
    if (this.fd !== null) this.recovered();
  }

  private write(chunk: string): void {
    const n = chunk.split('\n').length - 1;
    this.records += n;
    if (!this.lease) return; // not the writer (yet): kept in memory, written when the lease is ours
    if (this.writeError) {
      this.recover();
      return;
    }
    if (this.fd === null) return;
    try {
      const buffer = Buffer.from(chunk);
      writeAll(this.fd, buffer);
      this.bytes += buffer.length;
      this.dirty = true;
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /** After a failure: rewrite the file from memory (everything, the failed records too), not too often. */
  private recover(): void {
    const now = Date.now();
    if (now - this.lastRecoveryAt < this.recoveryIntervalMs) return;
    this.lastRecoveryAt = now;
    try {
      this.rewrite();
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(err: Error): void {
    // The descriptor is gone (closed under us): forget its number, which may be reused by now.
    if (errno(err) === 'EBADF') this.fd = null;
    if (!this.writeError || this.writeError.message !== err.message)
      this.logger.error({ file: this.file, err: err.message }, 'history: write failed; keeping records in memory');
    this.writeError = err;
    this.lastRecoveryAt ||= Date.now();
  }

  private recovered(): void {
    if (this.writeError) this.logger.info({ file: this.file }, 'history: writing works again');
    this.writeError = null;
    this.lastRecoveryAt = 0;
  }

  /** Temporary files a crash left behind (the rename never happened: the real file is whole). */
  private clearLeftovers(): void {
    for (const name of readdirSync(this.options.dir)) {
      if (!name.startsWith(HISTORY_FILE + TEMP_SUFFIX)) continue;
      rmSync(path.join(this.options.dir, name), { force: true, recursive: true });
      this.logger.warn({ file: name }, 'history: removed a temporary file left by an interrupted compaction');
    }
  }

  private syncDir(): void {
    const dfd = openSync(this.options.dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  }

  // ---- lease ---------------------------------------------------------------------------------

  private readOwner(): LeaseOwner | null {
    try {
      const owner = JSON.parse(readFileSync(this.lockFile, 'utf8')) as LeaseOwner;
      return typeof owner?.token === 'string' ? owner : null;
    } catch {
      return null;
    }
  }

  /** A lease is stale when its holder is a dead process on this host, or it was not renewed in time. */
  private stale(owner: LeaseOwner | null): boolean {
    if (owner && heldHere.has(owner.token)) return false;
    if (owner && owner.host === hostname() && (owner.pid === process.pid || !alive(owner.pid))) return true;
    try {
      return Date.now() - statSync(this.lockFile).mtimeMs > this.leaseMs;
    } catch {
      return true;
    }
  }

  /** Takes the lease: creates the lock file, or replaces a stale one. */
  private tryAcquire(): boolean {
    const mine: LeaseOwner = { token: randomUUID(), host: hostname(), pid: process.pid, acquiredAt: new Date().toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const lfd = openSync(this.lockFile, 'wx', 0o644);
        try {
          writeAll(lfd, Buffer.from(JSON.stringify(mine)));
          fsyncSync(lfd);
        } finally {
          closeSync(lfd);
        }
        this.syncDir();
        this.lease = mine;
        heldHere.add(mine.token);
        this.writeError = null;
        return true;
      } catch (err) {
        if (errno(err) !== 'EEXIST') throw err;
      }
      const owner = this.readOwner();
      if (!this.stale(owner)) {
        this.writeError = new HistoryLockedError(owner, this.leaseMs);
        return false;
      }
      // Move the stale lease aside under a unique name, then check it was the stale one we saw
      // (another contender may have replaced it meanwhile): if not, put it back and wait.
      const aside = `${this.lockFile}.stale-${mine.token}`;
      try {
        renameSync(this.lockFile, aside);
      } catch (err) {
        if (errno(err) === 'ENOENT') continue;
        throw err;
      }
      const moved = (() => {
        try {
          return JSON.parse(readFileSync(aside, 'utf8')) as LeaseOwner;
        } catch {
          return null;
        }
      })();
      if (owner && moved && moved.token !== owner.token) {
        renameSync(aside, this.lockFile);
        this.writeError = new HistoryLockedError(moved, this.leaseMs);
        return false;
      }
      rmSync(aside, { force: true });
      this.logger.warn({ previous: owner }, 'history: took over a stale writer lease');
    }
    this.writeError = new HistoryLockedError(this.readOwner(), this.leaseMs);
    return false;
  }

  /** Renews the lease every third of it, after checking it is still ours; stops writing if it is not. */
  private startLease(): void {
    clearInterval(this.leaseTimer);
    this.leaseTimer = setInterval(() => this.renew(), Math.max(50, Math.floor(this.leaseMs / 3)));
    this.leaseTimer.unref();
  }

  private renew(): void {
    if (!this.lease) return;
    const owner = this.readOwner();
    if (owner?.token !== this.lease.token) {
      this.logger.error({ holder: owner }, 'history: another writer took the lease; this process stops writing');
      heldHere.delete(this.lease.token);
      this.lease = null;
      if (this.fd !== null) {
        try {
          closeSync(this.fd);
        } catch {
          // Already gone.
        }
        this.fd = null;
      }
      this.writeError = new HistoryLockedError(owner, this.leaseMs);
      this.waitForLease();
      return;
    }
    try {
      const t = new Date();
      utimesSync(this.lockFile, t, t);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'history: cannot renew the writer lease');
    }
  }

  /** Retries the lease; once it is ours, merges what the previous writer wrote and rewrites the file. */
  private waitForLease(): void {
    clearInterval(this.leaseTimer);
    this.leaseTimer = setInterval(
      () => {
        if (this.closed) return;
        let acquired = false;
        try {
          acquired = this.tryAcquire();
        } catch (err) {
          this.writeError = err as Error;
        }
        if (!acquired) return;
        clearInterval(this.leaseTimer);
        try {
          this.clearLeftovers();
          this.load();
          this.rewrite();
          this.logger.info({ file: this.file, records: this.records }, 'history: writer lease taken; history merged and written');
        } catch (err) {
          this.fail(err as Error);
        }
        this.startLease();
      },
      Math.max(50, Math.floor(this.leaseMs / 3)),
    );
    this.leaseTimer.unref();
  }

  private releaseLease(): void {
    if (!this.lease) return;
    heldHere.delete(this.lease.token);
    if (this.readOwner()?.token === this.lease.token) {
      try {
        unlinkSync(this.lockFile);
      } catch {
        // A pulled volume: the lease lapses by itself.
      }
    }
    this.lease = null;
  }

  // ---- memory --------------------------------------------------------------------------------

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

  private insertSample(point: HistoryPoint): void {
    const at = ts(point.t);
    const last = this.sampleList[this.sampleList.length - 1];
    if (!last || ts(last.t) <= at) this.sampleList.push(point);
    else
      this.sampleList.splice(
        lowerBound(this.sampleList, at, (p) => ts(p.t)),
        0,
        point,
      );
  }
}
