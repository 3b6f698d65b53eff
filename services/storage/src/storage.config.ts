import path from 'node:path';
import { awsConfigSpec } from '@eks-info/aws';
import { kubeConfigSpec } from '@eks-info/kube';
import { v, type CommonConfig, type ConfigOf } from '@eks-info/platform';

const FS_TYPES = /^(\*|[a-z0-9.]+(,[a-z0-9.]+)*)$/;

/** Variables only the storage service reads. */
export const storageOwnConfig = {
  SIMULATED_SOURCES: v.string({
    description:
      'Sources `npm run demo` simulates, comma-separated: kubernetes (the fake API server), imds (the EC2 metadata mock), aws (moto). Sections fed by them are labelled "simulated"; set by the demo, unset anywhere else',
    optional: true,
    pattern: /^(kubernetes|imds|aws)(,(kubernetes|imds|aws))*$/,
    hint: 'must be a comma-separated list of kubernetes, imds and aws',
  }),
  EBS_PATH: v.string({ description: "Mount path of this pod's own EBS volume: entries, the access log and the start-up records", default: '/data/ebs' }),
  EBS_FS_TYPES: v.string({
    description: 'File system types EBS_PATH must be mounted with to be ready, comma-separated (`*` = any mount)',
    default: 'ext4,xfs',
    pattern: FS_TYPES,
    hint: 'must be comma-separated file system types such as ext4,xfs, or *',
  }),
  EFS_PATH: v.string({ description: 'Mount path of the EFS volume all storage pods share; unset = the EFS demo says it is not configured', optional: true }),
  EFS_FS_TYPES: v.string({
    description: 'File system types EFS_PATH must be mounted with to be ready, comma-separated (`*` = any mount)',
    default: 'nfs4,nfs',
    pattern: FS_TYPES,
    hint: 'must be comma-separated file system types such as nfs4, or *',
  }),
  REQUIRE_MOUNTS: v.bool({
    description:
      'Ready only when EBS_PATH and EFS_PATH are mount points of the expected types (an empty directory is not a volume); false accepts a plain directory and the pages say so (`npm start`)',
    default: 'true',
  }),
  TEXT_LIMIT_BYTES: v.int({ description: 'Largest text a user may write to EBS, EFS or S3 (413 beyond)', default: '65536', min: 16, max: 1024 * 1024 }),
  UPLOAD_LIMIT_BYTES: v.int({ description: 'Largest file upload accepted (413 beyond)', default: String(10 * 1024 * 1024), min: 1024 }),
  ACCESS_LOG_MAX_BYTES: v.int({ description: 'Size at which the access log on the EBS volume is rotated', default: String(10 * 1024 * 1024), min: 4096 }),
  ACCESS_LOG_RETENTION_DAYS: v.int({
    description: 'Rotated access logs older than this many days are deleted (hourly, and by the cleanup button)',
    default: '7',
    min: 0,
    max: 3650,
  }),
  ACCESS_LOG_MAX_FILES: v.int({
    description:
      'Rotated access logs kept on the EBS volume; at each rotation the oldest beyond this are deleted, whatever their age (bounds the log at about (this + 1) × ACCESS_LOG_MAX_BYTES)',
    default: '20',
    min: 1,
    max: 10000,
  }),
  EBS_ENTRIES_MAX_BYTES: v.int({
    description:
      'Largest size of the entries file on the EBS volume; an entry that would pass it first drops the oldest entries (down to three quarters of it)',
    default: String(4 * 1024 * 1024),
    min: 256 * 1024,
  }),
  EFS_MAX_FILES: v.int({
    description: 'Shared files kept on the EFS volume (each at most TEXT_LIMIT_BYTES); a write beyond deletes the oldest, whichever pod wrote them',
    default: '1000',
    min: 10,
    max: 1000000,
  }),
  S3_MAX_OBJECTS: v.int({
    description: 'Uploads kept under <prefix>uploads/; after an upload the oldest beyond this are deleted',
    default: '1000',
    min: 10,
    max: 1000000,
  }),
  S3_MAX_BYTES: v.int({
    description: 'Total size of the uploads kept under <prefix>uploads/; after an upload the oldest are deleted until they fit',
    default: String(1024 * 1024 * 1024),
    min: 1024 * 1024,
  }),
  S3_BUCKET: v.string({
    description: 'Bucket of the S3 demo and the statistics reports; unset = the S3 demo says it is not configured (or uses the local S3 of S3_LOCAL_DIR)',
    optional: true,
    pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    hint: 'must be an S3 bucket name (3-63 lower-case letters, digits, dots and hyphens)',
  }),
  S3_PREFIX: v.string({
    description: 'Key prefix every object of the app lives under (the IAM policy is scoped to it); uploads go to <prefix>uploads/, reports to <prefix>reports/',
    default: 'eks-info/',
    pattern: /^(?!.*\.\.)[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/$/,
    hint: 'must be path segments of letters, digits, . _ - ending with /',
  }),
  S3_LOCAL_DIR: v.string({
    description:
      'Without S3_BUCKET: start an embedded S3-compatible server (s3rver) on loopback keeping its data in this directory, labelled "local S3" (the `npm start` default)',
    optional: true,
  }),
  REPORT_INTERVAL_SECONDS: v.int({
    description: 'Interval of the access-statistics report one storage pod uploads to S3',
    default: '1800',
    min: 5,
    max: 86400,
  }),
  SECTION_DEADLINE_MS: v.int({
    description: 'Longest a page section waits for its source before showing "did not answer" (the answer is cached when it arrives)',
    default: '3000',
    min: 100,
    max: 60000,
  }),
};

const { KUBE_MODE, KUBECONFIG } = kubeConfigSpec;

/** Everything the storage service validates at start-up (on top of the common variables). */
export const storageConfig = { KUBE_MODE, KUBECONFIG, ...awsConfigSpec, ...storageOwnConfig };

/**
 * Defaults that differ in `npm start` (one process, data under ./.data, or under DATA_DIR when a
 * test gives the app its own directory): plain directories instead of volumes, and a local S3.
 */
const dataDir = process.env.DATA_DIR || '.data';
export const storageLocalDefaults: Record<string, string> = {
  EBS_PATH: path.join(dataDir, 'ebs'),
  EFS_PATH: path.join(dataDir, 'efs'),
  S3_LOCAL_DIR: path.join(dataDir, 's3'),
  REQUIRE_MOUNTS: 'false',
};

/** The validated configuration of this component: its own variables and the common ones. */
export type StorageConfig = ConfigOf<typeof storageConfig> & CommonConfig;
