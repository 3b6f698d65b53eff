import { z } from 'zod';
import { sectionOf } from '../../common/section';

/** statfs of a mounted file system. */
export const VolumeUsage = z.object({
  totalBytes: z.number(),
  usedBytes: z.number(),
  availableBytes: z.number(),
  /** Used share of the space available to the app (used / (used + available)), 0–100. */
  usedPercent: z.number(),
});
export type VolumeUsage = z.output<typeof VolumeUsage>;

/** One line of /proc/self/mountinfo worth showing (no pseudo file systems). */
export const MountEntry = z.object({
  mountPoint: z.string(),
  fsType: z.string(),
  /** Device or remote (e.g. `/dev/nvme1n1`, `fs-0123.efs.eu-west-1.amazonaws.com:/`). */
  source: z.string(),
  readOnly: z.boolean(),
  usage: VolumeUsage.nullable(),
  /** Which demo volume this is, when it holds EBS_PATH or EFS_PATH. */
  role: z.enum(['ebs', 'efs']).nullable(),
});
export type MountEntry = z.output<typeof MountEntry>;

/**
 * Whether a configured path is the volume it should be. An empty directory on the root file
 * system is not a mounted volume: only `mounted` is ready, except in local mode where a plain
 * directory is accepted and the page says so.
 */
export const VolumeStatus = z.object({
  path: z.string(),
  state: z.enum(['mounted', 'plain-directory', 'wrong-type', 'missing', 'not-writable']),
  ready: z.boolean(),
  /** Type, mount point and source of the mount that holds the path. */
  fsType: z.string().nullable(),
  mountPoint: z.string().nullable(),
  source: z.string().nullable(),
  expectedTypes: z.array(z.string()),
  /** A plain directory is accepted (REQUIRE_MOUNTS=false, `npm start`). */
  localMode: z.boolean(),
  message: z.string(),
  usage: VolumeUsage.nullable(),
});
export type VolumeStatus = z.output<typeof VolumeStatus>;

/** The PersistentVolumeClaim and PersistentVolume behind a mount, from the Kubernetes API. */
export const ClaimInfo = z.object({
  claimName: z.string(),
  namespace: z.string(),
  phase: z.string().nullable(),
  storageClass: z.string().nullable(),
  accessModes: z.array(z.string()),
  requested: z.string().nullable(),
  capacity: z.string().nullable(),
  volumeName: z.string().nullable(),
  /** CSI driver, e.g. ebs.csi.aws.com or efs.csi.aws.com. */
  driver: z.string().nullable(),
  volumeHandle: z.string().nullable(),
  fsType: z.string().nullable(),
  reclaimPolicy: z.string().nullable(),
  /** Zone from the PV's node affinity (EBS volumes live in one AZ). */
  zone: z.string().nullable(),
});
export type ClaimInfo = z.output<typeof ClaimInfo>;

export const EbsVolumeDetails = z.object({
  volumeId: z.string(),
  type: z.string().nullable(),
  sizeGiB: z.number().nullable(),
  iops: z.number().nullable(),
  throughputMiBps: z.number().nullable(),
  encrypted: z.boolean().nullable(),
  state: z.string().nullable(),
  availabilityZone: z.string().nullable(),
  attachedTo: z.array(z.string()),
});
export type EbsVolumeDetails = z.output<typeof EbsVolumeDetails>;

export const EbsConfig = z.object({
  ...ClaimInfo.shape,
  /** vol-… from the CSI volume handle. */
  volumeId: z.string().nullable(),
  /** ec2:DescribeVolumes, when allowed. */
  aws: sectionOf(EbsVolumeDetails),
});
export type EbsConfig = z.output<typeof EbsConfig>;

export const EfsFileSystemDetails = z.object({
  fileSystemId: z.string(),
  name: z.string().nullable(),
  performanceMode: z.string().nullable(),
  throughputMode: z.string().nullable(),
  encrypted: z.boolean().nullable(),
  lifeCycleState: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  /** Root directory and POSIX user of the access point, when there is one. */
  accessPointPath: z.string().nullable(),
  accessPointUser: z.string().nullable(),
});
export type EfsFileSystemDetails = z.output<typeof EfsFileSystemDetails>;

export const EfsConfig = z.object({
  ...ClaimInfo.shape,
  /** fs-… and fsap-… from the CSI volume handle `fs-…::fsap-…` (or `fs-…:/path`). */
  fileSystemId: z.string().nullable(),
  accessPointId: z.string().nullable(),
  subPath: z.string().nullable(),
  /** elasticfilesystem:DescribeFileSystems / DescribeAccessPoints, when allowed. */
  aws: sectionOf(EfsFileSystemDetails),
});
export type EfsConfig = z.output<typeof EfsConfig>;

/** How far a demo store may grow, for the page: beyond a bound the oldest go first. */
export const StoreBound = z.object({
  /** Most entries, files or objects kept; null = no count bound. */
  maxItems: z.number().nullable(),
  /** Most bytes kept; null = no size bound. */
  maxBytes: z.number().nullable(),
  /** Usage when last measured; null when this pod has not measured it yet. */
  items: z.number().nullable(),
  bytes: z.number().nullable(),
  /** Removed (oldest first) to stay within the bound since this pod started. */
  removedSinceStart: z.number(),
  /** The policy in words. */
  policy: z.string(),
});
export type StoreBound = z.output<typeof StoreBound>;
