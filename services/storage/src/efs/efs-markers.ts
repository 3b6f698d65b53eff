import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { IdempotencyMarker, MarkerStore } from '../common/idempotency';

const DIGEST = /^[0-9a-f]{64}$/;
/** A marker is a few hundred bytes; anything larger was not written here. */
const MAX_MARKER_BYTES = 64 * 1024;

function isCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException).code === code;
}

/**
 * Idempotency markers on the shared EFS volume, one small JSON file per key digest, beside the
 * shared files (never listed with them). A marker is written whole to a temp file and then
 * hard-linked into place: link() fails if the name exists, so exactly one pod creates it, and
 * no reader ever sees half of one. Completing it is a rename over it (atomic on NFS too).
 */
export class EfsMarkers<T> implements MarkerStore<T> {
  readonly dir: string;

  constructor(root: string) {
    this.dir = path.join(root, 'idempotency');
  }

  async create(digest: string, marker: IdempotencyMarker<T>): Promise<boolean> {
    const temp = await this.writeTemp(digest, marker);
    try {
      await link(temp, this.file(digest));
      return true;
    } catch (err) {
      if (isCode(err, 'EEXIST')) return false;
      throw err;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  async read(digest: string): Promise<{ marker: IdempotencyMarker<T> | null; ageMs: number } | null> {
    let handle;
    try {
      handle = await open(this.file(digest), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (err) {
      if (isCode(err, 'ENOENT')) return null;
      throw err;
    }
    try {
      const { size, mtimeMs } = await handle.stat();
      const ageMs = Math.max(0, Date.now() - mtimeMs);
      if (size > MAX_MARKER_BYTES) return { marker: null, ageMs };
      try {
        const marker = JSON.parse(await handle.readFile('utf8')) as IdempotencyMarker<T>;
        return { marker: typeof marker?.fingerprint === 'string' ? marker : null, ageMs };
      } catch {
        return { marker: null, ageMs };
      }
    } finally {
      await handle.close();
    }
  }

  async replace(digest: string, marker: IdempotencyMarker<T>): Promise<void> {
    const temp = await this.writeTemp(digest, marker);
    try {
      await rename(temp, this.file(digest));
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  async remove(digest: string): Promise<void> {
    await unlink(this.file(digest)).catch((err: unknown) => {
      if (!isCode(err, 'ENOENT')) throw err;
    });
  }

  async sweep(ageMs: number): Promise<number> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const now = Date.now();
    let removed = 0;
    for (const name of names) {
      const file = path.join(this.dir, name);
      const st = await stat(file).catch(() => undefined);
      if (!st?.isFile() || now - st.mtimeMs <= ageMs) continue;
      // Markers and temp files alike: a temp file this old belongs to a writer that died.
      if (
        await unlink(file).then(
          () => true,
          () => false,
        )
      )
        removed++;
    }
    return removed;
  }

  private file(digest: string): string {
    if (!DIGEST.test(digest)) throw new Error('not a key digest');
    return path.join(this.dir, `${digest}.json`);
  }

  private async writeTemp(digest: string, marker: IdempotencyMarker<T>): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const temp = path.join(this.dir, `.tmp-${digest}.${process.pid}.${randomBytes(6).toString('hex')}`);
    await writeFile(temp, JSON.stringify(marker), { flag: 'wx', mode: 0o644 });
    return temp;
  }
}
