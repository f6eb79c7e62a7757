import {
  AppError,
  type AssuranceLevel,
  type Catalogue,
  type Dataset,
  type Organisation,
  type Service,
  type ServiceMode,
  validateCatalogue,
} from '@mydata/core';
import { sql } from 'kysely';
import { createReadThroughCache } from '../db/cache.ts';
import type { Db } from '../db/database.ts';

export interface Page<T> {
  items: T[];
  total: number;
}

export interface DatasetFilter {
  agency?: string | undefined;
  topic?: string | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

export interface ServiceFilter {
  mode?: ServiceMode | undefined;
  provider?: string | undefined;
  dataset?: string | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

const json = (v: unknown) => JSON.stringify(v);

/** `%` and `_` in a search are literal characters, not wildcards. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

type DatasetRow = {
  id: string;
  agency_id: string;
  name: Dataset['name'];
  description: Dataset['description'];
  topic: string;
  fields: unknown[];
  payload_schema: Record<string, unknown>;
  min_assurance: string;
  sensitivity: string;
};

function toOrganisation(r: {
  id: string;
  name: Organisation['name'];
  sector: string;
  roles: string[];
  website: string | null;
}): Organisation {
  return {
    id: r.id,
    name: r.name,
    sector: r.sector as Organisation['sector'],
    roles: r.roles as Organisation['roles'],
    ...(r.website ? { website: r.website } : {}),
  };
}

function toDataset(r: DatasetRow): Dataset {
  return {
    id: r.id,
    agencyId: r.agency_id,
    name: r.name,
    description: r.description,
    topic: r.topic as Dataset['topic'],
    fields: r.fields as Dataset['fields'],
    payloadSchema: r.payload_schema,
    minAssurance: r.min_assurance as AssuranceLevel,
    sensitivity: r.sensitivity as Dataset['sensitivity'],
  };
}

/**
 * Storage of the catalogue: organisations, datasets and services. `publicOnly` (the public API)
 * leaves out organisations not yet approved, their datasets and services, and sandbox services.
 */
export function createCatalogueRepo(db: Db, options: { publicOnly?: boolean } = {}) {
  const publicOnly = options.publicOnly === true;
  const listedIds = () =>
    db.selectFrom('organisations').select('organisations.id').where('listed', '=', true);
  const datasetColumns = [
    'datasets.id',
    'datasets.agency_id',
    'datasets.name',
    'datasets.description',
    'datasets.topic',
    'datasets.fields',
    'datasets.payload_schema',
    'datasets.min_assurance',
    'datasets.sensitivity',
  ] as const;

  async function servicesWithDatasets(
    rows: Array<{
      id: string;
      provider_id: string;
      name: Service['name'];
      description: Service['description'];
      mode: string;
      purpose: Service['purpose'];
      retention_days: number;
      parties?: unknown[] | null;
    }>,
  ): Promise<Service[]> {
    if (rows.length === 0) return [];
    const links = await db
      .selectFrom('service_datasets')
      .selectAll()
      .where(
        'service_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('service_id')
      .orderBy('position')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      providerId: r.provider_id,
      name: r.name,
      description: r.description,
      mode: r.mode as ServiceMode,
      purpose: r.purpose,
      retentionDays: r.retention_days,
      ...(r.parties ? { parties: r.parties as NonNullable<Service['parties']> } : {}),
      datasets: links
        .filter((l) => l.service_id === r.id)
        .map((l) => ({ datasetId: l.dataset_id, required: l.required, justification: l.justification })),
    }));
  }

