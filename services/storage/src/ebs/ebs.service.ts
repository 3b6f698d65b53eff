import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  type AccessRecord,
  type EbsCleanupResult,
  type EbsEntry,
  type EbsEntryWritten,
  type EbsView,
  type EbsWriteRequest,
  type Incarnation,
  StorageErrors,
  failed,
  ok,
} from '@eks-info/contracts';
import { DomainException, IDENTITY, type Identity, LOGGER, type Logger, LogOnce, counter } from '@eks-info/platform';
import { volumeError } from '../common/fs-errors';
import { IdempotentWrites, fingerprint } from '../common/idempotency';
import { assertTextSize } from '../common/names';
import { VolumeGuard } from '../mounts/volume-guard';
import { PartialBuilder } from '../reports/access-stats';
import { STORAGE_SETTINGS, type StorageSettings } from '../storage.tokens';
import { VolumeConfigSource } from '../volumes/volume-config.source';
import { EbsStore } from './ebs-store';

/** Access records are written in batches: one append per interval, not one per request. */
const FLUSH_INTERVAL_MS = 250;
const FLUSH_BATCH = 500;
/** Records held while the volume cannot be written; beyond this they are dropped (and counted). */
const MAX_BUFFERED = 10_000;
const CLEANUP_INTERVAL_MS = 60 * 60 * 1000;

/**
 * This pod's EBS volume: user entries, the access log fed by the gateway's access events, the
 * start-up records and old-log cleanup. Writes are refused while the path is not the volume it
 * should be (a pod keeps its NATS subscriptions while not ready, so readiness alone cannot stop
 * data from landing on the container's own file system).
 */
@Injectable()
export class EbsService implements OnModuleInit, OnApplicationShutdown {
  private buffer: AccessRecord[] = [];
  private flushTimer?: NodeJS.Timeout;
  private cleanupTimer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private appended = 0;
  private current: Incarnation | null = null;
  private readonly logOnce: LogOnce;
  /**
   * The volume is this pod's own: a key is honoured on the pod that got it (a retry that lands
   * on another pod writes to that pod's volume, which never held the first entry).
   */
  private readonly writes = new IdempotentWrites<EbsEntry>();
  private readonly records = counter('storage_access_records_total', 'Access records handled by the storage service, by outcome', ['outcome']);

