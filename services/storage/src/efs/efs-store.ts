import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { EfsFileMetadata, EfsFileRecord, EfsFileSummary } from '@eks-info/contracts';
import { parseStoredJson } from '../common/json-lines';
import { EfsMarkers } from './efs-markers';
import { stampMillis } from '../common/timestamps';

/** Names this app generates: `shared_data_<yyyymmdd>_<hhmmss>_<ms>_<random>.json`; nothing else is served. */
export const EFS_FILE_NAME = /^shared_data_\d{8}_\d{6}_\d{3}_[a-z2-7]{10}\.json$/;
const TEMP_PREFIX = '.tmp-';
/** A record holds at most TEXT_LIMIT_BYTES of content; anything much larger was not written by the app. */
const MAX_RECORD_BYTES = 8 * 1024 * 1024;
const READ_CONCURRENCY = 16;
/** Metadata of this many files is kept in memory: records are written once and never change. */
const SUMMARY_CACHE_SIZE = 20_000;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
function randomName(): string {
  const bytes = randomBytes(10);
  let out = '';
  for (const b of bytes) out += BASE32[b & 31];
  return out;
}

export class EfsFileNotFound extends Error {}

/** The policy of the shared files, in words (the page shows it). */
export const EFS_POLICY = 'After each write the oldest files beyond the count are deleted, whichever pod wrote them; names sort by time.';

/**
 * Files shared by every storage pod on the EFS volume, one JSON record per file (the design seed's
 * shape). Writes go to a temp file in the same directory, are flushed, then renamed into place:
 * readers on any pod see either no file or the whole record, never a partial one. Names are
 * generated here; reads never follow symlinks, so nothing planted on the share leads elsewhere.
 * A file's metadata is read once and remembered (a record never changes after its rename), so a
 * listing costs one readdir plus reads of files this pod has not seen yet.
 */
export class EfsStore {
  readonly dir: string;
  /** Idempotency keys of writes, shared by every pod like the files. */
  readonly markers: EfsMarkers<EfsFileSummary>;
  private readonly summaries = new Map<string, EfsFileSummary>();
  /** A directory listing in progress, shared by concurrent views until this pod writes or deletes. */
  private listing?: { generation: number; names: Promise<string[]> };
  private generation = 0;
  readonly maxFiles: number;
  private removed = 0;
  private pruning?: Promise<number>;
  private pruneAgain = false;

  constructor(root: string, bounds: { maxFiles?: number } = {}) {
    this.dir = path.join(root, 'shared');
    this.markers = new EfsMarkers(root);
    this.maxFiles = bounds.maxFiles ?? Infinity;
  }

  /** Files deleted by the count bound since this process started. */
  get removedSinceStart(): number {
    return this.removed;
  }

