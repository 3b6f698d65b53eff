import { defineRpc } from '../common/rpc';
import type { NoParams } from '../environment/environment.subjects';
import type { EbsCleanupRequest, EbsCleanupResult, EbsEntryWritten, EbsView, EbsViewRequest, EbsWriteRequest } from './dto/ebs.dto';
import type { EfsFileDeleted, EfsFileRead, EfsFileRequest, EfsFileWritten, EfsView, EfsViewRequest, EfsWriteRequest } from './dto/efs.dto';
import type { StorageOverview } from './dto/overview.dto';
import type {
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
export const StorageRpc = {
  overview: defineRpc<NoParams, StorageOverview>('storage', 'storage.overview.get', { coalesce: true }),

  ebs: defineRpc<EbsViewRequest, EbsView>('storage', 'storage.ebs.get', { coalesce: true }),
  ebsWrite: defineRpc<EbsWriteRequest, EbsEntryWritten>('storage', 'storage.ebs.write'),
  /** Every pod deletes its own old access logs; collect the replies with `gather`. */
  ebsCleanup: defineRpc<EbsCleanupRequest, EbsCleanupResult>('storage', 'storage.ebs.cleanup', { delivery: 'all' }),

  efs: defineRpc<EfsViewRequest, EfsView>('storage', 'storage.efs.get', { coalesce: true }),
  efsWrite: defineRpc<EfsWriteRequest, EfsFileWritten>('storage', 'storage.efs.write'),
  efsRead: defineRpc<EfsFileRequest, EfsFileRead>('storage', 'storage.efs.read'),
  efsDelete: defineRpc<EfsFileRequest, EfsFileDeleted>('storage', 'storage.efs.delete'),

  s3: defineRpc<S3ViewRequest, S3View>('storage', 'storage.s3.get', { coalesce: true }),
  s3Upload: defineRpc<S3UploadRequest, S3ObjectWritten>('storage', 'storage.s3.upload'),
  s3Read: defineRpc<S3ObjectRequest, S3ObjectContent>('storage', 'storage.s3.read'),
  s3Delete: defineRpc<S3ObjectRequest, S3ObjectDeleted>('storage', 'storage.s3.delete'),

  /** Uploads a statistics report for the interval so far, now (outside the schedule). */
  reportNow: defineRpc<NoParams, ReportUploaded>('storage', 'storage.report.create'),
  /** Each pod's access statistics of a window, from its own EBS access log (broadcast). */
  reportPartial: defineRpc<AccessStatsRequest, AccessStatsPartial>('storage', 'storage.report.partial', { delivery: 'all' }),
} as const;
