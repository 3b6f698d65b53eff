import type { Section } from '../../common/section';

/** statfs of a mounted file system. */
export interface VolumeUsage {
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
  /** Used share of the space available to the app (used / (used + available)), 0–100. */
  usedPercent: number;
}

/** One line of /proc/self/mountinfo worth showing (no pseudo file systems). */
export interface MountEntry {
  mountPoint: string;
  fsType: string;
  /** Device or remote (e.g. `/dev/nvme1n1`, `fs-0123.efs.eu-west-1.amazonaws.com:/`). */
  source: string;
  readOnly: boolean;
  usage: VolumeUsage | null;
  /** Which demo volume this is, when it holds EBS_PATH or EFS_PATH. */
  role: 'ebs' | 'efs' | null;
}

/**
 * Whether a configured path is the volume it should be. An empty directory on the root file
 * system is not a mounted volume: only `mounted` is ready, except in local mode where a plain
 * directory is accepted and the page says so.
 */
export interface VolumeStatus {
  path: string;
  state: 'mounted' | 'plain-directory' | 'wrong-type' | 'missing' | 'not-writable';
  ready: boolean;
  /** Type, mount point and source of the mount that holds the path. */
  fsType: string | null;
  mountPoint: string | null;
  source: string | null;
  expectedTypes: string[];
  /** A plain directory is accepted (REQUIRE_MOUNTS=false, `npm start`). */
  localMode: boolean;
  message: string;
  usage: VolumeUsage | null;
}

/** The PersistentVolumeClaim and PersistentVolume behind a mount, from the Kubernetes API. */
export interface ClaimInfo {
  claimName: string;
  namespace: string;
  phase: string | null;
  storageClass: string | null;
  accessModes: string[];
  requested: string | null;
  capacity: string | null;
  volumeName: string | null;
  /** CSI driver, e.g. ebs.csi.aws.com or efs.csi.aws.com. */
  driver: string | null;
  volumeHandle: string | null;
  fsType: string | null;
  reclaimPolicy: string | null;
  /** Zone from the PV's node affinity (EBS volumes live in one AZ). */
  zone: string | null;
}

export interface EbsVolumeDetails {
  volumeId: string;
  type: string | null;
  sizeGiB: number | null;
  iops: number | null;
  throughputMiBps: number | null;
  encrypted: boolean | null;
  state: string | null;
  availabilityZone: string | null;
  attachedTo: string[];
}

export interface EbsConfig extends ClaimInfo {
  /** vol-… from the CSI volume handle. */
  volumeId: string | null;
  /** ec2:DescribeVolumes, when allowed. */
  aws: Section<EbsVolumeDetails>;
}

export interface EfsFileSystemDetails {
  fileSystemId: string;
  name: string | null;
  performanceMode: string | null;
  throughputMode: string | null;
  encrypted: boolean | null;
  lifeCycleState: string | null;
  sizeBytes: number | null;
  /** Root directory and POSIX user of the access point, when there is one. */
  accessPointPath: string | null;
  accessPointUser: string | null;
}

export interface EfsConfig extends ClaimInfo {
  /** fs-… and fsap-… from the CSI volume handle `fs-…::fsap-…` (or `fs-…:/path`). */
  fileSystemId: string | null;
  accessPointId: string | null;
  subPath: string | null;
  /** elasticfilesystem:DescribeFileSystems / DescribeAccessPoints, when allowed. */
  aws: Section<EfsFileSystemDetails>;
}

/** How far a demo store may grow, for the page: beyond a bound the oldest go first. */
export interface StoreBound {
  /** Most entries, files or objects kept; null = no count bound. */
  maxItems: number | null;
  /** Most bytes kept; null = no size bound. */
  maxBytes: number | null;
  /** Usage when last measured; null when this pod has not measured it yet. */
  items: number | null;
  bytes: number | null;
  /** Removed (oldest first) to stay within the bound since this pod started. */
  removedSinceStart: number;
  /** The policy in words. */
  policy: string;
}
