import { type Kysely, sql } from 'kysely';

const idType = sql`text collate "C"`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('exchange_agencies')
    .addColumn('agency_id', idType, (c) => c.primaryKey().references('organisations.id'))
    .addColumn('base_url', 'text', (c) => c.notNull())
    .addColumn('tls_spki_sha256', 'jsonb', (c) => c.notNull())
    .addColumn('jwks', 'jsonb', (c) => c.notNull())
    .addColumn('timeout_ms', 'integer', (c) => c.notNull().defaultTo(5000))
    .addColumn('max_concurrency', 'integer', (c) => c.notNull().defaultTo(16))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Every public key an agency ever registered, so a logged response stays verifiable after a rotation.
  await db.schema
    .createTable('exchange_agency_keys')
    .addColumn('agency_id', idType, (c) => c.notNull())
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('jwk', 'jsonb', (c) => c.notNull())
    .addColumn('registered_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('exchange_agency_keys_pk', ['agency_id', 'kid'])
    .execute();

  // Append-only and hash-chained: each row's hash covers the previous row's hash and its own
  // canonical content (core messageLogEntryHash). Personal data appears only as hashes.
  await db.schema
    .createTable('exchange_message_log')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('exchange_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull().unique())
    .addColumn('agency_id', 'text', (c) => c.notNull())
    .addColumn('dataset_id', 'text', (c) => c.notNull())
    .addColumn('consent_id', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('request_jws', 'text', (c) => c.notNull())
    .addColumn('response_jws', 'text')
    .addColumn('response_body_sha256', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('exchange_message_log_exchange_idx')
    .on('exchange_message_log')
    .column('exchange_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('exchange_message_log').ifExists().execute();
  await db.schema.dropTable('exchange_agency_keys').ifExists().execute();
  await db.schema.dropTable('exchange_agencies').ifExists().execute();
}
