import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../db/columns.ts';

export interface ExchangeAgenciesTable {
  agency_id: string;
  base_url: string;
  /** base64 SHA-256 SPKI pins the agency's server certificate must match (one of). */
  tls_spki_sha256: Json<string[]>;
  /** The agency's public response-signing keys (a JWKS). */
  jwks: Json<{ keys: Record<string, unknown>[] }>;
  timeout_ms: number;
  max_concurrency: number;
  /** Bumped on every change, so each platform process knows when to rebuild its client for the agency. */
  version: Generated<number>;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface ExchangeAgencyKeysTable {
  agency_id: string;
  /** RFC 7638 thumbprint of the public key. */
  kid: string;
  jwk: Json<Record<string, unknown>>;
  registered_at: Generated<Timestamp>;
}

export interface ExchangeMessageLogTable {
  seq: number;
  at: Timestamp;
  exchange_id: string;
  request_id: string;
  agency_id: string;
  dataset_id: string;
  consent_id: string;
  outcome: string;
  http_status: number | null;
  request_jws: string;
  response_jws: string | null;
  response_body_sha256: string | null;
  prev_hash: string;
  hash: string;
}

export interface ExchangeTables {
  exchange_agencies: ExchangeAgenciesTable;
  exchange_agency_keys: ExchangeAgencyKeysTable;
  exchange_message_log: ExchangeMessageLogTable;
}
