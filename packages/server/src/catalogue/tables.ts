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
