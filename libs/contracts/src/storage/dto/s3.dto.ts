import { z } from 'zod';
import { optional, userText, wholeNumber, withAliases } from '../../common/schema';
import { safeFileName, safeName } from '../storage.names';
import { idempotent, replayable } from '../../common/idempotency';
import { sectionOf } from '../../common/section';
import { Served } from '../../common/served-by';
import { StoreBound } from './volume.dto';

/** How this pod gets AWS credentials for S3. */
export const S3AccessMethod = z.object({
  method: z.enum(['irsa', 'pod-identity', 'static-keys', 'profile', 'local', 'none']),
  label: z.string(),
  /** The IRSA role (AWS_ROLE_ARN), or the role in the caller identity. */
  roleArn: z.string().nullable(),
  details: z.string(),
});
export type S3AccessMethod = z.output<typeof S3AccessMethod>;

export const CallerIdentity = z.object({
  account: z.string(),
  arn: z.string(),
  userId: z.string(),
  /** The role name when the identity is an assumed role. */
  roleName: z.string().nullable(),
});
export type CallerIdentity = z.output<typeof CallerIdentity>;

/** An IAM action the app needs, and what happened the last time this pod used it. */
export const S3ActionStatus = z.object({
  action: z.string(),
  purpose: z.string(),
  outcome: z.enum(['allowed', 'denied', 'failed', 'not-tried']),
  at: z.string().nullable(),
  resource: z.string(),
});
export type S3ActionStatus = z.output<typeof S3ActionStatus>;

export const S3Config = z.object({
  bucket: z.string(),
  region: z.string().nullable(),
  /** Every key the app writes starts with this. */
  prefix: z.string(),
  /** The embedded S3-compatible server of local mode (no AWS). */
  local: z.boolean(),
  endpoint: z.string().nullable(),
  access: S3AccessMethod,
  identity: sectionOf(CallerIdentity),
  actions: z.array(S3ActionStatus),
});
export type S3Config = z.output<typeof S3Config>;

export const S3ObjectSummary = z.object({
  key: z.string(),
  /** The key without the prefix directories. */
  name: z.string(),
  size: z.number(),
  lastModified: z.string().nullable(),
});
export type S3ObjectSummary = z.output<typeof S3ObjectSummary>;

export const S3BucketSettings = z.object({
  encryption: sectionOf(
    z.object({
      algorithm: z.string(),
      kmsKeyId: z.string().nullable(),
      bucketKeyEnabled: z.boolean().nullable(),
    }),
  ),
  versioning: sectionOf(
    z.object({
      status: z.string(),
      mfaDelete: z.string().nullable(),
    }),
  ),
  publicAccessBlock: sectionOf(
    z.object({
      blockPublicAcls: z.boolean(),
      ignorePublicAcls: z.boolean(),
      blockPublicPolicy: z.boolean(),
      restrictPublicBuckets: z.boolean(),
    }),
  ),
});
export type S3BucketSettings = z.output<typeof S3BucketSettings>;

export const S3ViewRequest = z.object({
  /** Page token from the previous page (the last key shown). */
  after: optional(safeName),
  /** Objects per page (default 25). */
  pageSize: optional(wholeNumber(1, 200)),
});
export type S3ViewRequest = z.output<typeof S3ViewRequest>;

export const S3View = z.object({
  ...Served.shape,
  config: sectionOf(S3Config),
  settings: sectionOf(S3BucketSettings),
  objects: sectionOf(
    z.object({
      items: z.array(S3ObjectSummary),
      prefix: z.string(),
      after: z.string().nullable(),
      next: z.string().nullable(),
      pageSize: z.number(),
      bound: StoreBound,
    }),
  ),
  reports: sectionOf(
    z.object({
      items: z.array(S3ObjectSummary),
      prefix: z.string(),
      intervalSeconds: z.number(),
      nextReportAt: z.string(),
    }),
  ),
});
export type S3View = z.output<typeof S3View>;

/**
 * Text (`content`; `text` is its old name, accepted for one release) or a file (`base64`, with
 * its own name and type): exactly one of the two. A repeated idempotency key gets the first answer.
 */
export const S3UploadRequest = withAliases(
  { text: 'content' },
  z
    .object({
      /** Text content (JSON API and the text form). */
      content: optional(userText),
      /** File content, base64 (the file form). */
      base64: optional(z.string({ error: 'must be a base64 string' }).regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'must be base64' })),
      /** The uploaded file's own name, kept as metadata only (the key is generated). */
      filename: optional(safeFileName),
      /** The browser's idea of the type; only used to decide whether the file is text. */
      contentType: optional(z.string().max(200, { error: 'must be at most 200 characters' })),
      ...idempotent,
    })
    .refine((r) => (r.content === undefined) !== (r.base64 === undefined), {
      error: 'send either content (text) or base64 (a file), not both and not neither',
      path: ['content'],
    }),
);
export type S3UploadRequest = z.output<typeof S3UploadRequest>;

export const S3ObjectRequest = z.object({ key: safeName });
export type S3ObjectRequest = z.output<typeof S3ObjectRequest>;

export const S3ObjectWritten = z.object({
  ...Served.shape,
  object: S3ObjectSummary.extend({
    contentType: z.string(),
    metadata: z.record(z.string(), z.string()),
  }),
  ...replayable,
});
export type S3ObjectWritten = z.output<typeof S3ObjectWritten>;

/**
 * An object's content for display or download. Text (valid UTF-8 without NUL) comes as `text`
 * and is served as text/plain; anything else as `base64` and is served as an attachment.
 */
export const S3ObjectContent = z.object({
  ...Served.shape,
  key: z.string(),
  name: z.string(),
  size: z.number(),
  contentType: z.string(),
  lastModified: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
  isText: z.boolean(),
  text: z.string().nullable(),
  base64: z.string().nullable(),
});
export type S3ObjectContent = z.output<typeof S3ObjectContent>;

export const S3ObjectDeleted = z.object({
  ...Served.shape,
  deleted: z.string(),
});
export type S3ObjectDeleted = z.output<typeof S3ObjectDeleted>;

/** The design seed's S3 statistics object. */
export const AccessStatsReport = z.object({
  report_id: z.string(),
  time_range: z.object({
    start: z.string(),
    end: z.string(),
  }),
  statistics: z.object({
    total_requests: z.number(),
    unique_ips: z.number(),
    path_distribution: z.record(z.string(), z.number()),
    avg_response_time_ms: z.number(),
    error_count: z.number(),
  }),
  generated_by: z.string(),
  generated_at: z.string(),
  /** Storage pods whose access logs went into the report. */
  sources: z.array(z.string()),
  trigger: z.enum(['schedule', 'manual']),
});
export type AccessStatsReport = z.output<typeof AccessStatsReport>;

export const ReportUploaded = z.object({
  ...Served.shape,
  key: z.string(),
  report: AccessStatsReport,
});
export type ReportUploaded = z.output<typeof ReportUploaded>;

export const AccessStatsRequest = z.object({
  start: z.string(),
  end: z.string(),
});
export type AccessStatsRequest = z.output<typeof AccessStatsRequest>;

/** One pod's share of a window, from its own EBS access log; the reporter merges them. */
export const AccessStatsPartial = z.object({
  ...Served.shape,
  pod: z.string(),
  total: z.number(),
  clientIps: z.array(z.string()),
  /** True when the pod had more distinct client IPs than it sends. */
  ipsTruncated: z.boolean(),
  paths: z.record(z.string(), z.number()),
  responseTimeSumMs: z.number(),
  errors: z.number(),
});
export type AccessStatsPartial = z.output<typeof AccessStatsPartial>;
