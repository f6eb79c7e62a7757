import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../db/columns.ts';

type Bytes = ColumnType<Uint8Array, Uint8Array, Uint8Array>;

export interface UsageLogEntriesTable {
  id: string;
  arrival: Generated<number>;
  seq: number | null;
  commitment: Bytes;
  citizen_ref: string | null;
  event: string;
  occurred_at: Timestamp;
  service_id: string | null;
  datasets: Json<string[]>;
  sealed: string | null;
  erased_at: Timestamp | null;
  created_at: Generated<Date>;
}

export interface UsageLogNodesTable {
  level: number;
  idx: number;
  hash: Bytes;
}

export interface UsageLogStateTable {
  id: number;
  size: number;
}

export interface UsageLogCheckpointsTable {
  size: number;
  root: Bytes;
  note: string;
  created_at: Generated<Date>;
}

export interface UsageLogTables {
  usage_log_entries: UsageLogEntriesTable;
  usage_log_nodes: UsageLogNodesTable;
  usage_log_state: UsageLogStateTable;
  usage_log_checkpoints: UsageLogCheckpointsTable;
}