  async write(content: string, writer: { pod: string; node: string }, now = new Date()): Promise<EfsFileSummary> {
    await mkdir(this.dir, { recursive: true });
    const filename = `shared_data_${stampMillis(now)}_${randomName()}.json`;
    const metadata: EfsFileMetadata = {
      created_by_pod: writer.pod,
      created_by_node: writer.node,
      created_at: now.toISOString(),
      size_bytes: Buffer.byteLength(content, 'utf8'),
      content_type: 'text/plain',
    };
    const record: EfsFileRecord = { filename, content, metadata };
    const temp = path.join(this.dir, `${TEMP_PREFIX}${filename}.${process.pid}.${randomName()}`);
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(JSON.stringify(record));
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    await handle.close();
    try {
      await rename(temp, path.join(this.dir, filename));
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    this.generation++;
    this.remember({ filename, metadata });
    // The write is done; a failed prune is tried again after the next one.
    await this.prune().catch(() => 0);
    return { filename, metadata };
  }

  /**
   * Deletes the oldest files beyond `maxFiles` (every pod does it after its own writes, so the
   * share stays bounded however many write; a file another pod deleted first is skipped). A
   * call while a pass runs gets one more pass after it. Returns how many were deleted.
   */
  prune(): Promise<number> {
    if (this.pruning) {
      this.pruneAgain = true;
      return this.pruning;
    }
    this.pruning = (async () => {
      let deleted = 0;
      try {
        do {
          this.pruneAgain = false;
          deleted += await this.prunePass();
        } while (this.pruneAgain);
        return deleted;
      } finally {
        this.pruning = undefined;
      }
    })();
    return this.pruning;
  }

  private async prunePass(): Promise<number> {
    const names = await this.names();
    let deleted = 0;
    for (const name of names.slice(this.maxFiles)) {
      this.summaries.delete(name);
      try {
        await unlink(this.resolve(name));
        deleted++;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    if (deleted) this.generation++;
    this.removed += deleted;
    return deleted;
  }

  /** The newest `limit` files (names sort by time) with their metadata, and how many there are. */
  async list(limit: number): Promise<{ items: EfsFileSummary[]; total: number; unreadable: number }> {
    const names = await this.names();
    const chosen = names.slice(0, limit);
    const records: Array<EfsFileSummary | undefined> = new Array(chosen.length);
    let next = 0;
    const worker = async () => {
      while (next < chosen.length) {
        const i = next++;
        const known = this.summaries.get(chosen[i]);
        if (known) {
          records[i] = known;
          continue;
        }
        try {
          const { filename, metadata } = await this.read(chosen[i]);
          records[i] = { filename, metadata };
          this.remember(records[i]);
        } catch {
          // Deleted by another pod since the listing, or not a record: counted, not fatal.
          records[i] = undefined;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, chosen.length) }, worker));
    const items = records.filter((r): r is EfsFileSummary => r !== undefined);
    return { items, total: names.length, unreadable: chosen.length - items.length };
  }

  /** The record names, newest first; one readdir serves every view that asks meanwhile. */
  private names(): Promise<string[]> {
    if (this.listing?.generation === this.generation) return this.listing.names;
    const generation = this.generation;
    const names = (async () => {
      try {
        const entries = await readdir(this.dir, { withFileTypes: true });
        return entries
          .filter((d) => d.isFile() && EFS_FILE_NAME.test(d.name))
          .map((d) => d.name)
          .sort()
          .reverse();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    })().finally(() => {
      if (this.listing?.names === names) this.listing = undefined;
    });
    this.listing = { generation, names };
    return names;
  }

  /** Reads one record; the name must be one this store generates (validated by the caller too). */
  async read(name: string): Promise<EfsFileRecord> {
    const file = this.resolve(name);
    let handle;
    try {
      handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      if (['ENOENT', 'ELOOP'].includes((err as NodeJS.ErrnoException).code ?? '')) throw new EfsFileNotFound(name);
      throw err;
    }
    try {
      const { size } = await handle.stat();
      if (size > MAX_RECORD_BYTES) throw new Error(`${name} is ${size} bytes, larger than any record this app writes`);
      const record = parseStoredJson(await handle.readFile('utf8')) as EfsFileRecord;
      if (typeof record?.content !== 'string' || typeof record.metadata !== 'object') throw new Error(`${name} is not a shared-file record`);
      return { filename: name, content: record.content, metadata: record.metadata };
    } finally {
      await handle.close();
    }
  }

  async delete(name: string): Promise<void> {
    this.summaries.delete(name);
    try {
      await unlink(this.resolve(name));
      this.generation++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new EfsFileNotFound(name);
      throw err;
    }
  }

  /** Temp files older than `maxAgeMs` (a writer killed between write and rename); returns how many were removed. */
  async removeStaleTemps(maxAgeMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.startsWith(TEMP_PREFIX))) {
      const file = path.join(this.dir, name);
      const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
      if (!handle) continue;
      const { mtimeMs } = await handle.stat();
      await handle.close();
      if (
        now - mtimeMs > maxAgeMs &&
        (await unlink(file).then(
          () => true,
          () => false,
        ))
      )
        removed++;
    }
    return removed;
  }

  private remember(summary: EfsFileSummary): void {
    this.summaries.set(summary.filename, summary);
    if (this.summaries.size > SUMMARY_CACHE_SIZE) this.summaries.delete(this.summaries.keys().next().value as string);
  }

  /** Defence in depth: even a validated name must resolve inside the directory. */
  private resolve(name: string): string {
    if (!EFS_FILE_NAME.test(name)) throw new EfsFileNotFound(name);
    const file = path.resolve(this.dir, name);
    if (path.dirname(file) !== path.resolve(this.dir)) throw new EfsFileNotFound(name);
    return file;
  }
}
