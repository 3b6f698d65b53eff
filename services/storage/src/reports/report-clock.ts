import { Inject, Injectable } from '@nestjs/common';
import { STORAGE_SETTINGS, type StorageSettings } from '../storage.tokens';

/**
 * When reports happen: windows end on multiples of REPORT_INTERVAL_SECONDS (every pod agrees
 * without talking), and the report of a window is made a little after its end, so access events
 * of the last moments have reached the logs of every pod.
 */
@Injectable()
export class ReportClock {
  readonly intervalMs: number;
  readonly graceMs: number;

  constructor(@Inject(STORAGE_SETTINGS) settings: StorageSettings) {
    this.intervalMs = settings.reportIntervalMs;
    this.graceMs = Math.min(10_000, Math.floor(this.intervalMs / 4));
  }

  /** The end of the window whose report is due at the next tick after `now`. */
  nextBoundary(now = Date.now()): number {
    const current = Math.floor(now / this.intervalMs) * this.intervalMs;
    return now < current + this.graceMs ? current : current + this.intervalMs;
  }

  nextReportAt(now = Date.now()): Date {
    return new Date(this.nextBoundary(now) + this.graceMs);
  }
}
