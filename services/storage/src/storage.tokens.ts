import type { S3AccessMethod } from '@eks-info/contracts';
import type { AwsClients } from '@eks-info/aws';
import type { LocalS3Server } from './s3/local-s3.server';
import type { S3Store } from './s3/s3-store';

/** The storage configuration, resolved once (absolute paths, parsed lists, milliseconds). */
export interface StorageSettings {
  ebsPath: string;
  efsPath: string | null;
  ebsTypes: string[];
  efsTypes: string[];
  requireMounts: boolean;
  textLimitBytes: number;
  uploadLimitBytes: number;
  accessLogMaxBytes: number;
  accessLogMaxFiles: number;
  retentionDays: number;
  /** Bounds of the stores users write to (oldest removed first). */
  entriesMaxBytes: number;
  efsMaxFiles: number;
  s3MaxObjects: number;
  s3MaxBytes: number;
  reportIntervalMs: number;
  deadlineMs: number;
  s3Prefix: string;
}

/** S3 as this pod reaches it, or why it does not. */
export type S3Runtime =
  | { configured: true; store: S3Store; access: S3AccessMethod; clients: AwsClients; local: LocalS3Server | null; region: string | null }
  | { configured: false; reason: string; fix: string };

export const STORAGE_SETTINGS = Symbol('STORAGE_SETTINGS');
export const S3_RUNTIME = Symbol('S3_RUNTIME');
/** The EfsStore, or null when EFS_PATH is not set. */
export const EFS_STORE = Symbol('EFS_STORE');
