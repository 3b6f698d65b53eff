import type { Logger } from 'pino';

/**
 * Logs a recurring failure once per kind per interval instead of once per request: the first
 * occurrence is logged in full, repeats inside the interval are counted and summarised with the
 * next line of that kind. Keeps a NATS outage under load from flooding the logs.
 */
export class LogOnce {
  private readonly seen = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(kind: string, fields: Record<string, unknown>, message: string): boolean {
    return this.write('warn', kind, fields, message);
  }

  error(kind: string, fields: Record<string, unknown>, message: string): boolean {
    return this.write('error', kind, fields, message);
  }

  /** Forget a kind, e.g. when the failure has cleared, so the next one is logged at once. */
  clear(kind: string): void {
    this.seen.delete(kind);
  }

  private write(level: 'warn' | 'error', kind: string, fields: Record<string, unknown>, message: string): boolean {
    const t = this.now();
    const entry = this.seen.get(kind);
    if (entry && t - entry.at < this.intervalMs) {
      entry.suppressed++;
      return false;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.seen.set(kind, { at: t, suppressed: 0 });
    this.logger[level]({ kind, ...fields, ...(suppressed ? { suppressed_since_last: suppressed } : {}) }, message);
    return true;
  }
}
