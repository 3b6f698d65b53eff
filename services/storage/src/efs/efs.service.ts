import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  type EfsFileDeleted,
  type EfsFileRead,
  type EfsFileSummary,
  type EfsFileWritten,
  type EfsView,
  type EfsWriteRequest,
  StorageErrors,
  failed,
  ok,
} from '@eks-info/contracts';
import { DomainException, IDENTITY, type Identity, LOGGER, type Logger, histogram } from '@eks-info/platform';
import { volumeError } from '../common/fs-errors';
import { IdempotentWrites, fingerprint } from '../common/idempotency';
import { assertSafeName, assertTextSize } from '../common/names';
import { VolumeGuard } from '../mounts/volume-guard';
import { EFS_STORE, STORAGE_SETTINGS, type StorageSettings } from '../storage.tokens';
import { VolumeConfigSource } from '../volumes/volume-config.source';
import { EFS_FILE_NAME, EFS_POLICY, EfsFileNotFound, EfsStore } from './efs-store';

const TEMP_SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** A temp file this old belongs to a writer that died between write and rename. */
const TEMP_MAX_AGE_MS = 60 * 60 * 1000;

/** The shared EFS demo: files written by every storage pod, read back by any of them. */
@Injectable()
export class EfsService implements OnModuleInit, OnApplicationShutdown {
  private sweepTimer?: NodeJS.Timeout;
  private readonly duration = histogram('storage_efs_operation_seconds', 'EFS operations of the shared-files demo', ['operation', 'outcome']);
  /** A retry with the same key, on any pod, gets the first file (the markers are on the share). */
  private readonly writes = new IdempotentWrites<EfsFileSummary>();

  constructor(
    @Inject(EFS_STORE) private readonly store: EfsStore | null,
    private readonly guard: VolumeGuard,
    private readonly volumes: VolumeConfigSource,
    @Inject(STORAGE_SETTINGS) private readonly settings: StorageSettings,
    @Inject(IDENTITY) private readonly identity: Identity,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    if (!this.store) return;
    const store = this.store;
    this.sweepTimer = setInterval(() => {
      void store.removeStaleTemps(TEMP_MAX_AGE_MS).then((n) => n && this.logger.info({ removed: n }, 'stale EFS temp files removed'));
    }, TEMP_SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweepTimer);
  }

  async view(requested?: number): Promise<Omit<EfsView, 'servedBy'>> {
    const limit = requested ?? 100;
    const store = this.required();
    const path = this.settings.efsPath!;
    const [volume, config] = await Promise.all([this.guard.check('efs'), this.volumes.efs(path)]);
    const files = await this.timed('list', () => store.list(limit)).then(
      (list) => {
        const writers = new Map<string, number>();
        for (const f of list.items) writers.set(f.metadata.created_by_pod, (writers.get(f.metadata.created_by_pod) ?? 0) + 1);
        return ok({
          ...list,
          writers: [...writers].map(([pod, count]) => ({ pod, count })).sort((a, b) => a.pod.localeCompare(b.pod)),
          bound: {
            maxItems: store.maxFiles,
            // Each file holds at most TEXT_LIMIT_BYTES of text.
            maxBytes: store.maxFiles * this.settings.textLimitBytes,
            items: list.total,
            bytes: null,
            removedSinceStart: store.removedSinceStart,
            policy: EFS_POLICY,
          },
        });
      },
      (err: unknown) => failed(volumeError(err, 'EFS', path, 'list the shared files').body),
    );
    return { volume, config, files };
  }

  async write(request: EfsWriteRequest): Promise<Omit<EfsFileWritten, 'servedBy'>> {
    const text = assertTextSize(request.content, this.settings.textLimitBytes);
    const store = this.required();
    await this.guard.require('efs');
    try {
      const { value, replayed } = await this.writes.run(
        request.idempotencyKey,
        fingerprint(text),
        () => this.timed('write', () => store.write(text, { pod: this.identity.pod, node: this.identity.node })),
        store.markers,
      );
      return replayed ? { file: value, replayed } : { file: value };
    } catch (err) {
      if (err instanceof DomainException) throw err;
      throw volumeError(err, 'EFS', this.settings.efsPath!, 'write the file');
    }
  }

  async read(rawName: unknown): Promise<Omit<EfsFileRead, 'servedBy'>> {
    const name = this.fileName(rawName);
    const store = this.required();
    try {
      return { file: await this.timed('read', () => store.read(name)) };
    } catch (err) {
      if (err instanceof EfsFileNotFound) throw this.notFound(name);
      throw volumeError(err, 'EFS', this.settings.efsPath!, `read ${name}`);
    }
  }

  async delete(rawName: unknown): Promise<Omit<EfsFileDeleted, 'servedBy'>> {
    const name = this.fileName(rawName);
    const store = this.required();
    await this.guard.require('efs');
    try {
      await this.timed('delete', () => store.delete(name));
      return { deleted: name };
    } catch (err) {
      if (err instanceof EfsFileNotFound) throw this.notFound(name);
      throw volumeError(err, 'EFS', this.settings.efsPath!, `delete ${name}`);
    }
  }

  private fileName(raw: unknown): string {
    const name = assertSafeName(raw, 'file name');
    if (!EFS_FILE_NAME.test(name)) {
      throw new DomainException(StorageErrors.INVALID, 'Not a file name of the shared-files demo.', {
        fix: 'Names look like shared_data_20251113_103045_123_abcdefghij.json; pick one from the list.',
      });
    }
    return name;
  }

  private notFound(name: string): DomainException {
    return new DomainException(StorageErrors.NOT_FOUND, `No shared file ${name} (another pod may have deleted it).`);
  }

  private required(): EfsStore {
    if (!this.store) {
      throw new DomainException(StorageErrors.NOT_CONFIGURED, 'No EFS volume is configured here (EFS_PATH is not set).', {
        fix: 'Mount the shared EFS claim and set EFS_PATH (the chart does with storage.efs.enabled).',
      });
    }
    return this.store;
  }

  private async timed<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let outcome = 'ok';
    try {
      return await run();
    } catch (err) {
      outcome = err instanceof EfsFileNotFound ? 'not_found' : 'error';
      throw err;
    } finally {
      this.duration.observe({ operation, outcome }, (performance.now() - started) / 1000);
    }
  }
}
