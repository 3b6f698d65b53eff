import { mkdir, readdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Claims a report window on the shared EFS volume: the first pod to create the lock file with
 * O_EXCL (`wx`) owns the window; NFSv4 makes exclusive create atomic across clients, so exactly
 * one of the pods that share the volume gets it. The lock records who and when.
 */
export class ReportLock {
  readonly dir: string;

  constructor(efsRoot: string) {
    this.dir = path.join(efsRoot, '.eks-info', 'report-locks');
  }

  async claim(id: string, pod: string): Promise<boolean> {
    await mkdir(this.dir, { recursive: true });
    try {
      await writeFile(path.join(this.dir, `${id}.lock`), JSON.stringify({ pod, at: new Date().toISOString(), pid: process.pid }) + '\n', { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  }

  /** Deletes lock files older than `maxAgeMs`; returns how many. */
  async prune(maxAgeMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (!name.endsWith('.lock')) continue;
      const file = path.join(this.dir, name);
      const s = await stat(file).catch(() => undefined);
      if (
        s &&
        now - s.mtimeMs > maxAgeMs &&
        (await unlink(file).then(
          () => true,
          () => false,
        ))
      )
        removed++;
    }
    return removed;
  }
}
