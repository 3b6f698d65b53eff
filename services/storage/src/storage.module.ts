import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createAws } from '@eks-info/aws';
import { type KubeAccessResult, loadKubeAccess } from '@eks-info/kube';
import { CONFIG, IDENTITY, type Identity, LOGGER, type Logger, ReadinessRegistry } from '@eks-info/platform';
import type { StorageConfig } from './storage.config';
import { EFS_STORE, S3_RUNTIME, STORAGE_SETTINGS, type S3Runtime, type StorageSettings } from './storage.tokens';
import { EbsMessageController } from './ebs/ebs.message.controller';
import { EbsService } from './ebs/ebs.service';
import { EbsStore } from './ebs/ebs-store';
import { EfsMessageController } from './efs/efs.message.controller';
import { EfsService } from './efs/efs.service';
import { EfsStore } from './efs/efs-store';
import { parseFsTypes } from './mounts/mountinfo';
import { VolumeGuard } from './mounts/volume-guard';
import { VolumeProbe } from './mounts/volume-probe';
import { OverviewMessageController } from './overview/overview.message.controller';
import { OverviewService } from './overview/overview.service';
import { ReportClock } from './reports/report-clock';
import { ReportService } from './reports/report.service';
import { ReportsMessageController } from './reports/reports.message.controller';
import { S3MessageController } from './s3/s3.message.controller';
import { S3Service } from './s3/s3.service';
import { createS3Runtime } from './s3/s3.runtime';
import { VolumeConfigSource } from './volumes/volume-config.source';

const KUBE = Symbol('KUBE');
const AWS = Symbol('AWS');
/** Claims and volumes rarely change; a page view costs no API call within this time. */
const KUBE_CACHE_TTL_MS = 60_000;

async function resolveSettings(config: StorageConfig): Promise<StorageSettings> {
  const settings: StorageSettings = {
    ebsPath: path.resolve(config.EBS_PATH),
    efsPath: config.EFS_PATH ? path.resolve(config.EFS_PATH) : null,
    ebsTypes: parseFsTypes(config.EBS_FS_TYPES),
    efsTypes: parseFsTypes(config.EFS_FS_TYPES),
    requireMounts: config.REQUIRE_MOUNTS,
    textLimitBytes: config.TEXT_LIMIT_BYTES,
    uploadLimitBytes: config.UPLOAD_LIMIT_BYTES,
    accessLogMaxBytes: config.ACCESS_LOG_MAX_BYTES,
    accessLogMaxFiles: config.ACCESS_LOG_MAX_FILES,
    retentionDays: config.ACCESS_LOG_RETENTION_DAYS,
    entriesMaxBytes: config.EBS_ENTRIES_MAX_BYTES,
    efsMaxFiles: config.EFS_MAX_FILES,
    s3MaxObjects: config.S3_MAX_OBJECTS,
    s3MaxBytes: config.S3_MAX_BYTES,
    reportIntervalMs: config.REPORT_INTERVAL_SECONDS * 1000,
    deadlineMs: config.SECTION_DEADLINE_MS,
    s3Prefix: config.S3_PREFIX,
  };
  // Local mode stands plain directories in for the volumes; a deployment never creates its mount points.
  if (!settings.requireMounts) {
    for (const dir of [settings.ebsPath, settings.efsPath]) if (dir) await mkdir(dir, { recursive: true });
  }
  return settings;
}

/** Readiness of the volumes; closes AWS clients and the local S3 server on shutdown. */
@Injectable()
class StorageLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly guard: VolumeGuard,
    private readonly readiness: ReadinessRegistry,
    @Inject(S3_RUNTIME) private readonly s3: S3Runtime,
    @Inject(AWS) private readonly aws: ReturnType<typeof createAws>,
  ) {}

  onModuleInit(): void {
    for (const spec of this.guard.specs()) {
      this.readiness.register(spec.role, async () => {
        const status = await this.guard.status(spec.role);
        return { ok: status.ready, detail: status.message };
      });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.s3.configured && this.s3.local) {
      this.s3.clients.destroy();
      await this.s3.local.close();
    }
    this.aws.clients.destroy();
  }
}

/**
 * The storage service: per-pod EBS (entries, access log, start-up records), shared EFS files, S3
 * objects and the periodic statistics report, plus the /storage overview of mounts and claims.
 */
@Module({})
export class StorageModule {
  static forRoot(): DynamicModule {
    return {
      module: StorageModule,
      controllers: [OverviewMessageController, EbsMessageController, EfsMessageController, S3MessageController, ReportsMessageController],
      providers: [
        { provide: STORAGE_SETTINGS, inject: [CONFIG], useFactory: (config: StorageConfig) => resolveSettings(config) },
        { provide: KUBE, inject: [CONFIG], useFactory: (config: StorageConfig): KubeAccessResult => loadKubeAccess(config) },
        { provide: AWS, inject: [CONFIG], useFactory: (config: StorageConfig) => createAws(config, process.env, 'storage') },
        { provide: VolumeProbe, inject: [STORAGE_SETTINGS], useFactory: (s: StorageSettings) => new VolumeProbe({ requireMounts: s.requireMounts }) },
        {
          provide: EbsStore,
          inject: [STORAGE_SETTINGS],
          useFactory: (s: StorageSettings) =>
            new EbsStore(s.ebsPath, s.accessLogMaxBytes, { entriesMaxBytes: s.entriesMaxBytes, accessLogMaxFiles: s.accessLogMaxFiles }),
        },
        {
          provide: EFS_STORE,
          inject: [STORAGE_SETTINGS],
          useFactory: (s: StorageSettings) => (s.efsPath ? new EfsStore(s.efsPath, { maxFiles: s.efsMaxFiles }) : null),
        },
        {
          provide: VolumeConfigSource,
          inject: [KUBE, AWS, CONFIG, IDENTITY, LOGGER],
          useFactory: (access: KubeAccessResult, aws: ReturnType<typeof createAws>, config: StorageConfig, identity: Identity, logger: Logger) =>
            new VolumeConfigSource({
              access,
              pod: config.POD_NAME ? { name: config.POD_NAME, namespace: identity.namespace } : null,
              aws: aws.clients,
              kubeCacheTtlMs: KUBE_CACHE_TTL_MS,
              awsCacheTtlMs: config.AWS_CACHE_TTL_SECONDS * 1000,
              deadlineMs: config.SECTION_DEADLINE_MS,
              logger,
            }),
        },
        {
          provide: S3_RUNTIME,
          inject: [CONFIG, AWS, LOGGER],
          useFactory: (config: StorageConfig, aws: ReturnType<typeof createAws>, logger: Logger) => createS3Runtime(config, aws, logger),
        },
        VolumeGuard,
        EbsService,
        EfsService,
        S3Service,
        OverviewService,
        ReportClock,
        ReportService,
        StorageLifecycle,
      ],
    };
  }
}
