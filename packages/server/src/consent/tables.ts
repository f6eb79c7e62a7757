import type { LocalizedText } from '@mydata/core';
import type { Json, Timestamp } from '../db/columns.ts';

/** The names a consent was given under, as the citizen saw them. */
export interface ConsentSummary {
  service: { id: string; name: LocalizedText };
  provider: { id: string; name: LocalizedText };
  purpose: { dpv: string; description: LocalizedText };
  datasets: { id: string; name: LocalizedText; agency: { id: string; name: LocalizedText } }[];
}

export interface ConsentsTable {
  id: string;
  /** The citizen's account id (never the national ID). */
  citizen_id: string;
  /** The service (= OAuth client id). */
  client_id: string;
  /** The pairwise subject of the citizen at this service. */
  subject: string;
  status: string;
  purpose: string;
  datasets: Json<string[]>;
  summary: Json<ConsentSummary>;
  /** The signed receipt, compact JWS. */
  receipt: string;
  receipt_sha256: string;
  interaction_uid: string | null;
  grant_id: string | null;
  problem: Json<{ code: string; params: Record<string, string | number> }> | null;
  /** Why a consent ended early: withdrawn, cancelled or expired. */
  end_reason: string | null;
  created_at: Timestamp;
  status_changed_at: Timestamp;
  expires_at: Timestamp;
}

export interface ConsentPackagesTable {
  consent_id: string;
  /** The package, encrypted to the service (compact JWE). */
  jwe: string;
  created_at: Timestamp;
}

export interface ConsentTables {
  consents: ConsentsTable;
  consent_packages: ConsentPackagesTable;
}
