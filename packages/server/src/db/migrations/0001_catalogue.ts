import { type Kysely, sql } from 'kysely';

// Ids sort byte-wise on every engine; a server's locale collation would order them differently from PGlite.
const idType = sql`text collate "C"`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organisations')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('name', 'jsonb', (c) => c.notNull())
    .addColumn('sector', 'text', (c) => c.notNull())
    .addColumn('roles', 'jsonb', (c) => c.notNull())
    .addColumn('website', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('datasets')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('agency_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('name', 'jsonb', (c) => c.notNull())
    .addColumn('description', 'jsonb', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('fields', 'jsonb', (c) => c.notNull())
    .addColumn('payload_schema', 'jsonb', (c) => c.notNull())
    .addColumn('min_assurance', 'text', (c) => c.notNull())
    .addColumn('sensitivity', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('datasets_agency_idx').on('datasets').column('agency_id').execute();

  await db.schema
    .createTable('services')
    .addColumn('id', idType, (c) => c.primaryKey())
    .addColumn('provider_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('name', 'jsonb', (c) => c.notNull())
    .addColumn('description', 'jsonb', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('purpose', 'jsonb', (c) => c.notNull())
    .addColumn('retention_days', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('services_provider_idx').on('services').column('provider_id').execute();

  await db.schema
    .createTable('service_datasets')
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
    .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('required', 'boolean', (c) => c.notNull())
    .addColumn('justification', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('service_datasets_pk', ['service_id', 'dataset_id'])
    .execute();
  await db.schema
    .createIndex('service_datasets_dataset_idx')
    .on('service_datasets')
    .column('dataset_id')
    .execute();

  // Aggregate counts only: statistics are published from here and never carry a citizen.
  await db.schema
    .createTable('usage_counters')
    .addColumn('month', 'date', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('dataset_id', 'text', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('usage_counters_pk', ['month', 'kind', 'service_id', 'dataset_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['usage_counters', 'service_datasets', 'services', 'datasets', 'organisations']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
