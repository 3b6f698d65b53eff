import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { Logger } from 'pino';
import {
  AwsErrors,
  CommonErrors,
  type CallerIdentity,
  type ErrorBody,
  type S3BucketSettings,
  type S3ObjectSummary,
  type Section,
  type StoreBound,
  StorageErrors,
  failed,
  lookupError,
  ok,
  unavailable,
} from '@eks-info/contracts';
import { awsErrorLogFields, deadlineBody, describeAwsError } from '@eks-info/aws';
import { DomainException, LogOnce, TtlCache, withDeadline } from '@eks-info/platform';
import { callerIdentity } from './access-method';
import { PermissionLedger } from './permission-ledger';

export interface S3StoreOptions {
  s3: S3Client;
  /** Absent where STS is not AWS's (local S3, MinIO): no identity is asked for. */
  sts?: STSClient;
  bucket: string;
  prefix: string;
  /** The embedded server of local mode. */
  local: boolean;
  endpoint: string | null;
  cacheTtlMs: number;
  deadlineMs: number;
  /** Larger objects are not fetched through the bus (download them with the AWS CLI). */
  readLimitBytes: number;
  /**
   * Time one request over the bus may spend on S3, all its calls together (the clients' call
   * deadline, below RPC_TIMEOUT_MS): a delete's HeadObject and DeleteObject share it. Default:
   * no budget beyond each call's own deadline.
   */
  operationDeadlineMs?: number;
  logger: Logger;
}

/** The policy of the uploads, in words (the page shows it). */
export const UPLOADS_POLICY = 'After each upload the oldest uploads beyond the count or the total size are deleted; keys sort by time.';

/** Most listing pages one prune reads (1,000 keys each). */
const MAX_PRUNE_PAGES = 100;

export interface StoredObject {
  key: string;
  size: number;
  contentType: string;
  lastModified: string | null;
  metadata: Record<string, string>;
  body: Buffer;
}

/** Errors S3 answers when a bucket simply has no such configuration (not a failure). */
const NO_CONFIG = new Set(['ServerSideEncryptionConfigurationNotFoundError', 'NoSuchPublicAccessBlockConfiguration']);