  return {
    /**
     * Publishes a catalogue: checks it whole, then upserts every entry in one transaction, so a
     * rejected catalogue changes nothing and importing the same one twice is harmless.
     */
    async importCatalogue(catalogue: Catalogue): Promise<void> {
      const issues = validateCatalogue(catalogue);
      if (issues.length > 0) {
        const first = issues[0];
        throw new AppError(
          'catalogue.invalid',
          { count: issues.length, first: first ? `${first.pointer} ${first.message}` : '' },
          issues,
        );
      }
      await db.transaction().execute(async (tx) => {
        const now = new Date();
        for (const o of catalogue.organisations) {
          const values = {
            name: json(o.name),
            sector: o.sector,
            roles: json(o.roles),
            website: o.website ?? null,
          };
          await tx
            .insertInto('organisations')
            .values({ id: o.id, ...values })
            .onConflict((c) => c.column('id').doUpdateSet({ ...values, updated_at: now }))
            .execute();
        }
        for (const d of catalogue.datasets) {
          const values = {
            agency_id: d.agencyId,
            name: json(d.name),
            description: json(d.description),
            topic: d.topic,
            fields: json(d.fields),
            payload_schema: json(d.payloadSchema),
            min_assurance: d.minAssurance,
            sensitivity: d.sensitivity,
          };
          await tx
            .insertInto('datasets')
            .values({ id: d.id, ...values })
            .onConflict((c) => c.column('id').doUpdateSet({ ...values, updated_at: now }))
            .execute();
        }
        for (const s of catalogue.services) {
          const values = {
            provider_id: s.providerId,
            name: json(s.name),
            description: json(s.description),
            mode: s.mode,
            purpose: json(s.purpose),
            retention_days: s.retentionDays,
            parties: s.parties ? json(s.parties) : null,
          };
          await tx
            .insertInto('services')
            .values({ id: s.id, ...values })
            .onConflict((c) => c.column('id').doUpdateSet({ ...values, updated_at: now }))
            .execute();
          await tx.deleteFrom('service_datasets').where('service_id', '=', s.id).execute();
          await tx
            .insertInto('service_datasets')
            .values(
              s.datasets.map((sd, position) => ({
                service_id: s.id,
                dataset_id: sd.datasetId,
                position,
                required: sd.required,
                justification: json(sd.justification),
              })),
            )
            .execute();
        }
      });
    },

    async listOrganisations(filter: {
      role?: string | undefined;
      sector?: string | undefined;
    }): Promise<Organisation[]> {
      let q = db
        .selectFrom('organisations')
        .select(['id', 'name', 'sector', 'roles', 'website'])
        .orderBy('id');
      if (publicOnly) q = q.where('listed', '=', true);
      if (filter.sector) q = q.where('sector', '=', filter.sector);
      if (filter.role) q = q.where(sql<boolean>`roles @> ${json([filter.role])}::jsonb`);
      const rows = await q.execute();
      return rows.map(toOrganisation);
    },

    async getOrganisation(id: string): Promise<Organisation> {
      const row = await db
        .selectFrom('organisations')
        .select(['id', 'name', 'sector', 'roles', 'website', 'listed'])
        .where('id', '=', id)
        .executeTakeFirst();
      const org = row && (!publicOnly || row.listed) ? toOrganisation(row) : undefined;
      if (!org) throw new AppError('catalogue.organisation-not-found', { id });
      return org;
    },

    async listDatasets(filter: DatasetFilter): Promise<Page<Dataset>> {
      let q = db.selectFrom('datasets');
      if (publicOnly) q = q.where('agency_id', 'in', listedIds());
      if (filter.agency) q = q.where('agency_id', '=', filter.agency);
      if (filter.topic) q = q.where('topic', '=', filter.topic);
      if (filter.q) {
        const p = likePattern(filter.q);
        q = q.where((eb) =>
          eb.or([
            eb(sql`name->>'zh-TW'`, 'ilike', p),
            eb(sql`name->>'en'`, 'ilike', p),
            eb(sql`description->>'zh-TW'`, 'ilike', p),
            eb(sql`description->>'en'`, 'ilike', p),
            eb('id', 'ilike', p),
          ]),
        );
      }
      const [rows, count] = await Promise.all([
        q
          .select([...datasetColumns])
          .orderBy('id')
          .limit(filter.limit)
          .offset(filter.offset)
          .execute(),
        q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(toDataset), total: count.n };
    },

    async getDataset(id: string): Promise<Dataset> {
      const row = await db
        .selectFrom('datasets')
        .select([...datasetColumns])
        .where('id', '=', id)
        .$if(publicOnly, (q) => q.where('agency_id', 'in', listedIds()))
        .executeTakeFirst();
      if (!row) throw new AppError('catalogue.dataset-not-found', { id });
      return toDataset(row);
    },

    async getDatasetsByIds(ids: string[]): Promise<Dataset[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('datasets')
        .select([...datasetColumns])
        .where('id', 'in', ids)
        .$if(publicOnly, (q) => q.where('agency_id', 'in', listedIds()))
        .execute();
      return rows.map(toDataset);
    },

    async listServices(filter: ServiceFilter): Promise<Page<Service>> {
      let q = db.selectFrom('services');
      if (publicOnly) {
        q = q.where('environment', '=', 'production').where('provider_id', 'in', listedIds());
      }
      if (filter.mode) q = q.where('mode', '=', filter.mode);
      if (filter.provider) q = q.where('provider_id', '=', filter.provider);
      if (filter.dataset) {
        const datasetId = filter.dataset;
        q = q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('service_datasets')
              .select('service_datasets.service_id')
              .whereRef('service_datasets.service_id', '=', 'services.id')
              .where('service_datasets.dataset_id', '=', datasetId),
          ),
        );
      }
      if (filter.q) {
        const p = likePattern(filter.q);
        q = q.where((eb) =>
          eb.or([
            eb(sql`name->>'zh-TW'`, 'ilike', p),
            eb(sql`name->>'en'`, 'ilike', p),
            eb(sql`description->>'zh-TW'`, 'ilike', p),
            eb(sql`description->>'en'`, 'ilike', p),
          ]),
        );
      }
      const [rows, count] = await Promise.all([
        q
          .select([
            'id',
            'provider_id',
            'name',
            'description',
            'mode',
            'purpose',
            'retention_days',
            'parties',
          ])
          .orderBy('id')
          .limit(filter.limit)
          .offset(filter.offset)
          .execute(),
        q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: await servicesWithDatasets(rows), total: count.n };
    },

    async getService(id: string): Promise<Service> {
      const rows = await db
        .selectFrom('services')
        .select(['id', 'provider_id', 'name', 'description', 'mode', 'purpose', 'retention_days', 'parties'])
        .where('id', '=', id)
        .$if(publicOnly, (q) =>
          q.where('environment', '=', 'production').where('provider_id', 'in', listedIds()),
        )
        .execute();
      const [service] = await servicesWithDatasets(rows);
      if (!service) throw new AppError('catalogue.service-not-found', { id });
      return service;
    },
  };
}

