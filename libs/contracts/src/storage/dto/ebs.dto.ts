import { z } from 'zod';
import { optional, userText, wholeNumber, withAliases } from '../../common/schema';
import { AccessRecord } from '../../access/access.events';
import { idempotent, replayable } from '../../common/idempotency';
import { sectionOf } from '../../common/section';
import { Served } from '../../common/served-by';
import { EbsConfig, StoreBound, VolumeStatus } from './volume.dto';

/** An entry a user wrote to this pod's EBS volume. */
export const EbsEntry = z.object({
  timestamp: z.string(),
  pod: z.string(),
  node: z.string(),
  content: z.string(),
});
export type EbsEntry = z.output<typeof EbsEntry>;

/** One start of a pod on this volume: the record survives restarts, so the list proves persistence. */
export const Incarnation = z.object({
  /** 1 for the first start ever recorded on this volume. */
  number: z.number(),
  timestamp: z.string(),
  pod: z.string(),
  node: z.string(),
  pid: z.number(),
});
export type Incarnation = z.output<typeof Incarnation>;

export const RotatedLog = z.object({
  name: z.string(),
  bytes: z.number(),
  modifiedAt: z.string(),
});
export type RotatedLog = z.output<typeof RotatedLog>;

export const EbsViewRequest = z.object({
  /** Newest entries / access records to return (default 100). */
  limit: optional(wholeNumber(1, 1000)),
});
export type EbsViewRequest = z.output<typeof EbsViewRequest>;

export const EbsView = z.object({
  ...Served.shape,
  volume: VolumeStatus,
  config: sectionOf(EbsConfig),
  /** `total` counts the entries read; `partial` = only the end of a very long history was read. */
  entries: sectionOf(
    z.object({
      items: z.array(EbsEntry),
      total: z.number(),
      skippedLines: z.number(),
      partial: z.boolean(),
      bound: StoreBound,
    }),
  ),
  accessLog: sectionOf(
    z.object({
      items: z.array(AccessRecord),
      currentBytes: z.number(),
      maxBytes: z.number(),
      retentionDays: z.number(),
      /** Rotated files kept; older ones are deleted at rotation, whatever their age. */
      maxFiles: z.number(),
      rotated: z.array(RotatedLog),
      appendedSinceStart: z.number(),
      skippedLines: z.number(),
    }),
  ),
  incarnations: sectionOf(
    z.object({
      items: z.array(Incarnation),
      total: z.number(),
      current: Incarnation.nullable(),
    }),
  ),
});
export type EbsView = z.output<typeof EbsView>;

/** `text` is the old name of `content`, accepted for one release; a repeated idempotency key gets the first answer. */
export const EbsWriteRequest = withAliases({ text: 'content' }, z.object({ content: userText, ...idempotent }));
export type EbsWriteRequest = z.output<typeof EbsWriteRequest>;

export const EbsEntryWritten = z.object({
  ...Served.shape,
  entry: EbsEntry,
  ...replayable,
});
export type EbsEntryWritten = z.output<typeof EbsEntryWritten>;

export const EbsCleanupRequest = z.object({
  /** Delete rotated access logs older than this; default ACCESS_LOG_RETENTION_DAYS. */
  olderThanDays: optional(wholeNumber(0, 3650)),
});
export type EbsCleanupRequest = z.output<typeof EbsCleanupRequest>;

/** What one pod removed from its own volume (cleanup is broadcast to every pod). */
export const EbsCleanupResult = z.object({
  ...Served.shape,
  deleted: z.array(RotatedLog),
  freedBytes: z.number(),
  olderThanDays: z.number(),
});
export type EbsCleanupResult = z.output<typeof EbsCleanupResult>;
