import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per counter consent (臨櫃核驗). No national ID and no data in the clear: the collected
  // datasets are sealed with the at-rest envelope (bound to the row id) and dropped when a clerk
  // redeems the case or its lifetime ends; the row then keeps which datasets, when and by whom.
  await db.schema
    .createTable('counter_cases')
    .addColumn('id', sql`text collate "C"`, (c) => c.primaryKey())
    .addColumn('citizen_id', 'uuid', (c) =>
      c.notNull().references('identity_citizens.id').onDelete('cascade'),
    )
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    // The citizen's pairwise subject at the service, as the receipt names it.
    .addColumn('subject', 'text', (c) => c.notNull())
    // ready (waiting for a clerk), redeemed, expired (never redeemed in time), cancelled.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('datasets', 'jsonb', (c) => c.notNull())
    .addColumn('agency_ids', 'jsonb', (c) => c.notNull())
    .addColumn('summary', 'jsonb', (c) => c.notNull())
    .addColumn('receipt', 'text', (c) => c.notNull())
    .addColumn('receipt_sha256', 'text', (c) => c.notNull())
    .addColumn('sealed', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('redeemed_at', 'timestamptz')
    // The clerk's keyed citizen reference and staff label: who saw the data.
    .addColumn('clerk_ref', 'text')
    .addColumn('clerk_label', 'text')
    .execute();
  await sql`create index counter_cases_citizen_idx on counter_cases (citizen_id, created_at desc)`.execute(
    db,
  );
  await sql`create index counter_cases_due_idx on counter_cases (expires_at) where sealed is not null`.execute(
    db,
  );
  // The codes shown for a case, one per period. Only a keyed hash of the short code is kept, so
  // the table cannot be read back into codes to type.
  await db.schema
    .createTable('counter_codes')
    .addColumn('nonce', sql`text collate "C"`, (c) => c.primaryKey())
    .addColumn('case_id', sql`text collate "C"`, (c) =>
      c.notNull().references('counter_cases.id').onDelete('cascade'),
    )
    .addColumn('code_hash', 'text', (c) => c.notNull().unique())
    // live (the newest of its case), superseded (a newer one was shown), used.
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index counter_codes_case_idx on counter_codes (case_id)`.execute(db);
  await sql`create index counter_codes_expiry_idx on counter_codes (expires_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('counter_codes').ifExists().execute();
  await db.schema.dropTable('counter_cases').ifExists().execute();
}
