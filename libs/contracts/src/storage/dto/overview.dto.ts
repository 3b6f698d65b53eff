import type { Section } from '../../common/section';
import type { Served } from '../../common/served-by';
import type { S3Config } from './s3.dto';
import type { EbsConfig, EfsConfig, MountEntry, VolumeStatus } from './volume.dto';

export interface EbsOverview {
  volume: VolumeStatus;
  config: Section<EbsConfig>;
}

export interface EfsOverview {
  volume: VolumeStatus;
  config: Section<EfsConfig>;
}

/** `/storage`: the mounts of the answering pod and the configuration of the three demos. */
export interface StorageOverview extends Served {
  mounts: Section<MountEntry[]>;
  ebs: Section<EbsOverview>;
  efs: Section<EfsOverview>;
  s3: Section<S3Config>;
  collectedAt: string;
}
