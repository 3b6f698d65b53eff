import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type AccessStatsPartial, type AccessStatsReport, type ReportUploaded, StorageErrors, StorageRpc } from '@eks-info/contracts';
import { DomainException, IDENTITY, type Identity, LOGGER, type Logger, MessageBus, counter } from '@eks-info/platform';
import { EbsService } from '../ebs/ebs.service';
import { VolumeGuard } from '../mounts/volume-guard';
import { S3_RUNTIME, STORAGE_SETTINGS, type S3Runtime, type StorageSettings } from '../storage.tokens';
import { mergePartials, reportId } from './access-stats';
import { ReportClock } from './report-clock';
import { ReportLock } from './report-lock';

/** How long the reporter collects every pod's partial. */
const GATHER_WINDOW_MS = 2_000;
const LOCK_MAX_AGE_MS = 7 * 86_400_000;

/**
 * The periodic access-statistics report. Every pod wakes at the end of each window; exactly one
 * uploads: the first to create the window's lock file on the shared EFS volume (O_EXCL) gathers
 * every pod's partial (each from its own EBS access log) and uploads the merged report with
 * `If-None-Match: *`, so even without a shared volume S3 itself refuses a second copy.
 */
@Injectable()
export class ReportService implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly lock: ReportLock | null;
  private readonly outcomes = counter('storage_reports_total', 'Statistics report attempts of this pod, by outcome', ['trigger', 'outcome']);

  constructor(
    private readonly bus: MessageBus,
    private readonly ebs: EbsService,
    private readonly guard: VolumeGuard,
    private readonly clock: ReportClock,
    @Inject(S3_RUNTIME) private readonly s3: S3Runtime,
    @Inject(STORAGE_SETTINGS) settings: StorageSettings,
    @Inject(IDENTITY) private readonly identity: Identity,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.lock = settings.efsPath ? new ReportLock(settings.efsPath) : null;
  }

  onModuleInit(): void {
    if (this.s3.configured) this.schedule();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** This pod's share of a window (answers the broadcast of whichever pod reports). */
  async partial(start: unknown, end: unknown): Promise<Omit<AccessStatsPartial, 'servedBy'>> {
    const from = typeof start === 'string' ? Date.parse(start) : NaN;
    const to = typeof end === 'string' ? Date.parse(end) : NaN;
    const builder = await this.ebs.partial(from, to);
    return builder.build(this.identity.pod);
  }

  /** A report of the current window so far, now; not subject to the schedule's lock. */
  async reportNow(): Promise<Omit<ReportUploaded, 'servedBy'>> {
    const now = Date.now();
    const start = Math.floor(now / this.clock.intervalMs) * this.clock.intervalMs;
    // The caller waits: gathering and the upload share one budget, below its RPC timeout.
    const budget = this.s3.configured ? this.s3.store.budget() : undefined;
    const result = await this.produce({ start, end: now }, 'manual', budget);
    if (!result) throw new DomainException(StorageErrors.ALREADY_DONE, 'A report with this id was uploaded a moment ago; try again in a second.');
    return result;
  }

  /** The scheduled report of the window ending at `end`; returns what this pod did. */
  async runWindow(end: number): Promise<'uploaded' | 'claimed-elsewhere' | 'exists' | 'failed'> {
    const window = { start: end - this.clock.intervalMs, end };
    const id = reportId(new Date(end));
    try {
      if (!(await this.claim(id))) {
        this.outcomes.inc({ trigger: 'schedule', outcome: 'claimed-elsewhere' });
        this.logger.debug({ report: id }, 'report window claimed by another pod');
        return 'claimed-elsewhere';
      }
      // Without a shared lock another pod may have been first: skip the gathering then.
      if (this.s3.configured && (await this.s3.store.exists(`${this.s3.store.reportsPrefix}${id}.json`))) {
        this.outcomes.inc({ trigger: 'schedule', outcome: 'exists' });
        return 'exists';
      }
      const result = await this.produce(window, 'schedule');
      return result ? 'uploaded' : 'exists';
    } catch (err) {
      this.outcomes.inc({ trigger: 'schedule', outcome: 'failed' });
      const e = err as DomainException;
      this.logger.warn({ report: id, code: e.body?.code, err: e.message, fix: e.body?.fix }, 'statistics report failed');
      return 'failed';
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const boundary = this.clock.nextBoundary();
    const delay = Math.max(0, boundary + this.clock.graceMs - Date.now());
    this.timer = setTimeout(() => {
      void this.runWindow(boundary).finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }

  /** The window's lock on EFS when there is a usable one; without, S3's conditional put decides. */
  private async claim(id: string): Promise<boolean> {
    if (!this.lock) return true;
    const status = await this.guard.check('efs').catch(() => undefined);
    if (!status?.ready) return true;
    try {
      const claimed = await this.lock.claim(id, this.identity.pod);
      if (claimed) void this.lock.prune(LOCK_MAX_AGE_MS).catch(() => undefined);
      return claimed;
    } catch (err) {
      this.logger.warn({ report: id, err: (err as Error).message }, 'cannot use the report lock on EFS; relying on the conditional upload');
      return true;
    }
  }

  /** Gathers every pod's partial, merges and uploads; null when the report already exists. */
  private async produce(
    window: { start: number; end: number },
    trigger: AccessStatsReport['trigger'],
    budget?: AbortSignal,
  ): Promise<Omit<ReportUploaded, 'servedBy'> | null> {
    if (!this.s3.configured) throw new DomainException(StorageErrors.NOT_CONFIGURED, this.s3.reason, { fix: this.s3.fix });
    const { store } = this.s3;
    const partials = await this.bus.gather(
      StorageRpc.reportPartial,
      { start: new Date(window.start).toISOString(), end: new Date(window.end).toISOString() },
      { windowMs: GATHER_WINDOW_MS },
    );
    const report = mergePartials(partials, window, this.identity.pod, trigger);
    const key = `${store.reportsPrefix}${report.report_id}.json`;
    try {
      await store.put(
        key,
        Buffer.from(JSON.stringify(report, null, 2)),
        'application/json',
        { pod: this.identity.pod, 'report-trigger': trigger },
        { ifNoneMatch: true, signal: budget },
      );
    } catch (err) {
      if (err instanceof DomainException && err.body.code === StorageErrors.ALREADY_DONE.code) {
        this.outcomes.inc({ trigger, outcome: 'exists' });
        this.logger.info({ report: report.report_id }, 'report already uploaded by another pod');
        return null;
      }
      throw err;
    }
    this.outcomes.inc({ trigger, outcome: 'uploaded' });
    this.logger.info({ report: report.report_id, key, total: report.statistics.total_requests, sources: report.sources }, 'statistics report uploaded');
    return { key, report };
  }
}
