import { z } from 'zod';
import { sectionOf } from '../../common/section';
import { Served } from '../../common/served-by';
import { Simulated } from '../../environment/simulation';
import { S3Config } from './s3.dto';
import { EbsConfig, EfsConfig, MountEntry, VolumeStatus } from './volume.dto';

export const EbsOverview = z.object({
  volume: VolumeStatus,
  config: sectionOf(EbsConfig),
});
export type EbsOverview = z.output<typeof EbsOverview>;

export const EfsOverview = z.object({
  volume: VolumeStatus,
  config: sectionOf(EfsConfig),
});
export type EfsOverview = z.output<typeof EfsOverview>;

/** `/storage`: the mounts of the answering pod and the configuration of the three demos. */
export const StorageOverview = z.object({
  ...Served.shape,
  mounts: sectionOf(z.array(MountEntry)),
  ebs: sectionOf(EbsOverview),
  efs: sectionOf(EfsOverview),
  s3: sectionOf(S3Config),
  collectedAt: z.string(),
  /** `npm run demo`: the claims come from the simulated cluster, the volumes' details from moto. */
  simulated: Simulated.optional(),
});
export type StorageOverview = z.output<typeof StorageOverview>;
