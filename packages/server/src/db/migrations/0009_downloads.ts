import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per data download a citizen asked for. No national ID and no data in the clear: the
  // zip is sealed with the at-rest envelope (bound to the row id) and dropped when it is fetched or
  // its lifetime ends; the row then keeps only which datasets, when, and the zip's hash.
  await db.schema
    .createTable('downloads')
    .addColumn('id', sql`text collate "C"`, (c) => c.primaryKey())
    .addColumn('citizen_id', 'uuid', (c) =>
      c.notNull().references('identity_citizens.id').onDelete('cascade'),
    )
    // ready (the sealed zip waits), taken (fetched once), expired (never fetched in time).
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('datasets', 'jsonb', (c) => c.notNull())
    .addColumn('agency_ids', 'jsonb', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('sealed', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('taken_at', 'timestamptz')
    .execute();
  await sql`create index downloads_citizen_idx on downloads (citizen_id, created_at desc)`.execute(db);
  await sql`create index downloads_due_idx on downloads (expires_at) where sealed is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('downloads').ifExists().execute();
}
