import type { Json, Timestamp } from '../db/columns.ts';

/** Everything oidc-provider stores (grants, codes, tokens, interactions, PAR requests), one row per artefact. */
export interface OAuthArtifactsTable {
  model: string;
  id: string;
  payload: Json<Record<string, unknown>>;
  grant_id: string | null;
  uid: string | null;
  expires_at: Timestamp | null;
  consumed_at: Timestamp | null;
}

/** The registered OAuth client of each online service (client_id = the catalogue service id). */
export interface OAuthClientsTable {
  client_id: string;
  jwks: Json<{ keys: Record<string, unknown>[] }>;
  redirect_uris: Json<string[]>;
  webhook_url: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** What the consent screen adds to an authorization interaction: who holds it, and a consent awaiting retry. */
export interface OAuthInteractionsTable {
  uid: string;
  citizen_id: string;
  consent_id: string | null;
  problem: Json<Record<string, unknown>> | null;
  expires_at: Timestamp;
}

/** DPoP proofs already seen at the package endpoint, kept until they could no longer be accepted. */
export interface OAuthDpopProofsTable {
  jkt: string;
  jti: string;
  expires_at: Timestamp;
}

export interface OAuthTables {
  oauth_artifacts: OAuthArtifactsTable;
  oauth_clients: OAuthClientsTable;
  oauth_interactions: OAuthInteractionsTable;
  oauth_dpop_proofs: OAuthDpopProofsTable;
}