  constructor(
    readonly store: EbsStore,
    private readonly guard: VolumeGuard,
    private readonly volumes: VolumeConfigSource,
    @Inject(STORAGE_SETTINGS) private readonly settings: StorageSettings,
    @Inject(IDENTITY) private readonly identity: Identity,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.logOnce = new LogOnce(logger, 60_000);
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.guard.require('ebs');
      this.current = await this.store.recordStart(this.identity.pod, this.identity.node);
      this.logger.info({ incarnation: this.current.number, path: this.settings.ebsPath }, 'start recorded on the EBS volume');
    } catch (err) {
      // Not fatal: /ready says what is wrong and the page shows it; the rest of the service works.
      this.logger.warn({ path: this.settings.ebsPath, err: (err as Error).message }, 'cannot record this start on the EBS volume');
    }
    this.flushTimer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.flushTimer.unref();
    this.cleanupTimer = setInterval(() => void this.cleanup().catch(() => undefined), CLEANUP_INTERVAL_MS);
    this.cleanupTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.cleanupTimer);
    await this.flush();
  }

  /** An access event from the gateway (queue group: each record lands on exactly one pod). */
  record(record: AccessRecord): void {
    if (!record || typeof record !== 'object' || typeof record.timestamp !== 'string') {
      this.records.inc({ outcome: 'invalid' });
      return;
    }
    if (this.buffer.length >= MAX_BUFFERED) {
      this.records.inc({ outcome: 'dropped' });
      this.logOnce.warn('ebs:access-dropped', { buffered: this.buffer.length }, 'access records dropped: the EBS volume cannot be written');
      return;
    }
    this.buffer.push(record);
    if (this.buffer.length >= FLUSH_BATCH) void this.flush();
  }

  /** Writes buffered records; concurrent callers share one flush. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.buffer.length ? this.flush() : undefined));
    if (this.buffer.length === 0) return Promise.resolve();
    this.flushing = (async () => {
      const batch = this.buffer.splice(0, this.buffer.length);
      try {
        await this.guard.require('ebs');
        await this.store.accessLog.append(batch);
        this.appended += batch.length;
        this.records.inc({ outcome: 'appended' }, batch.length);
        this.logOnce.clear('ebs:access-append');
      } catch (err) {
        // Keep them for the next try, within the bound.
        this.buffer.unshift(...batch.slice(0, Math.max(0, MAX_BUFFERED - this.buffer.length)));
        this.logOnce.warn(
          'ebs:access-append',
          { path: this.settings.ebsPath, err: (err as Error).message },
          'cannot append to the access log on the EBS volume',
        );
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  async view(requested?: number): Promise<Omit<EbsView, 'servedBy'>> {
    const limit = requested ?? 100;
    const path = this.settings.ebsPath;
    const [volume, config] = await Promise.all([this.guard.check('ebs'), this.volumes.ebs(path)]);
    await this.flush();
    const [entries, accessLog, incarnations] = await Promise.all([
      this.store.entries(limit).then(
        async (e) => ok({ items: e.items, total: e.total, skippedLines: e.skipped, partial: e.partial, bound: await this.store.entriesBound(e.total) }),
        (err: unknown) => failed(volumeError(err, 'EBS', path, 'read the entries').body),
      ),
      (async () => {
        const [tail, rotated] = await Promise.all([this.store.accessLog.tail(limit), this.store.accessLog.rotated()]);
        return ok({
          items: tail.items,
          currentBytes: this.store.accessLog.currentBytes,
          maxBytes: this.settings.accessLogMaxBytes,
          retentionDays: this.settings.retentionDays,
          maxFiles: this.store.accessLog.maxFiles,
          rotated,
          appendedSinceStart: this.appended,
          skippedLines: tail.skipped,
        });
      })().catch((err: unknown) => failed(volumeError(err, 'EBS', path, 'read the access log').body)),
      this.store.incarnations(20).then(
        (i) => ok({ items: i.items, total: i.total, current: this.current }),
        (err: unknown) => failed(volumeError(err, 'EBS', path, 'read the start-up records').body),
      ),
    ]);
    return { volume, config, entries, accessLog, incarnations };
  }

  async write(request: EbsWriteRequest): Promise<Omit<EbsEntryWritten, 'servedBy'>> {
    const text = assertTextSize(request.content, this.settings.textLimitBytes);
    await this.guard.require('ebs');
    try {
      const { value, replayed } = await this.writes.run(request.idempotencyKey, fingerprint(text), () =>
        this.store.write({ timestamp: new Date().toISOString(), pod: this.identity.pod, node: this.identity.node, content: text }),
      );
      return replayed ? { entry: value, replayed } : { entry: value };
    } catch (err) {
      if (err instanceof DomainException) throw err;
      throw volumeError(err, 'EBS', this.settings.ebsPath, 'append the entry');
    }
  }

  async cleanup(requestedDays?: number): Promise<Omit<EbsCleanupResult, 'servedBy'>> {
    const olderThanDays = requestedDays ?? this.settings.retentionDays;
    try {
      const deleted = await this.store.accessLog.cleanup(olderThanDays);
      if (deleted.length) this.logger.info({ deleted: deleted.map((d) => d.name), olderThanDays }, 'old access logs deleted');
      return { deleted, freedBytes: deleted.reduce((n, d) => n + d.bytes, 0), olderThanDays };
    } catch (err) {
      throw volumeError(err, 'EBS', this.settings.ebsPath, 'delete old access logs');
    }
  }

  /** This pod's share of a report window, read from its own access log. */
  async partial(start: number, end: number): Promise<PartialBuilder> {
    if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start)
      throw new DomainException(StorageErrors.INVALID, 'The window must have a start before its end.');
    await this.flush();
    const builder = new PartialBuilder();
    await this.store.accessLog.scan(start, end, (r) => builder.add(r));
    return builder;
  }
}
