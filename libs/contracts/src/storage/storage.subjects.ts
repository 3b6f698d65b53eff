import { defineRpc } from '../common/rpc';
import { NoParams } from '../environment/environment.subjects';
import { StorageErrors } from './storage.errors';
import { EbsCleanupRequest, EbsCleanupResult, EbsEntryWritten, EbsView, EbsViewRequest, EbsWriteRequest } from './dto/ebs.dto';
import { EfsFileDeleted, EfsFileRead, EfsFileRequest, EfsFileWritten, EfsView, EfsViewRequest, EfsWriteRequest } from './dto/efs.dto';
import { StorageOverview } from './dto/overview.dto';
import {
  AccessStatsPartial,
  AccessStatsRequest,
  ReportUploaded,
  S3ObjectContent,
  S3ObjectDeleted,
  S3ObjectRequest,
  S3ObjectWritten,
  S3UploadRequest,
  S3View,
  S3ViewRequest,
} from './dto/s3.dto';

/**
 * The storage service. EBS requests are answered by whichever pod the queue group picks, so each
 * answer is about *that* pod's volume (the page shows which). EFS and S3 are shared, so any pod
 * gives the same answer. Cleanup and report partials go to every pod (broadcast).
 */
const INVALID = StorageErrors.INVALID;

export const StorageRpc = {
  overview: defineRpc('storage', 'storage.overview.get', { request: NoParams, response: StorageOverview, invalid: INVALID }, { coalesce: true }),

  ebs: defineRpc('storage', 'storage.ebs.get', { request: EbsViewRequest, response: EbsView, invalid: INVALID }, { coalesce: true }),
  ebsWrite: defineRpc('storage', 'storage.ebs.write', { request: EbsWriteRequest, response: EbsEntryWritten, invalid: INVALID }),
  /** Every pod deletes its own old access logs; collect the replies with `gather`. */
  ebsCleanup: defineRpc('storage', 'storage.ebs.cleanup', { request: EbsCleanupRequest, response: EbsCleanupResult, invalid: INVALID }, { delivery: 'all' }),

  efs: defineRpc('storage', 'storage.efs.get', { request: EfsViewRequest, response: EfsView, invalid: INVALID }, { coalesce: true }),
  efsWrite: defineRpc('storage', 'storage.efs.write', { request: EfsWriteRequest, response: EfsFileWritten, invalid: INVALID }),
  efsRead: defineRpc('storage', 'storage.efs.read', { request: EfsFileRequest, response: EfsFileRead, invalid: INVALID }),
  efsDelete: defineRpc('storage', 'storage.efs.delete', { request: EfsFileRequest, response: EfsFileDeleted, invalid: INVALID }),

  s3: defineRpc('storage', 'storage.s3.get', { request: S3ViewRequest, response: S3View, invalid: INVALID }, { coalesce: true }),
  s3Upload: defineRpc('storage', 'storage.s3.upload', { request: S3UploadRequest, response: S3ObjectWritten, invalid: INVALID }),
  s3Read: defineRpc('storage', 'storage.s3.read', { request: S3ObjectRequest, response: S3ObjectContent, invalid: INVALID }),
  s3Delete: defineRpc('storage', 'storage.s3.delete', { request: S3ObjectRequest, response: S3ObjectDeleted, invalid: INVALID }),

  /** Uploads a statistics report for the interval so far, now (outside the schedule). */
  reportNow: defineRpc('storage', 'storage.report.create', { request: NoParams, response: ReportUploaded, invalid: INVALID }),
  /** Each pod's access statistics of a window, from its own EBS access log (broadcast). */
  reportPartial: defineRpc(
    'storage',
    'storage.report.partial',
    { request: AccessStatsRequest, response: AccessStatsPartial, invalid: INVALID },
    { delivery: 'all' },
  ),
} as const;
