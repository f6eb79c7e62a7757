import type { Json, Timestamp } from '../db/columns.ts';

export type DownloadStatus = 'ready' | 'taken' | 'expired';

export interface DownloadsTable {
  id: string;
  /** The citizen's account id (never the national ID). */
  citizen_id: string;
  status: DownloadStatus;
  datasets: Json<string[]>;
  agency_ids: Json<string[]>;
  file_name: string;
  /** Hex SHA-256 of the zip. */
  sha256: string;
  bytes: number;
  /** The zip, sealed with the at-rest envelope; null once fetched or expired. */
  sealed: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  taken_at: Timestamp | null;
}

export interface DownloadTables {
  downloads: DownloadsTable;
}
