import type { AccessRecord } from '../../access/access.events';
import type { Section } from '../../common/section';
import type { Served } from '../../common/served-by';
import type { EbsConfig, StoreBound, VolumeStatus } from './volume.dto';

/** An entry a user wrote to this pod's EBS volume. */
export interface EbsEntry {
  timestamp: string;
  pod: string;
  node: string;
  content: string;
}

/** One start of a pod on this volume: the record survives restarts, so the list proves persistence. */
export interface Incarnation {
  /** 1 for the first start ever recorded on this volume. */
  number: number;
  timestamp: string;
  pod: string;
  node: string;
  pid: number;
}

export interface RotatedLog {
  name: string;
  bytes: number;
  modifiedAt: string;
}

export interface EbsViewRequest {
  /** Newest entries / access records to return (default 100, at most 1000). */
  limit?: number;
}

export interface EbsView extends Served {
  volume: VolumeStatus;
  config: Section<EbsConfig>;
  /** `total` counts the entries read; `partial` = only the end of a very long history was read. */
  entries: Section<{ items: EbsEntry[]; total: number; skippedLines: number; partial: boolean; bound: StoreBound }>;
  accessLog: Section<{
    items: AccessRecord[];
    currentBytes: number;
    maxBytes: number;
    retentionDays: number;
    /** Rotated files kept; older ones are deleted at rotation, whatever their age. */
    maxFiles: number;
    rotated: RotatedLog[];
    /** Records this process appended since it started. */
    appendedSinceStart: number;
    skippedLines: number;
  }>;
  incarnations: Section<{ items: Incarnation[]; total: number; current: Incarnation | null }>;
}

export interface EbsWriteRequest {
  content: string;
}

export interface EbsEntryWritten extends Served {
  entry: EbsEntry;
}

export interface EbsCleanupRequest {
  /** Delete rotated access logs older than this; default ACCESS_LOG_RETENTION_DAYS. */
  olderThanDays?: number;
}

/** What one pod removed from its own volume (cleanup is broadcast to every pod). */
export interface EbsCleanupResult extends Served {
  deleted: RotatedLog[];
  freedBytes: number;
  olderThanDays: number;
}
