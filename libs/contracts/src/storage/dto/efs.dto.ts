import type { Section } from '../../common/section';
import type { Served } from '../../common/served-by';
import type { EfsConfig, StoreBound, VolumeStatus } from './volume.dto';

/** The design seed's shared-file record, plus the writer's node. */
export interface EfsFileMetadata {
  created_by_pod: string;
  created_by_node: string;
  created_at: string;
  size_bytes: number;
  content_type: string;
}

export interface EfsFileRecord {
  filename: string;
  content: string;
  metadata: EfsFileMetadata;
}

export interface EfsFileSummary {
  filename: string;
  metadata: EfsFileMetadata;
}

export interface EfsViewRequest {
  /** Newest files to return (default 100, at most 1000). */
  limit?: number;
}

export interface EfsView extends Served {
  volume: VolumeStatus;
  config: Section<EfsConfig>;
  files: Section<{
    items: EfsFileSummary[];
    /** Files in the directory (the list shows the newest `limit`). */
    total: number;
    /** Files per writer pod among those listed. */
    writers: Array<{ pod: string; count: number }>;
    /** Files that could not be read (e.g. deleted by another pod while listing). */
    unreadable: number;
    bound: StoreBound;
  }>;
}

export interface EfsWriteRequest {
  content: string;
}

export interface EfsFileRequest {
  name: string;
}

export interface EfsFileWritten extends Served {
  file: EfsFileSummary;
}

export interface EfsFileRead extends Served {
  file: EfsFileRecord;
}

export interface EfsFileDeleted extends Served {
  deleted: string;
}
