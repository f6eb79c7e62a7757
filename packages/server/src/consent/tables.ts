import type { LocalizedText } from '@mydata/core';
import type { Json, Timestamp } from '../db/columns.ts';

/** The names a consent was given under, as the citizen saw them. */
export interface ConsentSummary {
  service: { id: string; name: LocalizedText };
  provider: { id: string; name: LocalizedText };
  purpose: { dpv: string; description: LocalizedText };
  datasets: { id: string; name: LocalizedText; agency: { id: string; name: LocalizedText } }[];
  /** Multi-person applications: the initiator's role, whose datasets these are. */
  role?: string;
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

/** One party of a multi-person application (docs/multi-person.md). */
export interface ConsentPartiesTable {
  /** The invitation id (the link /invitations/:id); the initiator's row has one too, never sent. */
  id: string;
  /** The initiator's consent: the one the service holds a token for. */
  consent_id: string;
  role: string;
  initiator: boolean;
  /** The keyed reference of the person named (never the national ID). */
  citizen_ref: string;
  /** The party's pairwise subject at the service. */
  subject: string;
  datasets: Json<string[]>;
  status: string;
  /** The e-mail address or mobile number the initiator gave, sealed. */
  contact_sealed: string | null;
  /** What the invitee sees of who asks, sealed. */
  inviter_sealed: string | null;
  /** The party's collected datasets (PackageDataset[]), sealed until the package is made. */
  collected_sealed: string | null;
  /** The party's datasets by name, as the invitee saw them. */
  summary: Json<{ datasets: ConsentSummary['datasets'] }> | null;
  /** The invitee's account, once they consented or declined. */
  citizen_id: string | null;
  receipt: string | null;
  receipt_sha256: string | null;
  created_at: Timestamp;
  invited_at: Timestamp | null;
  status_changed_at: Timestamp;
  expires_at: Timestamp;
}

export interface ConsentTables {
  consents: ConsentsTable;
  consent_packages: ConsentPackagesTable;
  consent_parties: ConsentPartiesTable;
}
