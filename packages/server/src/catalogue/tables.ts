import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../db/columns.ts';

export interface OrganisationsTable {
  id: string;
  name: Json<{ 'zh-TW': string; en: string }>;
  sector: string;
  roles: Json<string[]>;
  website: string | null;
  /** Set while the operator has suspended the organisation; cleared when reinstated. */
  suspended_at: Timestamp | null;
  suspension_reason: string | null;
  /** false for a sign-up until an application of it is approved: hidden from the public catalogue. */
  listed: Generated<boolean>;
  /** The sign-up's security contact, sealed with the at-rest envelope (onboarding). */
  security_contact_sealed: string | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface DatasetsTable {
  id: string;
  agency_id: string;
  name: Json<{ 'zh-TW': string; en: string }>;
  description: Json<{ 'zh-TW': string; en: string }>;
  topic: string;
  fields: Json<unknown[]>;
  payload_schema: Json<Record<string, unknown>>;
  min_assurance: string;
  sensitivity: string;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface ServicesTable {
  id: string;
  provider_id: string;
  name: Json<{ 'zh-TW': string; en: string }>;
  description: Json<{ 'zh-TW': string; en: string }>;
  mode: string;
  purpose: Json<{ dpv: string; description: { 'zh-TW': string; en: string } }>;
  retention_days: number;
  /** 'production', or 'sandbox' for an applicant's test twin (never listed, never counted). */
  environment: Generated<string>;
  /** Multi-person services only: Service['parties']. */
  parties: Json<unknown[]> | null;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface ServiceDatasetsTable {
  service_id: string;
  dataset_id: string;
  position: number;
  required: boolean;
  justification: Json<{ 'zh-TW': string; en: string }>;
}

export interface CatalogueTables {
  organisations: OrganisationsTable;
  datasets: DatasetsTable;
  services: ServicesTable;
  service_datasets: ServiceDatasetsTable;
}
