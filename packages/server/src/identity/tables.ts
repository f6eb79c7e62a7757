import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../db/columns.ts';

type Bytes = ColumnType<Uint8Array, Uint8Array, Uint8Array>;

export interface IdentityCitizensTable {
  id: string;
  citizen_ref: string;
  national_id_sealed: string;
  contact_sealed: string | null;
  created_at: Timestamp;
  last_sign_in_at: Timestamp | null;
}

export interface IdentityCitizenMethodsTable {
  citizen_id: string;
  method: string;
  first_verified_at: Timestamp;
  last_verified_at: Timestamp;
}

export interface IdentitySessionsTable {
  id: string;
  token_hash: Bytes;
  citizen_id: string;
  assurance: string;
  methods: Json<string[]>;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  ended_at: Timestamp | null;
}

export interface IdentityFlowsTable {
  id: string;
  token_hash: Bytes;
  citizen_ref: string;
  national_id_sealed: string;
  verified: Json<string[]>;
  expires_at: Timestamp;
}

export interface IdentityChallengesTable {
  id: string;
  nonce: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface IdentityAttemptsTable {
  key: string;
  window_started_at: Timestamp;
  failures: number;
  locked_until: Timestamp | null;
}

export interface IdentityPasskeysTable {
  id: string;
  citizen_id: string;
  public_key: Bytes;
  counter: ColumnType<number, number, number>;
  transports: Json<string[]>;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}

export interface IdentityOtpCodesTable {
  id: string;
  citizen_ref: string;
  national_id_sealed: string;
  code_hash: Bytes;
  key_id: string;
  tries: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  expires_at: Timestamp;
  closed_at: Timestamp | null;
  closed_reason: string | null;
}

export interface IdentityTables {
  identity_otp_codes: IdentityOtpCodesTable;
  identity_passkeys: IdentityPasskeysTable;
  identity_citizens: IdentityCitizensTable;
  identity_citizen_methods: IdentityCitizenMethodsTable;
  identity_sessions: IdentitySessionsTable;
  identity_flows: IdentityFlowsTable;
  identity_challenges: IdentityChallengesTable;
  identity_attempts: IdentityAttemptsTable;
}
