import { z } from 'zod';
import { optional, userText, wholeNumber, withAliases } from '../../common/schema';
import { safeName } from '../storage.names';
import { idempotent, replayable } from '../../common/idempotency';
import { sectionOf } from '../../common/section';
import { Served } from '../../common/served-by';
import { EfsConfig, StoreBound, VolumeStatus } from './volume.dto';

/** The design seed's shared-file record, plus the writer's node. */
export const EfsFileMetadata = z.object({
  created_by_pod: z.string(),
  created_by_node: z.string(),
  created_at: z.string(),
  size_bytes: z.number(),
  content_type: z.string(),
});
export type EfsFileMetadata = z.output<typeof EfsFileMetadata>;

export const EfsFileRecord = z.object({
  filename: z.string(),
  content: z.string(),
  metadata: EfsFileMetadata,
});
export type EfsFileRecord = z.output<typeof EfsFileRecord>;

export const EfsFileSummary = z.object({
  filename: z.string(),
  metadata: EfsFileMetadata,
});
export type EfsFileSummary = z.output<typeof EfsFileSummary>;

export const EfsViewRequest = z.object({
  /** Newest files to return (default 100). */
  limit: optional(wholeNumber(1, 1000)),
});
export type EfsViewRequest = z.output<typeof EfsViewRequest>;

export const EfsView = z.object({
  ...Served.shape,
  volume: VolumeStatus,
  config: sectionOf(EfsConfig),
  files: sectionOf(
    z.object({
      items: z.array(EfsFileSummary),
      total: z.number(),
      writers: z.array(
        z.object({
          pod: z.string(),
          count: z.number(),
        }),
      ),
      unreadable: z.number(),
      bound: StoreBound,
    }),
  ),
});
export type EfsView = z.output<typeof EfsView>;

/** `text` is the old name of `content`, accepted for one release; a repeated idempotency key gets the first answer. */
export const EfsWriteRequest = withAliases({ text: 'content' }, z.object({ content: userText, ...idempotent }));
export type EfsWriteRequest = z.output<typeof EfsWriteRequest>;

export const EfsFileRequest = z.object({ name: safeName });
export type EfsFileRequest = z.output<typeof EfsFileRequest>;

export const EfsFileWritten = z.object({
  ...Served.shape,
  file: EfsFileSummary,
  ...replayable,
});
export type EfsFileWritten = z.output<typeof EfsFileWritten>;

export const EfsFileRead = z.object({
  ...Served.shape,
  file: EfsFileRecord,
});
export type EfsFileRead = z.output<typeof EfsFileRead>;

export const EfsFileDeleted = z.object({
  ...Served.shape,
  deleted: z.string(),
});
export type EfsFileDeleted = z.output<typeof EfsFileDeleted>;
