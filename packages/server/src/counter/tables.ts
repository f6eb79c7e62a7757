import type { Json, Timestamp } from '../db/columns.ts';

export type CounterCaseStatus = 'ready' | 'redeemed' | 'expired' | 'cancelled';
export type CounterCodeStatus = 'live' | 'superseded' | 'used';

export interface CounterCasesTable {
  id: string;
  /** The citizen's account id (never the national ID). */
  citizen_id: string;
  service_id: string;
  provider_id: string;
  subject: string;
  status: CounterCaseStatus;
  datasets: Json<string[]>;
  agency_ids: Json<string[]>;
  summary: Json<unknown>;
  /** The signed consent receipt (compact JWS). */
  receipt: string;
  receipt_sha256: string;
  /** The collected datasets, sealed with the at-rest envelope; null once redeemed or expired. */
  sealed: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  redeemed_at: Timestamp | null;
  clerk_ref: string | null;
  clerk_label: string | null;
}

export interface CounterCodesTable {
  nonce: string;
  case_id: string;
  /** HMAC of the short code under the platform's counter key. */
  code_hash: string;
  status: CounterCodeStatus;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface CounterTables {
  counter_cases: CounterCasesTable;
  counter_codes: CounterCodesTable;
}
