import type { Generated } from 'kysely';
import type { Timestamp } from '../db/columns.ts';

export interface NotificationOutboxTable {
  id: string;
  log_entry_id: string | null;
  channel: string;
  template: string;
  lang: string;
  sealed: string | null;
  status: Generated<string>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  claimed_until: Timestamp | null;
  last_error: string | null;
  created_at: Generated<Date>;
  sent_at: Timestamp | null;
}

export interface NotificationTables {
  notification_outbox: NotificationOutboxTable;
}
