import type { S3Store } from './s3-store';
import type { IdempotencyMarker, MarkerStore } from '../common/idempotency';
import { StorageErrors } from '@eks-info/contracts';
import { DomainException } from '@eks-info/platform';

/** Pages of markers one sweep reads (1,000 keys each). */
const MAX_SWEEP_PAGES = 5;

function isCode(err: unknown, code: { code: string }): boolean {
  return err instanceof DomainException && err.body.code === code.code;
}

/**
 * Idempotency markers in the bucket, under `<prefix>idempotency/` (inside the app prefix, so the
 * IAM policy already covers them; the Terraform's lifecycle rule expires them after a day). A
 * conditional PutObject (`If-None-Match: *`) creates one: S3 lets exactly one writer create a
 * key. Each request gets its own instance, so its calls share the request's time budget.
 */
export class S3Markers<T> implements MarkerStore<T> {
  constructor(
    private readonly store: S3Store,
    private readonly signal?: AbortSignal,
  ) {}

  static prefix(store: S3Store): string {
    return `${store.options.prefix}idempotency/`;
  }

  async create(digest: string, marker: IdempotencyMarker<T>): Promise<boolean> {
    try {
      await this.store.put(this.key(digest), Buffer.from(JSON.stringify(marker)), 'application/json', {}, { ifNoneMatch: true, signal: this.signal });
      return true;
    } catch (err) {
      if (isCode(err, StorageErrors.ALREADY_DONE)) return false;
      throw err;
    }
  }

  async read(digest: string): Promise<{ marker: IdempotencyMarker<T> | null; ageMs: number } | null> {
    let object;
    try {
      object = await this.store.get(this.key(digest));
    } catch (err) {
      if (isCode(err, StorageErrors.NOT_FOUND)) return null;
      throw err;
    }
    const ageMs = object.lastModified ? Math.max(0, Date.now() - Date.parse(object.lastModified)) : 0;
    try {
      const marker = JSON.parse(object.body.toString('utf8')) as IdempotencyMarker<T>;
      return { marker: typeof marker?.fingerprint === 'string' ? marker : null, ageMs };
    } catch {
      return { marker: null, ageMs };
    }
  }

  /** Completes a marker after the answer has gone: its own call deadline, not the request's budget. */
  async replace(digest: string, marker: IdempotencyMarker<T>): Promise<void> {
    await this.store.put(this.key(digest), Buffer.from(JSON.stringify(marker)), 'application/json', {});
  }

  async remove(digest: string): Promise<void> {
    await this.store.delete(this.key(digest), this.signal);
  }

  async sweep(ageMs: number): Promise<number> {
    const prefix = S3Markers.prefix(this.store);
    const cutoff = Date.now() - ageMs;
    let removed = 0;
    let after: string | undefined;
    for (let page = 0; page < MAX_SWEEP_PAGES; page++) {
      const out = await this.store.list(prefix, 1000, after);
      for (const o of out.items) {
        if (o.lastModified && Date.parse(o.lastModified) < cutoff) {
          await this.store.delete(o.key);
          removed++;
        }
      }
      if (!out.next) break;
      after = out.next;
    }
    return removed;
  }

  private key(digest: string): string {
    return `${S3Markers.prefix(this.store)}${digest}.json`;
  }
}
