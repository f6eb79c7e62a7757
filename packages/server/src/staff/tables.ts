import type { Timestamp } from '../db/columns.ts';

export interface StaffMembersTable {
  organisation_id: string;
  /** The keyed hash of the person's national ID (the usage log's citizen ref). */
  citizen_ref: string;
  role: string;
  label: string;
  national_id_hint: string;
  added_by: string | null;
  created_at: Timestamp;
}

export interface StaffTables {
  staff_members: StaffMembersTable;
}