function awsName(err: unknown): string {
  const e = err as { name?: string; Code?: string };
  return e?.Code ?? e?.name ?? 'Error';
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/**
 * The app's S3 operations on one bucket, all under one key prefix. Every call is recorded in the
 * permission ledger (what IAM answered) and every failure becomes an error body that names the
 * IAM action and the resource; details go to the log, once per kind per minute. Bucket settings
 * and the caller identity are cached (single-flight); object listings are not, they are the demo.
 */
export class S3Store {
  readonly ledger: PermissionLedger;
  readonly uploadsPrefix: string;
  readonly reportsPrefix: string;
  private readonly cache: TtlCache<unknown>;
  private readonly logOnce: LogOnce;
  private uploads: { items: number; bytes: number } | null = null;
  private uploadsRemoved = 0;
  private pruning?: Promise<void>;
  private pruneAgain = false;

  constructor(readonly options: S3StoreOptions) {
    this.ledger = new PermissionLedger(options.bucket, options.prefix);
    this.uploadsPrefix = `${options.prefix}uploads/`;
    this.reportsPrefix = `${options.prefix}reports/`;
    this.cache = new TtlCache({ ttlMs: options.cacheTtlMs, errorTtlMs: Math.min(options.cacheTtlMs, 30_000) });
    this.logOnce = new LogOnce(options.logger, 60_000);
  }

  get bucket(): string {
    return this.options.bucket;
  }

  objectArn(key: string): string {
    return `arn:aws:s3:::${this.options.bucket}/${key}`;
  }

  get bucketArn(): string {
    return `arn:aws:s3:::${this.options.bucket}`;
  }

  async identity(): Promise<Section<CallerIdentity>> {
    const { sts } = this.options;
    if (!sts) {
      return unavailable({
        code: AwsErrors.NOT_CONFIGURED.code,
        message: this.options.local
          ? 'Local S3 has no AWS identity.'
          : `The S3 endpoint is ${this.options.endpoint}, not AWS: there is no STS identity to show.`,
      });
    }
    const work = this.cache.get('identity', async () => {
      const answer = await this.track('sts:GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({})));
      return callerIdentity(answer);
    }) as Promise<CallerIdentity>;
    return withDeadline(
      work.then(
        (id) => ok(id),
        (err: unknown) => failed<CallerIdentity>(this.describe(err, 'sts:GetCallerIdentity', '*')),
      ),
      this.options.deadlineMs,
      () => failed<CallerIdentity>(deadlineBody('sts:GetCallerIdentity', this.options.deadlineMs)),
    );
  }

  /** Default encryption, versioning and public access block: three calls, three sections. */
  async settings(): Promise<S3BucketSettings> {
    const { s3, bucket } = this.options;
    const setting = <T>(action: string, load: () => Promise<T>, absent: () => T): Promise<Section<T>> => {
      const work = (
        this.cache.get(`setting:${action}`, () =>
          this.track(action, load).catch((err: unknown) => {
            if (NO_CONFIG.has(awsName(err))) return absent();
            throw err;
          }),
        ) as Promise<T>
      ).then(
        (value) => ok(value),
        (err: unknown) => {
          if (awsName(err) === 'NotImplemented') {
            return unavailable<T>({
              code: AwsErrors.NOT_CONFIGURED.code,
              message: `The ${this.options.local ? 'local S3 server' : 'S3 endpoint'} does not implement this setting.`,
            });
          }
          return failed<T>(this.describe(err, action, this.bucketArn));
        },
      );
      return withDeadline(work, this.options.deadlineMs, () => failed<T>(deadlineBody(action, this.options.deadlineMs)));
    };
    const [encryption, versioning, publicAccessBlock] = await Promise.all([
      setting(
        's3:GetEncryptionConfiguration',
        async () => {
          const out = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
          const rule = out.ServerSideEncryptionConfiguration?.Rules?.[0];
          return {
            algorithm: rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? 'none',
            kmsKeyId: rule?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID ?? null,
            bucketKeyEnabled: rule?.BucketKeyEnabled ?? null,
          };
        },
        () => ({ algorithm: 'none', kmsKeyId: null, bucketKeyEnabled: null }),
      ),
      setting(
        's3:GetBucketVersioning',
        async () => {
          const out = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
          return { status: out.Status ?? 'Disabled (never enabled)', mfaDelete: out.MFADelete ?? null };
        },
        () => ({ status: 'Disabled (never enabled)', mfaDelete: null }),
      ),
      setting(
        's3:GetBucketPublicAccessBlock',
        async () => {
          const out = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
          const c = out.PublicAccessBlockConfiguration ?? {};
          return {
            blockPublicAcls: !!c.BlockPublicAcls,
            ignorePublicAcls: !!c.IgnorePublicAcls,
            blockPublicPolicy: !!c.BlockPublicPolicy,
            restrictPublicBuckets: !!c.RestrictPublicBuckets,
          };
        },
        () => ({ blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: false }),
      ),
    ]);
    return { encryption, versioning, publicAccessBlock };
  }

  /**
   * One page of keys under `prefix`, ascending, after `after` (the last key of the previous page).
   * ListObjects (v1) with a marker: the page token is a key the caller can validate, and the local
   * server's v2 continuation tokens use a cipher OpenSSL 3 no longer offers.
   */
  async list(prefix: string, pageSize: number, after?: string): Promise<{ items: S3ObjectSummary[]; next: string | null }> {
    const out = await this.call('s3:ListBucket', this.bucketArn, () =>
      this.options.s3.send(new ListObjectsCommand({ Bucket: this.options.bucket, Prefix: prefix, MaxKeys: pageSize, ...(after ? { Marker: after } : {}) })),
    );
    const items = (out.Contents ?? []).filter((o) => o.Key).map((o) => this.summary(o.Key!, o.Size ?? 0, o.LastModified));
    const next = out.IsTruncated ? (out.NextMarker ?? items.at(-1)?.key ?? null) : null;
    return { items, next };
  }

  /** A budget for the calls of one request over the bus: pass it to each of them. */
  budget(): AbortSignal | undefined {
    return this.options.operationDeadlineMs ? AbortSignal.timeout(this.options.operationDeadlineMs) : undefined;
  }

  async put(
    key: string,
    body: Buffer,
    contentType: string,
    metadata: Record<string, string>,
    options: { ifNoneMatch?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    await this.call('s3:PutObject', this.objectArn(key), () =>
      this.options.s3.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ContentLength: body.length,
          Metadata: metadata,
          ...(options.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
        }),
        { abortSignal: options.signal },
      ),
    );
  }

  /** The whole object; larger than the read limit = 413 without reading (the body is destroyed). */
  async get(key: string): Promise<StoredObject> {
    const out = await this.call('s3:GetObject', this.objectArn(key), () =>
      this.options.s3.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key })),
    );
    const body = out.Body as (Readable & { transformToByteArray(): Promise<Uint8Array> }) | undefined;
    const size = out.ContentLength ?? 0;
    if (size > this.options.readLimitBytes) {
      // An unread body keeps its socket busy until the server gives up: release it now (the
      // stream then reports "aborted", which is the intent, not a failure).
      body?.once('error', () => undefined);
      body?.destroy();
      throw new DomainException(StorageErrors.TOO_LARGE, `${key} is ${size} bytes; objects up to ${this.options.readLimitBytes} bytes are shown here.`, {
        fix: `Download it with the AWS CLI: aws s3 cp s3://${this.options.bucket}/${key} .`,
      });
    }
    const bytes = body ? Buffer.from(await body.transformToByteArray()) : Buffer.alloc(0);
    return {
      key,
      size: bytes.length,
      contentType: out.ContentType ?? 'application/octet-stream',
      lastModified: out.LastModified?.toISOString() ?? null,
      metadata: out.Metadata ?? {},
      body: bytes,
    };
  }

  /** HeadObject: whether the key exists (needs s3:GetObject; no body, nothing to release). */
  async exists(key: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.call('s3:GetObject', this.objectArn(key), () =>
        this.options.s3.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }), { abortSignal: signal }),
      );
      return true;
    } catch (err) {
      if (err instanceof DomainException && err.body.code === StorageErrors.NOT_FOUND.code) return false;
      throw err;
    }
  }

  async delete(key: string, signal?: AbortSignal): Promise<void> {
    await this.call('s3:DeleteObject', this.objectArn(key), () =>
      this.options.s3.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }), { abortSignal: signal }),
    );
  }

  /** The bound of the uploads and their usage as the last prune measured it. */
  uploadsBound(maxItems: number, maxBytes: number): StoreBound {
    return {
      maxItems,
      maxBytes,
      items: this.uploads?.items ?? null,
      bytes: this.uploads?.bytes ?? null,
      removedSinceStart: this.uploadsRemoved,
      policy: UPLOADS_POLICY,
    };
  }

  /**
   * Deletes the oldest uploads until at most `maxItems` and `maxBytes` remain. A call while a
   * pass runs gets one more pass after it (an upload that landed during the listing counts).
   * Each call to S3 has its own deadline; a pass reads at most {@link MAX_PRUNE_PAGES} pages.
   */
  pruneUploads(maxItems: number, maxBytes: number): Promise<void> {
    if (this.pruning) {
      this.pruneAgain = true;
      return this.pruning;
    }
    this.pruning = (async () => {
      try {
        do {
          this.pruneAgain = false;
          await this.prunePass(maxItems, maxBytes);
        } while (this.pruneAgain);
      } finally {
        this.pruning = undefined;
      }
    })();
    return this.pruning;
  }

  private async prunePass(maxItems: number, maxBytes: number): Promise<void> {
    const all: S3ObjectSummary[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_PRUNE_PAGES; page++) {
      const out = await this.list(this.uploadsPrefix, 1000, after);
      all.push(...out.items);
      if (!out.next) break;
      after = out.next;
    }
    let items = all.length;
    let bytes = all.reduce((n, o) => n + o.size, 0);
    // Keys are upload_<yyyymmdd_hhmmss>_<random>: ascending is oldest first.
    for (const o of all) {
      if (items <= maxItems && bytes <= maxBytes) break;
      await this.delete(o.key);
      items--;
      bytes -= o.size;
      this.uploadsRemoved++;
    }
    this.uploads = { items, bytes };
  }

  summary(key: string, size: number, lastModified: Date | undefined): S3ObjectSummary {
    return { key, name: key.slice(key.lastIndexOf('/') + 1), size, lastModified: lastModified?.toISOString() ?? null };
  }

  /** The error body of a failed call: the IAM action and resource for AccessDenied. */
  describe(err: unknown, action: string, resource: string): ErrorBody {
    if (err instanceof DomainException) return err.body;
    const name = awsName(err);
    if (name === 'NoSuchBucket') {
      return {
        code: StorageErrors.NOT_CONFIGURED.code,
        message: `The bucket ${this.options.bucket} does not exist.`,
        fix: 'Set S3_BUCKET to an existing bucket (the Terraform output s3_bucket, or storage.s3.bucket in the chart).',
      };
    }
    return describeAwsError(err, action, resource);
  }

  /** A call whose failure becomes the caller's error: NoSuchKey → 404, exists → 409, AWS → its code. */
  private async call<T>(action: string, resource: string, run: () => Promise<T>): Promise<T> {
    try {
      return await this.track(action, run);
    } catch (err) {
      const name = awsName(err);
      if (name === 'NoSuchKey' || (name === 'NotFound' && action !== 's3:ListBucket')) {
        throw new DomainException(StorageErrors.NOT_FOUND, `No object ${resource.replace(/^arn:aws:s3:::[^/]+\//, '')} in ${this.options.bucket}.`);
      }
      if (name === 'PreconditionFailed' || statusOf(err) === 412) {
        throw new DomainException(StorageErrors.ALREADY_DONE, `${resource} already exists.`);
      }
      const body = this.describe(err, action, resource);
      throw new DomainException(lookupError(body.code) ?? CommonErrors.INTERNAL, body.message, { details: body.details, fix: body.fix });
    }
  }

  /** Records what IAM answered and logs failures with AWS's detail (once per kind per minute). */
  private async track<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      const out = await run();
      this.ledger.record(action, 'allowed');
      return out;
    } catch (err) {
      const name = awsName(err);
      const denied = ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'].includes(name);
      // A server that does not implement the call says nothing about permissions.
      if (name === 'NotImplemented') throw err;
      const harmless = NO_CONFIG.has(name) || ['NoSuchKey', 'NotFound', 'PreconditionFailed'].includes(name) || statusOf(err) === 412;
      this.ledger.record(action, denied ? 'denied' : harmless ? 'allowed' : 'failed');
      if (!harmless) {
        this.logOnce.warn(
          `s3:${action}:${name}`,
          { action, bucket: this.options.bucket, ...awsErrorLogFields(err) },
          denied ? `missing permission ${action}` : `${action} failed`,
        );
      }
      throw err;
    }
  }
}
