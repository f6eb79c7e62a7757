import type { Timestamp } from '../db/columns.ts';

/** An organisation's request to offer a service or provide datasets; the body is sealed. */
export interface IntegrationApplicationsTable {
  id: string;
  organisation_id: string;
  kind: string;
  subject: string;
  status: string;
  body_sealed: string;
  jwks_url: string | null;
  flag_count: number;
  /** The citizen ref of whoever submitted it last. */
  submitted_by: string;
  submitted_at: Timestamp;
  updated_at: Timestamp;
}

/** The hash-chained audit trail: submissions, decisions, suspensions, reinstatements. */
export interface IntegrationDecisionsTable {
  seq: string | number | bigint;
  organisation_id: string;
  application_id: string | null;
  action: string;
  reason: string;
  actor_ref: string;
  actor_label: string;
  at: Timestamp;
  prev_hash: string;
  hash: string;
}

/** OAuth clients an organisation owns (sandbox and production), with where their keys come from. */
export interface OnboardingClientsTable {
  client_id: string;
  organisation_id: string;
  environment: string;
  application_id: string;
  jwks_url: string | null;
  updated_at: Timestamp;
}

export interface OnboardingTables {
  integration_applications: IntegrationApplicationsTable;
  integration_decisions: IntegrationDecisionsTable;
  onboarding_clients: OnboardingClientsTable;
}
