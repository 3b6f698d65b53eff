import type { Section } from '../../common/section';
import type { Served } from '../../common/served-by';
import type { StoreBound } from './volume.dto';

/** How this pod gets AWS credentials for S3. */
export interface S3AccessMethod {
  method: 'irsa' | 'pod-identity' | 'static-keys' | 'profile' | 'local' | 'none';
  label: string;
  /** The IRSA role (AWS_ROLE_ARN), or the role in the caller identity. */
  roleArn: string | null;
  details: string;
}

export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
  /** The role name when the identity is an assumed role. */
  roleName: string | null;
}

/** An IAM action the app needs, and what happened the last time this pod used it. */
export interface S3ActionStatus {
  action: string;
  purpose: string;
  outcome: 'allowed' | 'denied' | 'failed' | 'not-tried';
  at: string | null;
  resource: string;
}

export interface S3Config {
  bucket: string;
  region: string | null;
  /** Every key the app writes starts with this. */
  prefix: string;
  /** The embedded S3-compatible server of local mode (no AWS). */
  local: boolean;
  endpoint: string | null;
  access: S3AccessMethod;
  identity: Section<CallerIdentity>;
  actions: S3ActionStatus[];
}

export interface S3ObjectSummary {
  key: string;
  /** The key without the prefix directories. */
  name: string;
  size: number;
  lastModified: string | null;
}

export interface S3BucketSettings {
  encryption: Section<{ algorithm: string; kmsKeyId: string | null; bucketKeyEnabled: boolean | null }>;
  versioning: Section<{ status: string; mfaDelete: string | null }>;
  publicAccessBlock: Section<{ blockPublicAcls: boolean; ignorePublicAcls: boolean; blockPublicPolicy: boolean; restrictPublicBuckets: boolean }>;
}

export interface S3ViewRequest {
  /** Page token from the previous page (the last key shown). */
  after?: string;
  /** Objects per page (default 25, at most 200). */
  pageSize?: number;
}

export interface S3View extends Served {
  config: Section<S3Config>;
  settings: Section<S3BucketSettings>;
  objects: Section<{ items: S3ObjectSummary[]; prefix: string; after: string | null; next: string | null; pageSize: number; bound: StoreBound }>;
  reports: Section<{ items: S3ObjectSummary[]; prefix: string; intervalSeconds: number; nextReportAt: string }>;
}

export interface S3UploadRequest {
  /** Text content (JSON API and the text form). */
  text?: string;
  /** File content, base64 (the file form). */
  base64?: string;
  /** The uploaded file's own name, kept as metadata only (the key is generated). */
  filename?: string;
  /** The browser's idea of the type; only used to decide whether the file is text. */
  contentType?: string;
}

export interface S3ObjectRequest {
  key: string;
}

export interface S3ObjectWritten extends Served {
  object: S3ObjectSummary & { contentType: string; metadata: Record<string, string> };
}

/**
 * An object's content for display or download. Text (valid UTF-8 without NUL) comes as `text`
 * and is served as text/plain; anything else as `base64` and is served as an attachment.
 */
export interface S3ObjectContent extends Served {
  key: string;
  name: string;
  size: number;
  contentType: string;
  lastModified: string | null;
  metadata: Record<string, string>;
  isText: boolean;
  text: string | null;
  base64: string | null;
}

export interface S3ObjectDeleted extends Served {
  deleted: string;
}

/** The design seed's S3 statistics object. */
export interface AccessStatsReport {
  report_id: string;
  time_range: { start: string; end: string };
  statistics: {
    total_requests: number;
    unique_ips: number;
    path_distribution: Record<string, number>;
    avg_response_time_ms: number;
    error_count: number;
  };
  generated_by: string;
  generated_at: string;
  /** Storage pods whose access logs went into the report. */
  sources: string[];
  trigger: 'schedule' | 'manual';
}

export interface ReportUploaded extends Served {
  key: string;
  report: AccessStatsReport;
}

export interface AccessStatsRequest {
  start: string;
  end: string;
}

/** One pod's share of a window, from its own EBS access log; the reporter merges them. */
export interface AccessStatsPartial extends Served {
  pod: string;
  total: number;
  clientIps: string[];
  /** True when the pod had more distinct client IPs than it sends. */
  ipsTruncated: boolean;
  paths: Record<string, number>;
  responseTimeSumMs: number;
  errors: number;
}
