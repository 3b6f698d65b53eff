import { setNewest } from './bounded-map';

/**
 * A TTL cache with single-flight: concurrent misses for one key share a single load, so a burst
 * of page views costs one AWS describe call, not one per view. Failures are not cached unless
 * `errorTtlMs` says so (negative caching, e.g. an unreachable IMDS).
 */
export interface TtlCacheOptions {
  /** How long a value is fresh. 0: nothing is kept, but concurrent calls still share one load. */
  ttlMs: number;
  /** Keep failures this long; 0 = retry on the next call. */
  errorTtlMs?: number;
  maxEntries?: number;
  now?: () => number;
  /**
   * After `ttlMs`, keep answering with the old value for up to this long while one reload runs in
   * the background (stale-while-revalidate): no caller waits for a refresh of a value it has. A
   * failed background reload keeps the old value until this window ends; then callers wait again.
   */
  staleMs?: number;
  /** Called whenever a kept value answers, fresh or stale (e.g. to count what was saved). */
  onHit?: () => void;
}

interface Entry<V> {
  at: number;
  expires: number;
  value?: V;
  error?: unknown;
}

export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly pending = new Map<string, Promise<V>>();
  private readonly now: () => number;

  constructor(private readonly options: TtlCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The cached value, or the result of one shared `load` for all concurrent callers. */
  async get(key: string, load: () => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    const now = this.now();
    if (entry && entry.expires > now) {
      if ('error' in entry) throw entry.error;
      this.options.onHit?.();
      return entry.value as V;
    }
    if (entry && !('error' in entry) && this.options.staleMs && now < entry.expires + this.options.staleMs) {
      if (!this.pending.has(key)) this.load(key, load, true).catch(() => undefined);
      this.options.onHit?.();
      return entry.value as V;
    }
    return this.pending.get(key) ?? this.load(key, load, false);
  }

  /** One shared load for `key`; a background one leaves a failure out of the cache (the stale value stays). */
  private load(key: string, load: () => Promise<V>, background: boolean): Promise<V> {
    const promise = (async () => {
      try {
        const value = await load();
        if (this.options.ttlMs > 0) this.store(key, { at: this.now(), expires: this.now() + this.options.ttlMs, value });
        return value;
      } catch (error) {
        if (background) throw error;
        if (this.options.errorTtlMs) this.store(key, { at: this.now(), expires: this.now() + this.options.errorTtlMs, error });
        else this.entries.delete(key);
        throw error;
      } finally {
        this.pending.delete(key);
      }
    })();
    this.pending.set(key, promise);
    return promise;
  }

  /** When the value for `key` was loaded (ms since epoch), if cached and fresh. */
  loadedAt(key: string): number | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expires > this.now() ? entry.at : undefined;
  }

  peek(key: string): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expires > this.now() && !('error' in entry) ? entry.value : undefined;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops everything; returns how many entries there were. */
  clear(): number {
    const n = this.entries.size;
    this.entries.clear();
    return n;
  }

  private store(key: string, entry: Entry<V>): void {
    setNewest(this.entries, key, entry, this.options.maxEntries ?? 1000);
  }
}
