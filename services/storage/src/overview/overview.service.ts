import { Inject, Injectable } from '@nestjs/common';
import {
  type EbsOverview,
  type EfsOverview,
  type Section,
  type StorageOverview,
  StorageErrors,
  ok,
  simulatedLabels,
  simulatedSources,
  unavailable,
  withDemoHint,
} from '@eks-info/contracts';
import { CONFIG } from '@eks-info/platform';
import { VolumeGuard } from '../mounts/volume-guard';
import { S3Service } from '../s3/s3.service';
import type { StorageConfig } from '../storage.config';
import { STORAGE_SETTINGS, type StorageSettings } from '../storage.tokens';
import { VolumeConfigSource } from '../volumes/volume-config.source';

/** `/storage`: this pod's mounts and the configuration behind each demo, each part on its own. */
@Injectable()
export class OverviewService {
  /** `npm run demo`: the claims come from its simulated cluster, the volumes' details from moto. */
  private readonly sources: ReturnType<typeof simulatedSources>;

  constructor(
    private readonly guard: VolumeGuard,
    private readonly volumes: VolumeConfigSource,
    private readonly s3: S3Service,
    @Inject(STORAGE_SETTINGS) private readonly settings: StorageSettings,
    @Inject(CONFIG) config: StorageConfig,
  ) {
    this.sources = simulatedSources(config.SIMULATED_SOURCES);
  }

  async overview(): Promise<Omit<StorageOverview, 'servedBy'>> {
    const [mounts, ebs, efs, s3] = await Promise.all([
      this.guard.probe
        .list(this.guard.specs())
        .then((list) => ok(list, list.length ? undefined : 'No mount information here (/proc/self/mountinfo is missing).')),
      this.ebs(),
      this.efs(),
      this.s3.config(),
    ]);
    const simulated = simulatedLabels(this.sources, 'kubernetes', 'aws');
    return { mounts, ebs, efs, s3, collectedAt: new Date().toISOString(), ...(simulated ? { simulated } : {}) };
  }

  private async ebs(): Promise<Section<EbsOverview>> {
    const [volume, config] = await Promise.all([this.guard.check('ebs'), this.volumes.ebs(this.settings.ebsPath)]);
    return ok({ volume, config: this.hinted(config) });
  }

  private async efs(): Promise<Section<EfsOverview>> {
    if (!this.settings.efsPath) {
      return unavailable({
        code: StorageErrors.NOT_CONFIGURED.code,
        message: 'No EFS volume is configured here (EFS_PATH is not set).',
        fix: 'Mount the shared EFS claim and set EFS_PATH (the chart does with storage.efs.enabled).',
      });
    }
    const [volume, config] = await Promise.all([this.guard.check('efs'), this.volumes.efs(this.settings.efsPath)]);
    return ok({ volume, config: this.hinted(config) });
  }

  /** A claim that is not here says how the demo shows it; so do the AWS details of one that is. */
  private hinted<C extends { aws: Section<unknown> }>(config: Section<C>): Section<C> {
    if (config.status !== 'ok') return withDemoHint(config, 'kubernetes', this.sources);
    const aws = withDemoHint(config.data.aws, 'aws', this.sources);
    return aws === config.data.aws ? config : { ...config, data: { ...config.data, aws } };
  }
}
