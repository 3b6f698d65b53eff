import type { S3ActionStatus } from '@eks-info/contracts';

/** The IAM actions the storage service uses, and why: shown on /storage and /s3. */
export const S3_ACTIONS: Array<{ action: string; purpose: string; on: 'bucket' | 'objects' | 'none' }> = [
  { action: 's3:ListBucket', purpose: 'list uploads and reports (under the app prefix)', on: 'bucket' },
  { action: 's3:PutObject', purpose: 'upload text, files and reports', on: 'objects' },
  { action: 's3:GetObject', purpose: 'view and download objects', on: 'objects' },
  { action: 's3:DeleteObject', purpose: 'delete objects', on: 'objects' },
  { action: 's3:GetEncryptionConfiguration', purpose: 'show default encryption', on: 'bucket' },
  { action: 's3:GetBucketVersioning', purpose: 'show versioning', on: 'bucket' },
  { action: 's3:GetBucketPublicAccessBlock', purpose: 'show the public access block', on: 'bucket' },
  { action: 'sts:GetCallerIdentity', purpose: 'show who the pod is to AWS (needs no grant)', on: 'none' },
];

/**
 * What happened the last time this pod used each action. IAM cannot be asked "may I?" without
 * extra permissions, so the page shows what the calls themselves answered.
 */
export class PermissionLedger {
  private readonly seen = new Map<string, { outcome: S3ActionStatus['outcome']; at: string }>();

  constructor(
    private readonly bucket: string,
    private readonly prefix: string,
  ) {}

  record(action: string, outcome: 'allowed' | 'denied' | 'failed'): void {
    this.seen.set(action, { outcome, at: new Date().toISOString() });
  }

  statuses(): S3ActionStatus[] {
    return S3_ACTIONS.map(({ action, purpose, on }) => {
      const seen = this.seen.get(action);
      const resource = on === 'bucket' ? `arn:aws:s3:::${this.bucket}` : on === 'objects' ? `arn:aws:s3:::${this.bucket}/${this.prefix}*` : '*';
      return { action, purpose, resource, outcome: seen?.outcome ?? 'not-tried', at: seen?.at ?? null };
    });
  }
}
