import type { ColumnType } from 'kysely';

export interface UsageCountersTable {
  month: ColumnType<string, string, string>;
  kind: string;
  service_id: string;
  dataset_id: string;
  count: ColumnType<string | number, number, never>;
}

export interface StatisticsTables {
  usage_counters: UsageCountersTable;
}