export type CatalogueRepo = ReturnType<typeof createCatalogueRepo>;

/**
 * The catalogue lookups a transfer makes several times per request (service, organisations,
 * datasets), served from a short read-through cache. A catalogue published by another process is
 * seen within `maxAgeMs`; one imported through this object at once.
 */
export function createCachedCatalogue(repo: CatalogueRepo, options: { maxAgeMs?: number } = {}) {
  const maxAgeMs = options.maxAgeMs ?? 2000;
  const services = createReadThroughCache<Service>({ maxAgeMs });
  const organisations = createReadThroughCache<Organisation>({ maxAgeMs });
  const datasets = createReadThroughCache<Dataset>({ maxAgeMs });
  return {
    ...repo,
    async importCatalogue(catalogue: Catalogue): Promise<void> {
      await repo.importCatalogue(catalogue);
      services.clear();
      organisations.clear();
      datasets.clear();
    },
    getService: (id: string) => services.get(id, () => repo.getService(id)),
    getOrganisation: (id: string) => organisations.get(id, () => repo.getOrganisation(id)),
    getDataset: (id: string) => datasets.get(id, () => repo.getDataset(id)),
    async getDatasetsByIds(ids: string[]): Promise<Dataset[]> {
      // Same answer as the repository's: the datasets that exist, unknown ids left out.
      const found = await Promise.all(
        ids.map((id) => datasets.get(id, () => repo.getDataset(id)).catch(() => undefined)),
      );
      return found.filter((d): d is Dataset => d !== undefined);
    },
  };
}
